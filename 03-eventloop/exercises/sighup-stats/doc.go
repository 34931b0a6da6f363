// Package sighupstats is an exercise for chapter 03: on SIGHUP the
// server prints the event loop's counters, read on the loop through
// Post. The check is exercise_test.go, run with make exercise CH=03
// EX=sighup-stats.
package sighupstats

// Package statsroute is an exercise for chapter 02: a /stats route that
// reports the loop's own counters. The check is exercise_test.go, run
// with make exercise CH=02 EX=stats-route.
package statsroute

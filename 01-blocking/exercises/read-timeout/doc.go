// Package readtimeout is an exercise for chapter 01: a client that
// stalls is answered 408 after a timeout, instead of holding the server
// forever. The check is exercise_test.go, run with
// make exercise CH=01 EX=read-timeout.
package readtimeout

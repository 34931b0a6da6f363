// Package looplag is an exercise for chapter 03: the loop reports a pass
// that took too long, and the handlers that ran in it. The check is
// exercise_test.go, run with make exercise CH=03 EX=loop-lag.
package looplag

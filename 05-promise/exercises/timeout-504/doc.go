// Package timeout504 is an exercise for chapter 05: /sleep?ms=N&timeout=M
// gives up after M ms with a 504, using Timeout, and leaves no timer
// behind. The check is exercise_test.go, run with make exercise CH=05
// EX=timeout-504.
package timeout504

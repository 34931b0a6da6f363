// Package retry is an exercise for chapter 05: Retry, a combinator that
// calls a function again while its promise is rejected, waiting twice as
// long each time. The check is exercise_test.go, run with make exercise
// CH=05 EX=retry.
package retry

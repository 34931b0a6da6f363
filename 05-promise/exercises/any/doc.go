// Package any is an exercise for chapter 05: Any, the combinator that
// waits for the first promise to fulfil and gives up only when every one
// has failed. The check is exercise_test.go, run with make exercise CH=05
// EX=any.
package any

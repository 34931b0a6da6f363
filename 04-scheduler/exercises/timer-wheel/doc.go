// Package timerwheel is an exercise for chapter 04: the loop's timers in
// a hashed timing wheel instead of a heap, behind the same API and the
// same tests. The check is exercise_test.go, run with make exercise
// CH=04 EX=timer-wheel.
package timerwheel

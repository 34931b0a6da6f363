// Package sleepall is an exercise for chapter 05: /sleep?ms=a,b,c starts
// every delay at once and answers when the last is done, with All. The
// check is exercise_test.go, run with make exercise CH=05 EX=sleep-all.
package sleepall

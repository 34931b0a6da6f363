// Package statsreset is an exercise for chapter 04: GET /stats counts the
// requests answered in this period and in the one before, and a timer
// from Every rolls the counts over. The check is exercise_test.go, run
// with make exercise CH=04 EX=stats-reset.
package statsreset

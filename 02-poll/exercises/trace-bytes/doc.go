// Package tracebytes is an exercise for chapter 02: each -trace line
// says how many bytes its pass of the loop read and wrote. The check is
// exercise_test.go, run with make exercise CH=02 EX=trace-bytes.
package tracebytes

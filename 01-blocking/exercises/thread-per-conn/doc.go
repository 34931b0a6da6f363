// Package threadperconn is an exercise for chapter 01: serve each
// connection on a goroutine of its own, and see what every blocked client
// then costs. The check is exercise_test.go, run with
// make exercise CH=01 EX=thread-per-conn.
package threadperconn

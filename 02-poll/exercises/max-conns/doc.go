// Package maxconns is an exercise for chapter 02: a cap on open
// connections, beyond which a client is told 503 at once. The check is
// exercise_test.go, run with make exercise CH=02 EX=max-conns.
package maxconns

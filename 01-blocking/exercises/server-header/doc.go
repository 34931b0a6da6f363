// Package serverheader is an exercise for chapter 01: every response
// names its server. The check is exercise_test.go, run with
// make exercise CH=01 EX=server-header.
package serverheader

// Package retryafter is an exercise for chapter 04: a cap on connections
// whose 503 says, in Retry-After, when the idle timeout will free a
// place. The check is exercise_test.go, run with make exercise CH=04
// EX=retry-after.
package retryafter

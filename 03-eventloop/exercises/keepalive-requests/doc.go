// Package keepaliverequests is an exercise for chapter 03: a cap on the
// requests one keep-alive connection may make, after which the server
// closes it, as nginx's keepalive_requests does. The check is
// exercise_test.go, run with make exercise CH=03 EX=keepalive-requests.
package keepaliverequests

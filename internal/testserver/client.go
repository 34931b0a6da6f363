package testserver

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The client side of tests that drive a server from outside its package,
// such as the exercises: small helpers that fail the test rather than
// return errors, and never let it hang.

const (
	// dialTimeout bounds connecting to a server that listens on loopback.
	dialTimeout = 5 * time.Second
	// connDeadline bounds everything a test does on one connection.
	connDeadline = 20 * time.Second
)

// Dial connects to addr. The connection is closed at cleanup, and every
// read and write on it fails after connDeadline rather than hang the test.
func Dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(connDeadline)); err != nil {
		t.Fatal(err)
	}
	return c
}

// Response is a response as a test read it: the body read in full.
type Response struct {
	Status int
	Header http.Header // without Connection: see Close
	// Close reports whether the response said "Connection: close".
	Close bool
	Body  string
}

// RoundTrip sends request, raw bytes, on a new connection, reads one
// response and closes the connection: a chapter that waits for its
// client to close after answering is then free for the next one.
func RoundTrip(t testing.TB, addr, request string) Response {
	t.Helper()
	c := Dial(t, addr)
	defer c.Close()
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatalf("sending %q: %v", request, err)
	}
	return ReadResponse(t, c, request)
}

// ReadResponse reads the response to request (which tells whether it
// answers a HEAD, and so has no body) from c.
func ReadResponse(t testing.TB, c net.Conn, request string) Response {
	t.Helper()
	method, _, _ := strings.Cut(request, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the response to %q: %v", request, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body of the response to %q: %v", request, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Close: resp.Close, Body: string(body)}
}

// WaitFor checks cond every few milliseconds until it holds, and fails
// the test, saying what it waited for, if it does not within timeout.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

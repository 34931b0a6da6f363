//go:build exercise

package timeout504_test

import (
	"bufio"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

func get(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
}

// TestTimeout504 checks the server from outside: a sleep longer than its
// timeout gets a 504 when the timeout is up, on a connection that stays
// open; a sleep within it gets its 200; a bad timeout gets a 400. Then it
// runs timersTest inside the chapter's package, on a fake clock, to see
// the loop's timers: none may be left once the 504 is sent.
func TestTimeout504(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{})

	c := testserver.Dial(t, srv.Addr)
	request := get("/sleep?ms=5000&timeout=200")
	start := time.Now()
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer to /sleep?ms=5000&timeout=200: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 504 || resp.Status != "504 Gateway Timeout" {
		t.Fatalf("/sleep?ms=5000&timeout=200: status line %q, body %q; want \"504 Gateway Timeout\"", resp.Proto+" "+resp.Status, body)
	}
	if took < 200*time.Millisecond || took >= 2500*time.Millisecond {
		t.Fatalf("/sleep?ms=5000&timeout=200 was answered after %v; want the 504 when the 200 ms timeout is up, long before the 5000 ms sleep", took.Round(time.Millisecond))
	}
	if resp.Close {
		t.Fatal("the 504 says Connection: close; want the connection kept open: the request was good, only the wait was too long")
	}
	t.Logf("/sleep?ms=5000&timeout=200: %s after %v, body %q", resp.Status, took.Round(time.Millisecond), body)
	request = get("/")
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	if resp := testserver.ReadResponse(t, c, request); resp.Status != 200 {
		t.Fatalf("GET / on the connection that got the 504: status %d, want 200", resp.Status)
	}

	start = time.Now()
	if resp := testserver.RoundTrip(t, srv.Addr, get("/sleep?ms=100&timeout=1000")); resp.Status != 200 || resp.Body != "slept 100 ms\n" {
		t.Fatalf("/sleep?ms=100&timeout=1000: status %d, body %q; want 200 and %q: the sleep ends in time", resp.Status, resp.Body, "slept 100 ms\n")
	}
	if took := time.Since(start); took < 100*time.Millisecond {
		t.Fatalf("/sleep?ms=100&timeout=1000 was answered after %v, before the 100 ms were up", took.Round(time.Millisecond))
	}
	for _, q := range []string{"timeout=", "timeout=x", "timeout=-1", "timeout=+5", "timeout=10001"} {
		target := "/sleep?ms=100&" + q
		if resp := testserver.RoundTrip(t, srv.Addr, get(target)); resp.Status != 400 {
			t.Errorf("%s: status %d, want 400: timeout, when given, is a number from 0 to 10000, as ms is", target, resp.Status)
		}
	}

	out, passed := testserver.RunInPackage(t, "../..", timersTest, "TestTimeout504Exercise")
	if !passed {
		t.Fatalf("go test in 05-promise, with the exercise's test of the loop's timers added:\n%s", out)
	}
	t.Logf("go test in 05-promise, with the exercise's test added:\n%s", out)
}

// timersTest is the test that go test -overlay adds to the chapter's
// package. It serves one connection, a socket pair, on a loop that never
// runs, as the chapter's TestSleeperThatLeavesBeforeItsAnswerRuns does
// (timers_linux_test.go), and moves its fake clock (timerLoop in
// timers_test.go) a millisecond at a time.
const timersTest = `package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
	"golang.org/x/sys/unix"
)

func TestTimeout504Exercise(t *testing.T) {
	l, clock := timerLoop(t)
	stderr := &syncbuf.Buffer{}
	l.stderr = stderr
	s := &server{loop: l, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable()}
	fds, err := newSocketPair()
	if err != nil {
		t.Fatal(err)
	}
	fd, client := fds[0], fds[1]
	t.Cleanup(func() { unix.Close(client) })
	s.add(fd)
	c := s.conns[fd]

	// ask sends a request, and moves the clock a millisecond at a time
	// until an answer comes, for at most a second.
	ask := func(request string) (answer string, after time.Duration) {
		t.Helper()
		write(t, client, request)
		start := clock.now
		c.ready(Readable)
		for {
			settleAll(t, l)
			var buf [4096]byte
			n, err := unix.Read(client, buf[:])
			if n > 0 {
				return string(buf[:n]), clock.now.Sub(start)
			}
			if err != unix.EAGAIN {
				t.Fatalf("%q: read %d, %v; want an answer", request, n, err)
			}
			if clock.now.Sub(start) >= time.Second {
				t.Fatalf("%q: no answer after a second", request)
			}
			clock.advance(time.Millisecond)
		}
	}

	answer, after := ask("GET /sleep?ms=500&timeout=100 HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(answer, "HTTP/1.1 504 Gateway Timeout\r\n") || after != 100*time.Millisecond {
		t.Fatalf("/sleep?ms=500&timeout=100 was answered after %v with %q; want 504 Gateway Timeout after exactly 100 ms", after, answer)
	}
	if len(l.timers) != 0 {
		t.Fatalf("after the 504, %d timer(s) still set: the sleep's timer must be stopped when the timeout wins, or it fires at 500 ms for nothing, holding the connection until then", len(l.timers))
	}
	answer, _ = ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(answer, "HTTP/1.1 200 ") {
		t.Fatalf("GET / after the 504, on the same connection: %q, want 200", answer)
	}

	// A sleep that ends when its timeout does is in time, and leaves
	// nothing behind either.
	answer, after = ask("GET /sleep?ms=100&timeout=100 HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(answer, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(answer, "slept 100 ms\n") || after != 100*time.Millisecond {
		t.Fatalf("/sleep?ms=100&timeout=100 was answered after %v with %q; want 200 and slept 100 ms, after exactly 100 ms: a sleep that ends as the timeout does is in time", after, answer)
	}
	if len(l.timers) != 0 {
		t.Fatalf("after a sleep that ended in time, %d timer(s) still set: Timeout stops its own", len(l.timers))
	}
	if got := stderr.String(); got != "" {
		t.Errorf("stderr: %q; want nothing: no rejection in the chain is left unhandled", got)
	}
}
`

//go:build exercise

package retryafter_test

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

const (
	get         = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	idleTimeout = 3 * time.Second
)

// TestRetryAfter fills a server started with -max-conns 2 and
// -idle-timeout 3s, and checks the Retry-After of the 503 that a client
// beyond the cap gets: the seconds until the idle timeout closes the
// connection that has waited longest for a request, so it shrinks as
// time passes, and activity on a connection takes it out of the count.
func TestRetryAfter(t *testing.T) {
	bin := testserver.Build(t, "../..")
	testserver.RequireFlag(t, bin, "max-conns")
	srv := testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-max-conns", "2", "-idle-timeout", idleTimeout.String()}})

	// Two silent clients. The server accepts them, in the order they
	// connected, before the client that comes after them; it takes
	// their time of arrival from its clock, which reads no earlier
	// than start.
	start := time.Now()
	a := testserver.Dial(t, srv.Addr)
	b := testserver.Dial(t, srv.Addr)

	// At once, both have waited for next to nothing: the place of the
	// first of them frees in about 3 seconds.
	first := turnedAway(t, srv.Addr)
	if low := ceilSeconds(idleTimeout - first.answered.Sub(start)); first.seconds < low || first.seconds > 3 {
		t.Fatalf("the first client turned away was told \"Retry-After: %d\"; want %d to 3: the silent clients arrived less than %v before, and the idle timeout closes them %v after they arrived",
			first.seconds, low, first.answered.Sub(start).Round(time.Millisecond), idleTimeout)
	}

	// Let 1.2 s pass (a measurement window, not synchronisation), then
	// let a ask for a page: a waits again from now, and b is the one
	// that has waited longest.
	time.Sleep(1200*time.Millisecond - time.Since(first.answered))
	if _, err := io.WriteString(a, get); err != nil {
		t.Fatal(err)
	}
	if resp := testserver.ReadResponse(t, a, get); resp.Status != 200 {
		t.Fatalf("a client inside the cap got status %d, want 200", resp.Status)
	}
	second := turnedAway(t, srv.Addr)
	// b arrived before the first 503 was sent, and no earlier than start.
	high := ceilSeconds(first.answered.Add(idleTimeout).Sub(second.sent))
	low := max(1, ceilSeconds(start.Add(idleTimeout).Sub(second.answered)))
	if second.seconds < low || second.seconds > high {
		t.Fatalf("after %v, with one silent client left and the other just served, a client turned away was told \"Retry-After: %d\"; want %d to %d: the seconds until the idle timeout closes the client that has waited longest (b, silent since it connected), rounded up",
			second.sent.Sub(start).Round(time.Millisecond), second.seconds, low, high)
	}

	t.Logf("Retry-After: %d at %v, then %d at %v after the start", first.seconds, first.sent.Sub(start).Round(time.Millisecond), second.seconds, second.sent.Sub(start).Round(time.Millisecond))

	// The promise is kept: the idle timeout closes b, and its place goes
	// to the next client that comes.
	if err := b.SetReadDeadline(start.Add(idleTimeout + 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the silent client b: read %d bytes, %v; want the idle timeout to close it (EOF) within about %v", n, err, idleTimeout)
	}
	testserver.WaitFor(t, 10*time.Second, "a new client to be served once the idle timeout had closed b", func() bool {
		return testserver.RoundTrip(t, srv.Addr, get).Status == 200
	})

	// With every connection busy, no idle timeout can free a place: the
	// answer is 1.
	srv = testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-max-conns", "2", "-idle-timeout", idleTimeout.String()}})
	const sleep = "GET /sleep?ms=5000 HTTP/1.1\r\nHost: localhost\r\n\r\n"
	for range 2 {
		c := testserver.Dial(t, srv.Addr)
		if _, err := io.WriteString(c, sleep); err != nil {
			t.Fatal(err)
		}
	}
	testserver.WaitFor(t, 10*time.Second, "a client turned away while two clients sleep (/sleep?ms=5000) to be told \"Retry-After: 1\"", func() bool {
		// The server may not have read the requests yet: the two
		// connections then wait for one, and count.
		return turnedAway(t, srv.Addr).seconds == 1
	})

	status, stderr := testserver.RunToExit(t, bin, "-max-conns", "-1", "-addr", "127.0.0.1:0")
	if status != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "max-conns") {
		t.Errorf("-max-conns -1: exit status %d, stderr %q; want status 2 and one line that names -max-conns", status, stderr)
	}
}

type refusal struct {
	seconds        int       // what Retry-After said
	sent, answered time.Time // when the client connected, and when it had the answer
}

// turnedAway connects to a full server, and checks that it answers 503
// with one Retry-After in seconds and Connection: close, then closes.
func turnedAway(t *testing.T, addr string) refusal {
	t.Helper()
	sent := time.Now()
	c := testserver.Dial(t, addr)
	defer c.Close()
	if _, err := io.WriteString(c, get); err != nil {
		t.Fatal(err)
	}
	resp := testserver.ReadResponse(t, c, get)
	answered := time.Now()
	if resp.Status != 503 {
		t.Fatalf("a client beyond -max-conns got status %d, want 503", resp.Status)
	}
	if !resp.Close {
		t.Error("the 503 has no \"Connection: close\", but the server closes after it")
	}
	values := resp.Header.Values("Retry-After")
	if len(values) != 1 {
		t.Fatalf("the 503 has %d Retry-After headers (%q), want exactly one", len(values), values)
	}
	// RFC 9110 §10.2.3: delay-seconds is a non-negative decimal integer.
	n, err := strconv.Atoi(values[0])
	if err != nil || strings.Trim(values[0], "0123456789") != "" || n < 1 {
		t.Fatalf("\"Retry-After: %s\": want a whole number of seconds, at least 1", values[0])
	}
	// The server closes at once, without waiting for the client.
	if err := c.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after the 503, want the server to close the connection (EOF) at once, got %v", err)
	}
	return refusal{seconds: n, sent: sent, answered: answered}
}

// ceilSeconds is d in seconds, rounded up.
func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

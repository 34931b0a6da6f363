//go:build exercise

package statsroute_test

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// statsClient asks for /stats and keeps count of every request it and the
// test send, which is what "requests answered" must say.
type statsClient struct {
	t    *testing.T
	addr string
	sent int // requests answered so far
}

type stats struct{ open, answered int }

// get asks for /stats and checks that it counts every request answered
// before it.
func (c *statsClient) get() stats {
	c.t.Helper()
	const request = "GET /stats HTTP/1.1\r\nHost: localhost\r\n\r\n"
	resp := testserver.RoundTrip(c.t, c.addr, request)
	if resp.Status != 200 {
		c.t.Fatalf("GET /stats: status %d, want 200 (body %q)", resp.Status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		c.t.Errorf("GET /stats: Content-Type %q, want text/plain", ct)
	}
	s := stats{open: field(c.t, resp.Body, "open connections"), answered: field(c.t, resp.Body, "requests answered")}
	if s.answered != c.sent {
		c.t.Fatalf("/stats says %d requests answered, want %d: every response sent before this one, /stats included", s.answered, c.sent)
	}
	c.sent++
	return s
}

// send sends a request that is not /stats and checks its status.
func (c *statsClient) send(request string, status int) {
	c.t.Helper()
	if got := testserver.RoundTrip(c.t, c.addr, request).Status; got != status {
		c.t.Fatalf("%q: status %d, want %d", request, got, status)
	}
	c.sent++
}

// field finds the line "name: N" in body.
func field(t *testing.T, body, name string) int {
	t.Helper()
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("/stats: %q is not a number in line %q", v, line)
			}
			return n
		}
	}
	t.Fatalf("/stats has no line %q in:\n%s", name+": N", body)
	return 0
}

func TestStats(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{})
	c := &statsClient{t: t, addr: srv.Addr}

	if s := c.get(); s.open != 1 {
		t.Fatalf("on a fresh server, /stats says %d open connections, want 1: the one asking", s.open)
	}

	c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 200)
	c.send("GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n", 404)
	c.send("NOT A REQUEST\r\n\r\n", 400)
	c.get()

	// Connected, silent clients are open connections too. A connection
	// that has just closed may take the server a moment to notice, so
	// wait for the count rather than expect it on the first try.
	const idle = 5
	conns := make([]net.Conn, idle)
	for i := range conns {
		conns[i] = testserver.Dial(t, srv.Addr)
	}
	testserver.WaitFor(t, 10*time.Second, fmt.Sprintf("/stats to count %d open connections", idle+1), func() bool {
		s := c.get()
		if s.open < idle+1 {
			t.Fatalf("with %d idle clients connected, /stats says %d open connections, want %d", idle, s.open, idle+1)
		}
		return s.open == idle+1
	})

	for _, conn := range conns {
		conn.Close()
	}
	testserver.WaitFor(t, 10*time.Second, "/stats to count 1 open connection once the idle clients closed", func() bool {
		return c.get().open == 1
	})
}

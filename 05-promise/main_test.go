package main

import (
	"bufio"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m, run) }

func TestConformance(t *testing.T) {
	// A short idle timeout, so that the behaviours that wait for it are
	// quick to check.
	s := testserver.Start(t, "-idle-timeout", "1s")
	conformance.Run(t, conformance.Target{Addr: s.Addr, Chapter: 5, Process: s, Short: testing.Short(), IdleTimeout: time.Second})
}

// TestTraceOneLinePerWakeUp checks the -trace format the book shows: one
// line per return from poll, naming the descriptors that became ready and
// the handler each one went to.
func TestTraceOneLinePerWakeUp(t *testing.T) {
	s := testserver.Start(t, "-trace")
	if resp := testserver.RoundTrip(t, s.Addr, "GET / HTTP/1.0\r\n\r\n"); resp.Status != 200 {
		t.Fatalf("GET /: status %d", resp.Status)
	}
	line := regexp.MustCompile(`^poll\(\d+ fds, timeout=(inf|\d+ms)\) blocked \d+(\.\d+)?[mµn]?s: \d+ ready(, fd \d+ [A-Z|]+ (→ (listener|conn|wake-up)( \([^()]*\))*|\(gone\)|\(not asked\)))+$`)
	// At least three wake-ups: the listener, the request, and the
	// client's FIN after it read the response.
	testserver.WaitFor(t, 10*time.Second, "three wake-ups in the trace", func() bool {
		return strings.Count(s.Output(), "poll(") >= 3
	})
	var polls int
	for _, l := range strings.Split(strings.TrimSpace(s.Output()), "\n") {
		if strings.HasPrefix(l, "listening on ") {
			continue
		}
		if !line.MatchString(l) {
			t.Errorf("trace line %q does not have the documented form", l)
		}
		polls++
	}
	if !strings.Contains(s.Output(), "→ listener") || !strings.Contains(s.Output(), "→ conn") {
		t.Errorf("want a wake-up for the listener and at least one for the connection, got:\n%s", s.Output())
	}
}

// TestOutOfDescriptors runs the server with room for only a few
// connections. Clients beyond that wait in the backlog, the server does
// not spin meanwhile, and every one of them is answered once earlier
// connections finish.
func TestOutOfDescriptors(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{NoFile: 20})
	const clients = 40
	conns := make([]net.Conn, clients)
	for i := range conns {
		c := testserver.Dial(t, s.Addr)
		if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n"); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	// Wait until the server has taken every descriptor it may have.
	testserver.WaitFor(t, 10*time.Second, "the server to use all its descriptors", func() bool {
		n, err := s.FDs()
		return err != nil || n >= 20
	})
	if _, err := s.FDs(); err != nil {
		t.Skip(err)
	}
	before, _ := s.CPUTime()
	time.Sleep(500 * time.Millisecond) // a measurement window, not synchronisation
	after, _ := s.CPUTime()
	if used := after - before; used > 100*time.Millisecond {
		t.Errorf("the server used %v of CPU in 500ms while out of descriptors: it spins", used)
	}
	for i, c := range conns {
		if _, err := io.WriteString(c, "\r\n"); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	for i, c := range conns {
		status, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.HasPrefix(status, "HTTP/1.1 200 ") {
			t.Errorf("client %d: got %q, %v", i, status, err)
		}
		c.Close() // frees the server's descriptor for a client still queued

	}
}

// TestFINFollowsTheResponse: the server shuts down its sending side right
// after the response and only then lingers, so a client that reads until
// EOF is not kept waiting for the linger.
func TestFINFollowsTheResponse(t *testing.T) {
	s := testserver.Start(t)
	c := testserver.Dial(t, s.Addr)
	start := time.Now()
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(c); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > lingerTimeout/2 {
		t.Errorf("EOF came %v after the request: the FIN waited for the linger", d)
	}
}

// TestSlowHandlerDelaysEveryone: with -slow-handler, GET /slow sleeps on
// the loop, and a client that comes after it waits until it is done:
// the lesson of the chapter, which its book page shows with numbers.
// Without the flag, /slow is an ordinary 404.
func TestSlowHandlerDelaysEveryone(t *testing.T) {
	const slow = 300 * time.Millisecond
	s := testserver.Start(t, "-slow-handler", slow.String())
	a := testserver.Dial(t, s.Addr)
	start := time.Now()
	if _, err := io.WriteString(a, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// On loopback the request is in the server's receive queue once the
	// write returns, before b even connects.
	b := testserver.RoundTrip(t, s.Addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	waited := time.Since(start)
	if b.Status != 200 || waited < slow {
		t.Errorf("GET / answered %d after %v: want 200 after the slow handler's %v", b.Status, waited, slow)
	}
	if r := testserver.ReadResponse(t, a, "GET /slow"); r.Status != 200 || !strings.Contains(r.Body, "slept 300ms on the loop") {
		t.Errorf("GET /slow: %d %q", r.Status, r.Body)
	}
	if r := testserver.RoundTrip(t, testserver.Start(t).Addr, "GET /slow HTTP/1.0\r\n\r\n"); r.Status != 404 {
		t.Errorf("GET /slow without -slow-handler: status %d, want 404", r.Status)
	}
}

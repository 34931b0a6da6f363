//go:build exercise

package sighupstats_test

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

const get = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"

// statsLine is the line SIGHUP must print, and statsForm the same for
// a learner to read.
var statsLine = regexp.MustCompile(`^03-eventloop: stats: (\d+) passes, (\d+) handlers run, (\d+) posted functions run, (\d+) wake-up writes, (\d+) connections open$`)

const statsForm = "03-eventloop: stats: N passes, N handlers run, N posted functions run, N wake-up writes, N connections open"

type stats struct{ passes, handlers, posted, wakeups, open int }

// hangup sends the server SIGHUP and returns what the line it prints in
// answer says. One signal at a time: the kernel and os/signal may merge
// signals that arrive together into one.
func hangup(t *testing.T, srv *testserver.Server) stats {
	t.Helper()
	before := len(statsLines(t, srv.Output()))
	if err := srv.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	var lines []stats
	testserver.WaitFor(t, 10*time.Second, "a line of the form\n\t"+statsForm+"\non stderr after SIGHUP", func() bool {
		if err := srv.Alive(); err != nil {
			t.Fatalf("SIGHUP ended the server (%v): by default SIGHUP terminates a process, and a Go program too until it asks for the signal with signal.Notify (see relaySignals)", err)
		}
		lines = statsLines(t, srv.Output())
		return len(lines) > before
	})
	if len(lines) > before+1 {
		t.Fatalf("one SIGHUP printed %d lines of stats, want one:\n%s", len(lines)-before, srv.Output())
	}
	return lines[len(lines)-1]
}

// statsLines parses the stats lines in the server's output so far. A line
// that begins like one but does not have the form fails the test.
func statsLines(t *testing.T, output string) []stats {
	t.Helper()
	complete := output[:strings.LastIndexByte(output, '\n')+1]
	var all []stats
	for line := range strings.SplitSeq(complete, "\n") {
		if !strings.HasPrefix(line, "03-eventloop: stats") {
			continue
		}
		m := statsLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("the line\n\t%s\ndoes not have the form\n\t%s", line, statsForm)
		}
		var n [5]int
		for i := range n {
			n[i], _ = strconv.Atoi(m[i+1])
		}
		all = append(all, stats{passes: n[0], handlers: n[1], posted: n[2], wakeups: n[3], open: n[4]})
	}
	return all
}

// request sends a request on c, which stays open, and reads its answer.
func request(t *testing.T, c net.Conn) {
	t.Helper()
	if _, err := io.WriteString(c, get); err != nil {
		t.Fatal(err)
	}
	if resp := testserver.ReadResponse(t, c, get); resp.Status != 200 || resp.Close {
		t.Fatalf("GET /: status %d, Connection: close %v; want 200 on a connection kept open", resp.Status, resp.Close)
	}
}

// TestSighupStats makes requests on connections it keeps open, sends
// SIGHUP, and checks that the counters in the line the server prints
// account for what the test did; then does more, and checks again.
func TestSighupStats(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{})

	// Three connections, two requests each, one request at a time: each
	// request is a pass of its own, and its connection's handler runs.
	const held, perConn = 3, 2
	conns := make([]net.Conn, held)
	for i := range conns {
		conns[i] = testserver.Dial(t, srv.Addr)
	}
	requests := 0
	for range perConn {
		for _, c := range conns {
			request(t, c)
			requests++
		}
	}

	first := hangup(t, srv)
	t.Logf("after %d requests on %d connections: %+v", requests, held, first)
	if first.open != held {
		t.Errorf("the line says %d connections open; the test holds %d open", first.open, held)
	}
	if first.handlers < requests+1 {
		t.Errorf("the line says %d handlers run; want at least %d: one per request, and the listener's for the connections", first.handlers, requests+1)
	}
	if first.passes < requests {
		t.Errorf("the line says %d passes; want at least %d: each request came after the answer to the one before, so in a pass of its own", first.passes, requests)
	}
	if first.wakeups < 1 {
		t.Errorf("the line says %d wake-up writes; want at least 1: Post wrote one to run the SIGHUP's work on the loop", first.wakeups)
	}
	if first.wakeups > first.posted+1 {
		t.Errorf("the line says %d wake-up writes but %d posted functions run: every write but the one for this SIGHUP was for work that has run", first.wakeups, first.posted)
	}

	// More work, one connection fewer: the second line must count it.
	conns[0].Close()
	for _, c := range conns[1:] {
		request(t, c)
	}
	var second stats
	testserver.WaitFor(t, 10*time.Second, fmt.Sprintf("a SIGHUP line that counts %d connections open, once the server has seen one close", held-1), func() bool {
		second = hangup(t, srv)
		if second.open < held-1 {
			t.Fatalf("the line says %d connections open; the test holds %d open", second.open, held-1)
		}
		return second.open == held-1
	})
	t.Logf("after %d more requests and one connection closed: %+v", held-1, second)
	if second.handlers < first.handlers+held-1 {
		t.Errorf("handlers run went from %d to %d over %d more requests: want at least %d", first.handlers, second.handlers, held-1, first.handlers+held-1)
	}
	if second.passes < first.passes+held-1 {
		t.Errorf("passes went from %d to %d over %d more requests: want at least %d", first.passes, second.passes, held-1, first.passes+held-1)
	}
	if second.posted < first.posted+1 {
		t.Errorf("posted functions run went from %d to %d: the first SIGHUP's work ran in between", first.posted, second.posted)
	}
	if second.wakeups < first.wakeups+1 {
		t.Errorf("wake-up writes went from %d to %d: the second SIGHUP's Post found the loop asleep and had to write", first.wakeups, second.wakeups)
	}

	// SIGHUP reports; it does not stop the server, nor count as a first
	// SIGTERM: the next SIGTERM still shuts down gracefully.
	request(t, conns[1])
	if err := srv.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	status, err := srv.Wait(10 * time.Second)
	if err != nil || status != 0 {
		t.Fatalf("SIGTERM after SIGHUP: exit status %d (%v), want a graceful stop, status 0:\n%s", status, err, srv.Output())
	}
}

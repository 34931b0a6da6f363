package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The tests of this file run a server in the test's process, on a socket
// pair, with a short idle timeout, and read what its client sees.

func startTimedServer(t *testing.T, idle time.Duration) (*testLoop, *server, int, int) {
	t.Helper()
	serverSide, client := socketPair(t)
	tl := startLoop(t, false, nil)
	s := &server{loop: tl.EventLoop, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable(), idleTimeout: idle}
	tl.onLoop(t, func() { s.add(serverSide) })
	unix.SetNonblock(client, false)
	tv := unix.NsecToTimeval((10 * time.Second).Nanoseconds())
	unix.SetsockoptTimeval(client, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	return tl, s, serverSide, client
}

// readAll reads until the server closes, and says how long that took.
func readAll(t *testing.T, fd int) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	b, err := io.ReadAll(fdReader(fd))
	if err != nil {
		t.Fatalf("reading until the server closes: %v (after %q)", err, b)
	}
	return string(b), time.Since(start)
}

func TestIdleConnectionIsClosedAfterTheTimeout(t *testing.T) {
	const idle = 300 * time.Millisecond
	_, _, _, client := startTimedServer(t, idle)
	br := bufio.NewReader(fdReader(client))
	// Activity: a request every idle/2 keeps the connection.
	start := time.Now()
	var lastSent time.Time
	for range 4 {
		lastSent = time.Now()
		write(t, client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("a request after %v: %v, %v", time.Since(start), resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		time.Sleep(idle / 2) // the client's pace, not synchronisation
	}
	rest, _ := readAll(t, client)
	if rest != "" {
		t.Errorf("an idle connection got %q before its close, want nothing", rest)
	}
	// The server began to wait after the last request was sent, so it
	// may not close sooner than idle after that (however late the
	// client's sleep ran); much later would be a timer gone astray.
	if waited := time.Since(lastSent); waited < idle || waited > idle+time.Second {
		t.Errorf("closed %v after the last request was sent: want %v, or a little more", waited, idle)
	}
}

func TestSlowHeadGets408(t *testing.T) {
	for _, head := range []string{"GET / HTTP/1.1\r\nHo", "HEAD / HTTP/1.1\r\nHo"} {
		_, _, _, client := startTimedServer(t, 200*time.Millisecond)
		write(t, client, head)
		got, _ := readAll(t, client)
		if !strings.HasPrefix(got, "HTTP/1.1 408 Request Timeout\r\n") || !strings.Contains(got, "Connection: close") {
			t.Errorf("half a head %q: got %q, want 408 with Connection: close", head, got)
		}
		if strings.HasPrefix(head, "HEAD") && !strings.HasSuffix(got, "\r\n\r\n") {
			t.Errorf("the 408 to a HEAD has a body: %q", got)
		}
	}
}

func TestOnlyEmptyLinesGetNo408(t *testing.T) {
	_, _, _, client := startTimedServer(t, 200*time.Millisecond)
	write(t, client, "\r\n\r\n")
	if got, _ := readAll(t, client); got != "" {
		t.Errorf("empty lines, then silence: got %q, want a close without an answer", got)
	}
}

// TestClientThatStopsReadingIsClosed: a download the client stops
// reading makes no progress; after the idle timeout the connection goes,
// rather than hold its descriptor forever.
func TestClientThatStopsReadingIsClosed(t *testing.T) {
	tl, s, serverSide, client := startTimedServer(t, 200*time.Millisecond)
	write(t, client, "GET /bytes?n=67108864 HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, tl, "the server to close the stalled download", func() bool {
		return s.conns[serverSide] == nil
	})
}

// TestHalfCloseDuringSleepStillGetsTheAnswer: the client's FIN says it
// sends nothing more, not that it stopped reading.
func TestHalfCloseDuringSleepStillGetsTheAnswer(t *testing.T) {
	_, _, _, client := startTimedServer(t, 0)
	write(t, client, "GET /sleep?ms=100 HTTP/1.0\r\n\r\n")
	if err := unix.Shutdown(client, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, client)
	if !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(got, "slept 100 ms\n") {
		t.Errorf("got %q, want the answer to the sleep", got)
	}
}

// TestSleeperAnsweredDuringShutdownSaysClose: a /sleep answered after
// SIGTERM is the last response on its connection, and says so.
func TestSleeperAnsweredDuringShutdownSaysClose(t *testing.T) {
	tl, s, serverSide, client := startTimedServer(t, 0)
	write(t, client, "GET /sleep?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, tl, "the sleep to start", func() bool { c := s.conns[serverSide]; return c != nil && c.sleeping != nil })
	tl.onLoop(t, func() { s.shuttingDown = true }) // what shutdown sets; this server has no listener to close
	got, _ := readAll(t, client)
	if !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") || !strings.Contains(got, "Connection: close\r\n") {
		t.Errorf("got %q, want 200 with Connection: close", got)
	}
}

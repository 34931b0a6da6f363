package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSleeperThatLeavesIsNotAnsweredOnANewConnection: a client asks for
// /sleep and resets at once. Its descriptor number goes to the next
// connection; when the sleep is over, nothing may be written there.
func TestSleeperThatLeavesIsNotAnsweredOnANewConnection(t *testing.T) {
	tl := startLoop(t, false, nil)
	s := &server{loop: tl.EventLoop, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable()}
	fds, err := newSocketPair()
	if err != nil {
		t.Fatal(err)
	}
	sleeper, sleeperPeer := fds[0], fds[1]
	tl.onLoop(t, func() { s.add(sleeper) })
	write(t, sleeperPeer, "GET /sleep?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, tl, "the sleep to start", func() bool { c := s.conns[sleeper]; return c != nil && c.sleeping != nil })
	// The client leaves: the server sees the end of the stream, or an
	// error, and closes its side.
	unix.SetsockoptLinger(sleeperPeer, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	unix.Close(sleeperPeer)
	waitFor(t, tl, "the server to close the sleeper", func() bool { return s.conns[sleeper] == nil || s.conns[sleeper].state == closed })

	// A new connection on the old number, as the kernel hands out the
	// lowest free descriptor: one end of a new socket pair gets it (the
	// two ends are alike, so either may be the server's).
	newcomer, newcomerPeer := socketPair(t)
	switch sleeper {
	case newcomer:
	case newcomerPeer:
		newcomer, newcomerPeer = newcomerPeer, newcomer
	default:
		t.Skipf("descriptor %d went to another file meanwhile: nothing to show", sleeper)
	}
	tl.onLoop(t, func() { s.add(newcomer) })
	time.Sleep(400 * time.Millisecond) // a window for the stale answer to arrive, not synchronisation
	var buf [512]byte
	if n, err := unix.Read(newcomerPeer, buf[:]); n > 0 {
		t.Fatalf("the new connection received %q, meant for the client that left", buf[:n])
	} else if err != unix.EAGAIN {
		t.Fatalf("read on the new connection: %d, %v; want nothing (EAGAIN)", n, err)
	}
	write(t, newcomerPeer, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	waitFor(t, tl, "the newcomer's answer", func() bool { c := s.conns[newcomer]; return c == nil || c.state != open })
	n, _ := unix.Read(newcomerPeer, buf[:])
	if got := string(buf[:max(n, 0)]); !strings.HasPrefix(got, "HTTP/1.1 200 OK") || strings.Contains(got, "slept") {
		t.Errorf("the new connection got %q, want its own 200 only", got)
	}
}

// TestSleeperThatLeavesBeforeItsAnswerRuns: the /sleep timer has fired,
// but the pass ran out of microtask budget, so the chain's last link,
// respond, waits for a later pass. Meanwhile the client resets, the
// connection closes, and a new one gets its descriptor number. When
// respond runs at last, it must write nothing there.
func TestSleeperThatLeavesBeforeItsAnswerRuns(t *testing.T) {
	l, clock := timerLoop(t)
	s := &server{loop: l, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable()}
	fds, err := newSocketPair()
	if err != nil {
		t.Fatal(err)
	}
	sleeper, sleeperPeer := fds[0], fds[1]
	t.Cleanup(func() { unix.Close(sleeperPeer) })
	s.add(sleeper)
	write(t, sleeperPeer, "GET /sleep?ms=10 HTTP/1.1\r\nHost: x\r\n\r\n")
	s.conns[sleeper].ready(Readable)
	if s.conns[sleeper].sleeping == nil {
		t.Fatal("the request did not start a sleep")
	}

	clock.advance(10 * time.Millisecond)
	l.now = l.clock()
	l.micro.budget = 0 // the pass has spent its microtasks
	if l.runTimers() != 1 || !l.micro.pending() {
		t.Fatal("the sleep's timer did not fire, or its handler ran at once")
	}
	s.conns[sleeper].close() // the client's reset, seen by the handler

	newcomer, newcomerPeer := socketPair(t)
	switch sleeper {
	case newcomer:
	case newcomerPeer:
		newcomer, newcomerPeer = newcomerPeer, newcomer
	default:
		t.Skipf("descriptor %d went to another file meanwhile: nothing to show", sleeper)
	}
	s.add(newcomer)
	pass(l) // the next pass runs what the last one left: respond

	var buf [512]byte
	if n, err := unix.Read(newcomerPeer, buf[:]); n > 0 {
		t.Fatalf("the new connection received %q, meant for the client that left", buf[:n])
	} else if err != unix.EAGAIN {
		t.Fatalf("read on the new connection: %d, %v; want nothing (EAGAIN)", n, err)
	}
}

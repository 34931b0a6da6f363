package main

import (
	"strings"
	"testing"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
	"golang.org/x/sys/unix"
)

// TestPOLLNVALIsReported: poll saying that a connection's descriptor is
// not open means the server closed it and kept the connection, a bug.
// The server says so on stderr, and drops the connection, so that the
// next poll is not asked about it and does not return at once again.
func TestPOLLNVALIsReported(t *testing.T) {
	// The kernel hands out the lowest free number, so one this high stays
	// unused while the test runs.
	const notOpen = 999
	if _, err := unix.FcntlInt(notOpen, unix.F_GETFD, 0); err != unix.EBADF {
		t.Skipf("descriptor %d is in use here (%v)", notOpen, err)
	}
	s := newServer(-1)
	errlog := &syncbuf.Buffer{}
	s.errlog = errlog
	c := newConn(notOpen)
	s.conns = make([]*conn, notOpen+1)
	s.conns[notOpen] = c
	pfds := []unix.PollFd{{Fd: notOpen, Events: c.events()}}
	if n, err := unix.Poll(pfds, 0); n != 1 || err != nil || pfds[0].Revents != unix.POLLNVAL {
		t.Fatalf("poll = %d, %v, revents %s; want 1 ready with NVAL", n, err, eventNames(pfds[0].Revents))
	}
	s.ready(c, pfds[0].Revents)
	if s.conns[notOpen] != nil {
		t.Error("the connection is still in the poll set")
	}
	want := "fd 999 is not open (POLLNVAL)"
	if out := errlog.String(); strings.Count(out, "\n") != 1 || !strings.Contains(out, want) {
		t.Errorf("stderr is %q, want one line saying %q", out, want)
	}
}

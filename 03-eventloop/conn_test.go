package main

import (
	"io"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
	"golang.org/x/sys/unix"
)

// TestFlushSurvivesPartialWrites drives flush over a Unix socket pair
// with a small send buffer, where writes are often partial. TCP on
// loopback rarely shows this: it tends to take a 64 KiB chunk whole or
// not at all.
func TestFlushSurvivesPartialWrites(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 8192); err != nil {
		t.Fatal(err)
	}
	const n = 1 << 20
	loop, err := NewEventLoop(io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loop.Close() })
	s := &server{loop: loop, pattern: newAlphabetTable()}
	c := &conn{fd: fds[0], s: s, stream: n, lastSent: true}
	if err := loop.Register(c.fd, Writable, "conn", c.ready); err != nil {
		t.Fatal(err)
	}
	var off int64
	buf := make([]byte, 3000) // not a divisor of anything the server writes
	read := func() {
		for {
			m, err := unix.Read(fds[1], buf)
			if err != nil || m == 0 {
				return
			}
			for i := range m {
				if want := conformance.BytesPattern(off + int64(i)); buf[i] != want {
					t.Fatalf("byte %d is %q, want %q", off+int64(i), buf[i], want)
				}
			}
			off += int64(m)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.state == open {
		if time.Now().After(deadline) {
			t.Fatalf("not done after 10s: %d bytes received", off)
		}
		c.budget = writeBudget
		c.flush() // what the handler does when poll reports POLLOUT
		read()
	}
	read()
	if off != n {
		t.Errorf("received %d bytes, want %d", off, n)
	}
}

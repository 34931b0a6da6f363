package main

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
	"golang.org/x/sys/unix"
)

// TestIdleConnectionsCostNoHeadBuffer accepts connections whose clients
// send nothing, and measures what the server allocated meanwhile: a conn
// for each, not an 8 KiB head buffer too. Then one client sends its
// request, and it is answered: the buffer comes when bytes do.
func TestIdleConnectionsCostNoHeadBuffer(t *testing.T) {
	sa, err := parseAddr("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lfd, addr, err := listen(sa)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeFD(lfd) })
	s := newServer(lfd)
	t.Cleanup(func() {
		for _, c := range s.conns {
			if c != nil {
				closeFD(c.fd)
			}
		}
	})
	const idle = 64
	clients := make(map[int]net.Conn) // by the client's port
	for range idle {
		c := testserver.Dial(t, addr)
		clients[c.LocalAddr().(*net.TCPAddr).Port] = c
	}

	// Dial returned once the kernel had completed each connection: they
	// all wait in the backlog, and accepting them is all that happens
	// between the two readings.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	deadline := time.Now().Add(10 * time.Second)
	for openConns(s) < idle && time.Now().Before(deadline) {
		if err := s.acceptAll(); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if n := openConns(s); n != idle {
		t.Fatalf("accepted %d connections, want %d", n, idle)
	}
	perConn := (after.TotalAlloc - before.TotalAlloc) / idle
	t.Logf("%d bytes allocated per idle connection", perConn)
	if perConn >= 1024 {
		t.Errorf("the server allocated %d bytes per connection that sent nothing: want less than 1 KiB (the head buffer is %d)", perConn, maxHeadBytes)
	}

	// One client sends its request: what the loop does when poll reports
	// it readable.
	var c *conn
	for _, c = range s.conns {
		if c != nil {
			break
		}
	}
	peer, err := unix.Getpeername(c.fd)
	if err != nil {
		t.Fatal(err)
	}
	client := clients[peer.(*unix.SockaddrInet4).Port]
	if _, err := io.WriteString(client, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	pfds := []unix.PollFd{{Fd: int32(c.fd), Events: c.events()}}
	if n, err := unix.Poll(pfds, 10_000); n != 1 || err != nil {
		t.Fatalf("poll = %d, %v: the request did not arrive within 10s", n, err)
	}
	s.ready(c, pfds[0].Revents)
	status, err := bufio.NewReader(client).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 200 ") {
		t.Fatalf("got %q, %v", status, err)
	}
	if c.head != nil {
		t.Error("the head buffer is still held after the response started")
	}
}

// openConns counts the connections the server holds.
func openConns(s *server) (n int) {
	for _, c := range s.conns {
		if c != nil {
			n++
		}
	}
	return n
}

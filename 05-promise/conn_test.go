package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
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

// TestBackpressure: a client that pipelines requests without reading the
// responses. Once more than highWater bytes of responses wait, the server
// stops reading (POLLIN off), so the client's writes fill the socket
// buffers and block, and the server holds a bounded amount of output.
// When the client reads, every request is answered, in order.
func TestBackpressure(t *testing.T) {
	serverSide, client := socketPair(t)
	tl := startLoop(t, false, nil)
	s := &server{loop: tl.EventLoop, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable()}
	tl.onLoop(t, func() { s.add(serverSide) })

	req := []byte("GET /no/such/page HTTP/1.1\r\nHost: x\r\n\r\n")
	var sent int
	stuck := 0
	for stuck < 20 && sent*len(req) < 16<<20 { // until the client is refused 20 times in a row
		n, err := unix.Write(client, req)
		if err == unix.EAGAIN {
			stuck++
			tl.onLoop(t, func() {}) // give the loop a pass to read, if it still would
			continue
		}
		if err != nil || n != len(req) {
			t.Fatalf("write: %d, %v", n, err)
		}
		stuck = 0
		sent++
	}
	tl.onLoop(t, func() {
		c := s.conns[serverSide]
		if c == nil {
			t.Fatal("the server closed the connection")
		}
		if len(c.out) > highWater+4096 {
			t.Errorf("%d bytes of output held for a client that does not read, want at most about %d", len(c.out), highWater)
		}
		if c.events()&Readable != 0 {
			t.Errorf("still reading from a client that does not read its responses")
		}
	})
	t.Logf("%d requests sent before the client's writes blocked", sent)

	// Now read: every request gets its 404, in order, on this connection.
	unix.SetNonblock(client, false)
	tv := unix.NsecToTimeval((10 * time.Second).Nanoseconds())
	unix.SetsockoptTimeval(client, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	br := bufio.NewReader(fdReader(client))
	for i := range sent {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d of %d: %v", i+1, sent, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("response %d: status %d", i+1, resp.StatusCode)
		}
	}
}

// fdReader reads from a blocking descriptor.
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	n, err := unix.Read(int(fd), p)
	for err == unix.EINTR { // the Go runtime's signals interrupt blocking calls
		n, err = unix.Read(int(fd), p)
	}
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// TestIdleKeepAliveHoldsNoBuffer: a connection takes a read buffer when
// bytes arrive and gives it back once everything in it is answered, so
// an idle keep-alive connection holds none; a head still arriving keeps
// its buffer.
func TestIdleKeepAliveHoldsNoBuffer(t *testing.T) {
	serverSide, client := socketPair(t)
	tl := startLoop(t, false, nil)
	s := &server{loop: tl.EventLoop, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable()}
	tl.onLoop(t, func() { s.add(serverSide) })
	holds := func() (buffered bool) {
		tl.onLoop(t, func() { buffered = s.conns[serverSide].in != nil })
		return buffered
	}
	if holds() {
		t.Fatal("a connection that has sent nothing holds a read buffer")
	}
	br := bufio.NewReader(fdReader(client))
	unix.SetNonblock(client, false)
	for range 3 {
		write(t, client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 || resp.Close {
			t.Fatalf("response: %v, %v", resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		if holds() {
			t.Error("a keep-alive connection with everything answered still holds its read buffer")
		}
	}
	// A burst of pipelined requests, all answered: the array their
	// responses were appended to is not kept for an idle connection.
	write(t, client, strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200))
	for range 200 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
	}
	tl.onLoop(t, func() {
		if c := s.conns[serverSide]; cap(c.out) > 0 {
			t.Errorf("an idle connection keeps a %d-byte output array", cap(c.out))
		}
	})
	write(t, client, "GET / HTTP/1.1\r\nHo")
	testserver.WaitFor(t, 10*time.Second, "the half head to be read", holds)
	tl.onLoop(t, func() {
		if n := len(s.buffers.free); n != 0 {
			t.Errorf("%d buffers in the pool while the only connection holds one", n)
		}
	})
}

// TestPipelineThenHalfClose: a client that sends its requests and then
// shuts down its sending side still gets every answer, in order, and
// then the server closes: the FIN means "no more requests", not "gone".
func TestPipelineThenHalfClose(t *testing.T) {
	serverSide, client := socketPair(t)
	tl := startLoop(t, false, nil)
	s := &server{loop: tl.EventLoop, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable()}
	tl.onLoop(t, func() { s.add(serverSide) })
	write(t, client, "GET /bytes?n=100000 HTTP/1.1\r\nHost: x\r\n\r\nGET /no HTTP/1.1\r\nHost: x\r\n\r\n\r\n")
	if err := unix.Shutdown(client, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(client, false)
	tv := unix.NsecToTimeval((10 * time.Second).Nanoseconds())
	unix.SetsockoptTimeval(client, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	br := bufio.NewReader(fdReader(client))
	for i, want := range []int{200, 404} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != want || n != resp.ContentLength {
			t.Fatalf("response %d: status %d with %d of %d body bytes, want %d", i+1, resp.StatusCode, n, resp.ContentLength, want)
		}
	}
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("after the last answer: read %d bytes, %v; want the server to close (EOF)", n, err)
	}
}

// TestFailedChainClosesTheConnection: when the promise of a response is
// rejected (or respond panics), the connection is closed and the error
// reported. Left open, it would wait for an answer that cannot come,
// and, being busy, the idle timeout would never close it.
func TestFailedChainClosesTheConnection(t *testing.T) {
	l, _ := timerLoop(t)
	stderr := &syncbuf.Buffer{}
	l.stderr = stderr
	s := &server{loop: l, lfd: -1, errlog: io.Discard, pattern: newAlphabetTable()}
	fds, err := newSocketPair()
	if err != nil {
		t.Fatal(err)
	}
	fd, peer := fds[0], fds[1]
	t.Cleanup(func() { unix.Close(peer) })
	s.add(fd)
	c := s.conns[fd]
	write(t, peer, "GET /sleep?ms=10 HTTP/1.1\r\nHost: x\r\n\r\n")
	c.ready(Readable)
	c.answerWhen(Rejected[response](l, errBoom)) // in place of the sleep's promise
	settleAll(t, l)
	if c.state != closed {
		t.Fatal("the connection is still open after its response's promise was rejected")
	}
	var buf [64]byte
	if n, err := unix.Read(peer, buf[:]); n != 0 || err != nil {
		t.Errorf("the client read %d bytes, %v; want the end of the stream", n, err)
	}
	if got := stderr.String(); got != "eventloop: unhandled promise rejection: boom\n" {
		t.Errorf("stderr %q, want the rejection reported", got)
	}
}

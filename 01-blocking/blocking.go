package main

import (
	"fmt"
	"io"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// lingerTimeout and lingerMaxBytes bound how long closeConn waits
	// for the client to close its side after the response.
	lingerTimeout  = time.Second
	lingerMaxBytes = 64 << 10
	// acceptRetry is how long accept waits before it tries again after
	// an error that trying at once would repeat (acceptPolicy).
	acceptRetry = 100 * time.Millisecond
)

// server serves one connection at a time on the listening socket lfd.
type server struct {
	lfd    int
	trace  io.Writer // nil unless -trace
	errlog io.Writer // stderr: trouble the operator should hear of

	// acceptErr is the error accept is backing off from, nil once an
	// accept succeeds: it is said on stderr once, not at every retry.
	acceptErr error

	// sysAccept is accept from socket_*.go. Tests replace it to make
	// accept fail as a kernel would.
	sysAccept func(lfd int) (int, unix.Sockaddr, error)
}

func newServer(lfd int) *server {
	return &server{lfd: lfd, errlog: io.Discard, sysAccept: accept}
}

// region: serve

// serve is the whole server: every call in it blocks, so while it waits
// for one client, the others wait in the listen backlog.
func (s *server) serve() error {
	for {
		fd, err := s.accept()
		if err != nil {
			return err
		}
		resp, ok := s.readRequest(fd)
		if ok {
			resp.Close = true // one request per connection
			s.writeAll(fd, appendResponse(nil, &resp, time.Now()))
		}
		s.closeConn(fd)
	}
}

// endregion: serve

// region: accept

func (s *server) accept() (int, error) {
	for {
		start := time.Now()
		fd, peer, err := s.sysAccept(s.lfd)
		if err == nil {
			s.acceptErr = nil
			s.tracef("accept(%d) = fd %d from %s, blocked %v", s.lfd, fd, sockaddrString(peer), since(start))
			return fd, nil
		}
		switch acceptPolicy(err) {
		case retryAccept:
			// at once, for the next client
		case backOffAccept:
			// The clients wait in the backlog meanwhile.
			s.reportBackOff(err)
			time.Sleep(acceptRetry)
		case stopServing:
			return -1, fmt.Errorf("accept: %w", err)
		}
	}
}

// endregion: accept

// reportBackOff says that accept failed with err and waits before it
// tries again: on the trace at every attempt, and otherwise on stderr
// once until an accept succeeds, rather than ten times a second.
func (s *server) reportBackOff(err error) {
	switch {
	case s.trace != nil:
		s.tracef("accept(%d): %v, retrying in %v", s.lfd, err, acceptRetry)
	case err != s.acceptErr:
		fmt.Fprintf(s.errlog, "%s: accept: %v; retrying every %v until it succeeds\n", name, err, acceptRetry)
	}
	s.acceptErr = err
}

// region: readRequest

// readRequest reads until a whole request head has arrived and returns
// the answer to it. ok is false when the client left without sending
// anything worth answering.
func (s *server) readRequest(fd int) (resp response, ok bool) {
	buf := make([]byte, maxHeadBytes)
	n := 0
	var scan headScan
	for {
		if end := headEnd(buf[:n], &scan); end >= 0 {
			req, herr := parseRequest(buf[scan.start:end])
			if herr != nil {
				return errorResponse(herr), true
			}
			return route(req), true
		}
		if n == len(buf) {
			return errorResponse(headTooLarge(buf, &scan)), true
		}
		m, err := s.read(fd, buf[n:])
		switch {
		case err != nil: // ECONNRESET and the like: nobody to answer
			return response{}, false
		case m == 0:
			if e := headCutShort(buf[:n], &scan); e != nil {
				return errorResponse(e), true
			}
			return response{}, false // closed without a request: no answer
		}
		n += m
	}
}

// endregion: readRequest

func (s *server) read(fd int, p []byte) (int, error) {
	for {
		start := time.Now()
		n, err := unix.Read(fd, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// n is -1 here: never use it to slice.
			s.tracef("read(%d): %v", fd, err)
			return 0, err
		}
		s.tracef("read(%d) = %d bytes, blocked %v", fd, n, since(start))
		return n, nil
	}
}

// writeAll writes all of b. A blocking write waits for room in the
// socket buffer, but a signal can still cut it short, so it loops.
func (s *server) writeAll(fd int, b []byte) {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil { // EPIPE, ECONNRESET: the client left
			s.tracef("write(%d): %v", fd, err)
			return
		}
		s.tracef("write(%d) = %d bytes", fd, n)
		b = b[n:]
	}
}

// region: closeConn

// closeConn closes a connection without losing the response. Closing a
// socket while unread bytes sit in its receive buffer (a request body, a
// second request) makes the kernel send RST instead of FIN. The RST
// throws away whatever of the response this side has not sent yet, and
// the client, still sending, gets EPIPE or ECONNRESET and may never read
// what did arrive. So the server sends its FIN first, then reads and
// discards until the client closes too, for at most lingerTimeout and
// lingerMaxBytes.
func (s *server) closeConn(fd int) {
	_ = unix.Shutdown(fd, unix.SHUT_WR)
	deadline := time.Now().Add(lingerTimeout)
	var discard [4096]byte
	for drained := 0; drained < lingerMaxBytes; {
		// SO_RCVTIMEO bounds one read, not the whole wait: set it to the
		// time left before every read, or a client sending a byte now and
		// then could hold the server for hours. A zero timeout would mean
		// "no timeout", hence the floor of 1µs.
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		tv := unix.NsecToTimeval(max(left, time.Microsecond).Nanoseconds())
		_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
		n, err := unix.Read(fd, discard[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			break
		}
		drained += n
	}
	closeFD(fd)
	s.tracef("close(%d)", fd)
}

// endregion: closeConn

func (s *server) tracef(format string, args ...any) {
	if s.trace != nil {
		fmt.Fprintf(s.trace, format+"\n", args...)
	}
}

func since(t time.Time) time.Duration {
	return time.Since(t).Round(time.Millisecond)
}

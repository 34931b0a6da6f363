package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// maxAcceptsPerWake stops a flood of new connections from keeping the
	// loop away from the ones it already has.
	maxAcceptsPerWake = 64
	// acceptRetry is how long the listener waits for nothing after accept
	// ran out of descriptors, unless a connection closes first.
	acceptRetry = 100 * time.Millisecond
)

// server is the program: a listener and its connections, as handlers on
// one event loop. All of it runs on the loop's goroutine.
type server struct {
	loop   *EventLoop
	lfd    int       // -1 once shutting down
	conns  []*conn   // indexed by descriptor
	open   int       // how many of conns are not nil
	trace  bool      // -trace: say what the server does on the loop's lines
	errlog io.Writer // stderr: trouble the operator should hear of
	// sysAccept is accept from socket_*.go. Tests replace it to make
	// accept fail.
	sysAccept func(lfd int) (int, unix.Sockaddr, error)
	// err is why the server stopped the loop, if it had to.
	err error
	// slowHandler: -slow-handler, a deliberate mistake to learn from.
	slowHandler time.Duration
	// idleTimeout: -idle-timeout; 0 turns it off.
	idleTimeout time.Duration

	pattern alphabetTable
	buffers bufferPool

	// resume, while accept is paused: accept failed for lack of
	// descriptors (or for a reason it did not know), and the listener
	// waits for nothing until a connection closes or the timer fires.
	// acceptErr is that error, nil once an accept succeeds.
	resume    *Timer
	acceptErr error

	// shutdown: set by the first SIGINT or SIGTERM.
	shuttingDown bool
	exitLine     string
}

// region: newServer

func newServer(loop *EventLoop, lfd int) (*server, error) {
	s := &server{loop: loop, lfd: lfd, pattern: newAlphabetTable(), errlog: io.Discard, sysAccept: accept}
	if err := loop.Register(lfd, Readable, "listener", s.acceptAll); err != nil {
		return nil, err
	}
	return s, nil
}

// endregion: newServer

// region: acceptAll

// acceptAll is the listener's handler. It accepts until the backlog is
// empty (EAGAIN) or the per-wake-up cap is reached: poll is
// level-triggered, so it reports the listener again if clients are still
// waiting.
func (s *server) acceptAll(Events) {
	for range maxAcceptsPerWake {
		fd, _, err := s.sysAccept(s.lfd)
		if err == nil {
			s.acceptErr = nil
			s.add(fd)
			continue
		}
		if err == unix.EAGAIN {
			return // the backlog is empty
		}
		switch acceptPolicy(err) {
		case retryAccept:
			// at once, for the next client
		case backOffAccept:
			s.pauseAccepting(err)
			return
		case stopServing:
			s.err = fmt.Errorf("accept: %w", err)
			s.loop.Stop()
			return
		}
	}
}

// endregion: acceptAll

// pauseAccepting takes the listener out of the wait: retrying at once
// would fail at once and spin the loop. Poll is level-triggered, so the
// clients still queued are reported again when the listener is back. It
// says so on the trace every time, and otherwise on stderr once until an
// accept succeeds, rather than ten times a second.
func (s *server) pauseAccepting(err error) {
	s.resume = s.loop.AfterFunc(acceptRetry, s.resumeAccepting)
	s.loop.SetEvents(s.lfd, 0)
	switch {
	case s.trace:
		s.tracef("accept: %v: not accepting for up to %v", err, acceptRetry)
	case err != s.acceptErr:
		fmt.Fprintf(s.errlog, "%s: accept: %v; retrying every %v until it succeeds\n", name, err, acceptRetry)
	}
	s.acceptErr = err
}

func (s *server) resumeAccepting() {
	if s.resume != nil && s.lfd >= 0 {
		s.resume.Stop()
		s.resume = nil
		s.loop.SetEvents(s.lfd, Readable)
	}
}

// region: addForget

func (s *server) add(fd int) {
	// Nagle's algorithm holds back a small segment while an earlier one
	// is unacknowledged; with keep-alive, a response's last small segment
	// could wait for the client's delayed ACK (tcp(7), TCP_NODELAY).
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c := &conn{fd: fd, s: s, idleSince: s.loop.Now()}
	if err := s.loop.Register(fd, Readable, "conn", c.ready); err != nil {
		fmt.Fprintf(s.errlog, "%s: %v\n", name, err)
		closeFD(fd)
		return
	}
	for fd >= len(s.conns) {
		s.conns = append(s.conns, nil)
	}
	s.conns[fd] = c
	s.open++
	if s.idleTimeout > 0 {
		c.idleTimer = s.loop.AfterFunc(s.idleTimeout, c.checkIdle)
	}
}

// forget is called by a connection that closed itself.
func (s *server) forget(c *conn) {
	s.conns[c.fd] = nil
	s.open--
	s.resumeAccepting() // a descriptor is free again
	if s.shuttingDown && s.open == 0 {
		s.exitLine = "every connection finished"
		s.loop.Stop()
	}
}

// endregion: addForget

// region: shutdown

// shutdown begins a graceful stop: no new connections, idle ones closed
// now, the others allowed until timeout to finish what they are doing.
// The loop stops when the last connection has closed.
func (s *server) shutdown(sig os.Signal, timeout time.Duration) {
	if s.shuttingDown {
		return
	}
	fmt.Fprintf(s.errlog, "%s: %v: shutting down: no new connections; %d open, given up to %v to finish\n", name, sig, s.open, timeout)
	s.shuttingDown = true
	s.loop.AfterFunc(timeout, s.closeAll)
	s.loop.Unregister(s.lfd)
	closeFD(s.lfd) // clients still in the backlog get a reset
	s.lfd = -1
	for _, c := range s.conns {
		if c != nil && c.idle() {
			// Its next request may have arrived in this very pass, still
			// unread: read and answer it (with Connection: close), or find
			// nothing and close, lingering either way.
			c.ready(Readable)
		}
	}
	if s.open == 0 {
		s.exitLine = "every connection finished"
		s.loop.Stop()
	}
}

func (s *server) closeAll() {
	n := 0
	for _, c := range s.conns {
		if c != nil {
			c.close()
			n++
		}
	}
	s.exitLine = fmt.Sprintf("closed %d connection(s) still open at the deadline", n)
	s.loop.Stop()
}

// endregion: shutdown

// serve runs the loop until a signal has stopped it gracefully, or
// accept found the listener broken.
func (s *server) serve() error {
	if err := s.loop.Run(); err != nil {
		return err
	}
	return s.err
}

// tracef notes on the -trace line of the loop's pass what the server
// did there.
func (s *server) tracef(format string, args ...any) {
	if s.trace {
		s.loop.note(format, args...)
	}
}

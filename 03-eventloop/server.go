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
	loop  *EventLoop
	lfd   int     // -1 once shutting down
	conns []*conn // indexed by descriptor
	open  int     // len of conns that are not nil
	trace bool
	log   io.Writer

	pattern alphabetTable
	buffers bufferPool

	// acceptPaused: accept failed for lack of descriptors, and the
	// listener waits for nothing until a connection closes or resumeAt.
	acceptPaused bool
	resumeAt     time.Time

	// shutdown: set by the first SIGINT or SIGTERM.
	shuttingDown     bool
	shutdownDeadline time.Time
	exitLine         string
}

func newServer(loop *EventLoop, lfd int, log io.Writer, trace bool) (*server, error) {
	s := &server{loop: loop, lfd: lfd, log: log, trace: trace, pattern: newAlphabetTable()}
	if err := loop.Register(lfd, Readable, "listener", s.acceptAll); err != nil {
		return nil, err
	}
	loop.SetBeforeWait(s.beforeWait)
	return s, nil
}

// region: acceptAll

// acceptAll is the listener's handler. It accepts until the backlog is
// empty (EAGAIN) or the per-wake-up cap is reached: poll is
// level-triggered, so it reports the listener again if clients are still
// waiting.
func (s *server) acceptAll(Events) {
	for range maxAcceptsPerWake {
		fd, _, err := accept(s.lfd)
		switch err {
		case nil:
			s.add(fd)
		case unix.EAGAIN:
			return
		// A signal, a client that gave up while queued, or (accept(2),
		// Linux) a network error already pending on the new connection.
		case unix.EINTR, unix.ECONNABORTED, unix.EPROTO, unix.ENETDOWN, unix.ENOPROTOOPT,
			unix.EHOSTDOWN, unix.EHOSTUNREACH, unix.EOPNOTSUPP, unix.ENETUNREACH:
		default:
			s.pauseAccepting(err)
			return
		}
	}
}

// endregion: acceptAll

// pauseAccepting takes the listener out of the wait: retrying at once
// would fail at once and spin the loop. Poll is level-triggered, so the
// clients still queued are reported again when the listener is back.
func (s *server) pauseAccepting(err error) {
	s.acceptPaused, s.resumeAt = true, time.Now().Add(acceptRetry)
	s.loop.SetEvents(s.lfd, 0)
	fmt.Fprintf(s.log, "accept: %v: not accepting for up to %v\n", err, acceptRetry)
}

func (s *server) resumeAccepting() {
	if s.acceptPaused && s.lfd >= 0 {
		s.acceptPaused = false
		s.loop.SetEvents(s.lfd, Readable)
	}
}

func (s *server) add(fd int) {
	// Nagle's algorithm holds back a small segment while an earlier one
	// is unacknowledged; with keep-alive, a response's last small segment
	// could wait for the client's delayed ACK (tcp(7), TCP_NODELAY).
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c := &conn{fd: fd, s: s}
	if err := s.loop.Register(fd, Readable, "conn", c.ready); err != nil {
		fmt.Fprintf(s.log, "%v\n", err)
		closeFD(fd)
		return
	}
	for fd >= len(s.conns) {
		s.conns = append(s.conns, nil)
	}
	s.conns[fd] = c
	s.open++
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

// region: beforeWait

// beforeWait runs before every wait of the loop: it does what is due at
// now and says how long the loop may sleep. Chapter 04 replaces this scan
// of every connection with timers.
func (s *server) beforeWait(now time.Time) time.Duration {
	var next time.Time
	earliest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if s.acceptPaused {
		if !now.Before(s.resumeAt) {
			s.resumeAccepting()
		} else {
			earliest(s.resumeAt)
		}
	}
	if s.shuttingDown {
		if !now.Before(s.shutdownDeadline) {
			s.closeAll()
			return 0
		}
		earliest(s.shutdownDeadline)
	}
	for _, c := range s.conns {
		if c == nil || c.state != lingering {
			continue
		}
		if !now.Before(c.lingerUntil) {
			c.close()
		} else {
			earliest(c.lingerUntil)
		}
	}
	if next.IsZero() {
		return -1
	}
	return next.Sub(now)
}

// endregion: beforeWait

// region: shutdown

// shutdown begins a graceful stop: no new connections, idle ones closed
// now, the others allowed until timeout to finish what they are doing.
// The loop stops when the last connection has closed.
func (s *server) shutdown(sig os.Signal, timeout time.Duration) {
	if s.shuttingDown {
		return
	}
	fmt.Fprintf(s.log, "%v: shutting down: no new connections; %d open, given up to %v to finish\n", sig, s.open, timeout)
	s.shuttingDown = true
	s.shutdownDeadline = time.Now().Add(timeout)
	s.loop.Unregister(s.lfd)
	closeFD(s.lfd) // clients still in the backlog get a reset
	s.lfd = -1
	for _, c := range s.conns {
		if c != nil && c.idle() {
			c.close()
		}
	}
	if s.open == 0 {
		s.exitLine = "no connection was open"
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
	s.exitLine = fmt.Sprintf("closed %d connections still open at the deadline", n)
	s.loop.Stop()
}

// endregion: shutdown

func (s *server) tracef(format string, args ...any) {
	if s.trace {
		fmt.Fprintf(s.log, format+"\n", args...)
	}
}

package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// maxAcceptsPerWake stops a flood of new connections from keeping the
	// loop away from the ones it already has.
	maxAcceptsPerWake = 64
	// acceptRetry is how long the listener stays out of the poll set after
	// an error that accepting at once would repeat (acceptPolicy), unless
	// a connection closes first.
	acceptRetry = 100 * time.Millisecond
)

// server is the whole program's state, owned by the one thread that runs
// serve.
type server struct {
	lfd int
	// conns is indexed by descriptor, as in redis's ae.c: descriptors are
	// small integers and the kernel reuses the lowest free one.
	conns   []*conn
	pfds    []unix.PollFd // rebuilt on every pass of the loop
	pattern alphabetTable
	trace   io.Writer // nil unless -trace
	errlog  io.Writer // stderr: trouble the operator should hear of

	// sysAccept is accept from socket_*.go. Tests replace it to make
	// accept fail as a kernel would.
	sysAccept func(lfd int) (int, unix.Sockaddr, error)

	// acceptPaused is set when accept failed with an error that retrying
	// at once would repeat, such as running out of descriptors: that
	// would spin the loop, so the listener leaves the poll set until a
	// connection closes or resumeAt passes. Poll is level-triggered: the
	// waiting clients are not lost, and poll reports them again when the
	// listener is back. acceptErr is that error, nil once an accept
	// succeeds: it is said on stderr once, not at every retry.
	acceptPaused bool
	resumeAt     time.Time
	acceptErr    error
}

func newServer(lfd int) *server {
	return &server{lfd: lfd, pattern: newAlphabetTable(), errlog: io.Discard, sysAccept: accept}
}

// region: serve

// serve is the event loop: build the list of descriptors and what to wait
// for on each, wait for any of them with one poll, then do what is ready.
func (s *server) serve() error {
	for {
		s.pfds = s.pfds[:0]
		if !s.acceptPaused {
			s.pfds = append(s.pfds, unix.PollFd{Fd: int32(s.lfd), Events: unix.POLLIN})
		}
		for _, c := range s.conns {
			if c != nil {
				s.pfds = append(s.pfds, unix.PollFd{Fd: int32(c.fd), Events: c.events()})
			}
		}
		timeout := s.pollTimeout()
		start := time.Now()
		n, err := unix.Poll(s.pfds, timeout)
		if err == unix.EINTR {
			// A signal with a Go handler reached this thread while it
			// slept (SIGWINCH, SIGCHLD, SIGPROF, ...): poll is never
			// restarted, SA_RESTART or not (signal(7)). Rare, but real.
			continue
		}
		if err != nil {
			return fmt.Errorf("poll: %w", err)
		}
		s.traceWake(n, timeout, start)
		// The listener, if present, is pfds[0]: new connections are
		// accepted before any connection in this batch is closed, so a
		// descriptor number in the batch always means the connection it
		// meant when poll returned. That is also why deadlines, which
		// close connections, are handled after the batch, not before.
		for _, p := range s.pfds {
			if p.Revents == 0 {
				continue
			}
			if int(p.Fd) == s.lfd {
				if err := s.acceptAll(); err != nil {
					return err
				}
				continue
			}
			if c := s.conns[p.Fd]; c != nil {
				s.ready(c, p.Revents)
			}
		}
		s.expireDeadlines(time.Now())
	}
}

// endregion: serve

// pollTimeout is how long poll may wait: until the earliest of the
// deadlines the loop keeps (accepting resumes, a lingering connection
// gives up), or -1, forever, when there is none. It is rounded up so that
// poll does not return a moment early and loop once for nothing. Chapter
// 04 replaces this scan with real timers.
func (s *server) pollTimeout() int {
	var next time.Time
	if s.acceptPaused {
		next = s.resumeAt
	}
	for _, c := range s.conns {
		if c != nil && c.state == lingering && (next.IsZero() || c.lingerUntil.Before(next)) {
			next = c.lingerUntil
		}
	}
	if next.IsZero() {
		return -1
	}
	d := time.Until(next)
	if d <= 0 {
		return 0
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

// expireDeadlines does what is due at now: resume accepting, and close
// connections that lingered long enough.
func (s *server) expireDeadlines(now time.Time) {
	if s.acceptPaused && !now.Before(s.resumeAt) {
		s.acceptPaused = false
	}
	for _, c := range s.conns {
		if c != nil && c.state == lingering && !now.Before(c.lingerUntil) {
			s.close(c)
		}
	}
}

// region: acceptAll

// acceptAll accepts until the backlog is empty (EAGAIN), or the
// per-wake-up cap is reached: poll is level-triggered, so it will report
// the listener again if clients are still waiting.
func (s *server) acceptAll() error {
	for range maxAcceptsPerWake {
		fd, _, err := s.sysAccept(s.lfd)
		if err == nil {
			s.acceptErr = nil
			s.add(fd)
			continue
		}
		if err == unix.EAGAIN {
			return nil // the backlog is empty
		}
		switch acceptPolicy(err) {
		case retryAccept:
			// at once, for the next client
		case backOffAccept:
			s.acceptPaused, s.resumeAt = true, time.Now().Add(acceptRetry)
			s.reportBackOff(err)
			return nil
		case stopServing:
			return fmt.Errorf("accept: %w", err)
		}
	}
	return nil
}

// endregion: acceptAll

// reportBackOff says that accept failed with err and the listener is out
// of the poll set for a while: on the trace every time, and otherwise on
// stderr once until an accept succeeds, rather than ten times a second.
func (s *server) reportBackOff(err error) {
	switch {
	case s.trace != nil:
		s.tracef("accept: %v: not accepting for up to %v", err, acceptRetry)
	case err != s.acceptErr:
		fmt.Fprintf(s.errlog, "%s: accept: %v; retrying every %v until it succeeds\n", name, err, acceptRetry)
	}
	s.acceptErr = err
}

func (s *server) add(fd int) {
	// Nagle's algorithm holds back a small segment while earlier data is
	// unacknowledged. Here it cannot delay the end of a response: the
	// shutdown(SHUT_WR) that follows pushes it out with the FIN
	// (tcp_send_fin, TCP_NAGLE_OFF). It would once connections stay open
	// after a response, from chapter 03 on; set now, as Go's net does.
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	for fd >= len(s.conns) {
		s.conns = append(s.conns, nil)
	}
	s.conns[fd] = newConn(fd)
}

func (s *server) close(c *conn) {
	s.conns[c.fd] = nil
	closeFD(c.fd)
	s.acceptPaused = false // a descriptor is free again
}

func (s *server) traceWake(n, timeout int, start time.Time) {
	if s.trace == nil {
		return
	}
	var b strings.Builder
	t := "inf"
	if timeout >= 0 {
		t = fmt.Sprintf("%dms", timeout)
	}
	fmt.Fprintf(&b, "poll(%d fds, timeout=%s) blocked %v: %d ready", len(s.pfds), t, since(start), n)
	for _, p := range s.pfds {
		if p.Revents == 0 {
			continue
		}
		fmt.Fprintf(&b, ", fd %d %s", p.Fd, eventNames(p.Revents))
		if int(p.Fd) == s.lfd {
			b.WriteString(" (listener)")
		}
	}
	fmt.Fprintln(s.trace, b.String())
}

func eventNames(ev int16) string {
	var names []string
	for _, e := range []struct {
		bit  int16
		name string
	}{
		{unix.POLLIN, "IN"}, {unix.POLLPRI, "PRI"}, {unix.POLLOUT, "OUT"},
		{unix.POLLERR, "ERR"}, {unix.POLLHUP, "HUP"}, {unix.POLLNVAL, "NVAL"},
	} {
		if ev&e.bit != 0 {
			names = append(names, e.name)
		}
	}
	return strings.Join(names, "|")
}

func (s *server) tracef(format string, args ...any) {
	if s.trace != nil {
		fmt.Fprintf(s.trace, format+"\n", args...)
	}
}

func since(t time.Time) time.Duration {
	return time.Since(t).Round(time.Millisecond)
}

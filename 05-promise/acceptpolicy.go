package main

import "golang.org/x/sys/unix"

// region: acceptPolicy

// acceptVerdict is what the server does after accept failed.
type acceptVerdict int

const (
	retryAccept   acceptVerdict = iota // at once: the error was about one connection, or none
	backOffAccept                      // after acceptRetry: trying at once would fail at once
	stopServing                        // never: the listening socket itself is broken
)

// acceptPolicy says what a failed accept means for the server. Only an
// error that says the listening socket is unusable ends it; any other,
// even one this function has never heard of, is waited out. redis never
// exits on an accept error either (connSocketAcceptHandler in
// src/socket.c logs it and returns to its loop, which calls it again),
// and nginx waits (ngx_event_accept in
// src/event/ngx_event_accept.c logs it, and on EMFILE or ENFILE also
// stops accepting for a while).
func acceptPolicy(err error) acceptVerdict {
	switch err {
	// A signal interrupted the call, or a client gave up while it sat in
	// the backlog.
	case unix.EINTR, unix.ECONNABORTED,
		// accept(2), "Error handling": Linux passes a network error
		// already pending on the new connection on to accept, and says to
		// retry these, for TCP/IP, as for EAGAIN. (EOPNOTSUPP would also
		// mean a listener that is not SOCK_STREAM: never so here.)
		unix.ENETDOWN, unix.EPROTO, unix.ENOPROTOOPT, unix.EHOSTDOWN, errENONET,
		unix.EHOSTUNREACH, unix.EOPNOTSUPP, unix.ENETUNREACH:
		return retryAccept
	// accept(2): the descriptor is not open, not a socket, or not
	// listening, or the address buffer is outside the process (a bug).
	// Retrying cannot help.
	case unix.EBADF, unix.ENOTSOCK, unix.EINVAL, unix.EFAULT:
		return stopServing
	// Out of descriptors (EMFILE, ENFILE) or socket memory (ENOBUFS,
	// ENOMEM); and whatever else: EPERM, which accept(2) blames on
	// firewall rules, EACCES from a security module, or an error a later
	// kernel adds. None says the listener is broken, and none is helped
	// by retrying at once.
	default:
		return backOffAccept
	}
}

// endregion: acceptPolicy

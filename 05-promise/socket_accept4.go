//go:build linux || freebsd || dragonfly

package main

import "golang.org/x/sys/unix"

// SOCK_NONBLOCK makes every call on the socket return EAGAIN instead of
// blocking. These systems take SOCK_NONBLOCK and SOCK_CLOEXEC in socket's
// type argument and in accept4's flags (x/sys/unix has Accept4 for them),
// so close-on-exec is set in the call that creates the descriptor: it
// never leaks into a program this process might exec, not even through
// the race a separate fcntl call would leave.
func newSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// accept takes a connection off the backlog. The new socket does not
// take O_NONBLOCK from the listener, neither on Linux (accept(2): it
// inherits no file status flags) nor from FreeBSD's accept4 (its
// accept(2): the flags argument decides): accept4 sets it in the same
// call.
func accept(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}

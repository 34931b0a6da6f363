//go:build linux || freebsd || dragonfly

package main

import "golang.org/x/sys/unix"

// These systems take SOCK_CLOEXEC in socket's type argument and in
// accept4's flags (x/sys/unix has Accept4 for them), so close-on-exec is
// set in the call that creates the descriptor: it never leaks into a
// program this process might exec, not even through the race a separate
// fcntl call would leave.
func newSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
}

func accept(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_CLOEXEC)
}

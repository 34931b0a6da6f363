//go:build !linux && !freebsd && !dragonfly

package main

import "golang.org/x/sys/unix"

// macOS has neither SOCK_CLOEXEC nor accept4. OpenBSD and NetBSD have
// accept4, but x/sys/unix has no Accept4 for them (Go's own internal/poll
// uses it there, through syscall.Accept4). On these systems, and any
// other this file builds for, set close-on-exec after the fact.
func newSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	return fd, err
}

func accept(lfd int) (int, unix.Sockaddr, error) {
	fd, sa, err := unix.Accept(lfd)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	return fd, sa, err
}

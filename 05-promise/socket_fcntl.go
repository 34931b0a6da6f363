//go:build !linux && !freebsd && !dragonfly

package main

import "golang.org/x/sys/unix"

// macOS has neither SOCK_NONBLOCK, SOCK_CLOEXEC nor accept4. OpenBSD and
// NetBSD have accept4, but x/sys/unix has no Accept4 for them (Go's own
// internal/poll uses it there, through syscall.Accept4). On these
// systems, and any other this file builds for, set the flags after the
// fact.
func newSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func accept(lfd int) (int, unix.Sockaddr, error) {
	fd, sa, err := unix.Accept(lfd)
	if err != nil {
		return -1, nil, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return -1, nil, err
	}
	return fd, sa, nil
}

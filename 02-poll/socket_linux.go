package main

import "golang.org/x/sys/unix"

// SOCK_NONBLOCK makes every call on the socket return EAGAIN instead of
// blocking. SOCK_CLOEXEC keeps the descriptor from leaking into programs
// this process might exec, without the race of a separate fcntl call.
func newSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// An accepted socket does not inherit O_NONBLOCK from the listener on
// Linux: accept4 sets it in the same call.
func accept(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}

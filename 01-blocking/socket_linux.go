package main

import "golang.org/x/sys/unix"

// SOCK_CLOEXEC keeps the descriptor from leaking into programs this
// process might exec, without the race of a separate fcntl call.
func newSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
}

func accept(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_CLOEXEC)
}

package main

import "golang.org/x/sys/unix"

// SOCK_NONBLOCK makes every call on the socket return EAGAIN instead of
// blocking. SOCK_CLOEXEC keeps the descriptor from leaking into programs
// this process might exec, without the race of a separate fcntl call.
func newSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// accept takes a connection off the backlog. An accepted socket does not
// inherit O_NONBLOCK from the listener on Linux: accept4 sets it in the
// same call. It is called directly rather than through unix.Accept4,
// which would also decode the client's address, at the price of an extra
// getsockopt per connection (x/sys checks whether the socket is L2TP):
// this server never looks at the address.
func accept(lfd int) (int, unix.Sockaddr, error) {
	fd, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(lfd), 0, 0,
		unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, nil, errno
	}
	return int(fd), nil, nil
}

package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// region: listen

// listen creates the listening socket: socket, SO_REUSEADDR, bind, listen.
// It returns the socket and the address it is bound to, which tells the
// port when the caller asked for port 0.
func listen(sa unix.Sockaddr) (int, string, error) {
	fam, err := family(sa)
	if err != nil {
		return -1, "", err
	}
	fd, err := newSocket(fam)
	if err != nil {
		return -1, "", fmt.Errorf("socket: %w", err)
	}
	// Without SO_REUSEADDR, a restarted server cannot bind its port while
	// connections from its previous run linger in TIME_WAIT.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		closeFD(fd)
		return -1, "", fmt.Errorf("setsockopt SO_REUSEADDR: %w", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		closeFD(fd)
		return -1, "", fmt.Errorf("bind %s: %w", sockaddrString(sa), err)
	}
	// The backlog is the queue of connections the kernel has completed
	// but accept has not yet taken. Linux uses min(backlog,
	// net.core.somaxconn) and queues one more than that (__sys_listen,
	// sk_acceptq_is_full). unix.SOMAXCONN is a compile-time constant
	// (4096 on Linux): raising the sysctl above it does not lengthen
	// this queue. Go's net reads the sysctl instead.
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		closeFD(fd)
		return -1, "", fmt.Errorf("listen: %w", err)
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		closeFD(fd)
		return -1, "", fmt.Errorf("getsockname: %w", err)
	}
	return fd, sockaddrString(bound), nil
}

// endregion: listen

// closeFD closes fd once. close is never retried, not even after EINTR:
// on Linux the descriptor is released before close returns, and by the
// time of a retry its number may belong to another file.
func closeFD(fd int) {
	_ = unix.Close(fd)
}

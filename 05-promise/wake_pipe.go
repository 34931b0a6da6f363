package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// pipeWaker is the wake-up descriptor where Linux's eventfd is missing: a
// pipe to itself (the "self-pipe trick"): a byte written to one end makes
// the other readable. It builds everywhere, so that Linux tests it too.
type pipeWaker struct{ r, w int }

func newPipeWaker() (waker, error) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return nil, fmt.Errorf("pipe: %w", err)
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		// Both ends non-blocking: a full pipe must not block Post (the
		// loop has bytes to read then, which is all a wake-up needs), and
		// drain must stop when it is empty.
		if err := unix.SetNonblock(fd, true); err != nil {
			_ = unix.Close(p[0])
			_ = unix.Close(p[1])
			return nil, fmt.Errorf("fcntl O_NONBLOCK: %w", err)
		}
	}
	return &pipeWaker{r: p[0], w: p[1]}, nil
}

func (w *pipeWaker) readFD() int { return w.r }

func (w *pipeWaker) wake() { _, _ = unix.Write(w.w, []byte{1}) }

func (w *pipeWaker) drain() {
	var buf [64]byte
	for {
		n, err := unix.Read(w.r, buf[:])
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			return
		}
	}
}

func (w *pipeWaker) close() error {
	err := unix.Close(w.r)
	if err2 := unix.Close(w.w); err == nil {
		err = err2
	}
	return err
}

package main

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// region: waker

// eventfdWaker is the loop's wake-up descriptor on Linux: an eventfd, a
// 64-bit counter in the kernel that is readable while it is not zero
// (eventfd(2)). One descriptor serves as both ends, and a read resets the
// counter, however many writes came before it.
type eventfdWaker struct{ fd int }

func newWaker() (waker, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	return &eventfdWaker{fd: fd}, nil
}

func (w *eventfdWaker) readFD() int { return w.fd }

// wake adds 1 to the counter. The write fails with EAGAIN only when the
// counter is about to overflow, and then it is readable already: the
// loop wakes either way, so the error is ignored, as is EINTR's.
func (w *eventfdWaker) wake() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(w.fd, one[:])
}

// drain resets the counter to 0, so that poll stops reporting it.
func (w *eventfdWaker) drain() {
	var count [8]byte
	_, _ = unix.Read(w.fd, count[:])
}

func (w *eventfdWaker) close() error { return unix.Close(w.fd) }

// endregion: waker

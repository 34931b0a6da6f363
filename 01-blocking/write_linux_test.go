package main

import (
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWriteAllDespiteSignals: a blocking write that a signal cuts short
// returns how much it wrote; writeAll must write the rest.
func TestWriteAllDespiteSignals(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	_ = unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	const size = 1 << 20
	received := make(chan int, 1)
	go func() {
		n, buf := 0, make([]byte, 512)
		for {
			m, err := unix.Read(fds[1], buf)
			if err == unix.EINTR {
				continue
			}
			if err != nil || m == 0 {
				break
			}
			n += m
		}
		received <- n
	}()
	tidc, done := make(chan int, 1), make(chan struct{})
	go func() {
		runtime.LockOSThread() // so that the signals reach the writing thread
		defer runtime.UnlockOSThread()
		tidc <- unix.Gettid()
		(&server{}).writeAll(fds[0], make([]byte, size))
		_ = unix.Shutdown(fds[0], unix.SHUT_WR)
		close(done)
	}()
	tid := <-tidc
	tick := time.NewTicker(100 * time.Microsecond)
	defer tick.Stop()
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-tick.C:
			_ = unix.Tgkill(os.Getpid(), tid, unix.SIGURG)
		}
	}
	if n := <-received; n != size {
		t.Errorf("the reader got %d of %d bytes", n, size)
	}
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
	"golang.org/x/sys/unix"
)

// TestAcceptErrorsThatAreSurvived makes accept fail three times in a row
// with each error a kernel may return while the listener is fine, then
// sends a real request: it must be answered. Errors about one connection
// are retried at once; the others make the server wait acceptRetry
// between attempts, not spin, and say so once on stderr.
func TestAcceptErrorsThatAreSurvived(t *testing.T) {
	for _, tc := range []struct {
		err      unix.Errno
		backsOff bool
	}{
		{unix.ECONNABORTED, false}, // the client gave up while queued
		{unix.ENONET, false},       // accept(2), Linux: pending on the new connection
		{unix.EPROTO, false},
		{unix.EMFILE, true}, // out of descriptors
		{unix.ENOBUFS, true},
		{unix.EPERM, true},  // accept(2): firewall rules
		{unix.EACCES, true}, // not in accept(2) at all: a security module
	} {
		t.Run(unix.ErrnoName(tc.err), func(t *testing.T) {
			srv := startInjected(t, tc.err, tc.err, tc.err)
			answered := make(chan error, 1)
			go func() { answered <- get(srv.addr) }()
			select {
			case err := <-answered:
				if err != nil {
					t.Fatalf("after accept failed with %v: %v", tc.err, err)
				}
			case <-srv.done:
				t.Fatalf("accept failed with %v, and serve returned: %v", tc.err, srv.err)
			case <-time.After(10 * time.Second):
				t.Fatalf("after accept failed with %v, a client waited 10s without an answer", tc.err)
			}
			at := srv.in.failures()
			if len(at) != 3 {
				t.Fatalf("accept failed %d times, want 3", len(at))
			}
			for i := 1; i < len(at); i++ {
				gap := at[i].Sub(at[i-1])
				switch {
				case tc.backsOff && gap < acceptRetry:
					t.Errorf("accept was tried again %v after %v: it should wait %v", gap, tc.err, acceptRetry)
				case !tc.backsOff && gap >= acceptRetry:
					t.Errorf("accept was tried again %v after %v: it should retry at once", gap, tc.err)
				}
			}
			said := strings.Count(srv.errlog.String(), tc.err.Error())
			if want := map[bool]int{true: 1, false: 0}[tc.backsOff]; said != want {
				t.Errorf("stderr names %q %d times, want %d; stderr:\n%s", tc.err.Error(), said, want, srv.errlog.String())
			}
		})
	}
}

// TestAcceptStopsWhenTheListenerIsBroken: the errors that mean the
// listening socket itself is unusable end serve, with the error wrapped
// with the system call's name.
func TestAcceptStopsWhenTheListenerIsBroken(t *testing.T) {
	for _, e := range []unix.Errno{unix.EBADF, unix.EINVAL, unix.ENOTSOCK, unix.EFAULT} {
		t.Run(unix.ErrnoName(e), func(t *testing.T) {
			srv := startInjected(t, e)
			srv.knock(t) // a poll loop calls accept only when a client waits
			select {
			case <-srv.done:
			case <-time.After(10 * time.Second):
				t.Fatalf("accept failed with %v, and serve still runs after 10s", e)
			}
			if !errors.Is(srv.err, e) || !strings.HasPrefix(srv.err.Error(), "accept: ") {
				t.Errorf("serve returned %v, want accept: %v", srv.err, e)
			}
		})
	}
}

// injectedAccept is a sysAccept that fails with the errors queued in it,
// one per call, and accepts for real once there are none.
type injectedAccept struct {
	mu       sync.Mutex
	errs     []error
	failedAt []time.Time // when each queued error was returned
	// now is the loop's time: the back-off timer counts from it, not
	// from the instant accept failed, which can be a few milliseconds
	// later on a loaded machine.
	now func() time.Time
}

func (in *injectedAccept) queue(errs ...error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.errs = append(in.errs, errs...)
}

func (in *injectedAccept) accept(lfd int) (int, unix.Sockaddr, error) {
	in.mu.Lock()
	if len(in.errs) > 0 {
		err := in.errs[0]
		in.errs = in.errs[1:]
		in.failedAt = append(in.failedAt, in.now())
		in.mu.Unlock()
		return -1, nil, err
	}
	in.mu.Unlock()
	return accept(lfd)
}

func (in *injectedAccept) failures() []time.Time {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]time.Time(nil), in.failedAt...)
}

type injectedServer struct {
	addr   string
	in     *injectedAccept
	errlog *syncbuf.Buffer // the server's stderr
	done   chan struct{}   // closed when serve returns
	err    error           // what serve returned, once done is closed
}

// startInjected runs a server in this process, on 127.0.0.1:0, whose
// accept fails with errs before it accepts for real. At cleanup, it
// stops serve by making accept fail with EBADF.
func startInjected(t *testing.T, errs ...error) *injectedServer {
	sa, err := parseAddr("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lfd, addr, err := listen(sa)
	if err != nil {
		t.Fatal(err)
	}
	srv := &injectedServer{addr: addr, in: &injectedAccept{}, errlog: &syncbuf.Buffer{}, done: make(chan struct{})}
	srv.in.queue(errs...)
	loop, err := NewEventLoop(srv.errlog, false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(loop, lfd)
	if err != nil {
		t.Fatal(err)
	}
	s.sysAccept, s.errlog, srv.in.now = srv.in.accept, srv.errlog, loop.Now
	go func() {
		srv.err = s.serve()
		close(srv.done)
	}()
	t.Cleanup(func() {
		select {
		case <-srv.done:
		default:
			srv.in.queue(unix.EBADF)
			srv.knock(t)
			select {
			case <-srv.done:
			case <-time.After(10 * time.Second):
				t.Error("serve still runs 10s after accept failed with EBADF")
				return // leave lfd open rather than close it under a running server
			}
			if !errors.Is(srv.err, unix.EBADF) {
				t.Errorf("after accept failed with EBADF, serve returned %v", srv.err)
			}
		}
		closeFD(lfd)
		loop.Close()
	})
	return srv
}

// knock connects and leaves at once: it wakes a server waiting for a
// client, and costs it nothing else.
func (srv *injectedServer) knock(t *testing.T) {
	c, err := net.DialTimeout("tcp", srv.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// get sends a request on a new connection and checks that the answer is
// 200. It reports failure as an error, so that it may run on a goroutine
// other than the test's.
func get(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return err
	}
	status, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 200 ") {
		return fmt.Errorf("got %q, %v", status, err)
	}
	return nil
}

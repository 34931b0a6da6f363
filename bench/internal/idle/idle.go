// Package idle opens connections and leaves them idle: the connections a
// server holds but does no work for, which the idle scenarios load it with.
package idle

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// Set is a set of open connections to one server.
type Set struct {
	conns []*net.TCPConn
}

// dialers is how many connections are being opened at once: enough to
// open 10 000 in about a second, few enough not to overflow the listen
// backlog of a server that accepts slowly.
const dialers = 32

// Open opens n connections to addr. With request, each sends one GET /
// and reads its answer first, so that a keep-alive server holds the
// connection as it holds one between requests; without, the connection
// has sent nothing (a server that closes after each answer has no other
// idle state). Open fails, closing what it opened, if any connection
// fails: a figure for fewer connections than it says would be wrong.
func Open(ctx context.Context, addr string, n int, request bool) (*Set, error) {
	s := &Set{conns: make([]*net.TCPConn, n)}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(dialers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := open(ctx, addr, request)
				if err != nil {
					cancel(fmt.Errorf("connection %d of %d: %w", i+1, n, err))
					continue
				}
				s.conns[i] = c
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, addr string, request bool) (*net.TCPConn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	if !request {
		return tc, nil
	}
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(tc, "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"); err != nil {
		tc.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(tc, 512), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("GET / answered %s", resp.Status)
	}
	if err == nil && resp.Close {
		err = errors.New("the server closes after an answer: open idle connections without a request")
	}
	if err != nil {
		tc.Close()
		return nil, err
	}
	tc.SetDeadline(time.Time{})
	return tc, nil
}

// Len is how many connections the set holds.
func (s *Set) Len() int { return len(s.conns) }

// StillOpen counts the connections the server has not closed: a peek
// that would block means nothing arrived, not even an end of file or a
// reset. (A read with a deadline in the past would not tell: Go reports
// the deadline before it looks at the socket.)
func (s *Set) StillOpen() int {
	n := 0
	var b [1]byte
	for _, c := range s.conns {
		if c == nil {
			continue
		}
		raw, err := c.SyscallConn()
		if err != nil {
			continue
		}
		open := false
		raw.Read(func(fd uintptr) bool {
			_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			open = err == syscall.EAGAIN
			return true // one look, never wait
		})
		if open {
			n++
		}
	}
	return n
}

// Close closes every connection with a reset (SO_LINGER 0): tens of
// thousands of closes per run would otherwise leave as many sockets in
// TIME_WAIT, holding this machine's ephemeral ports.
func (s *Set) Close() {
	for i, c := range s.conns {
		if c == nil {
			continue
		}
		c.SetLinger(0)
		c.Close()
		s.conns[i] = nil
	}
}

// RaiseNoFile raises this process's RLIMIT_NOFILE soft limit to its hard
// limit and returns it. The servers the driver starts inherit it: Go
// gives children its original soft limit back unless the program set the
// limit itself (syscall.Setrlimit, go.dev/issue/46279), as this does.
func RaiseNoFile() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit: %w", err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("setrlimit: %w", err)
	}
	return lim.Cur, nil
}

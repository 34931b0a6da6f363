package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"
)

// The idle timeout (chapter 04): a connection that sends no complete
// request for the server's idle timeout is closed, whether it is idle
// between keep-alive requests or stuck halfway through a head. The checks
// wait for it, so they must know it: Target.IdleTimeout.

// idleWindow is when, counted from the moment a connection began to wait
// for a request, the server must close it: not before half its idle
// timeout (a server that closes far too early breaks keep-alive), and not
// much after all of it. The slack allows for a loaded machine and the
// race detector, and is far less than a server without a timeout keeps
// the connection.
func idleWindow(timeout time.Duration) (early, late time.Duration) {
	return timeout / 2, timeout + max(timeout/4, 500*time.Millisecond)
}

// activityGap is how long the client of checkIdleTimeout waits before its
// second request: more than half the timeout, so that a server that
// counts from the connection's start, or from its first request, closes
// the connection less than half a timeout after the second one.
func activityGap(timeout time.Duration) time.Duration { return timeout * 3 / 5 }

func checkIdleTimeout(ctx context.Context, t Target) error {
	timeout := t.idleTimeout()
	// Side by side: a server without a timeout fails both in one wait.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cases := []struct {
		name string
		run  func(context.Context, string, time.Duration) error
	}{
		{"idle after one request", idleAfterOneRequest},
		{"idle after a second request " + activityGap(timeout).String() + " after the first", idleAfterActivity},
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.run(ctx, t.Addr, timeout)
			mu.Lock()
			defer mu.Unlock()
			// The first failure is the one to report: it cancels the
			// other case, which need not wait out its time, and whose
			// error would then only say so.
			if err != nil && first == nil {
				first = fmt.Errorf("%s: %w", c.name, err)
				cancel()
			}
		}()
	}
	wg.Wait()
	return first
}

// keptExchange sends GET / on c and checks that it is answered with 200
// and that the connection is kept.
func keptExchange(c *conn) error {
	r, err := c.exchange(get("/"))
	if err != nil {
		return fmt.Errorf("GET /: %w", err)
	}
	if r.Status != 200 {
		return fmt.Errorf("GET /: got status %d, want 200", r.Status)
	}
	if r.announcesClose() {
		return errors.New("the response to GET / says `Connection: close`: the server closes at once after a response, " +
			"not after the idle timeout")
	}
	return nil
}

func idleAfterOneRequest(ctx context.Context, addr string, timeout time.Duration) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	if err := keptExchange(c); err != nil {
		return err
	}
	return c.closedWhenIdle(time.Now(), timeout)
}

// idleAfterActivity: a complete request restarts the timer.
func idleAfterActivity(ctx context.Context, addr string, timeout time.Duration) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	if err := keptExchange(c); err != nil {
		return err
	}
	gap := activityGap(timeout)
	if err := c.quietFor(gap); err != nil {
		return fmt.Errorf("after the first response: %w, too early: before %v of the idle timeout of %v had passed", err, gap, timeout)
	}
	if err := keptExchange(c); err != nil {
		return fmt.Errorf("the second request: %w", err)
	}
	if err := c.closedWhenIdle(time.Now(), timeout); err != nil {
		return fmt.Errorf("%w (does a complete request restart the idle timer?)", err)
	}
	return nil
}

// quietFor checks that for d the server neither sends anything on c nor
// closes it.
func (c *conn) quietFor(d time.Duration) error {
	start := time.Now()
	_ = c.tcp.SetReadDeadline(start.Add(d))
	_, err := c.r.Peek(1)
	switch {
	case err == nil:
		return fmt.Errorf("the server sent %d unasked-for bytes: %q", c.r.Buffered(), trim(peekAll(c)))
	case c.ctx.Err() != nil:
		return c.ctx.Err()
	case isTimeout(err):
		return nil
	case errors.Is(err, io.EOF):
		return fmt.Errorf("the server closed the connection %v later", time.Since(start).Round(time.Millisecond))
	}
	return fmt.Errorf("waiting %v for nothing to happen: %w", d, err)
}

func peekAll(c *conn) []byte {
	b, _ := c.r.Peek(c.r.Buffered())
	return b
}

// closedWhenIdle checks that the server closes c, idle since since, within
// idleWindow of its idle timeout, with a FIN, and sends nothing first.
func (c *conn) closedWhenIdle(since time.Time, timeout time.Duration) error {
	early, late := idleWindow(timeout)
	_ = c.tcp.SetReadDeadline(since.Add(late))
	b, err := io.ReadAll(io.LimitReader(c.r, 4096))
	took := time.Since(since).Round(time.Millisecond)
	switch {
	case len(b) > 0:
		return fmt.Errorf("the server sent %d bytes to an idle connection: %q", len(b), trim(b))
	case c.ctx.Err() != nil:
		return c.ctx.Err()
	case isTimeout(err):
		return fmt.Errorf("the connection is still open %v after the last response: the server does not close idle connections "+
			"(the suite expects an idle timeout of %v; cmd/check takes the server's as -idle-timeout)", took, timeout)
	case errors.Is(err, syscall.ECONNRESET):
		return errors.New("the idle connection was reset (RST), not closed with a FIN")
	case err != nil:
		return fmt.Errorf("waiting for the idle connection to close: %w", err)
	case took < early:
		return fmt.Errorf("the idle connection was closed %v after the last response, too early: before half the idle timeout of %v",
			took, timeout)
	}
	return nil
}

// slowHead is a client stuck in its head.
type slowHead struct {
	name    string
	method  string // the request's, as far as it got
	sent    string // at once
	trickle bool   // then one more byte every trickleByteEvery
}

// trickleByteEvery paces the slowloris client that sends its head a byte
// at a time: many bytes within one idle timeout, none of which may
// restart it.
const trickleByteEvery = 100 * time.Millisecond

var slowHeads = []slowHead{
	{name: "half a GET head", method: "GET", sent: halfHead},
	// A 408 to HEAD has no body either.
	{name: "half a HEAD head", method: "HEAD", sent: "HEAD / HTTP/1.1\r\nHost: te"},
	{name: "a head trickled a byte every " + trickleByteEvery.String(), method: "GET",
		sent: "GET / HTTP/1.1\r\nHost: test\r\nX-Slow: ", trickle: true},
}

func checkSlowHead408(ctx context.Context, t Target) error {
	timeout := t.idleTimeout()
	errs := make([]error, len(slowHeads))
	var wg sync.WaitGroup
	for i, sh := range slowHeads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := timedOutHead(ctx, t.Addr, timeout, sh); err != nil {
				errs[i] = fmt.Errorf("%s: %w", sh.name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// timedOutHead sends the slow head and checks that it is answered 408,
// within idleWindow of the timeout, then closed.
func timedOutHead(ctx context.Context, addr string, timeout time.Duration, sh slowHead) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	start := time.Now()
	if err := c.send(sh.sent); err != nil {
		return err
	}
	stop := func() {}
	if sh.trickle {
		stop = trickleBytes(c)
	}
	early, late := idleWindow(timeout)
	_ = c.tcp.SetReadDeadline(start.Add(late))
	r, err := readResponse(c.r, sh.method)
	stop()
	took := time.Since(start).Round(time.Millisecond)
	switch {
	case err != nil && c.ctx.Err() != nil:
		return c.ctx.Err()
	case isTimeout(err):
		return fmt.Errorf("no answer %v later: the server never times out a client stuck in its head, "+
			"which can hold a connection as long as it likes (slowloris; the suite expects an idle timeout of %v)", took, timeout)
	case err != nil:
		return fmt.Errorf("no 408 before the connection ended, %v later: %w", took, err)
	case r.Status != 408:
		return fmt.Errorf("got status %d %v later, want 408", r.Status, took)
	case took < early:
		return fmt.Errorf("408 after %v, too early: before half the idle timeout of %v", took, timeout)
	}
	return c.expectCloseAfter(r)
}

// trickleBytes sends one more byte of a header value every
// trickleByteEvery, until the function it returns is called.
func trickleBytes(c *conn) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(trickleByteEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if c.send("a") != nil {
				return
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

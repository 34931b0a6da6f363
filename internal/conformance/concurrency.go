package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// concurrency: one slow, stalled or greedy client never delays another.
// Chapter 01 serves one client at a time and fails these on purpose.
var concurrency = []Behaviour{
	{Name: "stalled-client-does-not-block", Since: 2, Check: checkStalledClient,
		Doc: "a client that stalls halfway through its request does not delay another client"},
	{Name: "bytes-exact", Since: 2, Check: checkBytesExact,
		Doc: "`GET /bytes?n=N` answers exactly N bytes of the a…z pattern (HEAD: the length, no body)"},
	{Name: "bytes-bad-n-400", Since: 2, Check: checkBytesBadN,
		Doc: "`/bytes` with n missing, not a number, negative or over 64 MiB answers 400"},
	{Name: "slow-reader", Since: 2, Check: checkSlowReader,
		Doc: "a client reading 8 MiB of `/bytes` slowly gets every byte while others are answered promptly"},
	{Name: "never-reader", Since: 2, Check: checkNeverReader,
		Doc: "a client that asks for 64 MiB and never reads delays no one and costs no CPU"},
	{Name: "reset-mid-bytes", Since: 2, Check: checkResetMidBytes,
		Doc: "a client that resets the connection midway through a large `/bytes` leaves the server serving"},
	{Name: "many-half-heads", Since: 2, Check: checkManyHalfHeads,
		Doc: "200 clients each holding half a request head do not stop those that finish theirs being answered"},
	{Name: "empty-line-tricklers-do-not-block", Since: 2, Check: checkEmptyLineTricklers,
		Doc: "16 clients sending 7600 bytes of empty lines, then one more every 10 ms, do not delay another client"},
}

// checkStalledClient: A sends half a request and stops; B's whole
// request must still be answered promptly.
func checkStalledClient(ctx context.Context, t Target) error {
	a, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.send(halfHead); err != nil {
		return err
	}
	if err := answeredPromptly(ctx, t.Addr); err != nil {
		return fmt.Errorf("while another client stalled mid-request: %w", err)
	}
	return nil
}

// answeredPromptly checks that GET / is answered within promptly.
func answeredPromptly(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, promptly)
	defer cancel()
	if _, err := expectStatus(ctx, addr, get("/"), 200); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("GET / was not answered within %v: %w", promptly, err)
		}
		return fmt.Errorf("GET /: %w", err)
	}
	return nil
}

// maxBytesN is the largest n that /bytes?n= accepts.
const maxBytesN = 64 << 20

func checkBytesExact(ctx context.Context, t Target) error {
	for _, n := range []int64{0, 1, 26, 27, 100_003, 1<<20 + 7} {
		if err := fetchBytes(ctx, t.Addr, n); err != nil {
			return fmt.Errorf("/bytes?n=%d: %w", n, err)
		}
	}
	r, err := fetch(ctx, t.Addr, "HEAD", "/bytes?n=10")
	if err != nil {
		return fmt.Errorf("HEAD /bytes?n=10: %w", err)
	}
	if r.Status != 200 || r.ContentLength != 10 {
		return fmt.Errorf("HEAD /bytes?n=10: got status %d and Content-Length %d, want 200 and 10", r.Status, r.ContentLength)
	}
	return nil
}

// bytesRequest asks for n bytes of /bytes, and for the connection to be
// closed after them.
func bytesRequest(n int64) string {
	return get(fmt.Sprintf("/bytes?n=%d", n), "Connection: close")
}

// startBytes sends a /bytes request on c and reads the response head.
func startBytes(c *conn, n int64) error {
	if err := c.send(bytesRequest(n)); err != nil {
		return err
	}
	r, err := c.readHead()
	if err != nil {
		return err
	}
	if r.Status != 200 || r.ContentLength != n {
		return fmt.Errorf("got status %d and Content-Length %d, want 200 and %d", r.Status, r.ContentLength, n)
	}
	if !r.announcesClose() {
		return errors.New("the response has no `Connection: close`, though the request asked for it")
	}
	return nil
}

// fetchBytes fetches /bytes?n=N and checks every byte, and that nothing
// follows the body.
func fetchBytes(ctx context.Context, addr string, n int64) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	if err := startBytes(c, n); err != nil {
		return err
	}
	if err := c.readPattern(new(patternChecker), n); err != nil {
		return err
	}
	return c.expectClosed()
}

func checkBytesBadN(ctx context.Context, t Target) error {
	var errs []error
	for _, q := range []string{"", "?n=", "?n=abc", "?n=-1", "?n=67108865", "?m=5"} {
		if _, err := expectStatus(ctx, t.Addr, get("/bytes"+q), 400); err != nil {
			errs = append(errs, fmt.Errorf("/bytes%s: %w", q, err))
		}
	}
	return errors.Join(errs...)
}

// smallReceiveBuffer keeps the kernel from absorbing much of a response
// on the slow or absent reader's behalf, so the server really has to wait
// for the client.
const smallReceiveBuffer = 16 << 10

func checkSlowReader(ctx context.Context, t Target) error {
	n := int64(8 << 20)
	if t.Short {
		n = 2 << 20
	}
	const (
		chunk = 4 << 10 // what the slow reader reads at a time
		// Every pauseEvery bytes the reader pauses while another client
		// makes a request: the pause lasts as long as that request takes.
		pauseEvery = 256 << 10
	)
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	_ = c.tcp.SetReadBuffer(smallReceiveBuffer)
	if err := startBytes(c, n); err != nil {
		return fmt.Errorf("/bytes?n=%d: %w", n, err)
	}
	check := new(patternChecker)
	for check.off < n {
		if check.off%pauseEvery == 0 && check.off > 0 {
			if err := answeredPromptly(ctx, t.Addr); err != nil {
				return fmt.Errorf("while a client read /bytes slowly (at byte %d): %w", check.off, err)
			}
		}
		if err := c.readPattern(check, min(chunk, n-check.off)); err != nil {
			return fmt.Errorf("/bytes?n=%d at byte %d: %w", n, check.off, err)
		}
	}
	return c.expectClosed()
}

func checkNeverReader(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	_ = c.tcp.SetReadBuffer(smallReceiveBuffer)
	// The response head proves the server is sending the 64 MiB; the
	// client reads nothing more.
	if err := startBytes(c, maxBytesN); err != nil {
		return fmt.Errorf("/bytes?n=%d: %w", maxBytesN, err)
	}
	for i := range 3 {
		if err := answeredPromptly(ctx, t.Addr); err != nil {
			return fmt.Errorf("request %d while a client did not read its 64 MiB: %w", i+1, err)
		}
	}
	if t.Process == nil {
		return nil
	}
	return noSpin(ctx, t.Process, "while a client did not read its 64 MiB")
}

func checkResetMidBytes(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	if err := startBytes(c, maxBytesN); err != nil {
		c.close()
		return fmt.Errorf("/bytes?n=%d: %w", maxBytesN, err)
	}
	err = c.readPattern(new(patternChecker), 256<<10)
	c.reset()
	if err != nil {
		return err
	}
	return stillServes(ctx, t.Addr)
}

// checkManyHalfHeads: n clients each send half a request head. All but
// the first then finish theirs, and must be answered while the first
// still holds its half; then the first finishes and is answered too.
func checkManyHalfHeads(ctx context.Context, t Target) error {
	n := 200
	if t.Short {
		n = 50
	}
	conns := make([]*conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	// One by one, so that the first is first in the accept queue: a
	// server that blocks on it blocks on all the others.
	firstSent := time.Now()
	for i := range n {
		c, err := dial(ctx, t.Addr)
		if err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
		conns = append(conns, c)
		if err := c.send(halfHead); err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
	}
	answered := make(chan error, n)
	for i := n - 1; i >= 1; i-- {
		if err := conns[i].send(completeHead); err != nil {
			return fmt.Errorf("client %d: %w", i, err)
		}
		go func() { answered <- readOK(conns[i]) }()
	}
	first := time.NewTimer(promptly)
	defer first.Stop()
	errs := make([]error, n-1)
	for i := range errs {
		select {
		case errs[i] = <-answered:
		case <-first.C:
			return fmt.Errorf("none of %d clients that finished their heads was answered within %v while one more held half a head",
				n-1, promptly)
		}
		first.Stop()
	}
	if err := countFailures(errs, n-1, "clients that finished their heads"); err != nil {
		return err
	}
	if err := conns[0].send(completeHead); err != nil {
		return fmt.Errorf("client 0: %w", err)
	}
	r, err := conns[0].read("GET")
	switch {
	case err != nil:
		return fmt.Errorf("the client that finished its head last: %w", err)
	case r.Status == 408 && time.Since(firstSent) >= t.idleTimeout()/2:
		// On a slow machine, the server's idle timeout (chapter 04) may
		// have run out on the half head: that is no failure.
	case r.Status != 200:
		return fmt.Errorf("the client that finished its head last: got status %d, want 200", r.Status)
	}
	return nil
}

// readOK reads a response to GET and checks that it is a 200.
func readOK(c *conn) error {
	r, err := c.read("GET")
	if err != nil {
		return err
	}
	if r.Status != 200 {
		return fmt.Errorf("got status %d, want 200", r.Status)
	}
	return nil
}

const (
	// tricklers, trickleBulk and trickleInterval shape the clients of
	// checkEmptyLineTricklers: each sends trickleBulk bytes of empty
	// lines at once, then one more line every trickleInterval. RFC 9112
	// §2.2 lets a server skip empty lines before the request line; a
	// server that looks at all it has buffered again for every new byte
	// spends time that grows with the square of the buffer, and the
	// tricklers make it do so hundreds of times a second.
	tricklers       = 16
	trickleBulk     = 7600
	trickleInterval = 10 * time.Millisecond
)

// checkEmptyLineTricklers: while tricklers send empty lines, GET / on
// another connection must be answered promptly, five times over.
func checkEmptyLineTricklers(ctx context.Context, t Target) error {
	ctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		stop()
		wg.Wait()
	}()
	for i := range tricklers {
		line := "\n"
		if i%2 == 1 {
			line = "\r\n"
		}
		c, err := dial(ctx, t.Addr)
		if err != nil {
			return fmt.Errorf("trickler %d: %w", i, err)
		}
		if err := c.send(strings.Repeat(line, trickleBulk/len(line))); err != nil {
			c.close()
			return fmt.Errorf("trickler %d: %w", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.close()
			trickle(ctx, c, line)
		}()
	}
	for i := range 5 {
		if err := answeredPromptly(ctx, t.Addr); err != nil {
			return fmt.Errorf("request %d while %d clients trickled empty lines: %w", i+1, tricklers, err)
		}
	}
	return nil
}

// trickle sends line every trickleInterval until ctx is done or the
// server stops taking it (it answers 431 once its buffer is full, and
// closes).
func trickle(ctx context.Context, c *conn, line string) {
	tick := time.NewTicker(trickleInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
		if c.send(line) != nil {
			return
		}
	}
}

package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// /sleep (chapter 04): GET /sleep?ms=N answers after N ms, on a timer,
// while the server goes on serving everyone else.

func checkSleep(ctx context.Context, t Target) error {
	if err := checkSleepPipelined(ctx, t.Addr); err != nil {
		return err
	}
	start := time.Now()
	if _, err := expectStatus(ctx, t.Addr, get("/sleep?ms=50"), 200); err != nil {
		return fmt.Errorf("GET /sleep?ms=50: %w", err)
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		return fmt.Errorf("GET /sleep?ms=50 answered after %v, before the 50 ms were up", took)
	}
	start = time.Now()
	if _, err := expectStatus(ctx, t.Addr, get("/sleep?ms=0"), 200); err != nil {
		return fmt.Errorf("GET /sleep?ms=0: %w", err)
	}
	if took := time.Since(start); took > promptly {
		return fmt.Errorf("GET /sleep?ms=0 answered after %v, want at once", took.Round(time.Millisecond))
	}
	return nil
}

// sleepPipelined are sent in one write: the requests behind the sleeper
// must wait for its answer, and go out in order. The 404 right behind it
// tells an answer out of order from the sleeper's 200.
var sleepPipelined = []exchange{
	{raw: get("/sleep?ms=200"), want: 200},
	{raw: get("/no/such/page"), want: 404},
	{raw: request("HEAD", "/sleep?ms=50", "HTTP/1.1"), want: 200},
	bytesExchange(7),
	{raw: get("/", "Connection: close"), want: 200},
}

func checkSleepPipelined(ctx context.Context, addr string) error {
	const what = "/sleep?ms=200, /no/such/page, HEAD /sleep?ms=50, /bytes?n=7 and / pipelined"
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	var all string
	for _, x := range sleepPipelined {
		all += x.raw
	}
	start := time.Now()
	if err := c.send(all); err != nil {
		return err
	}
	for i := range sleepPipelined {
		err := readExchange(c, sleepPipelined, i)
		switch {
		case err != nil && methodOf(sleepPipelined[max(i-1, 0)].raw) == "HEAD":
			return fmt.Errorf("%s: %w (a body after the HEAD response?)", what, err)
		case err != nil:
			return fmt.Errorf("%s: %w", what, err)
		}
		took := time.Since(start).Round(time.Millisecond)
		switch {
		case i == 0 && took < 200*time.Millisecond:
			return fmt.Errorf("%s: /sleep?ms=200 answered after %v, before the 200 ms were up", what, took)
		case i == 1 && took < 200*time.Millisecond:
			return fmt.Errorf("%s: the 404 came %v after the requests were sent: it did not wait for the sleeper before it", what, took)
		}
	}
	return nil
}

func checkSleepConcurrent(ctx context.Context, t Target) error {
	const (
		clients = 20
		sleep   = 300 * time.Millisecond
		// Far less than the 6 s that one at a time would take.
		bound = 1500 * time.Millisecond
	)
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			_, errs[i] = expectStatus(ctx, t.Addr, get(fmt.Sprintf("/sleep?ms=%d", sleep.Milliseconds())), 200)
			if took := time.Since(start); errs[i] == nil && took < sleep {
				errs[i] = fmt.Errorf("answered after %v, before the %v were up", took, sleep)
			}
		}()
	}
	wg.Wait()
	return countFailures(errs, clients, fmt.Sprintf("concurrent /sleep?ms=%d within %v", sleep.Milliseconds(), bound))
}

// acceptedWait is how long a /sleep?ms=10000 may go unanswered for the
// check to take it that the server accepted it and sleeps.
const acceptedWait = 200 * time.Millisecond

func checkSleepBadMs(ctx context.Context, t Target) error {
	var errs []error
	for _, q := range []string{"", "?ms=", "?ms=abc", "?ms=-1", "?ms=+5", "?ms=5.0", "?ms=1e3", "?ms=0x10",
		"?ms=10001", "?ms=99999999999999999999", "?n=5"} {
		if _, err := expectStatus(ctx, t.Addr, get("/sleep"+q), 400); err != nil {
			errs = append(errs, fmt.Errorf("/sleep%s: %w", q, err))
		}
	}
	if err := sleepAccepted(ctx, t.Addr, maxSleepMs); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// sleepAccepted checks that /sleep?ms=N is not answered within
// acceptedWait, then leaves: the server is sleeping on it.
func sleepAccepted(ctx context.Context, addr string, ms int) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.reset() // nobody waits 10 s: the server must cancel the timer
	if err := c.send(get(fmt.Sprintf("/sleep?ms=%d", ms))); err != nil {
		return err
	}
	_ = c.tcp.SetReadDeadline(time.Now().Add(acceptedWait))
	r, err := readResponse(c.r, "GET")
	switch {
	case err == nil:
		return fmt.Errorf("/sleep?ms=%d, the largest allowed, was answered at once with status %d: want it slept on", ms, r.Status)
	case c.ctx.Err() != nil:
		return c.ctx.Err()
	case !isTimeout(err):
		return fmt.Errorf("/sleep?ms=%d, the largest allowed: %w", ms, err)
	}
	return nil
}

// checkSleepClientLeaves: a client asks for /sleep and resets the
// connection at once. The server closes its descriptor; the next
// connection it accepts most likely gets the same number (accept, like
// every call that opens a descriptor, takes the lowest one free: POSIX
// XSH 2.14, "File Descriptor Allocation"). A server that writes the
// sleeper's answer to that number when the timer fires sends it to a
// stranger.
func checkSleepClientLeaves(ctx context.Context, t Target) error {
	const (
		ms    = 300
		slack = 500 * time.Millisecond
	)
	var before int
	if t.Process != nil {
		// Settled: a descriptor closed meanwhile would free a number
		// lower than the sleeper's, and the next connection would get
		// that one.
		var err error
		if before, err = settledFDs(ctx, t.Process); err != nil {
			return err
		}
	}
	if t.Process != nil {
		// The server sees a client leave while its timer runs, and
		// closes its descriptor then, not when the timer would fire.
		if _, err := leaveMidSleep(ctx, t.Addr, maxSleepMs); err != nil {
			return err
		}
		if err := fdsBackTo(ctx, t.Process, before); err != nil {
			return fmt.Errorf("after a client reset its connection during /sleep?ms=%d: %w "+
				"(watch a connection while its timer runs, and cancel the timer when the client leaves)", maxSleepMs, err)
		}
	}
	sent, err := leaveMidSleep(ctx, t.Addr, ms)
	if err != nil {
		return err
	}
	if t.Process != nil {
		// Once the server has closed the sleeper's descriptor, the next
		// connection gets its number.
		if err := fdsBackTo(ctx, t.Process, before); err != nil {
			return fmt.Errorf("after the sleeper reset its connection: %w", err)
		}
	}
	next, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer next.close()
	r, err := next.exchange(get("/no/such/page"))
	switch {
	case err != nil:
		return fmt.Errorf("the next client's GET /no/such/page: %w", err)
	case r.Status != 404:
		return fmt.Errorf("the next client's GET /no/such/page got status %d, want 404: the answer to the sleeper, who left, "+
			"written to the descriptor number the next connection now has?", r.Status)
	}
	// Until well after the sleeper's timer would have fired, and a while
	// in any case: a read whose deadline has passed does not even look.
	watch := max(time.Until(sent.Add(ms*time.Millisecond+slack)), slack)
	if err := next.quietFor(watch); err != nil {
		return fmt.Errorf("the next client, after its own response: %w: the answer to the sleeper, who left, "+
			"written to the descriptor number this connection now has?", err)
	}
	r, err = next.exchange(get("/", "Connection: close"))
	switch {
	case err != nil:
		return fmt.Errorf("the next client's second request: %w", err)
	case r.Status != 200:
		return fmt.Errorf("the next client's second request: got status %d, want 200", r.Status)
	}
	if err := next.expectCloseAfter(r); err != nil {
		return fmt.Errorf("the next client's second request: %w", err)
	}
	return stillServes(ctx, t.Addr)
}

// maxSleepMs is the largest ms that /sleep accepts.
const maxSleepMs = 10000

// leaveMidSleep connects, sends GET /sleep?ms=ms, and resets the
// connection at once. A first request, answered, shows that the server
// has /sleep (without it there would be no late answer to catch) and that
// it has accepted the connection, so that its descriptor count counts the
// sleeper. It returns when the request was sent.
func leaveMidSleep(ctx context.Context, addr string, ms int) (time.Time, error) {
	sleeper, err := dial(ctx, addr)
	if err != nil {
		return time.Time{}, err
	}
	if err := keptSleepZero(sleeper); err != nil {
		sleeper.close()
		return time.Time{}, fmt.Errorf("the sleeper's first request: %w", err)
	}
	err = sleeper.send(get(fmt.Sprintf("/sleep?ms=%d", ms)))
	sent := time.Now()
	sleeper.reset()
	if err != nil {
		return time.Time{}, fmt.Errorf("the sleeper: %w", err)
	}
	return sent, nil
}

// keptSleepZero sends GET /sleep?ms=0 on c and checks that it is
// answered 200, and the connection kept.
func keptSleepZero(c *conn) error {
	r, err := c.exchange(get("/sleep?ms=0"))
	switch {
	case err != nil:
		return fmt.Errorf("GET /sleep?ms=0: %w", err)
	case r.Status != 200:
		return fmt.Errorf("GET /sleep?ms=0: got status %d, want 200", r.Status)
	case r.announcesClose():
		return errors.New("GET /sleep?ms=0: the response says `Connection: close`")
	}
	return nil
}

const (
	sleepers      = 1000
	sleepersShort = 200
	sleeperMs     = 500
	// sleepersBound is how long the sleepers may take in all: five times
	// the 1 s they need, for a loaded machine and the race detector on
	// both sides (a 2-core machine running other tests under -race took
	// up to 3.9 s), and half what a server that serves them 100 at a
	// time needs.
	sleepersBound = 5 * time.Second
	// sleeperDialers connect the sleepers and send their first requests:
	// a few goroutines, so that no connection waits long between its
	// connect and its request (the server's idle timeout runs meanwhile),
	// as it would behind a thousand goroutines all connecting at once.
	sleeperDialers = 8
)

func checkSleepKeepAlive1000(ctx context.Context, t Target) error {
	if _, err := expectStatus(ctx, t.Addr, get("/sleep?ms=0"), 200); err != nil {
		return fmt.Errorf("GET /sleep?ms=0: %w", err)
	}
	n := sleepers
	if t.Short {
		n = sleepersShort
	}
	n = min(n, connectionRoom())
	ctx, cancel := context.WithTimeout(ctx, sleepersBound)
	defer cancel()
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range sleeperDialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, start, err := startSleeper(ctx, t.Addr)
				if err != nil {
					errs[i] = err
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer c.close()
					errs[i] = sleepTwice(c, start)
				}()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return countFailures(errs, n, fmt.Sprintf("keep-alive connections doing /sleep?ms=%d twice, all at once, within %v",
		sleeperMs, sleepersBound))
}

var sleeperRequest = get(fmt.Sprintf("/sleep?ms=%d", sleeperMs))

// startSleeper connects and sends the first /sleep request.
func startSleeper(ctx context.Context, addr string) (*conn, time.Time, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, time.Time{}, err
	}
	start := time.Now()
	if err := c.send(sleeperRequest); err != nil {
		c.close()
		return nil, time.Time{}, fmt.Errorf("request 1: %w", err)
	}
	return c, start, nil
}

// sleepTwice reads the answer to the first /sleep request, sent at
// start, and asks for another on the same connection.
func sleepTwice(c *conn, start time.Time) error {
	for i := range 2 {
		if i > 0 {
			start = time.Now()
			if err := c.send(sleeperRequest); err != nil {
				return fmt.Errorf("request %d: %w", i+1, err)
			}
		}
		r, err := c.read("GET")
		switch {
		case err != nil:
			return fmt.Errorf("request %d: %w", i+1, err)
		case r.Status != 200:
			return fmt.Errorf("request %d: got status %d, want 200", i+1, r.Status)
		case r.announcesClose():
			return fmt.Errorf("request %d: the response says `Connection: close`", i+1)
		}
		if took := time.Since(start); took < sleeperMs*time.Millisecond {
			return fmt.Errorf("request %d: answered after %v, before its %d ms were up", i+1, took, sleeperMs)
		}
	}
	return nil
}

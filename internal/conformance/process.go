package conformance

import (
	"context"
	"fmt"
	"time"
)

// What the suite watches of a server process it can see: its descriptors
// and its CPU time. These checks are skipped for a server reached only by
// address.

const (
	// fdSettle bounds how long the descriptor count may take to settle:
	// a server closes a connection shortly after the client does, not at
	// the same instant.
	fdSettle = 3 * time.Second
	// fdStable is how long the count must stay the same to be a baseline.
	fdStable = 100 * time.Millisecond
	fdPoll   = 10 * time.Millisecond

	// A server that waits in poll or read uses no CPU; one that spins
	// uses all of one core. spinBudget over spinWindow tells them apart
	// with room for the race detector and a busy machine (CPU time is
	// counted in 10ms ticks).
	spinWindow = 300 * time.Millisecond
	spinBudget = 60 * time.Millisecond
)

func checkNoFDLeak(ctx context.Context, t Target) error {
	if t.Process == nil {
		return skipf("counting the server's descriptors needs its process")
	}
	// Anything the server opens lazily on its first request is open
	// before the baseline is taken.
	if err := stillServes(ctx, t.Addr); err != nil {
		return err
	}
	before, err := settledFDs(ctx, t.Process)
	if err != nil {
		return err
	}
	hostileRound(ctx, t)
	// A client that asks the server to close, reads its response and
	// keeps its own side open: the server may linger for it a while, not
	// forever.
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	if _, err := c.exchange(get("/", "Connection: close")); err != nil {
		return err
	}
	return fdsBackTo(ctx, t.Process, before)
}

// settledFDs returns the server's descriptor count once it has stayed
// the same for fdStable.
func settledFDs(ctx context.Context, p Process) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, fdSettle)
	defer cancel()
	last, err := p.FDs()
	if err != nil {
		return 0, err
	}
	since := time.Now()
	tick := time.NewTicker(fdPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("the server's descriptor count did not settle within %v (now %d)", fdSettle, last)
		case <-tick.C:
		}
		n, err := p.FDs()
		if err != nil {
			return 0, err
		}
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= fdStable {
			return n, nil
		}
	}
}

// fdsBackTo waits until the server holds at most baseline descriptors.
func fdsBackTo(ctx context.Context, p Process, baseline int) error {
	ctx, cancel := context.WithTimeout(ctx, fdSettle)
	defer cancel()
	tick := time.NewTicker(fdPoll)
	defer tick.Stop()
	for {
		n, err := p.FDs()
		if err != nil {
			return err
		}
		if n <= baseline {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server holds %d descriptors %v after the last client left, %d before: it leaks %d",
				n, fdSettle, baseline, n-baseline)
		case <-tick.C:
		}
	}
}

func checkIdleNoSpin(ctx context.Context, t Target) error {
	if t.Process == nil {
		return skipf("measuring the server's CPU time needs its process")
	}
	if err := stillServes(ctx, t.Addr); err != nil {
		return err
	}
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.send(halfHead); err != nil {
		return err
	}
	return noSpin(ctx, t.Process, "while a client stalls halfway through its head")
}

// noSpin checks that the server uses less than spinBudget of CPU time
// over the next spinWindow.
func noSpin(ctx context.Context, p Process, while string) error {
	before, err := p.CPUTime()
	if err != nil {
		return err
	}
	timer := time.NewTimer(spinWindow)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
	}
	after, err := p.CPUTime()
	if err != nil {
		return err
	}
	if used := after - before; used > spinBudget {
		return fmt.Errorf("%s, the server used %v of CPU in %v: it spins", while, used, spinWindow)
	}
	return nil
}

package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// laterChapters: what chapters 03 and 04 add, cheap enough to check
// everywhere, so that the matrix shows the earlier chapters without them.
var laterChapters = []Behaviour{
	{Name: "keep-alive", Since: 3, Check: checkKeepAlive,
		Doc: "an HTTP/1.1 connection stays open for more requests until the client says `Connection: close`"},
	{Name: "pipelining", Since: 3, Check: checkPipelining,
		Doc: "several requests sent in one write are all answered, in order"},
	{Name: "sleep", Since: 4, Check: checkSleep,
		Doc: "`GET /sleep?ms=50` answers 200 after at least 50 ms"},
	{Name: "sleep-concurrent", Since: 4, Check: checkSleepConcurrent,
		Doc: "20 concurrent `/sleep?ms=300` all finish in about 300 ms, not 20 × 300 ms"},
	{Name: "sleep-bad-ms-400", Since: 4, Check: checkSleepBadMs,
		Doc: "`/sleep` with ms missing, not a number, negative or over 10000 answers 400"},
}

// exchange is one request on a connection that is kept, and the status
// its response must have.
type exchange struct {
	raw  string
	want int
}

// keptExchanges are three requests on one connection: the first two leave
// it open, the last asks for it to be closed.
var keptExchanges = []exchange{
	{get("/"), 200},
	{get("/no/such/page"), 404},
	{get("/", "Connection: close"), 200},
}

// readExchange reads the response to the i-th of total exchanges on c.
// Only the last one may close the connection, and it must.
func readExchange(c *conn, x exchange, i, total int) error {
	r, err := c.read(methodOf(x.raw))
	if err != nil {
		return fmt.Errorf("response %d of %d: %w", i+1, total, err)
	}
	if r.Status != x.want {
		return fmt.Errorf("response %d of %d: got status %d, want %d", i+1, total, r.Status, x.want)
	}
	if i == total-1 {
		return c.expectCloseAfter(r)
	}
	if r.announcesClose() {
		return fmt.Errorf("response %d of %d says `Connection: close`: the server closes after every response", i+1, total)
	}
	return nil
}

func checkKeepAlive(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	for i, x := range keptExchanges {
		if err := c.send(x.raw); err != nil {
			return fmt.Errorf("request %d: %w", i+1, err)
		}
		if err := readExchange(c, x, i, len(keptExchanges)); err != nil {
			return err
		}
	}
	return nil
}

func checkPipelining(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	var all string
	for _, x := range keptExchanges {
		all += x.raw
	}
	if err := c.send(all); err != nil {
		return err
	}
	for i, x := range keptExchanges {
		if err := readExchange(c, x, i, len(keptExchanges)); err != nil {
			return err
		}
	}
	return nil
}

func checkSleep(ctx context.Context, t Target) error {
	start := time.Now()
	if _, err := expectStatus(ctx, t.Addr, get("/sleep?ms=50"), 200); err != nil {
		return err
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		return fmt.Errorf("answered after %v, before the 50 ms were up", took)
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
	start := time.Now()
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = expectStatus(ctx, t.Addr, get(fmt.Sprintf("/sleep?ms=%d", sleep.Milliseconds())), 200)
		}()
	}
	wg.Wait()
	if err := countFailures(errs, clients, fmt.Sprintf("concurrent /sleep?ms=%d within %v", sleep.Milliseconds(), bound)); err != nil {
		return err
	}
	if took := time.Since(start); took < sleep {
		return fmt.Errorf("all answered after %v, before the %v were up", took, sleep)
	}
	return nil
}

func checkSleepBadMs(ctx context.Context, t Target) error {
	var errs []error
	for _, q := range []string{"", "?ms=", "?ms=abc", "?ms=-1", "?ms=10001"} {
		if _, err := expectStatus(ctx, t.Addr, get("/sleep"+q), 400); err != nil {
			errs = append(errs, fmt.Errorf("/sleep%s: %w", q, err))
		}
	}
	return errors.Join(errs...)
}

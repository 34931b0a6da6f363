package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// laterChapters: what chapter 04 adds, cheap enough to check
// everywhere, so that the matrix shows the earlier chapters without them.
var laterChapters = []Behaviour{
	{Name: "sleep", Since: 4, Check: checkSleep,
		Doc: "`GET /sleep?ms=50` answers 200 after at least 50 ms"},
	{Name: "sleep-concurrent", Since: 4, Check: checkSleepConcurrent,
		Doc: "20 concurrent `/sleep?ms=300` all finish in about 300 ms, not 20 × 300 ms"},
	{Name: "sleep-bad-ms-400", Since: 4, Check: checkSleepBadMs,
		Doc: "`/sleep` with ms missing, not a number, negative or over 10000 answers 400"},
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

//go:build exercise

package retry_test

import (
	"regexp"
	"testing"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// TestRetry runs retryTest inside the chapter's package, where Retry
// lives: go test -overlay adds it to 05-promise for that one run,
// without writing there. It drives Retry on a loop that never runs,
// with a fake clock, as the chapter's TestTimeout does.
func TestRetry(t *testing.T) {
	out, passed := testserver.RunInPackage(t, "../..", retryTest, "TestRetryExercise")
	switch {
	case passed:
		t.Logf("go test in 05-promise, with the exercise's test added:\n%s", out)
	case undefinedRetry.MatchString(out):
		t.Fatalf("05-promise has no Retry yet: the test needs, in promise.go,\n\n\tfunc Retry[T any](l *EventLoop, attempts int, base time.Duration, f func() *Promise[T]) *Promise[T]\n\nThe compiler says:\n%s", out)
	default:
		t.Fatalf("go test in 05-promise, with the exercise's test added:\n%s", out)
	}
}

var undefinedRetry = regexp.MustCompile(`undefined: Retry\b`)

// retryTest is the test that go test -overlay adds to the chapter's
// package. It uses the chapter's own test helpers: timerLoop and its
// fakeClock (timers_test.go), settleAll, state, resolved and
// rejectedWith (promise_test.go).
const retryTest = `package main

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
)

// exerciseAttempts is a function for Retry that records when it is
// called, counted from start on the fake clock, and returns what
// outcome says for that attempt (numbered from 1).
type exerciseAttempts struct {
	clock *fakeClock
	start time.Time
	calls []time.Duration
}

func (a *exerciseAttempts) f(outcome func(n int) *Promise[int]) func() *Promise[int] {
	return func() *Promise[int] {
		a.calls = append(a.calls, a.clock.now.Sub(a.start))
		return outcome(len(a.calls))
	}
}

// exerciseRun moves the clock a millisecond at a time up to end, playing
// the passes, and returns the promise's state at each millisecond given
// in at.
func exerciseRun(t *testing.T, l *EventLoop, clock *fakeClock, start time.Time, end time.Duration, p *Promise[int], at ...time.Duration) map[time.Duration]string {
	seen := map[time.Duration]string{}
	for {
		settleAll(t, l)
		now := clock.now.Sub(start)
		for _, a := range at {
			if a == now {
				seen[a] = state(p)
			}
		}
		if now >= end {
			return seen
		}
		clock.advance(time.Millisecond)
	}
}

func TestRetryExercise(t *testing.T) {
	t.Run("waits base, then twice as long each time, and stops at the first success", func(t *testing.T) {
		l, clock := timerLoop(t)
		stderr := &syncbuf.Buffer{}
		l.stderr = stderr
		a := &exerciseAttempts{clock: clock, start: clock.now}
		p := Retry(l, 5, 100*time.Millisecond, a.f(func(n int) *Promise[int] {
			if n < 4 {
				return Rejected[int](l, fmt.Errorf("attempt %d failed", n))
			}
			return Resolved(l, n)
		}))
		seen := exerciseRun(t, l, clock, a.start, 3*time.Second, p, 699*time.Millisecond, 700*time.Millisecond)
		if got, want := fmt.Sprint(a.calls), "[0s 100ms 300ms 700ms]"; got != want {
			t.Fatalf("with base 100 ms, attempts that fail at once, and a fourth that succeeds: f was called at %s; want %s (no wait before the first, then 100, 200, 400 ms), and no call after a success", got, want)
		}
		if seen[699*time.Millisecond] != "pending" || seen[700*time.Millisecond] != "fulfilled 4" {
			t.Fatalf("Retry's promise was %q at 699 ms and %q at 700 ms; want pending, then fulfilled 4: the value of the attempt that succeeded", seen[699*time.Millisecond], seen[700*time.Millisecond])
		}
		if got := stderr.String(); got != "" {
			t.Errorf("stderr: %q; want nothing: the failed attempts are Retry's to handle, not unhandled rejections", got)
		}
		if len(l.timers) != 0 {
			t.Errorf("%d timers left after the success", len(l.timers))
		}
	})

	t.Run("the wait counts from each failure, and the last error rejects", func(t *testing.T) {
		l, clock := timerLoop(t)
		stderr := &syncbuf.Buffer{}
		l.stderr = stderr
		a := &exerciseAttempts{clock: clock, start: clock.now}
		var errs []error
		p := Retry(l, 3, 100*time.Millisecond, a.f(func(n int) *Promise[int] {
			err := fmt.Errorf("attempt %d failed", n)
			errs = append(errs, err)
			late, _ := Delay(l, 50*time.Millisecond, 0)
			return Then(late, func(int) (int, error) { return 0, err })
		}))
		var got error
		p.Catch(func(err error) (int, error) { got = err; return 0, nil })
		seen := exerciseRun(t, l, clock, a.start, 3*time.Second, p, 449*time.Millisecond, 450*time.Millisecond)
		if calls, want := fmt.Sprint(a.calls), "[0s 150ms 400ms]"; calls != want {
			t.Fatalf("with base 100 ms, 3 attempts, each failing 50 ms after its call: f was called at %s; want %s (each wait starts when an attempt fails: 50+100, then 200+200), and never a fourth time", calls, want)
		}
		if seen[449*time.Millisecond] != "pending" || got == nil {
			t.Fatalf("Retry's promise was %q at 449 ms and %q at 450 ms; want pending, then rejected when the third attempt failed", seen[449*time.Millisecond], seen[450*time.Millisecond])
		}
		if !errors.Is(got, errs[2]) {
			t.Errorf("Retry was rejected with %q; want an error that errors.Is finds the last attempt's error in (%q)", got, errs[2])
		}
		if got := stderr.String(); got != "" {
			t.Errorf("stderr: %q; want nothing: the failed attempts are Retry's to handle, and its own rejection was caught", got)
		}
		if len(l.timers) != 0 {
			t.Errorf("%d timers left after the last attempt", len(l.timers))
		}
	})

	t.Run("no attempts: rejected, and f never called", func(t *testing.T) {
		l, _ := timerLoop(t)
		called := false
		var got error
		Retry(l, 0, time.Millisecond, func() *Promise[int] { called = true; return Resolved(l, 1) }).
			Catch(func(err error) (int, error) { got = err; return 0, nil })
		settleAll(t, l)
		if called || got == nil || errors.Is(got, ErrNilRejection) {
			t.Fatalf("Retry with 0 attempts: f called %v, rejected with %v; want f never called, and a rejection that says why", called, got)
		}
	})
}
`

//go:build exercise

package any_test

import (
	"regexp"
	"testing"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// TestAny runs anyTest inside the chapter's package, where Any lives:
// go test -overlay adds it to 05-promise for that one run, without
// writing there. It drives Any on a loop that never runs, with a fake
// clock, as the chapter's TestRace does.
func TestAny(t *testing.T) {
	out, passed := testserver.RunInPackage(t, "../..", anyTest, "TestAnyExercise")
	switch {
	case passed:
		t.Logf("go test in 05-promise, with the exercise's test added:\n%s", out)
	case undefinedAny.MatchString(out):
		t.Fatalf("05-promise has no Any yet: the test needs, in promise.go,\n\n\tfunc Any[T any](l *EventLoop, ps ...*Promise[T]) *Promise[T]\n\nThe compiler says:\n%s", out)
	default:
		t.Fatalf("go test in 05-promise, with the exercise's test added:\n%s", out)
	}
}

var undefinedAny = regexp.MustCompile(`undefined: Any\b`)

// anyTest is the test that go test -overlay adds to the chapter's
// package. It uses the chapter's own test helpers: timerLoop and its
// fakeClock (timers_test.go), settleAll, state and resolved
// (promise_test.go).
const anyTest = `package main

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
)

// exerciseFailAfter is a promise rejected with err once d has passed.
func exerciseFailAfter(l *EventLoop, d time.Duration, err error) *Promise[string] {
	p, _ := Delay(l, d, "")
	return Then(p, func(string) (string, error) { return "", err })
}

// exerciseStep moves the clock by 10 ms and plays passes until nothing
// is left to run.
func exerciseStep(t *testing.T, l *EventLoop, clock *fakeClock) {
	clock.advance(10 * time.Millisecond)
	settleAll(t, l)
}

func TestAnyExercise(t *testing.T) {
	t.Run("the first to fulfil wins; a rejection before it does not settle it", func(t *testing.T) {
		l, clock := timerLoop(t)
		stderr := &syncbuf.Buffer{}
		l.stderr = stderr
		p := Any(l,
			exerciseFailAfter(l, 10*time.Millisecond, errors.New("10 ms: refused")),
			exerciseDelay(l, 30*time.Millisecond, "30 ms: slow"),
			exerciseDelay(l, 20*time.Millisecond, "20 ms: fast enough"),
		)
		if s := state(p); s != "pending" {
			t.Fatalf("right after Any: %s, want pending", s)
		}
		exerciseStep(t, l, clock)
		if s := state(p); s != "pending" {
			t.Fatalf("at 10 ms, when only the first promise had settled, rejected: Any is %s; want pending: one rejection is not the end while others may still fulfil (settling as the first to settle is Race)", s)
		}
		exerciseStep(t, l, clock)
		if s := state(p); s != "fulfilled 20 ms: fast enough" {
			t.Fatalf("at 20 ms, when the third promise fulfilled: Any is %s; want fulfilled 20 ms: fast enough", s)
		}
		exerciseStep(t, l, clock)
		if s := state(p); s != "fulfilled 20 ms: fast enough" {
			t.Fatalf("at 30 ms, after the second fulfilled too: Any is %s; a promise settles once", s)
		}
		if got := stderr.String(); got != "" {
			t.Errorf("stderr: %q; want nothing: Any handles the rejections of the promises it waits for, so none is unhandled", got)
		}
		if len(l.timers) != 0 {
			t.Errorf("%d timers left after every delay fired", len(l.timers))
		}
	})

	t.Run("handlers never run inside Any", func(t *testing.T) {
		l, _ := timerLoop(t)
		p := Any(l, Resolved(l, "ready"))
		if s := state(p); s != "pending" {
			t.Fatalf("Any of a fulfilled promise, before the loop's next microtasks: %s; want pending (Promises/A+ 2.2.4: the handlers run once the code that chained them has returned)", s)
		}
		settleAll(t, l)
		if s := state(p); s != "fulfilled ready" {
			t.Fatalf("Any of a fulfilled promise: %s, want fulfilled ready", s)
		}
	})

	t.Run("rejected only when all are, with every error, in the order given", func(t *testing.T) {
		l, clock := timerLoop(t)
		stderr := &syncbuf.Buffer{}
		l.stderr = stderr
		e30, e10, e20 := errors.New("30 ms: down"), errors.New("10 ms: refused"), errors.New("20 ms: timed out")
		p := Any(l,
			exerciseFailAfter(l, 30*time.Millisecond, e30),
			exerciseFailAfter(l, 10*time.Millisecond, e10),
			exerciseFailAfter(l, 20*time.Millisecond, e20),
		)
		var got error
		p.Catch(func(err error) (string, error) { got = err; return "", nil })
		for _, at := range []string{"10 ms", "20 ms"} {
			exerciseStep(t, l, clock)
			if s := state(p); s != "pending" {
				t.Fatalf("at %s, with a promise still pending: Any is %s; want pending", at, s)
			}
		}
		exerciseStep(t, l, clock)
		if got == nil {
			t.Fatalf("at 30 ms, when the last promise was rejected: Any is %s; want rejected", state(p))
		}
		for _, e := range []error{e30, e10, e20} {
			if !errors.Is(got, e) {
				t.Errorf("Any's error %q does not carry %q: errors.Is must find every promise's error", got, e)
			}
		}
		joined, ok := got.(interface{ Unwrap() []error })
		if !ok {
			t.Fatalf("Any's error %q (%T) has no Unwrap() []error: want the error errors.Join makes of them", got, got)
		}
		if list := fmt.Sprint(joined.Unwrap()); list != fmt.Sprint([]error{e30, e10, e20}) {
			t.Errorf("Any's errors, unwrapped: %s; want them in the order of the promises given to Any, not the order they failed in: %v", list, []error{e30, e10, e20})
		}
		if s := stderr.String(); s != "" {
			t.Errorf("stderr: %q; want nothing: the rejections Any waited for are handled, and its own is caught", s)
		}
	})

	t.Run("Any of nothing is rejected", func(t *testing.T) {
		l, _ := timerLoop(t)
		var got error
		Any[int](l).Catch(func(err error) (int, error) { got = err; return 0, nil })
		settleAll(t, l)
		switch {
		case got == nil:
			t.Fatal("Any of no promises: not rejected; want rejected at once, since none can ever fulfil (Race of nothing stays pending; Any of nothing must not)")
		case errors.Is(got, ErrNilRejection):
			t.Fatalf("Any of no promises: rejected with %q: errors.Join of no errors is nil; say instead that there was nothing to wait for", got)
		}
	})
}

// exerciseDelay is Delay without its timer.
func exerciseDelay(l *EventLoop, d time.Duration, v string) *Promise[string] {
	p, _ := Delay(l, d, v)
	return p
}
`

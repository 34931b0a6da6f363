package main

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
)

// The promise tests follow the Promises/A+ specification
// (https://promisesaplus.com), rule by rule where a rule applies to Go:
// 2.1 states, 2.2 then, 2.3 the resolution procedure. A+ speaks of one
// `then(onFulfilled, onRejected)`; here Then is its onFulfilled half and
// Catch its onRejected half, so "a handler that is not a function" is
// the half that was not chained. Rules about thenables other than our own
// promises (2.3.3) and about `this` (2.2.5) have no Go equivalent.
//
// Most tests run on a loop that is never started: the test plays its
// passes (pass, in timers_test.go) and moves a fake clock, so nothing
// sleeps and every ordering is exact.

var errBoom = errors.New("boom")

// state describes a promise as the tests compare it.
func state[T any](p *Promise[T]) string {
	switch p.state {
	case fulfilled:
		return fmt.Sprintf("fulfilled %v", p.value)
	case rejected:
		return "rejected: " + p.err.Error()
	}
	return "pending"
}

// settleAll plays passes until no microtask or next-tick work is left.
func settleAll(t *testing.T, l *EventLoop) {
	t.Helper()
	for range 100 {
		pass(l)
		if !l.micro.pending() && len(l.nextTicks) == 0 {
			return
		}
	}
	t.Fatal("microtasks still queued after 100 passes")
}

func TestPromisesAPlus(t *testing.T) {
	type log = *[]string
	add := func(l log, s string) { *l = append(*l, s) }
	cases := []struct {
		rule, name string
		run        func(l *EventLoop, log log) *Promise[int]
		want       string
		wantLog    string // what the handlers recorded, in order; "" for nothing
	}{
		{
			rule: "2.1.2", name: "a fulfilled promise stays fulfilled",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p, r := NewPromise[int](l)
				r.Resolve(1)
				r.Resolve(2)
				r.Reject(errBoom)
				r.Adopt(Resolved(l, 3))
				return p
			},
			want: "fulfilled 1",
		},
		{
			rule: "2.1.3", name: "a rejected promise stays rejected",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p, r := NewPromise[int](l)
				r.Reject(errBoom)
				r.Resolve(2)
				r.Reject(errors.New("second"))
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: boom",
		},
		{
			rule: "Go", name: "settling with an error rejects",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p, r := NewPromise[int](l)
				r.Settle(5, errBoom)
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: boom",
		},
		{
			rule: "Go", name: "settling without an error fulfils",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p, r := NewPromise[int](l)
				r.Settle(5, nil)
				return p
			},
			want: "fulfilled 5",
		},
		{
			rule: "2.1.3.2", name: "a rejection always has an error",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p, r := NewPromise[int](l)
				r.Reject(nil)
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: promise: rejected with a nil error",
		},
		{
			rule: "2.3.2", name: "a promise locked in to another (resolved, not yet settled) ignores its resolver",
			run: func(l *EventLoop, _ log) *Promise[int] {
				q, rq := NewPromise[int](l)
				p, r := NewPromise[int](l)
				r.Adopt(q)
				r.Resolve(9)
				rq.Resolve(3)
				return p
			},
			want: "fulfilled 3",
		},
		{
			rule: "2.2.2", name: "onFulfilled runs once, with the value",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p, r := NewPromise[int](l)
				Then(p, func(v int) (int, error) { add(lg, fmt.Sprint("got ", v)); return v, nil })
				r.Resolve(7)
				r.Resolve(8)
				return p
			},
			want: "fulfilled 7", wantLog: "got 7",
		},
		{
			rule: "2.2.3", name: "onRejected runs once, with the error",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p, r := NewPromise[int](l)
				p.Catch(func(err error) (int, error) { add(lg, "caught "+err.Error()); return 0, nil })
				r.Reject(errBoom)
				r.Reject(errors.New("again"))
				return Resolved(l, 0)
			},
			want: "fulfilled 0", wantLog: "caught boom",
		},
		{
			rule: "2.2.4", name: "handlers do not run inside Resolve",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p, r := NewPromise[int](l)
				Then(p, func(int) (int, error) { add(lg, "handler"); return 0, nil })
				r.Resolve(1)
				add(lg, "Resolve returned")
				return p
			},
			want: "fulfilled 1", wantLog: "Resolve returned, handler",
		},
		{
			rule: "2.2.4", name: "a handler chained to a settled promise runs later too",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p := Resolved(l, 1)
				Then(p, func(int) (int, error) { add(lg, "handler"); return 0, nil })
				add(lg, "Then returned")
				return p
			},
			want: "fulfilled 1", wantLog: "Then returned, handler",
		},
		{
			rule: "2.2.6.1", name: "onFulfilled handlers run in the order chained, before and after settling",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p, r := NewPromise[int](l)
				for _, name := range []string{"a", "b"} {
					Then(p, func(int) (int, error) { add(lg, name); return 0, nil })
				}
				r.Resolve(1)
				for _, name := range []string{"c", "d"} {
					Then(p, func(int) (int, error) { add(lg, name); return 0, nil })
				}
				return p
			},
			want: "fulfilled 1", wantLog: "a, b, c, d",
		},
		{
			rule: "2.2.6.2", name: "onRejected handlers run in the order chained",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p, r := NewPromise[int](l)
				for _, name := range []string{"a", "b"} {
					p.Catch(func(error) (int, error) { add(lg, name); return 0, nil })
				}
				r.Reject(errBoom)
				p.Catch(func(error) (int, error) { add(lg, "c"); return 0, nil })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: boom", wantLog: "a, b, c",
		},
		{
			rule: "2.2.7.1", name: "a handler's value fulfils the next promise, whatever its type",
			run: func(l *EventLoop, _ log) *Promise[int] {
				s := Then(Resolved(l, 21), func(v int) (string, error) { return fmt.Sprint(v * 2), nil })
				return Then(s, func(s string) (int, error) { return len(s) * 100, nil })
			},
			want: "fulfilled 200",
		},
		{
			rule: "2.2.7.2", name: "a handler's error rejects the next promise",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p := Then(Resolved(l, 1), func(int) (int, error) { return 0, errBoom })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: boom",
		},
		{
			rule: "2.2.7.2", name: "a handler's panic rejects the next promise",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p := Then(Resolved(l, 1), func(int) (int, error) { panic("oops") })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: promise: handler panicked: oops",
		},
		{
			rule: "2.2.7.3", name: "a fulfilled value passes through Catch",
			run: func(l *EventLoop, lg log) *Promise[int] {
				return Resolved(l, 4).Catch(func(error) (int, error) { add(lg, "caught"); return 0, nil })
			},
			want: "fulfilled 4",
		},
		{
			rule: "2.2.7.4", name: "an error passes through Then, link after link, to Catch",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p := Rejected[int](l, errBoom)
				for range 3 {
					p = Then(p, func(v int) (int, error) { add(lg, "then"); return v, nil })
				}
				return p.Catch(func(err error) (int, error) { add(lg, "caught "+err.Error()); return 0, err })
			},
			want: "rejected: boom", wantLog: "caught boom",
		},
		{
			rule: "2.2.7", name: "Catch recovers with a value",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p := Rejected[int](l, errBoom).Catch(func(error) (int, error) { return 42, nil })
				return Then(p, func(v int) (int, error) { return v + 1, nil })
			},
			want: "fulfilled 43",
		},
		{
			rule: "2.2.7", name: "Catch replaces the error",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p := Rejected[int](l, errBoom).Catch(func(err error) (int, error) { return 0, fmt.Errorf("wrapped: %w", err) })
				return p.Catch(func(err error) (int, error) {
					if !errors.Is(err, errBoom) {
						return 0, errors.New("lost the cause")
					}
					return 0, err
				})
			},
			want: "rejected: wrapped: boom",
		},
		{
			rule: "2.2.7", name: "Finally runs either way and passes the outcome on",
			run: func(l *EventLoop, lg log) *Promise[int] {
				Rejected[int](l, errBoom).Finally(func() { add(lg, "finally after a rejection") }).
					Catch(func(err error) (int, error) { add(lg, "then caught "+err.Error()); return 0, nil })
				return Resolved(l, 5).Finally(func() { add(lg, "finally after a value") })
			},
			want: "fulfilled 5", wantLog: "finally after a rejection, finally after a value, then caught boom",
		},
		{
			rule: "2.2.7.2", name: "a panic in Finally rejects",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p := Resolved(l, 5).Finally(func() { panic(errBoom) })
				return p.Catch(func(err error) (int, error) {
					if !errors.Is(err, errBoom) {
						return 0, errors.New("the panic's error is not reachable with errors.Is")
					}
					return 0, err
				})
			},
			want: "rejected: promise: handler panicked: boom",
		},
		{
			rule: "2.3.1", name: "a promise resolved with itself is rejected",
			run: func(l *EventLoop, _ log) *Promise[int] {
				var p *Promise[int]
				p = ThenPromise(Resolved(l, 1), func(int) *Promise[int] { return p })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: " + ErrCycle.Error(),
		},
		{
			rule: "2.3.1", name: "a resolver adopting its own promise rejects it",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p, r := NewPromise[int](l)
				r.Adopt(p)
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: " + ErrCycle.Error(),
		},
		{
			rule: "2.3.1", name: "two promises that follow each other are rejected",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p, rp := NewPromise[int](l)
				q, rq := NewPromise[int](l)
				rp.Adopt(q)
				rq.Adopt(p)
				All(l, p, q).Catch(func(error) ([]int, error) { return nil, nil })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: " + ErrCycle.Error(),
		},
		{
			rule: "2.3.2.1", name: "a promise following a pending one stays pending",
			run: func(l *EventLoop, _ log) *Promise[int] {
				q, _ := NewPromise[int](l)
				return ThenPromise(Resolved(l, 1), func(int) *Promise[int] { return q })
			},
			want: "pending",
		},
		{
			rule: "2.3.2.2", name: "a handler's fulfilled promise is flattened into its value",
			run: func(l *EventLoop, _ log) *Promise[int] {
				return ThenPromise(Resolved(l, 1), func(v int) *Promise[int] {
					return ThenPromise(Resolved(l, v+1), func(w int) *Promise[int] { return Resolved(l, w*10) })
				})
			},
			want: "fulfilled 20",
		},
		{
			rule: "2.3.2.3", name: "a handler's rejected promise is flattened into its error",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p := ThenPromise(Resolved(l, 1), func(int) *Promise[int] { return Rejected[int](l, errBoom) })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: boom",
		},
		{
			rule: "2.3", name: "a nil promise from a handler rejects",
			run: func(l *EventLoop, _ log) *Promise[int] {
				p := ThenPromise(Resolved(l, 1), func(int) *Promise[int] { return nil })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: promise: ThenPromise: the handler returned a nil promise",
		},
		{
			rule: "2.2.6", name: "Then, Catch and Finally on one promise run in the order chained",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p, r := NewPromise[int](l)
				Then(p, func(int) (int, error) { add(lg, "then"); return 0, nil })
				p.Catch(func(error) (int, error) { add(lg, "catch"); return 0, nil })
				p.Finally(func() { add(lg, "finally") })
				Then(p, func(int) (int, error) { add(lg, "then again"); return 0, nil })
				r.Resolve(1)
				return p
			},
			want: "fulfilled 1", wantLog: "then, finally, then again",
		},
		{
			rule: "2.2.6", name: "a handler chained by a handler of the same settled promise runs after the others",
			run: func(l *EventLoop, lg log) *Promise[int] {
				p := Resolved(l, 1)
				Then(p, func(int) (int, error) {
					add(lg, "first")
					Then(p, func(int) (int, error) { add(lg, "chained by first"); return 0, nil })
					return 0, nil
				})
				Then(p, func(int) (int, error) { add(lg, "second"); return 0, nil })
				return p
			},
			want: "fulfilled 1", wantLog: "first, second, chained by first",
		},
		{
			rule: "2.3.2.3", name: "a promise following a pending one is rejected when that one is",
			run: func(l *EventLoop, _ log) *Promise[int] {
				q, rq := NewPromise[int](l)
				p, r := NewPromise[int](l)
				r.Adopt(q)
				l.AfterFunc(0, func() { rq.Reject(errBoom) })
				return p.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: boom",
		},
		{
			rule: "2.3.1", name: "three promises that follow each other in a ring are rejected",
			run: func(l *EventLoop, _ log) *Promise[int] {
				a, ra := NewPromise[int](l)
				b, rb := NewPromise[int](l)
				c, rc := NewPromise[int](l)
				ra.Adopt(b)
				rb.Adopt(c)
				rc.Adopt(a)
				All(l, a, b, c).Catch(func(error) ([]int, error) { return nil, nil })
				return a.Catch(func(err error) (int, error) { return 0, err })
			},
			want: "rejected: " + ErrCycle.Error(),
		},
	}
	for _, tc := range cases {
		t.Run(tc.rule+" "+tc.name, func(t *testing.T) {
			l, _ := timerLoop(t)
			var got []string
			p := tc.run(l, &got)
			for _, entry := range got {
				if !strings.HasSuffix(entry, " returned") {
					t.Fatalf("handler %q ran before the loop's pass, inside a call that chained or settled it", entry)
				}
			}
			settleAll(t, l)
			if s := state(p); s != tc.want {
				t.Errorf("promise is %s, want %s", s, tc.want)
			}
			if s := strings.Join(got, ", "); s != tc.wantLog {
				t.Errorf("handlers recorded %q, want %q", s, tc.wantLog)
			}
		})
	}
}

// region: notSynchronous

// TestHandlersSeeTheStateTheirCallerFinished shows why a handler must not
// run inside Resolve: the code that resolves often has work left to do
// after the call, and a handler run at once would see it half done.
func TestHandlersSeeTheStateTheirCallerFinished(t *testing.T) {
	l, _ := timerLoop(t)
	type account struct{ balance, pending int }
	a := account{balance: 100}
	p, r := NewPromise[int](l)
	var seen account
	Then(p, func(int) (int, error) { seen = a; return 0, nil })
	// A transfer: settle the promise, then finish the bookkeeping.
	a.pending = 30
	r.Resolve(30)
	a.balance, a.pending = a.balance-30, 0
	settleAll(t, l)
	if seen != (account{balance: 70}) {
		t.Errorf("the handler saw %+v, half a transfer; want {balance:70 pending:0}", seen)
	}
}

// TestHandlersRunInOneOrderWhetherSettledOrNot shows the other bug a
// synchronous handler makes: a function that answers from a cache when it
// can returns a promise that is sometimes settled already. Were Then to
// run the handler at once when it is, the caller's next line would run
// before the handler on a cache hit and after it on a miss.
func TestHandlersRunInOneOrderWhetherSettledOrNot(t *testing.T) {
	l, clock := timerLoop(t)
	cache := map[string]int{}
	get := func(key string) *Promise[int] {
		if v, ok := cache[key]; ok {
			return Resolved(l, v) // a hit: settled already
		}
		p, _ := Delay(l, 10*time.Millisecond, len(key)) // a miss: "computed" later
		return Then(p, func(v int) (int, error) { cache[key] = v; return v, nil })
	}
	for _, call := range []string{"miss", "hit"} {
		var order []string
		Then(get("key"), func(int) (int, error) { order = append(order, "handler"); return 0, nil })
		order = append(order, "the line after Then")
		clock.advance(10 * time.Millisecond)
		settleAll(t, l)
		if got := strings.Join(order, ", "); got != "the line after Then, handler" {
			t.Errorf("%s: %s; want the line after Then, handler", call, got)
		}
	}
}

// endregion: notSynchronous

func TestUnhandledRejectionIsReported(t *testing.T) {
	cases := []struct {
		name  string
		chain func(l *EventLoop)
		want  string
	}{
		{"rejected and never chained", func(l *EventLoop) {
			_, r := NewPromise[int](l)
			r.Reject(errBoom)
		}, "eventloop: unhandled promise rejection: boom\n"},
		{"caught", func(l *EventLoop) {
			Rejected[int](l, errBoom).Catch(func(error) (int, error) { return 0, nil })
		}, ""},
		{"caught later in the same callback", func(l *EventLoop) {
			p := Rejected[int](l, errBoom)
			Then(p, func(int) (int, error) { return 1, nil }).Catch(func(error) (int, error) { return 0, nil })
		}, ""},
		{"passed down a chain: reported once, at its end", func(l *EventLoop) {
			p := Rejected[int](l, errBoom)
			Then(Then(p, func(v int) (int, error) { return v, nil }), func(v int) (int, error) { return v, nil })
		}, "eventloop: unhandled promise rejection: boom\n"},
		{"a handler that panics, at the end of a chain", func(l *EventLoop) {
			Then(Resolved(l, 1), func(int) (int, error) { panic("oops") })
		}, "eventloop: unhandled promise rejection: promise: handler panicked: oops\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := timerLoop(t)
			stderr := &syncbuf.Buffer{}
			l.stderr = stderr
			tc.chain(l)
			settleAll(t, l)
			if got := stderr.String(); got != tc.want {
				t.Errorf("stderr %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDelay(t *testing.T) {
	l, clock := timerLoop(t)
	p, _ := Delay(l, 50*time.Millisecond, "late")
	clock.advance(49 * time.Millisecond)
	settleAll(t, l)
	if s := state(p); s != "pending" {
		t.Fatalf("after 49ms: %s, want pending", s)
	}
	clock.advance(time.Millisecond)
	settleAll(t, l)
	if s := state(p); s != "fulfilled late" {
		t.Fatalf("after 50ms: %s, want fulfilled late", s)
	}
}

func TestDelayStoppedNeverSettles(t *testing.T) {
	l, clock := timerLoop(t)
	p, timer := Delay(l, 10*time.Millisecond, 1)
	ran := false
	Then(p, func(int) (int, error) { ran = true; return 0, nil })
	if !timer.Stop() {
		t.Fatal("Stop: the delay's timer was not scheduled")
	}
	clock.advance(time.Hour)
	settleAll(t, l)
	if ran || state(p) != "pending" || len(l.timers) != 0 {
		t.Errorf("stopped delay: handler ran %v, promise %s, %d timers left", ran, state(p), len(l.timers))
	}
}

func TestAll(t *testing.T) {
	l, clock := timerLoop(t)
	a, _ := Delay(l, 30*time.Millisecond, 1)
	b, _ := Delay(l, 10*time.Millisecond, 2)
	c, _ := Delay(l, 20*time.Millisecond, 3)
	all := All(l, a, b, c)
	for range 3 {
		if s := state(all); s != "pending" {
			t.Fatalf("at %v: %s before every promise settled", clock.now, s)
		}
		clock.advance(10 * time.Millisecond)
		settleAll(t, l)
	}
	if s := state(all); s != "fulfilled [1 2 3]" {
		t.Errorf("All: %s, want the values in the order given: fulfilled [1 2 3]", s)
	}

	slow, _ := Delay(l, time.Hour, 1)
	failing := All(l, slow, Rejected[int](l, errBoom))
	settleAll(t, l)
	if s := state(failing); s != "rejected: boom" {
		t.Errorf("All with a rejection: %s, want rejected at once, not after the slow one", s)
	}
	failing.Catch(func(error) ([]int, error) { return nil, nil })

	none := All[int](l)
	settleAll(t, l)
	if s := state(none); s != "fulfilled []" {
		t.Errorf("All of nothing: %s, want fulfilled []", s)
	}
}

func TestRace(t *testing.T) {
	l, clock := timerLoop(t)
	slow, _ := Delay(l, 20*time.Millisecond, "slow")
	fast, _ := Delay(l, 10*time.Millisecond, "fast")
	r := Race(l, slow, fast)
	clock.advance(time.Second)
	settleAll(t, l)
	if s := state(r); s != "fulfilled fast" {
		t.Errorf("Race: %s, want fulfilled fast", s)
	}

	late, _ := Delay(l, 10*time.Millisecond, 1)
	first := Race(l, late, Rejected[int](l, errBoom))
	first.Catch(func(error) (int, error) { return 0, nil })
	clock.advance(time.Second)
	settleAll(t, l)
	if s := state(first); s != "rejected: boom" {
		t.Errorf("Race lost by a value: %s, want the first to settle, rejected: boom", s)
	}
}

func TestTimeout(t *testing.T) {
	l, clock := timerLoop(t)
	inTime, _ := Delay(l, 10*time.Millisecond, "done")
	ok := Timeout(inTime, 20*time.Millisecond)
	tooSlow, _ := Delay(l, 30*time.Millisecond, "done")
	late := Timeout(tooSlow, 20*time.Millisecond)
	var lateErr error
	late.Catch(func(err error) (string, error) { lateErr = err; return "", nil })
	for range 3 {
		clock.advance(10 * time.Millisecond)
		settleAll(t, l)
	}
	if s := state(ok); s != "fulfilled done" {
		t.Errorf("settled in time: %s, want fulfilled done", s)
	}
	if !errors.Is(lateErr, ErrTimeout) || lateErr.Error() != "promise: timed out after 20ms" {
		t.Errorf("settled too late: %v, want ErrTimeout after 20ms", lateErr)
	}
	if len(l.timers) != 0 {
		t.Errorf("%d timers left: Timeout did not stop its timer", len(l.timers))
	}

	failed := Timeout(Rejected[int](l, errBoom), time.Hour)
	failed.Catch(func(error) (int, error) { return 0, nil })
	settleAll(t, l)
	if s := state(failed); s != "rejected: boom" || len(l.timers) != 0 {
		t.Errorf("rejected in time: %s with %d timers left, want rejected: boom and none", s, len(l.timers))
	}
}

// TestEndlessChainCannotStarveIO runs the real loop: a chain that never
// ends (each handler returns a promise with a handler of its own) keeps
// queueing microtasks, and a socket that becomes readable is still
// served, because a pass runs at most microtaskBudget of them. (Drained
// until empty, as JavaScript drains its microtasks, the queue would never
// be empty, and the socket would wait forever.) The chain is not starved
// either: it goes on while the socket is served.
func TestEndlessChainCannotStarveIO(t *testing.T) {
	sock, peer := socketPair(t)
	served := make(chan int, 1)
	tl := startLoop(t, false, nil)
	links := 0
	var next func(int) *Promise[int]
	next = func(n int) *Promise[int] {
		links++
		return ThenPromise(Resolved(tl.EventLoop, n+1), next)
	}
	tl.onLoop(t, func() {
		mustRegister(t, tl.EventLoop, sock, Readable, func(Events) {
			tl.Unregister(sock)
			served <- links
		})
		ThenPromise(Resolved(tl.EventLoop, 0), next)
	})
	write(t, peer, "x")
	var before int
	select {
	case before = <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("an endless promise chain starved a readable socket")
	}
	waitFor(t, tl, "the chain to go on after the socket was served", func() bool { return links > before+microtaskBudget })
}

// TestResolvedFromOtherGoroutines settles promises from the goroutines
// that computed their values, through Post: each handler still runs on
// the loop's goroutine, once.
func TestResolvedFromOtherGoroutines(t *testing.T) {
	tl := startLoop(t, false, nil)
	var loopGoroutine uint64
	tl.onLoop(t, func() { loopGoroutine = goroutineID() })
	const workers = 8
	var (
		mu      sync.Mutex
		results []int
		wrong   int
		done    = make(chan struct{})
	)
	tl.onLoop(t, func() {
		ps := make([]*Promise[int], workers)
		for i := range ps {
			p, r := NewPromise[int](tl.EventLoop)
			ps[i] = Then(p, func(v int) (int, error) {
				if goroutineID() != loopGoroutine {
					wrong++
				}
				return v * v, nil
			})
			go func() {
				v := i + 1 // the "work", done off the loop
				tl.Post(func() { r.Resolve(v) })
			}()
		}
		Then(All(tl.EventLoop, ps...), func(vs []int) (int, error) {
			mu.Lock()
			results = vs
			mu.Unlock()
			close(done)
			return 0, nil
		})
	})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the promises settled by other goroutines did not all run their handlers")
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(results) != "[1 4 9 16 25 36 49 64]" {
		t.Errorf("results %v", results)
	}
	tl.onLoop(t, func() {
		if wrong != 0 {
			t.Errorf("%d handlers ran off the loop's goroutine", wrong)
		}
	})
}

// goroutineID reads the running goroutine's number from its stack trace's
// first line, "goroutine 18 [running]:". Tests only.
func goroutineID() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf = bytes.TrimPrefix(buf, []byte("goroutine "))
	var id uint64
	fmt.Sscan(string(buf[:bytes.IndexByte(buf, ' ')]), &id)
	return id
}

// BenchmarkChain10 measures a chain of ten Then links: chaining them, and
// running them as microtasks once the first promise is resolved. It
// reports the cost per link.
func BenchmarkChain10(b *testing.B) {
	l, err := NewEventLoop(&syncbuf.Buffer{}, false)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	const links = 10
	add := func(v int) (int, error) { return v + 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		p, r := NewPromise[int](l)
		q := p
		for range links {
			q = Then(q, add)
		}
		r.Resolve(0)
		l.micro.budget = links + 1
		l.runMicrotasks()
		if q.state != fulfilled || q.value != links {
			b.Fatalf("chain ended %s", state(q))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*links), "ns/link")
}

// TestUnhandledRejectionIsReportedBeforeTheLoopSleeps: a timer rejects a
// promise that nothing is chained to, and then the loop has nothing to
// do. The report must come before the loop sleeps in poll, not after
// whatever wakes it next, which could be never.
func TestUnhandledRejectionIsReportedBeforeTheLoopSleeps(t *testing.T) {
	tl := startLoop(t, false, nil)
	tl.onLoop(t, func() {
		tl.AfterFunc(time.Millisecond, func() {
			_, r := NewPromise[int](tl.EventLoop)
			r.Reject(errBoom)
		})
	})
	const want = "eventloop: unhandled promise rejection: boom\n"
	deadline := time.After(5 * time.Second)
	for {
		got, changed := tl.log.Snapshot()
		if got == want {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("stderr %q after 5s with nothing else to do, want %q", got, want)
		}
	}
}

// TestUnhandledRejectionIsReportedWhenRunReturns: a handler rejects a
// promise nothing is chained to, and stops the loop; Run reports it on
// its way out.
func TestUnhandledRejectionIsReportedWhenRunReturns(t *testing.T) {
	log := &syncbuf.Buffer{}
	l, err := NewEventLoop(log, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	l.Post(func() {
		_, r := NewPromise[int](l)
		r.Reject(errBoom)
		l.Stop()
	})
	if err := l.Run(); err != nil {
		t.Fatal(err)
	}
	if got, want := log.String(), "eventloop: unhandled promise rejection: boom\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestCycleThroughThenIsNotDetected documents a limit, the same as
// JavaScript's: a promise that adopts a Then of itself waits forever,
// since a Then handler's result is not known until the handler runs.
func TestCycleThroughThenIsNotDetected(t *testing.T) {
	l, _ := timerLoop(t)
	stderr := &syncbuf.Buffer{}
	l.stderr = stderr
	p, r := NewPromise[int](l)
	q := Then(p, func(v int) (int, error) { return v, nil })
	r.Adopt(q)
	settleAll(t, l)
	if state(p) != "pending" || state(q) != "pending" || stderr.String() != "" {
		t.Errorf("p %s, q %s, stderr %q; want both pending, nothing reported", state(p), state(q), stderr.String())
	}
}

// TestMicrotasksRunAfterEachCallback: the handlers of a promise settled by
// a callback run before the loop's next callback, whichever kind: timers,
// next-tick work, posted work and ready descriptors.
func TestMicrotasksRunAfterEachCallback(t *testing.T) {
	settleThen := func(l *EventLoop, log *[]string, name string) func() {
		return func() {
			*log = append(*log, name)
			Then(Resolved(l, 0), func(int) (int, error) { *log = append(*log, name+"'s handler"); return 0, nil })
		}
	}
	const want = "first, first's handler, second, second's handler"
	t.Run("timers", func(t *testing.T) {
		l, clock := timerLoop(t)
		var log []string
		l.AfterFunc(time.Millisecond, settleThen(l, &log, "first"))
		l.AfterFunc(time.Millisecond, settleThen(l, &log, "second"))
		clock.advance(time.Millisecond)
		l.now = l.clock()
		l.newPass()
		l.runTimers()
		if got := strings.Join(log, ", "); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("next ticks", func(t *testing.T) {
		l, _ := timerLoop(t)
		var log []string
		l.NextTick(settleThen(l, &log, "first"))
		l.NextTick(settleThen(l, &log, "second"))
		l.newPass()
		l.runNextTicks()
		if got := strings.Join(log, ", "); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("posted work and descriptors", func(t *testing.T) {
		a, peerA := socketPair(t)
		b, peerB := socketPair(t)
		tl := startLoop(t, false, nil)
		var posted, ready []string
		handlers := 0
		done := make(chan struct{})
		tl.onLoop(t, func() {
			for _, fd := range []int{a, b} {
				name := map[int]string{a: "first", b: "second"}[fd]
				settle := settleThen(tl.EventLoop, &ready, name)
				mustRegister(t, tl.EventLoop, fd, Readable, func(Events) {
					tl.Unregister(fd)
					settle()
					if handlers++; handlers == 2 {
						// The other descriptor's handler, and its
						// microtask, come after this one's.
						Then(Resolved(tl.EventLoop, 0), func(int) (int, error) { close(done); return 0, nil })
					}
				})
			}
		})
		// Both posted functions are queued before the loop wakes: the
		// wake-up runs them in one pass.
		tl.Post(settleThen(tl.EventLoop, &posted, "first"))
		tl.Post(settleThen(tl.EventLoop, &posted, "second"))
		write(t, peerA, "x")
		write(t, peerB, "x")
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the handlers did not run")
		}
		tl.onLoop(t, func() {
			if got := strings.Join(posted, ", "); got != want {
				t.Errorf("posted: got %q, want %q", got, want)
			}
			got := strings.Join(ready, ", ")
			wantReady := strings.NewReplacer("first", "A", "second", "B").Replace(want)
			gotAB := strings.NewReplacer("first", "A", "second", "B").Replace(got)
			if gotAB != wantReady && gotAB != "B, B's handler, A, A's handler" {
				t.Errorf("descriptors: got %q, want each handler's microtask right after it", got)
			}
		})
	})
}

func TestWaitTimeoutWithMicrotasksLeft(t *testing.T) {
	l, _ := timerLoop(t)
	start := Resolved(l, 0)
	for range microtaskBudget + 1 {
		Then(start, func(v int) (int, error) { return v, nil })
	}
	pass(l)
	if !l.micro.pending() {
		t.Fatal("the budget did not leave a microtask for the next pass")
	}
	if got := l.waitTimeout(l.clock()); got != 0 {
		t.Errorf("wait timeout %d with microtasks left, want 0: the loop would sleep on work", got)
	}
}

// TestUnhandledWaitsForDeferredMicrotasks: a rejection whose Catch is
// chained by a microtask that the budget pushed to the next pass is not
// reported: that handler was coming.
func TestUnhandledWaitsForDeferredMicrotasks(t *testing.T) {
	l, _ := timerLoop(t)
	stderr := &syncbuf.Buffer{}
	l.stderr = stderr
	p := Rejected[int](l, errBoom)
	start := Resolved(l, 0)
	for range microtaskBudget {
		Then(start, func(v int) (int, error) { return v, nil })
	}
	Then(start, func(int) (int, error) {
		p.Catch(func(error) (int, error) { return 0, nil })
		return 0, nil
	})
	settleAll(t, l)
	if got := stderr.String(); got != "" {
		t.Errorf("reported %q, though a queued handler caught it", got)
	}
}

// TestTimeoutWhenTheBudgetDefersTheSettledHandler: p is fulfilled before
// the deadline, but its handler waits for the next pass (the budget ran
// out), and the timeout's timer is due in the same pass: p still wins.
func TestTimeoutWhenTheBudgetDefersTheSettledHandler(t *testing.T) {
	l, clock := timerLoop(t)
	p, r := NewPromise[int](l)
	l.AfterFunc(10*time.Millisecond, func() {
		start := Resolved(l, 0)
		for range microtaskBudget {
			Then(start, func(v int) (int, error) { return v, nil })
		}
		r.Resolve(7)
	})
	out := Timeout(p, 10*time.Millisecond)
	out.Catch(func(error) (int, error) { return 0, nil })
	clock.advance(10 * time.Millisecond)
	settleAll(t, l)
	if s := state(out); s != "fulfilled 7" {
		t.Errorf("p was fulfilled before the deadline, Timeout says %s", s)
	}
}

// TestMisuseIsCaughtWhereItHappens: a nil handler, a nil promise or a
// promise of another loop panic when chained, not later as a rejection.
func TestMisuseIsCaughtWhereItHappens(t *testing.T) {
	l, _ := timerLoop(t)
	other, _ := timerLoop(t)
	p := Resolved(l, 1)
	for name, f := range map[string]func(){
		"Then(nil)":           func() { Then[int, int](p, nil) },
		"ThenPromise(nil)":    func() { ThenPromise[int, int](p, nil) },
		"Catch(nil)":          func() { p.Catch(nil) },
		"Finally(nil)":        func() { p.Finally(nil) },
		"Adopt(nil)":          func() { _, r := NewPromise[int](l); r.Adopt(nil) },
		"Adopt(other loop's)": func() { _, r := NewPromise[int](l); r.Adopt(Resolved(other, 1)) },
		"All(other loop's)":   func() { All(l, Resolved(other, 1)) },
		"Race(other loop's)":  func() { Race(l, Resolved(other, 1)) },
	} {
		func() {
			defer func() {
				if x := recover(); x == nil || !strings.HasPrefix(fmt.Sprint(x), "promise: ") {
					t.Errorf("%s: recovered %v, want a panic that says what is wrong", name, x)
				}
			}()
			f()
		}()
	}
}

// TestEndlessChainHoldsBoundedMemory: under a chain that never ends, the
// microtask queue never empties; the slots of the microtasks that have
// run must still be reused, or the queue grows by one slot per
// microtask, forever.
func TestEndlessChainHoldsBoundedMemory(t *testing.T) {
	l, _ := timerLoop(t)
	var again func(int) *Promise[int]
	again = func(n int) *Promise[int] { return ThenPromise(Resolved(l, n), again) }
	for range 10 {
		ThenPromise(Resolved(l, 0), again)
	}
	for range 200 {
		pass(l)
	}
	if !l.micro.pending() {
		t.Fatal("the chains ended")
	}
	if c := cap(l.micro.queue); c > 8*microtaskBudget {
		t.Errorf("after 200 passes of %d microtasks, the queue holds %d slots: the spent ones are never reused", microtaskBudget, c)
	}
}

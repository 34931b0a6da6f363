package main

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
)

// The timer tests drive the loop's clock by hand: a fake clock that moves
// only when the test says, and runTimers called as Run calls it once per
// pass. Nothing sleeps, and every result is exact.

type fakeClock struct{ now time.Time }

func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }

// timerLoop is a loop that is never run: the test plays its passes.
func timerLoop(t *testing.T) (*EventLoop, *fakeClock) {
	t.Helper()
	l, err := NewEventLoop(&syncbuf.Buffer{}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l.clock = func() time.Time { return clock.now }
	l.now = clock.now
	return l, clock
}

// pass does what Run does in a pass, but poll: read the clock, run what
// the last pass left of the microtasks, the timers that are due, then the
// next-tick work (each followed by its microtasks), and report the
// rejections nobody handled.
func pass(l *EventLoop) {
	l.passes.Add(1)
	l.now = l.clock()
	l.newPass()
	l.runTimers()
	l.runNextTicks()
	l.reportUnhandled(false)
}

func TestTimersFireByDeadlineThenInOrderSet(t *testing.T) {
	l, clock := timerLoop(t)
	var fired []string
	set := func(name string, d time.Duration) {
		l.AfterFunc(d, func() { fired = append(fired, name) })
	}
	set("A 30ms", 30*time.Millisecond)
	set("B 10ms", 10*time.Millisecond)
	set("C 10ms", 10*time.Millisecond)
	set("D 20ms", 20*time.Millisecond)
	set("E 0ms", 0)
	set("F 10ms", 10*time.Millisecond)
	want := [][]string{
		{"E 0ms"},                      // at 0
		{"B 10ms", "C 10ms", "F 10ms"}, // at 10ms: equal deadlines in the order set
		{"D 20ms"},
		{"A 30ms"},
	}
	for i, w := range want {
		fired = nil
		pass(l)
		if fmt.Sprint(fired) != fmt.Sprint(w) {
			t.Errorf("at %v: fired %v, want %v", time.Duration(i)*10*time.Millisecond, fired, w)
		}
		clock.advance(10 * time.Millisecond)
	}
	if len(l.timers) != 0 {
		t.Errorf("%d timers left after all fired", len(l.timers))
	}
}

func TestStopCancels(t *testing.T) {
	l, clock := timerLoop(t)
	var fired []string
	early := l.AfterFunc(5*time.Millisecond, func() { fired = append(fired, "early") })
	var second *Timer
	l.AfterFunc(10*time.Millisecond, func() {
		fired = append(fired, "first")
		// Due in this very pass, and stopped before its turn.
		if !second.Stop() {
			t.Error("Stop of a timer due in this pass returned false")
		}
	})
	second = l.AfterFunc(10*time.Millisecond, func() { fired = append(fired, "second") })
	if !early.Stop() {
		t.Error("Stop of a scheduled timer returned false")
	}
	if early.Stop() {
		t.Error("a second Stop returned true")
	}
	clock.advance(10 * time.Millisecond)
	pass(l)
	if fmt.Sprint(fired) != "[first]" {
		t.Errorf("fired %v, want [first]: a stopped timer never fires", fired)
	}
	if second.Stop() {
		t.Error("Stop after the timer was stopped returned true")
	}
}

// TestEveryKeepsItsPhase: a periodic timer's deadlines are the first one
// plus whole periods, however late each pass comes; when the loop falls
// behind by several periods, it fires once and skips to the next
// deadline still ahead.
func TestEveryKeepsItsPhase(t *testing.T) {
	l, clock := timerLoop(t)
	start := clock.now
	var at []time.Duration // when, after start, each run happened
	tick := l.Every(100*time.Millisecond, func() { at = append(at, l.Now().Sub(start)) })
	for _, late := range []time.Duration{100, 103, 207, 301} { // passes, late by a few ms
		clock.now = start.Add(late * time.Millisecond)
		pass(l)
	}
	if got := tick.when.Sub(start); got != 400*time.Millisecond {
		t.Errorf("after runs at %v, the next deadline is %v after the start, want 400ms: the timer drifts", at, got)
	}
	// The loop stalls for 350 ms: the deadlines at 400, 500 and 600 ms
	// have all passed by the next pass, at 651 ms.
	clock.now = start.Add(651 * time.Millisecond)
	runs := len(at)
	pass(l)
	if len(at)-runs != 1 {
		t.Errorf("after falling three periods behind, ran %d times in one pass, want once", len(at)-runs)
	}
	if got := tick.when.Sub(start); got != 700*time.Millisecond {
		t.Errorf("next deadline %v after the start, want 700ms: the phase is lost", got)
	}
	tick.Stop()
	clock.advance(time.Second)
	runs = len(at)
	pass(l)
	if len(at) != runs {
		t.Error("a stopped periodic timer ran again")
	}
}

// TestTimersSetWhileFiringWaitForTheNextPass: a 0 ms timer that sets
// itself again runs once per pass, never twice in one: otherwise it would
// keep the loop from ever polling.
func TestTimersSetWhileFiringWaitForTheNextPass(t *testing.T) {
	l, _ := timerLoop(t)
	runs := 0
	var again func()
	again = func() {
		runs++
		l.AfterFunc(0, again)
	}
	l.AfterFunc(0, again)
	for p := 1; p <= 3; p++ {
		pass(l)
		if runs != p {
			t.Fatalf("after %d passes the self-setting timer ran %d times, want %d", p, runs, p)
		}
	}
	if got := l.waitTimeout(l.clock()); got != 0 {
		t.Errorf("with a timer already due, wait timeout %d, want 0", got)
	}
}

func TestWaitTimeout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		timer time.Duration // from now; <0: no timer
		tick  bool          // next-tick work queued
		want  int
	}{
		{"nothing scheduled", -1, false, -1},
		{"a deadline already passed", 0, false, 0},
		{"0.3 ms away rounds up", 300 * time.Microsecond, false, 1},
		{"exactly 2 ms", 2 * time.Millisecond, false, 2},
		{"2 ms and a nanosecond", 2*time.Millisecond + 1, false, 3},
		{"1.5 s", 1500 * time.Millisecond, false, 1500},
		{"next tick pending", time.Hour, true, 0},
		{"next tick pending, no timer", -1, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, clock := timerLoop(t)
			if tc.timer >= 0 {
				l.AfterFunc(tc.timer, func() {})
			}
			if tc.tick {
				l.NextTick(func() {})
			}
			if got := l.waitTimeout(clock.now); got != tc.want {
				t.Errorf("waitTimeout = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestNextTick(t *testing.T) {
	l, _ := timerLoop(t)
	var ran []string
	l.NextTick(func() {
		ran = append(ran, "first")
		l.NextTick(func() { ran = append(ran, "queued by first") })
	})
	l.NextTick(func() { ran = append(ran, "second") })
	pass(l)
	if fmt.Sprint(ran) != "[first second]" {
		t.Errorf("first pass ran %v, want [first second]: work queued while ticking waits", ran)
	}
	if got := l.waitTimeout(l.clock()); got != 0 {
		t.Errorf("wait timeout %d with next-tick work queued, want 0", got)
	}
	pass(l)
	if fmt.Sprint(ran) != "[first second queued by first]" {
		t.Errorf("second pass: %v", ran)
	}
	if got := l.waitTimeout(l.clock()); got != -1 {
		t.Errorf("wait timeout %d with nothing scheduled, want -1", got)
	}
}

// TestSelfSettingTimerCannotStarveIO runs the real loop: a 0 ms timer
// sets itself again and again, and a socket that becomes readable is
// still served.
func TestSelfSettingTimerCannotStarveIO(t *testing.T) {
	sock, peer := socketPair(t)
	served := make(chan struct{})
	tl := startLoop(t, false, nil)
	var runs int
	var again func()
	again = func() {
		runs++
		tl.AfterFunc(0, again)
	}
	tl.onLoop(t, func() {
		mustRegister(t, tl.EventLoop, sock, Readable, func(Events) {
			tl.Unregister(sock)
			close(served)
		})
		tl.AfterFunc(0, again)
	})
	write(t, peer, "x")
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("a 0 ms timer that sets itself again starved a readable socket")
	}
}

// waitFor waits until cond, read on the loop's goroutine, holds.
func waitFor(t *testing.T, tl *testLoop, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		tl.onLoop(t, func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The benchmarks measure the heap: adding, stopping and firing 100 000
// timers with spread deadlines.

func benchTimers(b *testing.B, work func(l *EventLoop, ts []*Timer)) {
	l, err := NewEventLoop(io.Discard, false)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	const n = 100_000
	ts := make([]*Timer, n)
	b.ReportAllocs()
	for b.Loop() {
		work(l, ts)
	}
}

func BenchmarkTimersAdd100k(b *testing.B) {
	benchTimers(b, func(l *EventLoop, ts []*Timer) {
		for i := range ts {
			ts[i] = l.AfterFunc(time.Duration(i*7919%100_000)*time.Microsecond, func() {})
		}
		b.StopTimer()
		l.timers = l.timers[:0]
		b.StartTimer()
	})
}

func BenchmarkTimersStop100k(b *testing.B) {
	benchTimers(b, func(l *EventLoop, ts []*Timer) {
		b.StopTimer()
		for i := range ts {
			ts[i] = l.AfterFunc(time.Duration(i*7919%100_000)*time.Microsecond, func() {})
		}
		b.StartTimer()
		for _, t := range ts {
			t.Stop()
		}
	})
}

func BenchmarkTimersFire100k(b *testing.B) {
	benchTimers(b, func(l *EventLoop, ts []*Timer) {
		b.StopTimer()
		base := l.now
		for i := range ts {
			ts[i] = l.AfterFunc(time.Duration(i*7919%100_000)*time.Microsecond, func() {})
		}
		l.now = base.Add(time.Second)
		b.StartTimer()
		l.runTimers()
		b.StopTimer()
		l.now = base
		b.StartTimer()
	})
}

package main

import (
	"container/heap"
	"fmt"
	"math"
	"time"
)

// region: Timer

// A Timer runs a function on the loop at a deadline, once or every
// period. Its methods, like the loop's, are for the loop's goroutine.
type Timer struct {
	loop   *EventLoop
	when   time.Time     // the deadline, on the monotonic clock
	seq    uint64        // the order timers were scheduled in: ties go to the first
	period time.Duration // 0 for a one-off timer
	f      func()
	index  int // where it is in the loop's heap; -1 when not scheduled
}

// timerHeap is a min-heap of timers ordered by deadline, then by the order
// they were scheduled in, so that timers due at the same instant fire in
// the order they were set (libuv's timer.c orders them the same way).
// container/heap does the sifting; each timer keeps its index, so that
// Stop removes it in O(log n) without searching.
type timerHeap []*Timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// endregion: Timer

// region: AfterFunc

// AfterFunc runs f on the loop once d has passed. d counts from the
// loop's cached time (Now), read at the start of each pass and again when
// poll returns, as libuv's timers count from uv_now: the timers set
// between two readings share one "now".
func (l *EventLoop) AfterFunc(d time.Duration, f func()) *Timer {
	return l.schedule(&Timer{loop: l, when: l.now.Add(max(d, 0)), f: f, index: -1})
}

// Every runs f on the loop every period, the first time one period from
// now. Each deadline is the previous one plus period, not the time f ran
// plus period, so the timer does not drift however late the loop is. If
// the loop falls so far behind that several deadlines have passed, f runs
// once, and the missed deadlines are skipped: a late loop is not made
// later still by a burst of catching up.
func (l *EventLoop) Every(period time.Duration, f func()) *Timer {
	if period <= 0 {
		panic(fmt.Sprintf("eventloop: Every: period %v is not positive", period))
	}
	return l.schedule(&Timer{loop: l, when: l.now.Add(period), period: period, f: f, index: -1})
}

// Stop cancels the timer: f will not run again, even if the timer is due
// in the pass that is running. It reports whether the timer was still
// scheduled.
func (t *Timer) Stop() bool {
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.loop.timers, t.index)
	return true
}

// NextTick runs f on the loop's next pass, before it waits for anything:
// the wait does not block while such work is queued. What NextTick adds
// while next-tick work runs waits for the pass after.
func (l *EventLoop) NextTick(f func()) { l.nextTicks = append(l.nextTicks, f) }

// Now is the time the loop read at the start of its pass, or when poll
// returned. Read once and shared, it costs no system call per use.
func (l *EventLoop) Now() time.Time { return l.now }

// endregion: AfterFunc

func (l *EventLoop) schedule(t *Timer) *Timer {
	l.timerSeq++
	t.seq = l.timerSeq
	heap.Push(&l.timers, t)
	return t
}

// region: runTimers

// runTimers runs the timers due at l.now, earliest first. A timer set
// while they run, even one due at once, and a periodic timer's next
// deadline, wait for the next pass: a 0 ms timer that sets itself again
// cannot keep the loop from polling (libuv had exactly that busy loop in
// uv__run_timers until 1.48: libuv issue #4245, fixed by PR #4250).
func (l *EventLoop) runTimers() int {
	last := l.timerSeq // timers scheduled from here on wait
	ran := 0
	for len(l.timers) > 0 {
		t := l.timers[0]
		if t.when.After(l.now) || t.seq > last {
			break
		}
		heap.Pop(&l.timers)
		if t.period > 0 {
			// Skip the deadlines already missed; keep the phase.
			missed := l.now.Sub(t.when) / t.period
			t.when = t.when.Add((missed + 1) * t.period)
			l.schedule(t)
		}
		t.f()
		l.runMicrotasks()
		ran++
	}
	return ran
}

// runNextTicks runs the next-tick work queued before this pass.
func (l *EventLoop) runNextTicks() int {
	l.ticking, l.nextTicks = l.nextTicks, l.ticking[:0]
	for i, f := range l.ticking {
		f()
		l.ticking[i] = nil // let the closure be collected
		l.runMicrotasks()
	}
	return len(l.ticking)
}

// endregion: runTimers

// region: waitTimeout

// waitTimeout is how long poll may wait, in its milliseconds: 0 while
// next-tick work or microtasks are queued, until the earliest deadline if there is a
// timer, forever (-1) if there is none. The time to the deadline is
// rounded up: rounded down, a deadline 0.3 ms away would be a timeout of
// 0, and the loop would spin until the deadline passed (redis had exactly
// this busy loop, and fixed it in 2021 by rounding up in ae_epoll.c's
// aeApiPoll: commit 175a9e3, PR #8764).
func (l *EventLoop) waitTimeout(now time.Time) int {
	switch {
	case len(l.nextTicks) > 0 || l.micro.pending():
		return 0
	case len(l.timers) == 0:
		return -1
	}
	d := l.timers[0].when.Sub(now)
	if d <= 0 {
		return 0
	}
	// poll takes an int; macOS refuses more than about 24.8 days.
	return int(min((d+time.Millisecond-1)/time.Millisecond, math.MaxInt32))
}

// endregion: waitTimeout

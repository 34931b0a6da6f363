package main

import "fmt"

// region: microtasks

// microtaskBudget is how many microtasks one pass of the loop may run.
// JavaScript runs microtasks until none is left, so a chain that never
// ends (each handler resolving the next promise) starves every socket and
// timer for good. Here the loop stops after this many in a pass, and the
// rest run in the next pass, after the sockets that are ready: a pass
// costs at most this much promise work, and a pass with microtasks left
// does not block in poll. Promises/A+ 2.2.4 asks only that handlers run
// on a fresh stack, after the code that chained or settled them has
// returned, and its note 3.1 allows a "macro-task" (a later turn of the
// loop) as well as a micro-task: a later pass satisfies it too.
const microtaskBudget = 1000

// A microtask queue, first in, first out: the handlers of settled
// promises, waiting for the callback that settled them to return.
type microtasks struct {
	queue  []func()
	head   int // queue[head:] have not run yet
	budget int // what this pass may still run
	ran    int // how many ran in this pass, for -trace
}

// queueMicrotask runs f on the loop after the callback running now has
// returned, before the loop waits again (within the budget). Like posted
// work, what is still queued when Run returns never runs.
func (l *EventLoop) queueMicrotask(f func()) {
	l.micro.queue = append(l.micro.queue, f)
}

// runMicrotasks runs queued microtasks, and the ones they queue, until
// none is left or the pass's budget is spent. The loop calls it after
// each callback: a handler, a timer, next-tick or posted work.
func (l *EventLoop) runMicrotasks() {
	m := &l.micro
	ran := 0
	for m.head < len(m.queue) && m.budget > 0 {
		f := m.queue[m.head]
		m.queue[m.head] = nil // let the closure be collected
		m.head++
		m.budget--
		f()
		ran++
	}
	switch {
	case m.head == len(m.queue):
		m.queue, m.head = m.queue[:0], 0
	case m.head > len(m.queue)/2:
		// A chain that never ends never empties the queue: move what is
		// left to the front, or the spent slots would pile up forever.
		// It copies fewer slots than have run since the queue was last
		// at its front, so it costs less than running them did.
		n := copy(m.queue, m.queue[m.head:])
		clear(m.queue[n:])
		m.queue, m.head = m.queue[:n], 0
	}
	m.ran += ran
}

func (m *microtasks) pending() bool { return m.head < len(m.queue) }

// newPass gives the pass its budget. What the previous pass left is
// run first, before anything new is queued behind it.
func (l *EventLoop) newPass() {
	l.micro.budget, l.micro.ran = microtaskBudget, 0
	l.runMicrotasks()
}

// endregion: microtasks

// region: unhandled

// A rejection is a promise that was rejected while nothing was chained to
// it. unhandled returns its error if that is still so.
type rejection interface{ unhandled() error }

// A suspect is a rejection waiting to be judged, and the pass it came in.
type suspect struct {
	r    rejection
	pass int64
}

// reportUnhandled runs in each pass before the loop waits, and once more
// (final) when Run returns. A rejected promise that has gained no handler
// by then is reported, one line on stderr, as Node's "warn" mode reports
// an unhandled rejection: an error that nobody will ever look at is a
// bug, and must not vanish silently. While microtasks are left over for
// the next pass (the budget ran out), one of them may still chain a
// handler: the suspects wait, but only until two passes after the one
// they were rejected in, or an endless chain would hide them forever.
func (l *EventLoop) reportUnhandled(final bool) {
	pass := l.passes.Load()
	kept := l.suspects[:0]
	for _, s := range l.suspects {
		if !final && l.micro.pending() && pass-s.pass < 2 {
			kept = append(kept, s)
			continue
		}
		if err := s.r.unhandled(); err != nil {
			fmt.Fprintf(l.stderr, "eventloop: unhandled promise rejection: %v\n", err)
		}
	}
	clear(l.suspects[len(kept):])
	l.suspects = kept
}

// endregion: unhandled

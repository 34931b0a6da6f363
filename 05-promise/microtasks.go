package main

import "fmt"

// region: microtasks

// microtaskBudget is how many microtasks one pass of the loop may run.
// JavaScript runs microtasks until none is left, so a chain that never
// ends (each handler resolving the next promise) starves every socket and
// timer for good. Here the loop stops after this many in a pass, and the
// rest run in the next pass, after the sockets that are ready: a pass
// costs at most this much promise work, and a pass with microtasks left
// does not block in poll. Promises/A+ asks only that handlers run after
// the code that settled the promise has returned (its note 3.1), which a
// later pass satisfies too.
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
// returned, before the loop waits again (within the budget).
func (l *EventLoop) queueMicrotask(f func()) {
	l.micro.queue = append(l.micro.queue, f)
}

// runMicrotasks runs queued microtasks, and the ones they queue, until
// none is left or the pass's budget is spent. The loop calls it after
// each callback: a handler, a timer, next-tick or posted work.
func (l *EventLoop) runMicrotasks() int {
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
	if m.head == len(m.queue) {
		m.queue, m.head = m.queue[:0], 0
	}
	m.ran += ran
	return ran
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

// reportUnhandled runs in each pass before the loop waits, and once more
// when Run returns. A rejected promise that has gained no handler by
// then is reported, as Node reports an unhandled rejection: an error
// that nobody will ever look at is a bug, and must not vanish silently.
func (l *EventLoop) reportUnhandled() {
	for i, r := range l.rejections {
		if err := r.unhandled(); err != nil {
			fmt.Fprintf(l.stderr, "eventloop: unhandled promise rejection: %v\n", err)
		}
		l.rejections[i] = nil
	}
	l.rejections = l.rejections[:0]
}

// endregion: unhandled

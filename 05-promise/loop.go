package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Events are what a handler waits for on its descriptor.
type Events uint8

const (
	Readable Events = 1 << iota // poll's POLLIN: bytes to read, a connection to accept, or the peer's FIN
	Writable                    // poll's POLLOUT: room in the send buffer
)

// A Handler runs on the loop's goroutine when its descriptor is ready.
// ready holds the events that are ready among those it waits for; never
// more, and never none. (One exception: a descriptor closed without
// Unregister gets both, once, so that its next call fails and tells it.)
type Handler func(ready Events)

// region: EventLoop

// EventLoop waits for many descriptors at once and calls each one's
// handler when it is ready: the reactor. It is level-triggered, like the
// poll underneath: a handler that leaves bytes unread is called again on
// the next pass.
//
// Every method but Post and Stop must be called on the loop's goroutine,
// the one that calls Run: from a handler, from posted work, or before Run.
type EventLoop struct {
	// handlers is indexed by descriptor, as in redis's ae.c: descriptors
	// are small integers and the kernel reuses the lowest free one.
	handlers []registration
	pfds     []unix.PollFd // the descriptors of this pass, rebuilt each pass
	batch    []uint64      // the generation of each pfds entry when it was built
	gen      uint64        // bumped at each Register

	// Time: timers in a heap, next-tick work, and the loop's idea of now,
	// read from clock (time.Now, or a test's fake) at the start of each
	// pass and when poll returns.
	timers             timerHeap
	timerSeq           uint64
	nextTicks, ticking []func()
	now                time.Time
	clock              func() time.Time

	// Promises: the handlers of settled promises, run after each
	// callback; and the promises rejected in this pass with no handler.
	micro      microtasks
	rejections []rejection

	wake       waker
	wakeNeeded atomic.Bool // coalesces wake-ups: false while a write is already pending
	// closing guards the wake-up descriptor: Post and Stop write to it
	// holding a read lock, and Close closes it holding the write lock,
	// so that no write can reach its number once it is closed (and
	// perhaps given to another file).
	closing    sync.RWMutex
	closed     bool
	wakeWrites atomic.Int64
	mu         sync.Mutex
	posted     []func() // guarded by mu
	running    []func() // the posted work of this pass, owned by the loop
	stopped    atomic.Bool
	passes     atomic.Int64 // passes begun: what tests watch for a busy loop

	stderr     io.Writer // where the loop reports what must not happen
	trace      bool      // one line per pass on stderr
	line       strings.Builder
	inDispatch bool // the pass's line is being written
}

type registration struct {
	gen     uint64 // 0: not registered
	events  Events
	name    string // for -trace: "listener", "conn", …
	handler Handler
}

// endregion: EventLoop

// waker is the loop's wake-up descriptor: an eventfd on Linux
// (wake_linux.go), a pipe elsewhere (wake_pipe.go).
type waker interface {
	readFD() int
	wake()  // make readFD readable; never blocks
	drain() // make it not readable again
	close() error
}

// NewEventLoop makes a loop and its wake-up descriptor. The loop reports
// on stderr what should never happen and, with trace, one line per pass.
func NewEventLoop(stderr io.Writer, trace bool) (*EventLoop, error) {
	w, err := newWaker()
	if err != nil {
		return nil, err
	}
	return newEventLoopWith(w, stderr, trace)
}

func newEventLoopWith(w waker, stderr io.Writer, trace bool) (*EventLoop, error) {
	l := &EventLoop{wake: w, stderr: stderr, trace: trace, clock: time.Now}
	l.now = l.clock()
	l.wakeNeeded.Store(true)
	if err := l.Register(w.readFD(), Readable, "wake-up", l.runPosted); err != nil {
		w.close()
		return nil, err
	}
	return l, nil
}

// Close releases the wake-up descriptor; Post does nothing after it. The
// descriptors registered with the loop are their owners' to close.
func (l *EventLoop) Close() error {
	l.closing.Lock()
	defer l.closing.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	return l.wake.close()
}

// region: Register

// Register makes the loop call h whenever fd is ready for one of events.
// name says what fd is in -trace lines. fd must not be registered yet.
func (l *EventLoop) Register(fd int, events Events, name string, h Handler) error {
	if fd < 0 {
		return fmt.Errorf("register: invalid descriptor %d", fd)
	}
	for fd >= len(l.handlers) {
		l.handlers = append(l.handlers, registration{})
	}
	if l.handlers[fd].gen != 0 {
		return fmt.Errorf("register: descriptor %d is already registered (as %s)", fd, l.handlers[fd].name)
	}
	l.gen++
	l.handlers[fd] = registration{gen: l.gen, events: events, name: name, handler: h}
	return nil
}

// SetEvents changes what fd's handler waits for. With no events, the
// descriptor stays registered but is left out of the wait.
func (l *EventLoop) SetEvents(fd int, events Events) {
	l.mustBeRegistered(fd, "set events").events = events
}

// Unregister stops watching fd. It must be called before fd is closed:
// the kernel gives a closed descriptor's number to the next socket it
// opens, and the loop must not take that socket for this one.
func (l *EventLoop) Unregister(fd int) {
	l.mustBeRegistered(fd, "unregister")
	l.handlers[fd] = registration{}
}

// endregion: Register

// mustBeRegistered returns fd's registration. Changing a descriptor that
// is not registered is a bug in the caller, which would otherwise go
// unnoticed until a handler failed to run, so it panics.
func (l *EventLoop) mustBeRegistered(fd int, what string) *registration {
	if fd < 0 || fd >= len(l.handlers) || l.handlers[fd].gen == 0 {
		panic(fmt.Sprintf("eventloop: %s: descriptor %d is not registered", what, fd))
	}
	return &l.handlers[fd]
}

// region: Post

// Post runs f on the loop's goroutine, after the loop's current pass if
// it is running one, or at once if it is asleep in poll. It can be
// called from any goroutine. Functions posted by one goroutine run in
// the order they were posted. Post reports false, and f never runs, if
// the loop is closed; what is posted after Run has returned never runs
// either.
func (l *EventLoop) Post(f func()) bool {
	l.closing.RLock()
	defer l.closing.RUnlock()
	if l.closed {
		return false
	}
	l.mu.Lock()
	l.posted = append(l.posted, f)
	l.mu.Unlock()
	// A thousand posts between two passes need one wake-up, not a
	// thousand writes: only the post that finds no wake-up pending writes.
	if l.wakeNeeded.CompareAndSwap(true, false) {
		l.wakeWrites.Add(1)
		l.wake.wake()
	}
	return true
}

// runPosted is the wake-up descriptor's handler. It empties the
// descriptor first, then allows the next Post to write again, and only
// then takes the queue: a Post that comes in between finds wakeNeeded
// true and writes, so no work is left waiting without a wake-up.
func (l *EventLoop) runPosted(Events) {
	l.wake.drain()
	l.wakeNeeded.Store(true)
	l.mu.Lock()
	// Work posted by the functions run below goes to the other slice
	// and waits for the next pass: a function that posts itself again
	// cannot keep the loop from polling.
	l.running, l.posted = l.posted, l.running[:0]
	l.mu.Unlock()
	for i, f := range l.running {
		f()
		l.running[i] = nil // let the closure be collected
		l.runMicrotasks()
	}
	l.tracef(" (drained, ran %d posted)", len(l.running))
}

// endregion: Post

// Stop makes Run return at the end of its current pass, or before its
// first one. It can be called from any goroutine, or from a handler.
func (l *EventLoop) Stop() {
	l.stopped.Store(true)
	l.closing.RLock()
	defer l.closing.RUnlock()
	if !l.closed {
		l.wake.wake()
	}
}

// region: Run

// region: loopRun

// Run waits and dispatches, pass after pass, until Stop. Each pass: run
// the timers that are due and the next-tick work, wait in poll for any
// registered descriptor, no longer than until the next timer, then call
// the handler of each one that is ready. After each of those callbacks,
// run the microtasks it queued: the handlers of the promises it settled.
func (l *EventLoop) Run() error {
	for !l.stopped.Load() {
		l.passes.Add(1)
		l.now = l.clock()
		l.newPass()
		timers := l.runTimers()
		ticks := l.runNextTicks()
		micro := l.micro.ran
		// Before the loop may sleep, for as long as nothing happens:
		// a rejection reported after the wait could wait forever.
		l.reportUnhandled()
		if l.stopped.Load() {
			break // a timer or next-tick work called Stop
		}
		timeout := l.waitTimeout(l.clock())
		l.collect()
		start := time.Now()
		n, err := unix.Poll(l.pfds, timeout)
		if err == unix.EINTR {
			// A signal reached this thread while it slept (see poll(2),
			// ERRORS; SA_RESTART never restarts poll). Start the pass
			// again: the timeout must be computed anew.
			continue
		}
		if err != nil {
			return fmt.Errorf("poll: %w", err)
		}
		l.now = l.clock()
		if l.trace {
			l.line.Reset()
			if timers+ticks+micro > 0 {
				fmt.Fprintf(&l.line, "ran %d timers, %d next-ticks, %d microtasks; ", timers, ticks, micro)
			}
			fmt.Fprintf(&l.line, "poll(%d fds, timeout=%s) blocked %v: %d ready", len(l.pfds), timeoutString(timeout), since(start), n)
			l.inDispatch = true
		}
		l.dispatch()
		if l.trace {
			l.inDispatch = false
			fmt.Fprintln(l.stderr, l.line.String())
		}
	}
	l.reportUnhandled() // a handler's, when the handler called Stop
	return nil
}

// endregion: loopRun

// collect builds this pass's poll set from the registered descriptors,
// and remembers which registration each entry was made for.
func (l *EventLoop) collect() {
	l.pfds, l.batch = l.pfds[:0], l.batch[:0]
	for fd, r := range l.handlers {
		if r.gen == 0 || r.events == 0 {
			continue
		}
		var ev int16
		if r.events&Readable != 0 {
			ev |= unix.POLLIN
		}
		if r.events&Writable != 0 {
			ev |= unix.POLLOUT
		}
		l.pfds = append(l.pfds, unix.PollFd{Fd: int32(fd), Events: ev})
		l.batch = append(l.batch, r.gen)
	}
}

// region: dispatch

// dispatch calls the handler of every descriptor poll reported. A
// handler may unregister or close any descriptor, including one further
// down this batch, whose number the kernel may even have handed to a new
// connection registered meanwhile: the generation tells them apart, and
// neither the old one nor the new one is called for the old one's event.
func (l *EventLoop) dispatch() {
	for i, p := range l.pfds {
		if p.Revents == 0 {
			continue
		}
		fd := int(p.Fd)
		r := &l.handlers[fd]
		if r.gen != l.batch[i] {
			l.tracef(", fd %d %s (gone)", fd, eventNames(p.Revents))
			continue
		}
		if p.Revents&unix.POLLNVAL != 0 {
			// The descriptor was closed while registered: a bug in a
			// handler. The handler hears of it as readable and writable,
			// so that its next call fails (EBADF) and it cleans up; if it
			// does not unregister, the loop does, or it would spin.
			fmt.Fprintf(l.stderr, "eventloop: descriptor %d (%s) was closed without Unregister\n", fd, r.name)
			gen := r.gen
			l.call(r.handler, r.events|Readable|Writable)
			if l.handlers[fd].gen == gen {
				l.Unregister(fd)
			}
			continue
		}
		ready := readyEvents(p.Revents) & r.events
		if ready == 0 {
			l.tracef(", fd %d %s (not asked)", fd, eventNames(p.Revents))
			continue
		}
		l.tracef(", fd %d %s → %s", fd, eventNames(p.Revents), r.name)
		l.call(r.handler, ready)
	}
}

// call runs a handler, then the microtasks it queued.
func (l *EventLoop) call(h Handler, ready Events) {
	ran := l.micro.ran
	h(ready)
	l.runMicrotasks()
	if n := l.micro.ran - ran; n > 0 {
		l.tracef(" (then %d microtasks)", n)
	}
}

// endregion: dispatch

// endregion: Run

// readyEvents turns what poll reported into Events. POLLHUP and POLLERR
// come whatever was asked for (poll(2)); they count as both readable and
// writable, so that the handler makes its read or write, and that call
// returns the real error, or the last bytes the peer sent before it left.
func readyEvents(revents int16) Events {
	var ev Events
	if revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0 {
		ev |= Readable
	}
	if revents&(unix.POLLOUT|unix.POLLHUP|unix.POLLERR) != 0 {
		ev |= Writable
	}
	return ev
}

func timeoutString(ms int) string {
	if ms < 0 {
		return "inf"
	}
	return fmt.Sprintf("%dms", ms)
}

func (l *EventLoop) tracef(format string, args ...any) {
	if l.trace {
		fmt.Fprintf(&l.line, format, args...)
	}
}

// note adds what a handler did to the -trace line of the pass, after the
// handler's name; outside a pass, it is a line of its own.
func (l *EventLoop) note(format string, args ...any) {
	switch {
	case !l.trace:
	case l.inDispatch:
		fmt.Fprintf(&l.line, " ("+format+")", args...)
	default:
		fmt.Fprintf(l.stderr, format+"\n", args...)
	}
}

func eventNames(ev int16) string {
	var names []string
	for _, e := range []struct {
		bit  int16
		name string
	}{
		{unix.POLLIN, "IN"}, {unix.POLLPRI, "PRI"}, {unix.POLLOUT, "OUT"},
		{unix.POLLERR, "ERR"}, {unix.POLLHUP, "HUP"}, {unix.POLLNVAL, "NVAL"},
	} {
		if ev&e.bit != 0 {
			names = append(names, e.name)
		}
	}
	return strings.Join(names, "|")
}

func since(t time.Time) time.Duration {
	return time.Since(t).Round(time.Millisecond)
}

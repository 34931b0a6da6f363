package main

import (
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"
)

// region: Promise

// A Promise is a value of type T that is not known yet, or the error that
// will come instead: pending at first, then fulfilled with a value or
// rejected with an error, once, for good. What to do with the outcome is
// chained to it with Then, ThenPromise, Catch and Finally; those handlers
// run on the loop, always after the code that settled the promise or
// chained the handler has returned, and in the order they were chained.
//
// A promise belongs to one loop, and like the loop's other methods, its
// functions are for the loop's goroutine. Another goroutine settles one
// through the loop's Post.
type Promise[T any] struct {
	loop      *EventLoop
	state     promiseState
	value     T     // when fulfilled
	err       error // when rejected; never nil then
	resolved  bool  // settled, or following another promise: further calls are ignored
	follows   *Promise[T]
	followed  bool     // some promise has adopted this one
	reactions []func() // queued as microtasks when it settles, in order
	handled   bool     // something is chained to it, so its rejection is somebody's
}

type promiseState uint8

const (
	pending promiseState = iota
	fulfilled
	rejected
)

// A Resolver settles one promise. The code that produces the value keeps
// the Resolver, and hands out the Promise to the code that waits for it:
// the article's Deferrer and Promise, the two faces of one operation.
type Resolver[T any] struct{ p *Promise[T] }

// NewPromise makes a pending promise and the resolver that settles it.
func NewPromise[T any](l *EventLoop) (*Promise[T], Resolver[T]) {
	p := &Promise[T]{loop: l}
	return p, Resolver[T]{p}
}

// Resolved returns a promise already fulfilled with v.
func Resolved[T any](l *EventLoop, v T) *Promise[T] {
	p, r := NewPromise[T](l)
	r.Resolve(v)
	return p
}

// Rejected returns a promise already rejected with err.
func Rejected[T any](l *EventLoop, err error) *Promise[T] {
	p, r := NewPromise[T](l)
	r.Reject(err)
	return p
}

// endregion: Promise

// region: Resolver

// Resolve fulfils the promise with v. Only the first of a resolver's
// calls counts: the others are ignored.
func (r Resolver[T]) Resolve(v T) {
	if r.p.lock() {
		r.p.settle(v, nil)
	}
}

// Reject rejects the promise with err (a nil err is replaced by an error
// that says so: a rejection always carries an error).
func (r Resolver[T]) Reject(err error) {
	if err == nil {
		err = ErrNilRejection
	}
	if r.p.lock() {
		var zero T
		r.p.settle(zero, err)
	}
}

// Settle is Go's way of resolving with an error: it rejects the promise
// with err if err is not nil, and fulfils it with v otherwise, so that
// r.Settle(f()) passes on whatever f returns.
func (r Resolver[T]) Settle(v T, err error) {
	if err != nil {
		r.Reject(err)
		return
	}
	r.Resolve(v)
}

// Adopt makes the promise follow q: it settles as q settles, with q's
// value or error. A promise that would end up following itself, directly
// or through the promises it adopts (with Adopt or ThenPromise), is
// rejected with ErrCycle instead of waiting forever. A cycle through a
// Then handler's result is not detected, as in JavaScript: Adopt(q) where
// q is Then(p, …) leaves both pending.
func (r Resolver[T]) Adopt(q *Promise[T]) {
	p := r.p
	mustShareLoop("Adopt", p.loop, q)
	if !p.lock() {
		return
	}
	for f := q; f != nil; f = f.follows {
		if f == p {
			var zero T
			p.settle(zero, ErrCycle)
			return
		}
		// Past q itself, only a promise that others follow can come
		// up: for a fresh one, the common case, the walk stops here,
		// and a long chain of adoptions is built in linear time.
		if !p.followed {
			break
		}
	}
	p.follows, q.followed = q, true
	q.subscribe(func() {
		p.follows = nil
		p.settle(q.value, q.err)
	})
}

// endregion: Resolver

// ErrCycle rejects a promise resolved with itself, or with a promise that
// follows it: Promises/A+ 2.3.1 asks for the first; the second would
// otherwise leave every promise of the cycle pending forever.
var ErrCycle = errors.New("promise: resolved with itself, directly or through the promises it follows")

// ErrNilRejection is what Reject(nil) rejects with.
var ErrNilRejection = errors.New("promise: rejected with a nil error")

// A PanicError is what a handler that panicked rejects its promise with:
// the panic's value, and the stack where it happened.
type PanicError struct {
	Value any
	Stack []byte // as runtime/debug.Stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("promise: handler panicked: %v", e.Value) }

// Unwrap gives errors.Is and errors.As the panic's value, when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

func (p *Promise[T]) lock() bool {
	if p.resolved {
		return false
	}
	p.resolved = true
	return true
}

// region: settle

// settle records the outcome and queues the handlers chained so far. It
// does not run them: they run as microtasks, once the callback that
// settled the promise has returned, when no caller of Resolve is left
// halfway through its work, and the state it sees is whole.
func (p *Promise[T]) settle(v T, err error) {
	if err != nil {
		p.state, p.err = rejected, err
		if !p.handled {
			p.loop.suspects = append(p.loop.suspects, suspect{p, p.loop.passes.Load()})
		}
	} else {
		p.state, p.value = fulfilled, v
	}
	for _, f := range p.reactions {
		p.loop.queueMicrotask(f)
	}
	p.reactions = nil
}

// subscribe arranges for f to run as a microtask once p has settled: now
// if it already has, later otherwise.
func (p *Promise[T]) subscribe(f func()) {
	p.handled = true
	if p.state == pending {
		p.reactions = append(p.reactions, f)
		return
	}
	p.loop.queueMicrotask(f)
}

func (p *Promise[T]) unhandled() error {
	if p.handled {
		return nil
	}
	return p.err
}

// endregion: settle

// region: Then

// Then returns a promise of what onFulfilled makes of p's value. If p is
// rejected, onFulfilled does not run and the returned promise is rejected
// with the same error; if onFulfilled returns an error or panics, it is
// rejected with that. (Then is a function, not a method, because it
// turns a Promise[T] into a Promise[U], and up to Go 1.26 a method
// cannot declare type parameters of its own; this module says go 1.24.)
func Then[T, U any](p *Promise[T], onFulfilled func(T) (U, error)) *Promise[U] {
	mustHave("Then", onFulfilled)
	next, r := NewPromise[U](p.loop)
	p.subscribe(func() {
		if p.state == rejected {
			r.Reject(p.err)
			return
		}
		r.Settle(protect(onFulfilled, p.value))
	})
	return next
}

// ThenPromise is Then for a handler that starts more asynchronous work
// and returns its promise: the returned promise follows that one (Adopt),
// so that a chain stays flat, a Promise[U] and not a promise of a promise.
//
// A loop written as recursion, a handler returning ThenPromise(next
// step, itself), keeps every link it made reachable from the newest
// until the whole chain settles (about 140 bytes a link, measured): for
// work that repeats forever, start each round afresh, or use Every.
func ThenPromise[T, U any](p *Promise[T], onFulfilled func(T) *Promise[U]) *Promise[U] {
	mustHave("ThenPromise", onFulfilled)
	next, r := NewPromise[U](p.loop)
	p.subscribe(func() {
		if p.state == rejected {
			r.Reject(p.err)
			return
		}
		q, err := protect(func(v T) (*Promise[U], error) { return onFulfilled(v), nil }, p.value)
		switch {
		case err != nil:
			r.Reject(err)
		case q == nil:
			r.Reject(errors.New("promise: ThenPromise: the handler returned a nil promise"))
		default:
			r.Adopt(q)
		}
	})
	return next
}

// Catch returns a promise that p's value passes through, and that
// onRejected settles if p is rejected: returning a value and no error
// recovers, returning an error passes on that one.
func (p *Promise[T]) Catch(onRejected func(error) (T, error)) *Promise[T] {
	mustHave("Catch", onRejected)
	next, r := NewPromise[T](p.loop)
	p.subscribe(func() {
		if p.state == fulfilled {
			r.Resolve(p.value)
			return
		}
		r.Settle(protect(onRejected, p.err))
	})
	return next
}

// Finally runs f once p has settled, either way, and returns a promise
// settled as p was; if f panics, it is rejected with that instead.
// (JavaScript's finally also waits for a promise that f returns; this f
// is synchronous. And like every handler, f never runs if p never
// settles: after a Delay's timer is stopped, for one.)
func (p *Promise[T]) Finally(f func()) *Promise[T] {
	mustHave("Finally", f)
	next, r := NewPromise[T](p.loop)
	p.subscribe(func() {
		if _, err := protect(func(struct{}) (struct{}, error) { f(); return struct{}{}, nil }, struct{}{}); err != nil {
			r.Reject(err)
			return
		}
		r.Settle(p.value, p.err)
	})
	return next
}

// protect calls a handler and turns a panic into an error: one handler's
// bug rejects its own promise, and does not take the loop, and with it
// every connection, down.
func protect[T, U any](f func(T) (U, error), v T) (u U, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = &PanicError{Value: x, Stack: debug.Stack()}
		}
	}()
	return f(v)
}

// mustHave panics at once when a handler is nil: chained, it would fail
// later, as a rejection, far from the mistake.
func mustHave[F any](what string, f F) {
	if reflect.ValueOf(f).IsNil() {
		panic("promise: " + what + ": nil handler")
	}
}

// mustShareLoop panics when a promise belongs to another loop than l: its
// handlers would run on the other loop's goroutine, a data race.
func mustShareLoop[T any](what string, l *EventLoop, p *Promise[T]) {
	switch {
	case p == nil:
		panic("promise: " + what + ": nil promise")
	case p.loop != l:
		panic("promise: " + what + ": the promises belong to different loops")
	}
}

// endregion: Then

// region: combinators

// Delay returns a promise fulfilled with v once d has passed, and the
// timer that will fulfil it. Stopping the timer cancels the wait: the
// promise then stays pending, and nothing chained to it ever runs.
func Delay[T any](l *EventLoop, d time.Duration, v T) (*Promise[T], *Timer) {
	p, r := NewPromise[T](l)
	return p, l.AfterFunc(d, func() { r.Resolve(v) })
}

// All returns a promise of every value of ps, in their order, fulfilled
// once they all are; or rejected as soon as one of them is, with its error
// (the others' later rejections are then ignored, as in JavaScript).
func All[T any](l *EventLoop, ps ...*Promise[T]) *Promise[[]T] {
	all, r := NewPromise[[]T](l)
	values := make([]T, len(ps))
	left := len(ps)
	if left == 0 {
		r.Resolve(values)
	}
	for i, p := range ps {
		mustShareLoop("All", l, p)
		p.subscribe(func() {
			if p.state == rejected {
				r.Reject(p.err)
				return
			}
			values[i] = p.value
			if left--; left == 0 {
				r.Resolve(values)
			}
		})
	}
	return all
}

// Race returns a promise settled as the first of ps to settle is. With no
// promises at all, it stays pending.
func Race[T any](l *EventLoop, ps ...*Promise[T]) *Promise[T] {
	first, r := NewPromise[T](l)
	for _, p := range ps {
		mustShareLoop("Race", l, p)
		p.subscribe(func() { r.Settle(p.value, p.err) })
	}
	return first
}

// ErrTimeout is what Timeout rejects with (wrapped, with the duration).
var ErrTimeout = errors.New("promise: timed out")

// Timeout returns a promise settled as p is, if p settles within d, and
// rejected with ErrTimeout otherwise. Once p has settled, its timer is
// stopped: a thousand promises that all settle in time leave no timer
// behind. (The reaction chained to p stops the timer; a timer that fires
// after p settled, before that reaction ran, does nothing.) The work
// behind p goes on after a timeout; only its result is ignored.
func Timeout[T any](p *Promise[T], d time.Duration) *Promise[T] {
	out, r := NewPromise[T](p.loop)
	timer := p.loop.AfterFunc(d, func() {
		// p may have settled in time with its handler still queued,
		// when a pass ran out of microtask budget: that handler decides.
		if p.state == pending {
			r.Reject(fmt.Errorf("%w after %v", ErrTimeout, d))
		}
	})
	p.subscribe(func() {
		timer.Stop()
		r.Settle(p.value, p.err)
	})
	return out
}

// endregion: combinators

// Command oneoff is the experiment that book/04-scheduler.md runs to show
// why a scheduler that fires a callback when "now % interval == 0" misses
// it, and why one that keeps a deadline does not. Nothing really sleeps:
// the loop is simulated on a clock that advances as a poll would, either
// to its timeout or to the moment a client writes, so that every run
// prints the same.
//
//	go run ./internal/book/cmd/oneoff
//
// Each case runs a loop for 30 simulated seconds with one callback due
// 5 s after the start, and prints each wake-up: when poll returned, what
// the clock read, and whether the callback ran.
package main

import (
	"fmt"
	"time"
)

const (
	interval = 5 * time.Second
	horizon  = 30 * time.Second
)

// A scheduler says how long poll may wait, and runs what is due when it
// returns.
type scheduler interface {
	timeout(now time.Duration) time.Duration
	tick(now time.Duration) (ran bool, why string)
}

// modulo is the check the article makes: run the callback when the clock,
// read in units of resolution, is a whole multiple of the interval. The
// timeout is the interval itself, whatever time it is.
type modulo struct {
	resolution time.Duration
	done       bool
}

func (m *modulo) timeout(time.Duration) time.Duration { return interval }

func (m *modulo) tick(now time.Duration) (bool, string) {
	if m.done {
		return false, "already ran"
	}
	n, i := int64(now/m.resolution), int64(interval/m.resolution)
	if n%i != 0 {
		return false, fmt.Sprintf("%d %% %d = %d: not due", n, i, n%i)
	}
	m.done = true
	return true, fmt.Sprintf("%d %% %d = 0: ran", n, i)
}

// deadline is what chapter 04 does: the callback is due at a moment, the
// timeout is the time left until it, and it runs once that moment has
// passed, however late the loop comes to look.
type deadline struct {
	due  time.Duration
	done bool
}

func (d *deadline) timeout(now time.Duration) time.Duration {
	if d.done {
		return horizon // nothing scheduled: only a client would wake the loop
	}
	return max(d.due-now, 0)
}

func (d *deadline) tick(now time.Duration) (bool, string) {
	switch {
	case d.done:
		return false, "already ran"
	case now < d.due:
		return false, fmt.Sprintf("%v to go", d.due-now)
	}
	d.done = true
	return true, fmt.Sprintf("due at %v: ran, %v late", d.due, now-d.due)
}

// run simulates a loop: poll returns at its timeout, plus late, or when
// the next client writes, whichever comes first.
func run(title string, s scheduler, clients []time.Duration, late time.Duration) {
	fmt.Println(title)
	now, ran := time.Duration(0), false
	for now < horizon {
		wake, why := now+s.timeout(now)+late, "timeout"
		for _, c := range clients {
			if c > now && c <= wake {
				wake, why = c, "a client"
				break
			}
		}
		now = wake
		ok, what := s.tick(now)
		ran = ran || ok
		fmt.Printf("  poll returned at %-7v (%s): %s\n", now, why, what)
		if ok {
			break
		}
	}
	if !ran {
		fmt.Printf("  ... and so on: after %v, the callback has not run\n", horizon)
	}
}

func main() {
	oneClient := []time.Duration{1200 * time.Millisecond}
	run("1. now % interval, clock in seconds; a client writes at 1.2s:",
		&modulo{resolution: time.Second}, oneClient, 0)
	run("2. now % interval, clock in milliseconds; no client, poll returns 1ms late:",
		&modulo{resolution: time.Millisecond}, nil, time.Millisecond)
	run("3. a deadline, 5s after the start; a client writes at 1.2s:",
		&deadline{due: interval}, oneClient, 0)
	run("4. a deadline; no client, poll returns 1ms late:",
		&deadline{due: interval}, nil, time.Millisecond)
}

//go:build exercise

package timerwheel_test

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// chapterTimerTests are the chapter's own tests of its timers, which the
// wheel must pass as the heap did.
var chapterTimerTests = []string{
	"TestTimersFireByDeadlineThenInOrderSet",
	"TestStopCancels",
	"TestEveryKeepsItsPhase",
	"TestTimersSetWhileFiringWaitForTheNextPass",
	"TestWaitTimeout",
	"TestNextTick",
	"TestSelfSettingTimerCannotStarveIO",
	"TestSleeperThatLeavesIsNotAnsweredOnANewConnection",
}

// TestTimerWheel checks the server from outside, then runs wheelTest, a
// test that must see the loop's insides, in the chapter's own package
// with the chapter's timer tests: go test -overlay adds it to the
// chapter's folder for that one run, without writing there.
func TestTimerWheel(t *testing.T) {
	bin := testserver.Build(t, "../..")
	checkSleeps(t, bin)

	tests := append([]string{"TestWheel"}, chapterTimerTests...)
	report, passed := testserver.RunInPackage(t, "../..", wheelTest, tests...)
	switch {
	case passed:
		t.Logf("go test in 04-scheduler, with the wheel's test added:\n%s", passes(report))
		return
	case undefined.MatchString(report):
		t.Fatalf("04-scheduler has no timer wheel yet: the test needs a constant wheelTick in timers.go (a time.Duration: the time one slot of the wheel covers), and a method, in timers_test.go,\n\n\tfunc (l *EventLoop) timerSlots() []int\n\nthat says how many timers each slot holds, in slot order. The compiler says:\n%s", report)
	}
	t.Fatalf("go test in 04-scheduler, with the wheel's test added (the chapter's timer tests must stay, and pass):\n%s", report)
}

// undefined matches the compiler's complaint about what the test needs.
var undefined = regexp.MustCompile(`undefined: wheelTick|\.timerSlots undefined`)

// passes keeps the lines of a passing run that name the tests.
func passes(report string) string {
	var keep []string
	for line := range strings.SplitSeq(report, "\n") {
		if strings.Contains(line, "--- PASS") || strings.HasPrefix(line, "\tok ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// checkSleeps asks the server for three sleeps at once: each is answered,
// and none before its time.
func checkSleeps(t *testing.T, bin string) {
	t.Helper()
	srv := testserver.StartBinary(t, bin, testserver.Options{})
	var wg sync.WaitGroup
	for _, ms := range []int{150, 20, 80} {
		c := testserver.Dial(t, srv.Addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			request := fmt.Sprintf("GET /sleep?ms=%d HTTP/1.1\r\nHost: localhost\r\n\r\n", ms)
			start := time.Now()
			if _, err := io.WriteString(c, request); err != nil {
				t.Error(err)
				return
			}
			resp := testserver.ReadResponse(t, c, request)
			took := time.Since(start)
			if want := fmt.Sprintf("slept %d ms\n", ms); resp.Status != 200 || resp.Body != want {
				t.Errorf("/sleep?ms=%d: status %d, body %q; want 200 and %q", ms, resp.Status, resp.Body, want)
			}
			if took < time.Duration(ms)*time.Millisecond {
				t.Errorf("/sleep?ms=%d was answered after %v: a timer fired early", ms, took)
			}
		}()
	}
	wg.Wait()
}

// wheelTest is the test that go test -overlay adds to the chapter's
// package. It needs wheelTick and timerSlots, and drives the loop's
// timers on a fake clock, as timers_test.go does.
const wheelTest = `package main

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// TestWheel checks that the timers hang in a hashed wheel: timers one
// tick apart are in neighbouring slots, and timers a turn apart share
// one; that a pass fires only what is due, even in a slot shared with
// a timer a turn later; that timers due in several slots fire in the
// order of their deadlines; and that the wait for a timer several turns
// away is still exact.
func TestWheel(t *testing.T) {
	l, err := NewEventLoop(io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	l.clock = func() time.Time { return now }
	l.now = now
	pass := func(at time.Time) {
		now = at
		l.now = l.clock()
		l.runTimers()
		l.runNextTicks()
	}

	n := len(l.timerSlots())
	if n < 2 {
		t.Fatalf("timerSlots() has %d slots: a wheel has several", n)
	}
	if total, _ := slotSummary(l.timerSlots()); total != 0 {
		t.Fatalf("a new loop's wheel holds %d timers", total)
	}

	// Two turns of timers, one in each tick, half-way through it.
	var fired []int
	timers := make([]*Timer, 2*n)
	for k := range timers {
		timers[k] = l.AfterFunc(time.Duration(k)*wheelTick+wheelTick/2, func() { fired = append(fired, k) })
	}
	if total, sizes := slotSummary(l.timerSlots()); total != 2*n || len(sizes) != 1 || sizes[2] != n {
		t.Fatalf("after setting %d timers, one in each of %d ticks of wheelTick (%v), each of the %d slots should hold 2: that tick's timer and the one a turn later. The slots hold %d timers: %s",
			2*n, 2*n, wheelTick, n, total, describe(sizes))
	}
	if !timers[1].Stop() {
		t.Fatal("Stop of a scheduled timer returned false")
	}
	if total, sizes := slotSummary(l.timerSlots()); total != 2*n-1 || sizes[1] != 1 {
		t.Fatalf("after one Stop, the slots hold %d timers (%s); want %d, one slot with 1", total, describe(sizes), 2*n-1)
	}

	// One tick later, only the first timer is due; the one a turn later
	// in the same slot is not.
	pass(start.Add(wheelTick))
	if fmt.Sprint(fired) != "[0]" {
		t.Fatalf("one tick after setting them, timers %v fired; want [0] only: timer %d shares its slot, but is a turn later", fired, n)
	}
	if total, _ := slotSummary(l.timerSlots()); total != 2*n-2 {
		t.Fatalf("after one fired and one was stopped, the slots hold %d timers, want %d", total, 2*n-2)
	}

	// Three turns later, in one pass: all the others, in the order of
	// their deadlines, which is not the order of the slots.
	fired = nil
	pass(start.Add(3 * time.Duration(n) * wheelTick))
	var want []int
	for k := 2; k < 2*n; k++ {
		want = append(want, k)
	}
	if fmt.Sprint(fired) != fmt.Sprint(want) {
		t.Fatalf("three turns later, in one pass, fired %s; want every timer left, 2 to %d, in the order of their deadlines", shorten(fired), 2*n-1)
	}
	if total, _ := slotSummary(l.timerSlots()); total != 0 {
		t.Fatalf("after every timer fired, the slots still hold %d", total)
	}

	// A timer several turns away: the wait is as long as the heap's.
	d := 3*time.Duration(n)*wheelTick + wheelTick*2/5
	l.AfterFunc(d, func() {})
	if got, want := l.waitTimeout(l.now), int((d+time.Millisecond-1)/time.Millisecond); got != want {
		t.Fatalf("with one timer %v away, waitTimeout = %d ms, want %d: the time to the deadline, rounded up", d, got, want)
	}
}

// slotSummary returns how many timers the slots hold, and how many slots
// hold each number of timers.
func slotSummary(slots []int) (total int, sizes map[int]int) {
	sizes = map[int]int{}
	for _, s := range slots {
		total += s
		sizes[s]++
	}
	return total, sizes
}

func describe(sizes map[int]int) string {
	var parts []string
	for size := 0; len(parts) < len(sizes); size++ {
		if sizes[size] > 0 {
			parts = append(parts, fmt.Sprintf("%d slots with %d", sizes[size], size))
		}
	}
	return fmt.Sprint(parts)
}

func shorten(fired []int) string {
	if len(fired) <= 12 {
		return fmt.Sprint(fired)
	}
	return fmt.Sprintf("%v … %v (%d timers)", fired[:6], fired[len(fired)-6:], len(fired))
}
`

package main

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
	"golang.org/x/sys/unix"
)

// The tests of this file drive the EventLoop alone, on socket pairs,
// without HTTP. Each starts a loop on its own goroutine and talks to it
// with Post, as the server's signal handling does.

type testLoop struct {
	*EventLoop
	done chan error
	log  *syncbuf.Buffer
}

// startLoop runs a new loop until the test ends. setup runs on the loop's
// goroutine before the first pass.
func startLoop(t *testing.T, trace bool, setup func(l *EventLoop)) *testLoop {
	t.Helper()
	log := &syncbuf.Buffer{}
	l, err := NewEventLoop(log, trace)
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLoop{EventLoop: l, done: make(chan error, 1), log: log}
	if setup != nil {
		setup(l)
	}
	go func() { tl.done <- l.Run() }()
	t.Cleanup(func() {
		l.Stop()
		select {
		case err := <-tl.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after Stop")
		}
		l.Close()
	})
	return tl
}

// onLoop runs f on the loop's goroutine and waits until it has run.
func (tl *testLoop) onLoop(t *testing.T, f func()) {
	t.Helper()
	ran := make(chan struct{})
	tl.Post(func() { f(); close(ran) })
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("posted function did not run within 10s")
	}
}

// socketPair returns two connected, non-blocking stream sockets, closed
// when the test ends unless the test closed them first.
func socketPair(t *testing.T) (a, b int) {
	t.Helper()
	fds, err := newSocketPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// newSocketPair makes two connected, non-blocking, close-on-exec Unix
// stream sockets, setting the flags after the fact, as macOS needs.
func newSocketPair() ([2]int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return fds, err
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return fds, err
		}
	}
	return fds, nil
}

func write(t *testing.T, fd int, s string) {
	t.Helper()
	_, err := unix.Write(fd, []byte(s))
	for err == unix.EINTR {
		_, err = unix.Write(fd, []byte(s))
	}
	if err != nil {
		t.Fatalf("write: %v", err)
	}
}

// calls records a handler's calls; it is read and written on the loop's
// goroutine only.
type calls struct {
	events []Events
	passes []int64
}

func (tl *testLoop) recorder(c *calls) Handler {
	return func(ready Events) {
		c.events = append(c.events, ready)
		c.passes = append(c.passes, tl.EventLoop.passes.Load())
	}
}

func TestHandlersRunOnlyForReadyDescriptorsAndAskedEvents(t *testing.T) {
	quiet, _ := socketPair(t)      // nothing to read, room to write
	talking, peer := socketPair(t) // will have bytes to read
	writable, _ := socketPair(t)
	var quietCalls, talkingCalls, writableCalls calls
	tl := startLoop(t, false, nil)
	tl.onLoop(t, func() {
		mustRegister(t, tl.EventLoop, quiet, Readable, tl.recorder(&quietCalls))
		mustRegister(t, tl.EventLoop, talking, Readable, func(ready Events) {
			tl.recorder(&talkingCalls)(ready)
			var buf [16]byte
			unix.Read(talking, buf[:]) // drained: level-triggered poll stops reporting it
		})
		mustRegister(t, tl.EventLoop, writable, Writable, func(ready Events) {
			tl.recorder(&writableCalls)(ready)
			tl.SetEvents(writable, 0) // asked once: no busy loop on a socket that stays writable
		})
	})
	write(t, peer, "hello")
	testserver.WaitFor(t, 10*time.Second, "the talking socket's handler to run", func() bool {
		var n int
		tl.onLoop(t, func() { n = len(talkingCalls.events) })
		return n > 0
	})
	// A few more passes, so that a handler called for nothing would show.
	for range 3 {
		tl.onLoop(t, func() {})
	}
	tl.onLoop(t, func() {
		if len(quietCalls.events) != 0 {
			t.Errorf("handler of a socket with nothing to read ran %d times (%v): it was writable, but it asked for Readable only", len(quietCalls.events), quietCalls.events)
		}
		if len(talkingCalls.events) != 1 || talkingCalls.events[0] != Readable {
			t.Errorf("talking socket's handler: got calls %v, want exactly one with Readable", talkingCalls.events)
		}
		if len(writableCalls.events) != 1 || writableCalls.events[0] != Writable {
			t.Errorf("writable socket's handler: got calls %v, want exactly one with Writable", writableCalls.events)
		}
	})
}

// mustRegister registers fd; it runs on the loop's goroutine, where a
// failure must not call t.Fatal (which would end that goroutine, not the
// test), so it reports and leaves the test to fail.
func mustRegister(t *testing.T, l *EventLoop, fd int, ev Events, h Handler) {
	t.Helper()
	if err := l.Register(fd, ev, "test", h); err != nil {
		t.Error(err)
	}
}

// TestUnregisterLaterInTheSameBatch: two sockets are ready in one pass.
// The first one's handler unregisters and closes the second, and opens a
// new socket that the kernel gives the same number, already readable,
// and registers it. Neither the closed socket's handler nor the new one
// may be called for the event poll reported for the old descriptor: the
// new one is called, but on a later pass.
func TestUnregisterLaterInTheSameBatch(t *testing.T) {
	first, firstPeer := socketPair(t)
	second, secondPeer := socketPair(t)
	if second < first {
		first, firstPeer, second, secondPeer = second, secondPeer, first, firstPeer
	}
	var firstCalls, secondCalls, newCalls calls
	var replacement int
	var closedAtPass int64
	tl := startLoop(t, true, nil)
	tl.onLoop(t, func() {
		mustRegister(t, tl.EventLoop, second, Readable, tl.recorder(&secondCalls))
		mustRegister(t, tl.EventLoop, first, Readable, func(ready Events) {
			tl.recorder(&firstCalls)(ready)
			tl.Unregister(first)
			tl.Unregister(second)
			unix.Close(second)
			fds, err := newSocketPair()
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
			replacement = fds[0]
			unix.Write(fds[1], []byte("new"))
			closedAtPass = tl.EventLoop.passes.Load()
			mustRegister(t, tl.EventLoop, replacement, Readable, func(ready Events) {
				tl.recorder(&newCalls)(ready)
				tl.Unregister(replacement)
			})
		})
	})
	// Both sockets become readable before the loop wakes: the posted
	// function below runs only after the loop has polled them together.
	tl.onLoop(t, func() {
		write(t, secondPeer, "x")
		write(t, firstPeer, "x")
	})
	testserver.WaitFor(t, 10*time.Second, "the new socket's handler to run", func() bool {
		var n int
		tl.onLoop(t, func() { n = len(newCalls.events) })
		return n > 0
	})
	tl.onLoop(t, func() {
		if replacement != second {
			t.Errorf("the kernel gave the new socket descriptor %d, not the closed one's %d: the test's premise failed", replacement, second)
			return
		}
		if len(firstCalls.events) != 1 {
			t.Errorf("first handler ran %d times, want once", len(firstCalls.events))
			return
		}
		if len(secondCalls.events) != 0 {
			t.Errorf("the unregistered, closed socket's handler ran (%v)", secondCalls.events)
		}
		if newCalls.passes[0] <= closedAtPass {
			t.Errorf("the new socket's handler ran in pass %d, the pass in which its number was taken over (%d): it got the old socket's event", newCalls.passes[0], closedAtPass)
		}
	})
	if !strings.Contains(tl.log.String(), "(gone)") {
		t.Errorf("trace does not show the dropped event:\n%s", tl.log.String())
	}
}

// TestPostFromManyGoroutines: every posted function runs exactly once,
// on the loop's goroutine (the race detector would see a function run
// elsewhere touching seen), in the order each goroutine posted, and the
// wake-up writes are coalesced.
func TestPostFromManyGoroutines(t *testing.T) {
	const goroutines, posts = 8, 10_000
	tl := startLoop(t, false, nil)
	seen := make([][]int, goroutines) // touched on the loop's goroutine only
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range posts {
				tl.Post(func() { seen[g] = append(seen[g], i) })
			}
		}()
	}
	wg.Wait()
	tl.onLoop(t, func() {
		for g, s := range seen {
			if len(s) != posts {
				t.Errorf("goroutine %d: %d of %d posted functions ran", g, len(s), posts)
				continue
			}
			for i, v := range s {
				if v != i {
					t.Errorf("goroutine %d: function %d ran in position %d", g, v, i)
					break
				}
			}
		}
	})
	writes := tl.wakeWrites.Load()
	t.Logf("%d posts, %d wake-up writes, %d passes", goroutines*posts, writes, tl.EventLoop.passes.Load())
	if writes > goroutines*posts/10 {
		t.Errorf("%d wake-up writes for %d posts: the writes are not coalesced", writes, goroutines*posts)
	}
}

// TestRepostingCannotStarveIO: a function that posts itself again runs
// once per pass, never twice in one, so a socket that becomes readable
// is served.
func TestRepostingCannotStarveIO(t *testing.T) {
	sock, peer := socketPair(t)
	var reposts atomic.Int64
	served := make(chan struct{})
	tl := startLoop(t, false, nil)
	lastPass := int64(-1)
	var again func()
	again = func() {
		if p := tl.EventLoop.passes.Load(); p == lastPass {
			t.Errorf("the reposted function ran twice in pass %d", p)
		} else {
			lastPass = p
		}
		reposts.Add(1)
		tl.Post(again)
	}
	tl.onLoop(t, func() {
		mustRegister(t, tl.EventLoop, sock, Readable, func(Events) {
			tl.Unregister(sock)
			close(served)
		})
		tl.Post(again)
	})
	testserver.WaitFor(t, 10*time.Second, "the function to have reposted itself 100 times", func() bool {
		return reposts.Load() >= 100
	})
	write(t, peer, "x")
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("a function reposting itself starved a readable socket")
	}
}

func TestStopFromAHandler(t *testing.T) {
	sock, peer := socketPair(t)
	l, err := NewEventLoop(&syncbuf.Buffer{}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	mustRegister(t, l, sock, Readable, func(Events) { l.Stop() })
	write(t, peer, "x")
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after a handler called Stop")
	}
}

func TestStopFromAnotherGoroutineWakesTheLoop(t *testing.T) {
	l, err := NewEventLoop(&syncbuf.Buffer{}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	asleep := make(chan struct{})
	l.Post(func() { close(asleep) })
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	<-asleep // the loop runs; with nothing registered it then waits forever
	l.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stop from another goroutine did not wake the loop")
	}
}

// TestIdleLoopSleeps: with nothing to do, the loop makes no passes.
func TestIdleLoopSleeps(t *testing.T) {
	sock, _ := socketPair(t)
	tl := startLoop(t, false, nil)
	tl.onLoop(t, func() { mustRegister(t, tl.EventLoop, sock, Readable, func(Events) {}) })
	before := tl.EventLoop.passes.Load()
	time.Sleep(300 * time.Millisecond) // a measurement window, not synchronisation
	if n := tl.EventLoop.passes.Load() - before; n > 1 {
		t.Errorf("an idle loop made %d passes in 300ms, want at most 1", n)
	}
}

// TestPeerLeavingReachesTheHandler: a peer that closes shows as readable
// (POLLIN, or POLLHUP, which counts as both), and the read returns 0; a
// handler waiting only to write gets Writable, and the write fails.
func TestPeerLeavingReachesTheHandler(t *testing.T) {
	reader, readerPeer := socketPair(t)
	writer, writerPeer := socketPair(t)
	got := make(chan string, 2)
	tl := startLoop(t, false, nil)
	tl.onLoop(t, func() {
		mustRegister(t, tl.EventLoop, reader, Readable, func(ready Events) {
			var buf [8]byte
			n, err := unix.Read(reader, buf[:])
			tl.Unregister(reader)
			got <- "reader: " + eventsString(ready) + ", read " + resultString(n, err)
		})
		// Fill the send buffer so that the writer waits for Writable.
		for {
			if _, err := unix.Write(writer, bytes.Repeat([]byte("x"), 4096)); err != nil {
				break
			}
		}
		mustRegister(t, tl.EventLoop, writer, Writable, func(ready Events) {
			n, err := unix.Write(writer, []byte("x"))
			tl.Unregister(writer)
			got <- "writer: " + eventsString(ready) + ", write " + resultString(n, err)
		})
	})
	unix.Close(readerPeer)
	unix.Close(writerPeer)
	want := map[string]bool{"reader: Readable, read 0": true, "writer: Writable, write broken pipe": true}
	for range 2 {
		select {
		case s := <-got:
			if !want[s] {
				t.Errorf("got %q, want one of %v", s, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a handler was not told that its peer left")
		}
	}
}

func eventsString(e Events) string {
	var s []string
	if e&Readable != 0 {
		s = append(s, "Readable")
	}
	if e&Writable != 0 {
		s = append(s, "Writable")
	}
	return strings.Join(s, "|")
}

func resultString(n int, err error) string {
	if err != nil {
		return err.Error()
	}
	return strconv.Itoa(n)
}

// TestNoEventsIsNotPolled: a descriptor registered with no events is left
// out of the wait, even when it has an error pending, so it cannot make
// the loop spin; asking for events again brings it back.
func TestNoEventsIsNotPolled(t *testing.T) {
	sock, peer := socketPair(t)
	var c calls
	tl := startLoop(t, false, nil)
	tl.onLoop(t, func() { mustRegister(t, tl.EventLoop, sock, 0, tl.recorder(&c)) })
	unix.Close(peer) // POLLHUP, which poll reports whatever was asked for
	before := tl.EventLoop.passes.Load()
	time.Sleep(200 * time.Millisecond) // a measurement window, not synchronisation
	if n := tl.EventLoop.passes.Load() - before; n > 1 {
		t.Errorf("the loop made %d passes in 200ms for a descriptor that waits for nothing", n)
	}
	tl.onLoop(t, func() {
		if len(c.events) != 0 {
			t.Errorf("handler ran %v with no events asked for", c.events)
		}
		tl.SetEvents(sock, Readable)
	})
	testserver.WaitFor(t, 10*time.Second, "the handler to run once Readable is asked for", func() bool {
		var n int
		tl.onLoop(t, func() {
			n = len(c.events)
			if n > 0 {
				tl.Unregister(sock)
			}
		})
		return n > 0
	})
}

func TestMisuseIsCaught(t *testing.T) {
	l, err := NewEventLoop(&syncbuf.Buffer{}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	sock, _ := socketPair(t)
	mustRegister(t, l, sock, Readable, func(Events) {})
	if err := l.Register(sock, Readable, "again", func(Events) {}); err == nil {
		t.Error("registering a descriptor twice: no error")
	}
	l.Unregister(sock)
	for name, f := range map[string]func(){
		"SetEvents on a descriptor not registered": func() { l.SetEvents(sock, Readable) },
		"Unregister twice":                         func() { l.Unregister(sock) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestClosedWithoutUnregister: a handler bug that closes a descriptor and
// leaves it registered is reported once and does not make the loop spin.
func TestClosedWithoutUnregister(t *testing.T) {
	tl := startLoop(t, false, nil)
	fds, err := newSocketPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[1]) })
	tl.onLoop(t, func() {
		mustRegister(t, tl.EventLoop, fds[0], Readable, func(Events) {})
		unix.Close(fds[0]) // the bug
	})
	testserver.WaitFor(t, 10*time.Second, "the loop to report the closed descriptor", func() bool {
		return strings.Contains(tl.log.String(), "closed without Unregister")
	})
	before := tl.EventLoop.passes.Load()
	time.Sleep(200 * time.Millisecond) // a measurement window, not synchronisation
	if n := tl.EventLoop.passes.Load() - before; n > 1 {
		t.Errorf("the loop made %d passes in 200ms after reporting", n)
	}
	if n := strings.Count(tl.log.String(), "closed without Unregister"); n != 1 {
		t.Errorf("reported %d times, want once", n)
	}
}

// TestNoLostWakeUp: each goroutine posts one function and waits for it
// to run before it posts the next, so no later Post can rescue a
// function whose wake-up was lost (TestPostFromManyGoroutines cannot see
// that: its last Post wakes the loop for all the others).
func TestNoLostWakeUp(t *testing.T) {
	const goroutines, rounds = 8, 5_000
	tl := startLoop(t, false, nil)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran := make(chan struct{}, 1)
			for i := range rounds {
				tl.Post(func() { ran <- struct{}{} })
				select {
				case <-ran:
				case <-time.After(5 * time.Second):
					t.Errorf("goroutine %d: post %d never ran: a lost wake-up", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestPipeWaker runs the loop with the self-pipe that macOS and the BSDs
// use instead of an eventfd, so that Linux tests it too.
func TestPipeWaker(t *testing.T) {
	w, err := newPipeWaker()
	if err != nil {
		t.Fatal(err)
	}
	l, err := newEventLoopWith(w, &syncbuf.Buffer{}, false)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	const posts = 10_000
	ran := make(chan int, posts)
	for i := range posts {
		l.Post(func() { ran <- i })
	}
	for i := range posts {
		select {
		case got := <-ran:
			if got != i {
				t.Fatalf("function %d ran in position %d", got, i)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d posted functions ran", i, posts)
		}
	}
	l.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l.Post(func() {}) {
		t.Error("Post after Close reported true")
	}
}

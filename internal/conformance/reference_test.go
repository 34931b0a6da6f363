package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// since lists the behaviours that a chapter brings: those the reference
// server has.
func since(chapter int) []Behaviour {
	var bs []Behaviour
	for _, b := range Behaviours() {
		if b.Since == chapter {
			bs = append(bs, b)
		}
	}
	return bs
}

func behaviour(t *testing.T, name string) Behaviour {
	t.Helper()
	for _, b := range Behaviours() {
		if b.Name == name && (b.Since == 3 || b.Since == 4) {
			return b
		}
	}
	t.Fatalf("the suite has no chapter 03 or 04 behaviour %q", name)
	return Behaviour{}
}

// refIdleTimeout is the reference server's idle timeout when it stands
// for chapter 04.
const refIdleTimeout = time.Second

// startReference starts the reference server, with the given flaws, to
// stand for a chapter: for 04, with an idle timeout that the target tells
// the suite.
func startReference(t *testing.T, chapter int, flaws ...string) Target {
	t.Helper()
	args := []string{"-flaws", strings.Join(flaws, ",")}
	var idle time.Duration
	if chapter >= 4 {
		idle = refIdleTimeout
		args = append(args, "-idle-timeout", idle.String())
	}
	s := testserver.Start(t, args...)
	return Target{Addr: s.Addr, Chapter: chapter, Process: s, Short: testing.Short(), IdleTimeout: idle}
}

// TestReferenceServerHasChapter03 runs each of chapter 03's behaviours
// against the reference server, which has them all: each can pass.
func TestReferenceServerHasChapter03(t *testing.T) { referenceHas(t, 3) }

// TestReferenceServerHasChapter04 does the same for chapter 04's, with an
// idle timeout.
func TestReferenceServerHasChapter04(t *testing.T) { referenceHas(t, 4) }

func referenceHas(t *testing.T, chapter int) {
	shared := startReference(t, chapter)
	for _, b := range since(chapter) {
		t.Run(b.Name, func(t *testing.T) {
			target := shared
			if b.EndsServer {
				target = startReference(t, chapter) // a server of its own: the check ends it
			}
			if o := Check(t.Context(), target, b); !o.OK() || o.Skipped() {
				t.Error(o)
			}
		})
	}
}

// TestChecksCatchFlaws runs each of chapter 03's and 04's behaviours
// against the reference server with a flaw that takes the behaviour away:
// each check must fail, and say why.
func TestChecksCatchFlaws(t *testing.T) {
	for _, tc := range []struct {
		flaw      string
		behaviour string
		want      string // in the check's error
	}{
		{flawCloseAlways, "keep-alive", "`Connection: close`"},
		{flawCloseExact, "keep-alive", "response 6 of 6: the 200 response has no `Connection: close`"},
		{flawCloseAlways, "pipelining", "`Connection: close`"},
		{flawCloseAlways, "pipelined-head-get", "`Connection: close`"},
		{flawHeadBody, "pipelined-head-get", "a HEAD response followed by body bytes?"},
		{flawCloseAlways, "pipelined-error-closes", "`Connection: close`"},
		{flawErrorKeeps, "pipelined-error-closes", "expected the connection to close, got"},
		{flawCloseAlways, "bytes-keep-alive", "`Connection: close`"},
		{flawCloseAlways, "http-1.0-keep-alive", "want keep-alive"},
		{flawHTTP10Silent, "http-1.0-keep-alive", "want keep-alive"},
		{flawCloseAlways, "pipelining-never-reader", "close"},
		{flawNoBackpressure, "pipelining-never-reader", "resident memory grew"},
		{flawCloseAlways, "graceful-shutdown", "no connection is kept idle"},
		{flawTermAbrupt, "graceful-shutdown", "was cut after SIGTERM"},
		{flawTermKeepsIdle, "graceful-shutdown", "the idle keep-alive connection: connection still open"},
		{flawTermListens, "graceful-shutdown", "new connections are still accepted"},

		{flawSleepNone, "sleep", "/sleep?ms=200 answered after"},
		{flawSleepAsync, "sleep", "response 1 of 5: got status 404, want 200"},
		{flawHeadBody, "sleep", "a body after the HEAD response?"},
		{flawSleepSerial, "sleep-concurrent", "concurrent /sleep?ms=300 within 1.5s failed"},
		{flawSleepRefusesMax, "sleep-bad-ms-400", "/sleep?ms=10000, the largest allowed, was answered at once with status 400"},
		{flawSleepLateFD, "sleep-client-leaves", "the answer to the sleeper, who left, written to the descriptor number"},
		{flawSleepHoldsFD, "sleep-client-leaves", "after a client reset its connection during /sleep?ms=10000: the server holds"},
		{flawSleepSerial, "sleep-keep-alive-1000", "keep-alive connections doing /sleep?ms=500 twice"},
		{flawSleepNone, "sleep-keep-alive-1000", "before its 500 ms were up"},
		{flawCloseAlways, "sleep-keep-alive-1000", "the response says `Connection: close`"},
		{flawIdleNever, "idle-timeout", "idle after one request: the connection is still open"},
		{flawIdleEarly, "idle-timeout", "too early: before"},
		{flawIdleFromAccept, "idle-timeout", "(does a complete request restart the idle timer?)"},
		{flawCloseAlways, "idle-timeout", "the server closes at once after a response"},
		{flawIdleNever, "slow-head-408", "the server never times out a client stuck in its head"},
		{flawIdleEarly, "slow-head-408", "408 after"},
		{flawTrickleResets, "slow-head-408", "a head trickled a byte every 100ms: no answer"},
		{flawSlowHeadSilent, "slow-head-408", "half a GET head: no 408 before the connection ended"},
		{flawHeadBody, "slow-head-408", "half a HEAD head: expected the connection to close, got 16 more bytes"},
	} {
		t.Run(tc.flaw+"/"+tc.behaviour, func(t *testing.T) {
			// Most of the time goes on waiting for what a flawed server
			// does not do: wait side by side.
			t.Parallel()
			b := behaviour(t, tc.behaviour)
			o := Check(t.Context(), startReference(t, b.Since, tc.flaw), b)
			switch {
			case o.Err == nil:
				t.Fatalf("the check passed against a server that is %s", tc.flaw)
			case o.Skipped():
				t.Fatal(o)
			case !strings.Contains(o.Err.Error(), tc.want):
				t.Errorf("the check failed with:\n%v\nwant it to say %q", o.Err, tc.want)
			default:
				t.Log(o.Err)
			}
		})
	}
}

package conformance

import (
	"strings"
	"testing"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// chapter03 names the behaviours that chapter 03 brings.
var chapter03 = func() []Behaviour {
	var bs []Behaviour
	for _, b := range Behaviours() {
		if b.Since == 3 {
			bs = append(bs, b)
		}
	}
	return bs
}()

func behaviour(t *testing.T, name string) Behaviour {
	t.Helper()
	for _, b := range chapter03 {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("the suite has no chapter 03 behaviour %q", name)
	return Behaviour{}
}

// startReference starts the reference server with the given flaws.
func startReference(t *testing.T, flaws ...string) Target {
	t.Helper()
	s := testserver.Start(t, "-flaws", strings.Join(flaws, ","))
	return Target{Addr: s.Addr, Chapter: 3, Process: s, Short: testing.Short()}
}

// TestReferenceServerHasChapter03 runs each of chapter 03's behaviours
// against the reference server, which has them all: each can pass.
func TestReferenceServerHasChapter03(t *testing.T) {
	shared := startReference(t)
	for _, b := range chapter03 {
		t.Run(b.Name, func(t *testing.T) {
			target := shared
			if b.EndsServer {
				target = startReference(t) // a server of its own: the check ends it
			}
			if o := Check(t.Context(), target, b); !o.OK() || o.Skipped() {
				t.Error(o)
			}
		})
	}
}

// TestChecksCatchFlaws runs each of chapter 03's behaviours against the
// reference server with a flaw that takes the behaviour away: each check
// must fail, and say why.
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
	} {
		t.Run(tc.flaw+"/"+tc.behaviour, func(t *testing.T) {
			// Most of the time goes on waiting for what a flawed server
			// does not do: wait side by side.
			t.Parallel()
			b := behaviour(t, tc.behaviour)
			o := Check(t.Context(), startReference(t, tc.flaw), b)
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

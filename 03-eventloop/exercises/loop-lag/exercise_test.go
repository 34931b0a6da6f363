//go:build exercise

package looplag_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

const (
	slowHandler = 200 * time.Millisecond
	warnSlow    = 50 * time.Millisecond
	warningForm = "eventloop: slow pass: took DURATION (over DURATION), ran NAME fd N, NAME fd N, ..."
)

var (
	warningLine = regexp.MustCompile(`^eventloop: slow pass: took (\S+) \(over (\S+)\), ran (.+)$`)
	handlerRan  = regexp.MustCompile(`^(\S+) fd (\d+)$`)
)

type warning struct {
	line       string
	took, over time.Duration
	ran        []string // the handlers' names
}

// warnings parses the slow-pass warnings in the server's output so far. A
// line that begins like one but does not have the form fails the test.
func warnings(t *testing.T, output string) []warning {
	t.Helper()
	complete := output[:strings.LastIndexByte(output, '\n')+1]
	var ws []warning
	for line := range strings.SplitSeq(complete, "\n") {
		if !strings.HasPrefix(line, "eventloop: slow pass") {
			continue
		}
		m := warningLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("the line\n\t%s\ndoes not have the form\n\t%s", line, warningForm)
		}
		w := warning{line: line}
		var err error
		if w.took, err = time.ParseDuration(m[1]); err != nil {
			t.Fatalf("in the line\n\t%s\n%q is not a duration as Go prints one (time.Duration's String)", line, m[1])
		}
		if w.over, err = time.ParseDuration(m[2]); err != nil {
			t.Fatalf("in the line\n\t%s\n%q is not a duration as Go prints one (time.Duration's String)", line, m[2])
		}
		for h := range strings.SplitSeq(m[3], ", ") {
			hm := handlerRan.FindStringSubmatch(h)
			if hm == nil {
				t.Fatalf("in the line\n\t%s\n%q does not name a handler as \"NAME fd N\"", line, h)
			}
			w.ran = append(w.ran, hm[1])
		}
		ws = append(ws, w)
	}
	return ws
}

// TestLoopLag starts the server with a handler that blocks the loop for
// 200ms and a warning threshold of 50ms. Fast requests must pass without a
// warning, even after the loop slept in poll for longer than 50ms; the
// slow one must be reported, with its handler and how long its pass took.
func TestLoopLag(t *testing.T) {
	bin := testserver.Build(t, "../..")
	testserver.RequireFlag(t, bin, "warn-slow")
	srv := testserver.StartBinary(t, bin, testserver.Options{Args: []string{
		"-slow-handler", slowHandler.String(), "-warn-slow", warnSlow.String()}})

	// Not synchronisation: an idle server waits in poll, and this wait is
	// longer than the threshold. Waiting for work is not lag, and must not
	// be counted as part of the next pass.
	time.Sleep(2 * warnSlow)
	for range 3 {
		if r := testserver.RoundTrip(t, srv.Addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); r.Status != 200 {
			t.Fatalf("GET /: status %d", r.Status)
		}
	}
	if r := testserver.RoundTrip(t, srv.Addr, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"); r.Status != 200 {
		t.Fatalf("GET /slow with -slow-handler: status %d, want 200", r.Status)
	}

	// The loop prints the warning at the end of the pass, which may come
	// just after the response has left.
	var ws []warning
	testserver.WaitFor(t, 10*time.Second, fmt.Sprintf("a line of the form\n\t%s\nafter GET /slow held the loop for %v", warningForm, slowHandler), func() bool {
		ws = warnings(t, srv.Output())
		for _, w := range ws {
			if w.took >= slowHandler {
				return true
			}
		}
		return false
	})
	var slow []warning
	for _, w := range ws {
		if w.took < slowHandler {
			t.Errorf("a pass without the slow handler was reported:\n\t%s\nonly passes that took longer than %v should be: measure from poll's return, since the time the loop waits in poll is not time it keeps anyone waiting", w.line, warnSlow)
			continue
		}
		slow = append(slow, w)
	}
	if len(slow) != 1 {
		t.Fatalf("want one warning for the pass that ran GET /slow, got %d:\n%s", len(slow), srv.Output())
	}
	w := slow[0]
	if w.over != warnSlow {
		t.Errorf("the warning says \"over %v\"; the threshold is -warn-slow %v:\n\t%s", w.over, warnSlow, w.line)
	}
	if !contains(w.ran, "conn") {
		t.Errorf("the warning names the handlers %q; want the one that slept, the connection's (\"conn\"), among them:\n\t%s", w.ran, w.line)
	}

	// A negative threshold is a bad flag.
	status, stderr := testserver.RunToExit(t, bin, "-warn-slow", "-1s", "-addr", "127.0.0.1:0")
	if status != 2 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("-warn-slow -1s: exit status %d, stderr %q; want status 2 and one line", status, stderr)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

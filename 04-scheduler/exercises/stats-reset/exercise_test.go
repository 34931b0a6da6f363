//go:build exercise

package statsreset_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

const (
	get      = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	getStats = "GET /stats HTTP/1.1\r\nHost: localhost\r\n\r\n"
)

var statsLine = regexp.MustCompile(`^requests this period: (\d+), last period: (\d+)\n$`)

type stats struct{ this, last int }

// TestStatsReset checks what GET /stats counts on a fresh server with the
// default period, then, with a short period, that the counts roll over
// again and again: "this period" starts again from 0, and what it had
// counted becomes "last period".
func TestStatsReset(t *testing.T) {
	bin := testserver.Build(t, "../..")
	testserver.RequireFlag(t, bin, "stats-period")

	// The default period is 10 s: this part of the test ends long before.
	srv := testserver.StartBinary(t, bin, testserver.Options{})
	if s := askStats(t, srv.Addr); s != (stats{0, 0}) {
		t.Fatalf("a fresh server's /stats says %+v; want 0 this period (nothing was answered before it) and 0 last period (there was none)", s)
	}
	if resp := testserver.RoundTrip(t, srv.Addr, get); resp.Status != 200 {
		t.Fatalf("GET /: status %d, want 200", resp.Status)
	}
	if s := askStats(t, srv.Addr); s != (stats{2, 0}) {
		t.Fatalf("after /stats and GET /, /stats says %+v; want 2 this period (the first /stats counts once answered) and 0 last period", s)
	}

	// A short period. A burst of requests, pipelined in one write with a
	// /stats behind them: the server answers them in one go.
	const period, burst = 500 * time.Millisecond, 50
	srv = testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-stats-period", period.String()}})
	c := testserver.Dial(t, srv.Addr)
	if _, err := io.WriteString(c, strings.Repeat(get, burst)+getStats); err != nil {
		t.Fatal(err)
	}
	// One reader for all the answers: they arrive together.
	r := bufio.NewReader(c)
	for i := range burst {
		if resp := readResponse(t, r); resp.Status != 200 {
			t.Fatalf("response %d of the burst: status %d, want 200", i+1, resp.Status)
		}
	}
	first := readStats(t, readResponse(t, r))
	c.Close()
	if first.this == 0 || first.this+first.last < burst {
		t.Fatalf("after %d requests, /stats says %+v: want them counted this period (or, if a period ended during the burst, some of them in the last one)", burst, first)
	}

	// Then ask for /stats until the counters have been seen to roll over
	// twice. Between two rollovers, each /stats counts the one before
	// it, so "this period" grows; when it does not, a period has ended.
	var (
		seen             []stats
		resets, grows    int
		burstMovedToLast bool
	)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("with -stats-period %v, /stats said, in turn: %s", period, summary(seen))
		}
	})
	testserver.WaitFor(t, 15*time.Second, fmt.Sprintf("/stats to say: \"last period\" %d or more (this period's count when the burst was answered), and \"this period\" going back down at least twice (the counters roll over every period, on a timer that fires again and again) and growing in between", first.this), func() bool {
		s := askStats(t, srv.Addr)
		if n := len(seen); n > 0 {
			if s.this > seen[n-1].this {
				grows++
			} else {
				resets++
			}
		}
		if s.last >= first.this {
			burstMovedToLast = true
		}
		seen = append(seen, s)
		return burstMovedToLast && resets >= 2 && grows >= 1
	})
	t.Logf("with -stats-period %v, /stats said: %s", period, summary(seen))

	for _, bad := range []string{"0", "-1s"} {
		status, stderr := testserver.RunToExit(t, bin, "-stats-period", bad, "-addr", "127.0.0.1:0")
		if status != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "stats-period") {
			t.Errorf("-stats-period %s: exit status %d, stderr %q; want status 2 and one line that names -stats-period", bad, status, stderr)
		}
	}
}

// askStats asks for /stats on a new connection.
func askStats(t *testing.T, addr string) stats {
	t.Helper()
	return readStats(t, testserver.RoundTrip(t, addr, getStats))
}

func readStats(t *testing.T, resp testserver.Response) stats {
	t.Helper()
	if resp.Status != 200 {
		t.Fatalf("GET /stats: status %d, want 200 (body %q)", resp.Status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("GET /stats: Content-Type %q, want text/plain", ct)
	}
	m := statsLine.FindStringSubmatch(resp.Body)
	if m == nil {
		t.Fatalf("GET /stats answered %q; want one line: \"requests this period: N, last period: M\\n\"", resp.Body)
	}
	this, _ := strconv.Atoi(m[1])
	last, _ := strconv.Atoi(m[2])
	return stats{this, last}
}

// readResponse reads one response, and its body, from r.
func readResponse(t *testing.T, r *bufio.Reader) testserver.Response {
	t.Helper()
	resp, err := http.ReadResponse(r, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading a response's body: %v", err)
	}
	return testserver.Response{Status: resp.StatusCode, Header: resp.Header, Close: resp.Close, Body: string(body)}
}

// summary shows what /stats said, one run of growing counts at a time:
// "0/0…4/0, 0/5…" (this period/last period).
func summary(seen []stats) string {
	var b strings.Builder
	for i, s := range seen {
		switch {
		case i == 0:
		case s.this <= seen[i-1].this: // a new period
			b.WriteString(", ")
		case i+1 < len(seen) && seen[i+1].this > s.this:
			continue // inside a run
		default:
			b.WriteString("…")
		}
		fmt.Fprintf(&b, "%d/%d", s.this, s.last)
	}
	return b.String() + " (this period/last period)"
}

//go:build exercise

package sleepall_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

func get(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
}

// TestSleepAll asks the server for several delays in one /sleep, and
// checks that they run together: the answer comes after the longest,
// well before their sum. A bad list is a 400, and the single ms=N works
// as it did.
func TestSleepAll(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{})

	// The four delays add up to 1400 ms; the longest is 500 ms, and
	// neither the first nor the last is alone the longest.
	c := testserver.Dial(t, srv.Addr)
	request := get("/sleep?ms=100,500,300,500")
	start := time.Now()
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	resp := testserver.ReadResponse(t, c, request)
	took := time.Since(start)
	if want := "slept 100,500,300,500 ms\n"; resp.Status != 200 || resp.Body != want {
		t.Fatalf("/sleep?ms=100,500,300,500: status %d, body %q; want 200 and %q", resp.Status, resp.Body, want)
	}
	if took < 500*time.Millisecond {
		t.Fatalf("/sleep?ms=100,500,300,500 was answered after %v, before the longest delay (500 ms) was done", took.Round(time.Millisecond))
	}
	if took >= 1400*time.Millisecond {
		t.Fatalf("/sleep?ms=100,500,300,500 was answered after %v: the delays ran one after the other (1400 ms in all); want them all at once, done when the longest is (500 ms)", took.Round(time.Millisecond))
	}
	t.Logf("/sleep?ms=100,500,300,500 answered after %v", took.Round(time.Millisecond))

	// The connection stays open, and one delay is a list of one.
	request = get("/sleep?ms=50")
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	if resp := testserver.ReadResponse(t, c, request); resp.Status != 200 || resp.Body != "slept 50 ms\n" || resp.Close {
		t.Fatalf("/sleep?ms=50 after a list, on the same connection: status %d, body %q, close %v; want 200, %q, and the connection kept open", resp.Status, resp.Body, resp.Close, "slept 50 ms\n")
	}

	start = time.Now()
	if resp := testserver.RoundTrip(t, srv.Addr, get("/sleep?ms=0,0,0")); resp.Status != 200 || resp.Body != "slept 0,0,0 ms\n" {
		t.Fatalf("/sleep?ms=0,0,0: status %d, body %q; want 200 and %q", resp.Status, resp.Body, "slept 0,0,0 ms\n")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("/sleep?ms=0,0,0 was answered after %v; want at once", took.Round(time.Millisecond))
	}
	ten := strings.TrimSuffix(strings.Repeat("1,", 10), ",")
	if resp := testserver.RoundTrip(t, srv.Addr, get("/sleep?ms="+ten)); resp.Status != 200 {
		t.Fatalf("/sleep?ms=%s (ten delays, the most allowed): status %d, want 200", ten, resp.Status)
	}
	head := "HEAD /sleep?ms=20,10 HTTP/1.1\r\nHost: localhost\r\n\r\n"
	if resp := testserver.RoundTrip(t, srv.Addr, head); resp.Status != 200 || resp.Body != "" {
		t.Fatalf("HEAD /sleep?ms=20,10: status %d, body %q; want 200 and no body", resp.Status, resp.Body)
	}

	eleven := ten + ",1"
	for _, q := range []string{"1,", ",1", "1,,2", "1,x", "1,-2", "1,+2", "1, 2", "1%2C2", "1,10001", "10000,99999999999999999999", eleven} {
		target := "/sleep?ms=" + strings.ReplaceAll(q, " ", "%20")
		if resp := testserver.RoundTrip(t, srv.Addr, get(target)); resp.Status != 400 {
			t.Errorf("%s: status %d, want 400: %s", target, resp.Status, whyBad(q, eleven))
		}
	}
}

func whyBad(q, eleven string) string {
	if q == eleven {
		return "eleven delays, one more than allowed"
	}
	return fmt.Sprintf("%q is not a list of plain numbers from 0 to 10000, separated by single commas", q)
}

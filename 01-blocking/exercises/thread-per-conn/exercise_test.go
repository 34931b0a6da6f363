//go:build exercise

package threadperconn_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// TestThreadPerConn builds the chapter as it is in ../.., starts it with
// -thread-per-conn, and checks that it passes the conformance suite's
// checks that chapter 01 fails on purpose (the ones chapter 02 passes
// with a single thread), and what that costs: a thread per blocked client.
func TestThreadPerConn(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-thread-per-conn"}})
	target := conformance.Target{Addr: srv.Addr, Chapter: 1, Process: srv, Short: testing.Short()}

	// First, while the server is fresh: the runtime keeps idle threads
	// for reuse, so after the checks below the count says little.
	t.Run("one-thread-per-blocked-client", func(t *testing.T) {
		if _, err := srv.Threads(); err != nil {
			t.Skip(err)
		}
		const stalled = 50
		const halfHead = "GET / HTTP/1.1\r\nHost: loc"
		conns := make([]net.Conn, stalled)
		for i := range conns {
			conns[i] = testserver.Dial(t, srv.Addr)
			if _, err := io.WriteString(conns[i], halfHead); err != nil {
				t.Fatal(err)
			}
		}
		// Every stalled client has a goroutine blocked in read(2), and
		// each of those holds a thread of its own.
		var threads int
		testserver.WaitFor(t, 10*time.Second, "a thread for each of the stalled clients", func() bool {
			threads, _ = srv.Threads()
			return threads >= stalled
		})
		t.Logf("%d stalled clients, %d server threads", stalled, threads)
		for i, c := range conns {
			if _, err := io.WriteString(c, "alhost\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			if resp := testserver.ReadResponse(t, c, halfHead); resp.Status != 200 {
				t.Errorf("client %d finished its request and got status %d, want 200", i, resp.Status)
			}
		}
	})

	// Everything chapter 01 does must still hold with a thread per
	// connection (closing, lingering, no leaks), and on top of it the two
	// checks that chapter 01 fails on purpose.
	checks := map[string]bool{"stalled-client-does-not-block": false, "many-half-heads": false}
	for _, b := range conformance.Behaviours() {
		if _, ok := checks[b.Name]; ok {
			checks[b.Name] = true
		} else if b.Since > 1 {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			o := conformance.Check(t.Context(), target, b)
			if errors.Is(o.Err, conformance.ErrSkip) {
				t.Skip(o.Err)
			}
			if o.Err != nil {
				t.Fatalf("want: %s\ngot: %v", b.Doc, o.Err)
			}
		})
	}
	for name, ran := range checks {
		if !ran {
			t.Errorf("the conformance suite has no behaviour %q any more: update this test", name)
		}
	}
}

//go:build exercise

package maxconns_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

const (
	maxConns = 3
	get      = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
)

// TestMaxConns fills the server with idle connections and checks what a
// client beyond the cap is told, that the server meanwhile serves the
// clients it has, and that a freed place goes to a new client.
func TestMaxConns(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-max-conns", "3"}})

	// Connected, silent clients. The server accepts them in the order they
	// connected, so they are open before any client that comes after.
	idle := make([]net.Conn, maxConns)
	for i := range idle {
		idle[i] = testserver.Dial(t, srv.Addr)
	}

	for i := range 3 {
		c := testserver.Dial(t, srv.Addr)
		if _, err := io.WriteString(c, get); err != nil {
			t.Fatal(err)
		}
		resp := testserver.ReadResponse(t, c, get)
		if resp.Status != 503 {
			t.Fatalf("client %d beyond the cap of %d got status %d, want 503", i+1, maxConns, resp.Status)
		}
		if got := resp.Header.Values("Retry-After"); len(got) != 1 || got[0] != "1" {
			t.Errorf("the 503 has Retry-After %q, want exactly one: \"Retry-After: 1\"", got)
		}
		if !resp.Close {
			t.Error("the 503 has no \"Connection: close\", but the server closes after it")
		}
		// At once: the server does not wait for the client to go first.
		if err := c.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("after the 503, want the server to close the connection (EOF) at once, got %v", err)
		}
		c.Close()
	}

	// The clients that got in are still served.
	if _, err := io.WriteString(idle[0], get); err != nil {
		t.Fatal(err)
	}
	if resp := testserver.ReadResponse(t, idle[0], get); resp.Status != 200 {
		t.Fatalf("a client inside the cap got status %d, want 200", resp.Status)
	}
	idle[0].Close()

	// Its place is free once the server has seen it close: a new client
	// gets in, though it may take a retry or two to get there.
	testserver.WaitFor(t, 10*time.Second, "a new client to be served after a place was freed", func() bool {
		return testserver.RoundTrip(t, srv.Addr, get).Status == 200
	})
}

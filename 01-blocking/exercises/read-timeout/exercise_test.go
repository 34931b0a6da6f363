//go:build exercise

package readtimeout_test

import (
	"io"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// readTimeout is short, to keep the test quick, and long enough that the
// server cannot meet it by accident.
const readTimeout = 500 * time.Millisecond

// TestStalledClientTimesOut: client A sends half a request head and
// stops. With -read-timeout, the server answers A with 408 once the
// timeout passes, and then serves client B, who was queued behind A.
func TestStalledClientTimesOut(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-read-timeout", readTimeout.String()}})

	const halfHeadA = "GET / HTTP/1.1\r\nHost: loc"
	start := time.Now()
	a := testserver.Dial(t, srv.Addr)
	if _, err := io.WriteString(a, halfHeadA); err != nil {
		t.Fatal(err)
	}
	// B connects after A, so it is behind A in the listen backlog.
	const requestB = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	b := testserver.Dial(t, srv.Addr)
	if _, err := io.WriteString(b, requestB); err != nil {
		t.Fatal(err)
	}

	respA := testserver.ReadResponse(t, a, halfHeadA)
	waited := time.Since(start)
	if respA.Status != 408 {
		t.Fatalf("the stalled client got status %d, want 408 (body %q)", respA.Status, respA.Body)
	}
	if !respA.Close {
		t.Error("the 408 has no \"Connection: close\", but the server closes after it")
	}
	if waited < readTimeout {
		t.Errorf("the 408 came after %v, before the %v timeout had passed", waited.Round(time.Millisecond), readTimeout)
	}
	if _, err := a.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("after the 408, want the server to close the connection (EOF), got %v", err)
	}
	a.Close() // lets the server stop waiting for A and move on at once

	respB := testserver.ReadResponse(t, b, requestB)
	if respB.Status != 200 {
		t.Errorf("the client queued behind the stalled one got status %d, want 200", respB.Status)
	}
}

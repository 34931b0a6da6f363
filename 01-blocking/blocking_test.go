package main

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// TestOneClientBlocksTheNext proves the flaw that chapter 02 fixes: while
// client A has sent half a request, client B's complete request waits,
// and it is answered only once A has finished.
func TestOneClientBlocksTheNext(t *testing.T) {
	s := testserver.Start(t)
	a := testserver.Dial(t, s.Addr)
	if _, err := io.WriteString(a, "GET / HTTP/1.0\r\n"); err != nil {
		t.Fatal(err)
	}
	// A connected first, so it is first in the listen backlog and accept
	// takes it first: from then on the server is stuck in read on A.
	b := testserver.Dial(t, s.Addr)
	if _, err := io.WriteString(b, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	bReader := bufio.NewReader(b)
	bAnswered := make(chan error, 1)
	go func() {
		_, err := bReader.ReadString('\n')
		bAnswered <- err
	}()
	select {
	case err := <-bAnswered:
		t.Fatalf("B was answered (err %v) while A was still sending its request: 01 should block", err)
	case <-time.After(500 * time.Millisecond): // the flaw, observed for half a second
	}
	if _, err := io.WriteString(a, "\r\n"); err != nil {
		t.Fatal(err)
	}
	status, err := bufio.NewReader(a).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 200 ") {
		t.Fatalf("A: got %q, %v", status, err)
	}
	a.Close() // lets the server finish its lingering close at once
	select {
	case err := <-bAnswered:
		if err != nil {
			t.Fatalf("B, after A finished: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("B was not answered after A finished")
	}
}

// TestFINFollowsTheResponse: the server shuts down its sending side right
// after the response and only then lingers, so a client that reads until
// EOF is not kept waiting for the linger.
func TestFINFollowsTheResponse(t *testing.T) {
	s := testserver.Start(t)
	c := testserver.Dial(t, s.Addr)
	start := time.Now()
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(c); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > lingerTimeout/2 {
		t.Errorf("EOF came %v after the request: the FIN waited for the linger", d)
	}
}

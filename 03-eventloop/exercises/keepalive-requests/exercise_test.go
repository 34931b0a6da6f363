//go:build exercise

package keepaliverequests_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

const get = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"

// TestKeepaliveRequests starts the server with -max-requests 3 and checks
// that a connection gets three answers, the last of them saying
// "Connection: close", then its end: asked one request at a time, and
// asked four at once. Without the flag, there is no limit.
func TestKeepaliveRequests(t *testing.T) {
	bin := testserver.Build(t, "../..")
	testserver.RequireFlag(t, bin, "max-requests")
	srv := testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-max-requests", "3"}})

	// One request at a time, each sent after the answer to the one before.
	c := testserver.Dial(t, srv.Addr)
	r := bufio.NewReader(c)
	for i := 1; i <= 3; i++ {
		if _, err := io.WriteString(c, get); err != nil {
			t.Fatalf("sending request %d: %v", i, err)
		}
		checkResponse(t, r, i, 3)
	}
	expectEOF(t, c, r, "after the third response")

	// A new connection counts from 1 again. Four requests in one write:
	// three are answered, and the fourth is never read as a request.
	c = testserver.Dial(t, srv.Addr)
	r = bufio.NewReader(c)
	if _, err := io.WriteString(c, strings.Repeat(get, 4)); err != nil {
		t.Fatalf("sending four pipelined requests: %v", err)
	}
	for i := 1; i <= 3; i++ {
		checkResponse(t, r, i, 3)
	}
	expectEOF(t, c, r, "after the third of four pipelined requests (a new connection starts counting at 1)")

	// Without the flag: no limit.
	srv = testserver.StartBinary(t, bin, testserver.Options{})
	c = testserver.Dial(t, srv.Addr)
	r = bufio.NewReader(c)
	for i := 1; i <= 5; i++ {
		if _, err := io.WriteString(c, get); err != nil {
			t.Fatalf("without -max-requests, sending request %d: %v", i, err)
		}
		if resp := readResponse(t, r, i); resp.Close {
			t.Fatalf("without -max-requests, response %d says \"Connection: close\"; 0, the default, means no limit", i)
		}
	}

	// A negative limit is a bad flag.
	status, stderr := testserver.RunToExit(t, bin, "-max-requests", "-1", "-addr", "127.0.0.1:0")
	if status != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "max-requests") {
		t.Errorf("-max-requests -1: exit status %d, stderr %q; want status 2 and one line that names -max-requests", status, stderr)
	}
}

// checkResponse reads the answer to request i of a connection allowed max.
func checkResponse(t *testing.T, r *bufio.Reader, i, max int) {
	t.Helper()
	resp := readResponse(t, r, i)
	switch {
	case resp.StatusCode != 200:
		t.Fatalf("response %d: status %d, want 200", i, resp.StatusCode)
	case i < max && resp.Close:
		t.Fatalf("with -max-requests %d, response %d says \"Connection: close\"; only response %d should", max, i, max)
	case i == max && !resp.Close:
		t.Fatalf("with -max-requests %d, response %d must say \"Connection: close\": it is the connection's last", max, i)
	}
}

// readResponse reads one response and its body from r, which is kept
// across responses: pipelined answers arrive together.
func readResponse(t *testing.T, r *bufio.Reader, i int) *http.Response {
	t.Helper()
	resp, err := http.ReadResponse(r, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("reading response %d: %v", i, err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("reading the body of response %d: %v", i, err)
	}
	resp.Body.Close()
	return resp
}

// expectEOF checks that the server closes the connection at once.
func expectEOF(t *testing.T, c net.Conn, r *bufio.Reader, when string) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	b, err := r.ReadByte()
	switch {
	case err == nil:
		rest, _ := r.Peek(r.Buffered())
		t.Fatalf("%s, want the server to close the connection, but it sent more: %q", when, append([]byte{b}, rest...))
	case !errors.Is(err, io.EOF):
		t.Fatalf("%s, want the server to close the connection (EOF) within 2s, got %v", when, err)
	}
}

//go:build exercise

package serverheader_test

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// TestServerHeader builds the chapter as it is in ../.. and checks that
// every kind of response it sends carries "Server: 01-blocking".
func TestServerHeader(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{})

	for _, tc := range []struct {
		name       string
		request    string
		wantStatus int
	}{
		{"the greeting", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 200},
		{"a path that does not exist", "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n", 404},
		{"a malformed request", "NOT A REQUEST\r\n\r\n", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := roundTrip(t, srv.Addr, tc.request)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if got := resp.Header.Values("Server"); len(got) != 1 || got[0] != "01-blocking" {
				t.Errorf("Server headers %q, want exactly one: \"Server: 01-blocking\"", got)
			}
		})
	}
}

// roundTrip sends raw request bytes and reads one response.
func roundTrip(t *testing.T, addr, request string) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response to %q: %v", request, err)
	}
	return resp
}

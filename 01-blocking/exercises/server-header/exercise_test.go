//go:build exercise

package serverheader_test

import (
	"testing"

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
			resp := testserver.RoundTrip(t, srv.Addr, tc.request)
			if resp.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.Status, tc.wantStatus)
			}
			if got := resp.Header.Values("Server"); len(got) != 1 || got[0] != "01-blocking" {
				t.Errorf("Server headers %q, want exactly one: \"Server: 01-blocking\"", got)
			}
		})
	}
}

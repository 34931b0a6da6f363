package conformance

import (
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"
)

// TestGaveUpOnNonReader: a close is forgiven only once the client has
// taken nothing for longer than the server's idle timeout.
func TestGaveUpOnNonReader(t *testing.T) {
	target := Target{IdleTimeout: time.Second}
	reset := fmt.Errorf("response 47 of 101: %w", fmt.Errorf("read: %w", syscall.ECONNRESET))
	for _, tc := range []struct {
		err     error
		elapsed time.Duration
		want    bool
	}{
		{reset, 1500 * time.Millisecond, true},
		{fmt.Errorf("body: %w", io.ErrUnexpectedEOF), time.Second, true},
		{reset, 900 * time.Millisecond, false},             // too soon: the server gave up early
		{fmt.Errorf("got status 500"), time.Minute, false}, // not a close
	} {
		if got := gaveUpOnNonReader(tc.err, tc.elapsed, target); got != tc.want {
			t.Errorf("%v after %v: %v, want %v", tc.err, tc.elapsed, got, tc.want)
		}
	}
}

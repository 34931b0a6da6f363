package driver

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Without wrk the driver says how to get it, before building anything.
func TestRunWithoutWrk(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, _, err := Run(context.Background(), Config{Root: "../../..", ResultsDir: t.TempDir()})
	if !errors.Is(err, ErrNoWrk) {
		t.Fatalf("Run without wrk = %v, want ErrNoWrk", err)
	}
	for _, how := range []string{"apt-get install wrk", "brew install wrk"} {
		if !strings.Contains(err.Error(), how) {
			t.Errorf("the error %q does not say %q", err, how)
		}
	}
}

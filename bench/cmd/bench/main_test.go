package main

import (
	"bytes"
	"strings"
	"testing"
)

// The command exits 2, in one line saying how to install wrk, when wrk
// is missing: make bench then fails with that line, not a stack trace.
func TestExitsTwoWithoutWrk(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out, errOut bytes.Buffer
	if code := run([]string{"-root", "../../..", "-results", t.TempDir()}, &out, &errOut); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if lines := strings.Split(strings.TrimSpace(errOut.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "apt-get install wrk") {
		t.Errorf("stderr = %q, want one line saying how to install wrk", errOut.String())
	}
}

func TestBadFlagsExitTwo(t *testing.T) {
	for _, args := range [][]string{{"-ch", "x"}, {"-ch", "9"}, {"-ch", "2,9"}, {"-peers", "bogus"}, {"-peers", "gnet-1,nope"},
		{"-scenario", "idel"}, {"-nonsense"}} {
		var out, errOut bytes.Buffer
		args = append([]string{"-root", "../../..", "-results", t.TempDir()}, args...)
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("%q: exit status %d, want 2", args, code)
		}
	}
}

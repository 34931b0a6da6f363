package main

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},                              // no -chapter
		{"-chapter", "x"},               // not a number
		{"-chapter", "0"},               // out of range
		{"-chapter", "08"},              // out of range
		{"-chapter", "01", "-run", "("}, // bad regexp
		{"-chapter", "01", "-bogus"},
		{"-chapter", "01", "extra"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, &stdout, &stderr)
		if code != 2 {
			t.Errorf("%q: exit status %d, want 2", args, code)
		}
		if lines := strings.Count(stderr.String(), "\n"); lines != 1 || !strings.HasPrefix(stderr.String(), "check: ") {
			t.Errorf("%q: want a one-line error on stderr, got %q", args, stderr.String())
		}
		if stdout.Len() > 0 {
			t.Errorf("%q: printed %q on stdout", args, stdout.String())
		}
	}
}

func TestNoServer(t *testing.T) {
	// A port that was just free: nothing listens on it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-addr", addr, "-chapter", "01"}, &stdout, &stderr); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if !strings.HasPrefix(stderr.String(), "check: no server at "+addr) || stdout.Len() > 0 {
		t.Errorf("stdout %q, stderr %q: want only an error saying there is no server", stdout.String(), stderr.String())
	}
}

// TestAgainstChapter01 runs a few behaviours against the real chapter 01,
// judged first as chapter 01 (it blocks, as it should) and then as
// chapter 02 (it blocks, and should not).
func TestAgainstChapter01(t *testing.T) {
	s := testserver.StartBinary(t, testserver.Build(t, "../../../../01-blocking"), testserver.Options{})
	only := "^(get-root|not-found|stalled-client-does-not-block|no-fd-leak)$"
	for _, tc := range []struct {
		chapter string
		code    int
		want    []string // line prefixes, in order
	}{
		{"01", 0, []string{
			"PASS  get-root",
			"PASS  not-found",
			"SKIP  no-fd-leak: ",
			"PASS  stalled-client-does-not-block (lacks it, as chapter 01 should: ",
			"3 passed, 0 failed, 1 skipped",
		}},
		{"02", 1, []string{
			"PASS  get-root",
			"PASS  not-found",
			"SKIP  no-fd-leak: ",
			"FAIL  stalled-client-does-not-block: ",
			"2 passed, 1 failed, 1 skipped",
		}},
	} {
		t.Run("chapter "+tc.chapter, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"-addr", s.Addr, "-chapter", tc.chapter, "-short", "-run", only}, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit status %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tc.want), stdout.String())
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d is %q, want it to start with %q", i+1, lines[i], want)
				}
			}
		})
	}
}

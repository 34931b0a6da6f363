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
		{"-chapter", "04", "-idle-timeout", "soon"},
		{"-chapter", "04", "-idle-timeout", "0s"},
		{"-chapter", "04", "-idle-timeout", "-1s"},
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

// TestAgainstTheChapters runs a few behaviours against the real chapters
// 01 and 02, judged by chapter 01 or 02: a server that blocks fails as
// chapter 02, and one that does not block passes as chapter 01, being
// ahead of it.
func TestAgainstTheChapters(t *testing.T) {
	addrs := map[string]string{}
	for _, dir := range []string{"01-blocking", "02-poll"} {
		addrs[dir] = testserver.StartBinary(t, testserver.Build(t, "../../../../"+dir), testserver.Options{}).Addr
	}
	only := "^(get-root|not-found|stalled-client-does-not-block|no-fd-leak)$"
	for _, tc := range []struct {
		server  string
		chapter string
		code    int
		want    []string // line prefixes, in order
	}{
		{"01-blocking", "01", 0, []string{
			"PASS  get-root",
			"PASS  not-found",
			"SKIP  no-fd-leak: ",
			"PASS  stalled-client-does-not-block (lacks it, as chapter 01 should: ",
			"3 passed, 0 failed, 1 skipped",
		}},
		{"01-blocking", "02", 1, []string{
			"PASS  get-root",
			"PASS  not-found",
			"SKIP  no-fd-leak: ",
			"FAIL  stalled-client-does-not-block: ",
			"2 passed, 1 failed, 1 skipped",
		}},
		{"02-poll", "01", 0, []string{
			"PASS  get-root",
			"PASS  not-found",
			"SKIP  no-fd-leak: ",
			"PASS  stalled-client-does-not-block (ahead: arrives in chapter 02)",
			"3 passed, 0 failed, 1 skipped",
		}},
	} {
		t.Run(tc.server+" as chapter "+tc.chapter, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := []string{"-addr", addrs[tc.server], "-chapter", tc.chapter, "-short", "-run", only}
			code := run(t.Context(), args, &stdout, &stderr)
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

// TestIdleTimeoutFlag: -idle-timeout tells the suite the server's idle
// timeout. Chapter 04 closes an idle connection after its 1s: right for
// a suite told 1s, too early for one told 3s.
func TestIdleTimeoutFlag(t *testing.T) {
	addr := testserver.StartBinary(t, testserver.Build(t, "../../../../04-scheduler"),
		testserver.Options{Args: []string{"-idle-timeout", "1s"}}).Addr
	for _, tc := range []struct {
		flag string
		code int
		want string
	}{
		{"1s", 0, "PASS  idle-timeout"},
		{"3s", 1, "FAIL  idle-timeout: "},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			args := []string{"-addr", addr, "-chapter", "04", "-idle-timeout", tc.flag, "-run", "^idle-timeout$"}
			if code := run(t.Context(), args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit status %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), tc.want) {
				t.Errorf("got:\n%s\nwant a line that starts with %q", stdout.String(), tc.want)
			}
			if tc.code != 0 && !strings.Contains(stdout.String(), "idle timeout of 3s") {
				t.Errorf("got:\n%s\nwant it to say the server closed too early", stdout.String())
			}
		})
	}
}

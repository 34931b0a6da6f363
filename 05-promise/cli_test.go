package main

import (
	"net"
	"strings"
	"testing"
)

// TestCommandLineErrors: bad flags and unusable addresses get one line on
// stderr and a non-zero status, never a stack trace.
func TestCommandLineErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	tests := []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-addr", "8080"}, 2, "want host:port"},
		{[]string{"-addr", "127.0.0.1:http"}, 2, "port must be a number"},
		{[]string{"-addr", "127.0.0.1:65536"}, 2, "port must be a number"},
		{[]string{"-addr", "example.com:80"}, 2, "host must be an IP address or localhost"},
		{[]string{"-addr", "::1:80"}, 2, "IPv6 address in brackets"},
		{[]string{"-addr", busy.Addr().String()}, 1, "address already in use"},
	}
	for _, tt := range tests {
		var stdout, stderr strings.Builder
		status := run(tt.args, &stdout, &stderr)
		if status != tt.status || !strings.Contains(stderr.String(), tt.want) ||
			strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), name+": ") {
			t.Errorf("run(%q) = %d, stderr %q; want %d and one line containing %q",
				tt.args, status, stderr.String(), tt.status, tt.want)
		}
	}
	var stdout, stderr strings.Builder
	if status := run([]string{"-h"}, &stdout, &stderr); status != 0 || !strings.Contains(stdout.String(), "-addr") {
		t.Errorf("run(-h) = %d, stdout %q: want 0 and the flags", status, stdout.String())
	}
}

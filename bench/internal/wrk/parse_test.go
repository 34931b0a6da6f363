package wrk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures are real wrk 4.1.0 reports, captured against the chapters
// and against servers built to fail (see each case).
func TestParse(t *testing.T) {
	tests := []struct {
		file string
		want Result
		good float64
	}{
		// 03 with keep-alive: no error lines at all.
		{"keepalive.txt", Result{Requests: 53018, Seconds: 1.01, RPS: 52657.51, Bytes: 8587837,
			P50: 1280, P75: 1760, P90: 2480, P99: 5330}, 52657.51},
		// Every response a 404: as many requests as ever, none of them good.
		{"non2xx.txt", Result{Requests: 60870, Seconds: 1.01, RPS: 60527.11, Bytes: 8828938,
			P50: 1160, P75: 1490, P90: 2050, P99: 3690, Non2xx: 60870}, 0},
		// /sleep?ms=1500 under --timeout 1s: every request a timeout.
		{"timeouts.txt", Result{Requests: 10, Seconds: 2.01, RPS: 4.98, Bytes: 1310, Timeouts: 10}, 4.98},
		// A server that reads and closes without answering.
		{"read-errors.txt", Result{Seconds: 1, ReadErrors: 22795}, 0},
		// Chapter 01 (one client at a time) under 1000 connections; latency
		// in milliseconds, over 100 ms at p99.
		{"blocking-c1000.txt", Result{Requests: 25908, Seconds: 2.05, RPS: 12667.39, Bytes: 4718592,
			P50: 74640, P75: 84970, P90: 92580, P99: 103370}, 12667.39},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(string(out))
			if err != nil {
				t.Fatal(err)
			}
			if !same(got, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, tt.want)
			}
			if g := got.Good(); g < tt.good-0.01 || g > tt.good+0.01 {
				t.Errorf("Good() = %v, want %v", g, tt.good)
			}
		})
	}
}

// Floats parsed from text, compared to a part in a million.
func same(a, b Result) bool {
	near := func(x, y float64) bool { return x == y || (x-y)/y < 1e-6 && (y-x)/y < 1e-6 }
	ints := a.Requests == b.Requests && a.Non2xx == b.Non2xx && a.ConnectErrors == b.ConnectErrors &&
		a.ReadErrors == b.ReadErrors && a.WriteErrors == b.WriteErrors && a.Timeouts == b.Timeouts
	bytes := a.Bytes > b.Bytes*99/100 && a.Bytes <= b.Bytes*101/100 || a.Bytes == b.Bytes
	return ints && bytes && near(a.Seconds, b.Seconds) && near(a.RPS, b.RPS) &&
		near(a.P50, b.P50) && near(a.P75, b.P75) && near(a.P90, b.P90) && near(a.P99, b.P99)
}

func TestParseErrorsCount(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "non2xx.txt"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(string(out))
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors() != 60870 {
		t.Errorf("Errors() = %d, want the 60870 non-2xx responses", r.Errors())
	}
}

func TestParseRefusesATruncatedReport(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "keepalive.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cut := string(out)[:strings.Index(string(out), "Requests/sec")]
	if _, err := Parse(cut); err == nil {
		t.Error("Parse accepted a report without its Requests/sec line")
	}
	if _, err := Parse("unable to connect to 127.0.0.1:1 Connection refused"); err == nil {
		t.Error("Parse accepted wrk's connection-refused message")
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		load Load
		want string
	}{
		{Load{URL: "http://h/", Conns: 100, Seconds: 2}, "-t 1 -c 100 -d 2s --timeout 2s --latency http://h/"},
		{Load{URL: "http://h/", Conns: 10, Seconds: 1, Close: true, TimeoutSeconds: 5},
			"-t 1 -c 10 -d 1s --timeout 5s --latency -H 'Connection: close' http://h/"},
		{Load{URL: "http://h/", Conns: 100, Seconds: 1, Pipeline: 16}, "-t 1 -c 100 -d 1s --timeout 2s --latency -s /s.lua http://h/"},
	}
	for _, tt := range tests {
		if got := shellJoin(tt.load.Args("/s.lua")); got != tt.want {
			t.Errorf("%+v:\n got %s\nwant %s", tt.load, got, tt.want)
		}
	}
}

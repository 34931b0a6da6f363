package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHeadEnd(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", -1},
		{"GET / HTTP/1.1\r\n", -1},
		{"GET / HTTP/1.1\r\nHost: x\r\n", -1},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next", 27},
		{"GET / HTTP/1.0\n\n", 16},
		{"GET / HTTP/1.0\r\n\n", 17},
		{"GET / HTTP/1.0\r\n\r", -1},
		{"\r\n", -1},
		{"\r\n\nGET / HTTP/1.0\r\n\r\n", 21},
	}
	for _, tt := range tests {
		if got := headEnd([]byte(tt.in)); got != tt.want {
			t.Errorf("headEnd(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		head string
		want *request
	}{
		{
			name: "HTTP/1.1 keeps the connection by default",
			head: "GET / HTTP/1.1\r\nHost: example\r\n\r\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 1, Host: "example", KeepAlive: true},
		},
		{
			name: "HTTP/1.0 closes by default",
			head: "GET / HTTP/1.0\r\n\r\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 0},
		},
		{
			name: "HTTP/1.0 with keep-alive",
			head: "HEAD /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			want: &request{Method: "HEAD", Target: "/x", Path: "/x", Minor: 0, KeepAlive: true},
		},
		{
			name: "Connection: close among other options",
			head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 1, Host: "h"},
		},
		{
			name: "query split from path",
			head: "GET /bytes?n=10 HTTP/1.1\r\nHost: h\r\n\r\n",
			want: &request{Method: "GET", Target: "/bytes?n=10", Path: "/bytes", Query: "n=10", Minor: 1, Host: "h", KeepAlive: true},
		},
		{
			name: "absolute form",
			head: "GET http://example/bytes?n=1 HTTP/1.1\r\nHost: example\r\n\r\n",
			want: &request{Method: "GET", Target: "http://example/bytes?n=1", Path: "/bytes", Query: "n=1", Minor: 1, Host: "example", KeepAlive: true},
		},
		{
			name: "absolute form: scheme in any case, query kept, empty path",
			head: "GET HTTP://example?n=1 HTTP/1.1\r\nHost: example:80\r\n\r\n",
			want: &request{Method: "GET", Target: "HTTP://example?n=1", Path: "/", Query: "n=1", Minor: 1, Host: "example:80", KeepAlive: true},
		},
		{
			name: "bare LF line endings and spaces around the value",
			head: "GET / HTTP/1.1\nHost:   h  \n\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 1, Host: "h", KeepAlive: true},
		},
		{
			name: "empty lines before the request line are skipped",
			head: "\r\n\nGET / HTTP/1.0\r\n\r\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 0},
		},
		{
			name: "Content-Length: 0 is no body",
			head: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 1, Host: "h", KeepAlive: true},
		},
		{
			name: "repeated identical Content-Length",
			head: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 1, Host: "h", KeepAlive: true},
		},
		{
			name: "HTTP/1.2 is served as 1.x",
			head: "GET / HTTP/1.2\r\nHost: h\r\n\r\n",
			want: &request{Method: "GET", Target: "/", Path: "/", Minor: 2, Host: "h", KeepAlive: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRequest([]byte(tt.head))
			if err != nil {
				t.Fatalf("parseRequest(%q): %v", tt.head, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseRequest(%q) mismatch (-want +got):\n%s", tt.head, diff)
			}
		})
	}
}

func TestParseRequestErrors(t *testing.T) {
	tests := []struct {
		head   string
		status int
	}{
		{"\r\n\r\n", 400},
		{"GET\r\n\r\n", 400},
		{"GET /\r\n\r\n", 400},
		{"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400},
		{"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET noslash HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400},
		{"GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost h\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\x00\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"GET / HTTP/x.1\r\nHost: h\r\n\r\n", 400},
		{"GET / HTTP/11\r\nHost: h\r\n\r\n", 400},
		{"GET / http/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
		{"GET / HTTP/0.9\r\n\r\n", 505},
		{"POST / HTTP/1.1\r\nHost: h\r\n\r\n", 405},
		{"DELETE / HTTP/1.1\r\nHost: h\r\n\r\n", 405},
		{"BREW / HTTP/1.1\r\nHost: h\r\n\r\n", 501},
		{"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", 413},
	}
	for _, tt := range tests {
		_, err := parseRequest([]byte(tt.head))
		if err == nil {
			t.Errorf("parseRequest(%q) succeeded, want status %d", tt.head, tt.status)
			continue
		}
		if err.Status != tt.status {
			t.Errorf("parseRequest(%q) = %v, want status %d", tt.head, err, tt.status)
		}
	}
}

func TestErrorAnswerToHeadHasNoBody(t *testing.T) {
	for _, tt := range []struct {
		head   string
		status int
	}{
		{"HEAD / HTTP/1.1\r\n\r\n", 400},            // a header error
		{"HEAD / HTTP/2.0\r\nHost: h\r\n\r\n", 505}, // a request-line error
		{"HEAD noslash HTTP/1.1\r\nHost: h\r\n\r\n", 400},
	} {
		_, err := parseRequest([]byte(tt.head))
		if err == nil || err.Status != tt.status {
			t.Fatalf("parseRequest(%q) = %v, want %d", tt.head, err, tt.status)
		}
		r := errorResponse(err)
		got := string(appendResponse(nil, &r, time.Now()))
		if !strings.HasSuffix(got, "Connection: close\r\n\r\n") || !strings.Contains(got, "Content-Length: ") {
			t.Errorf("the %d answering %q must have headers and no body, got %q", tt.status, tt.head, got)
		}
	}
}

func TestAppendResponse(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)
	get := textResponse(200, "hi\n")
	head := get
	head.Head = true
	notAllowed := errorResponse(&httpError{Status: 405, Reason: "no"})
	tests := []struct {
		name string
		r    response
		want string
	}{
		{"GET", get, "HTTP/1.1 200 OK\r\nDate: Sun, 22 Nov 2026 08:30:00 GMT\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nhi\n"},
		{"HEAD has the same headers and no body", head, "HTTP/1.1 200 OK\r\nDate: Sun, 22 Nov 2026 08:30:00 GMT\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\n"},
		{"405 names the allowed methods and closes", notAllowed, "HTTP/1.1 405 Method Not Allowed\r\n" +
			"Date: Sun, 22 Nov 2026 08:30:00 GMT\r\nContent-Type: text/plain; charset=utf-8\r\n" +
			"Content-Length: 27\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n405 Method Not Allowed: no\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendResponse(nil, &tt.r, now))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseRequest checks that no input makes the parser panic, and that
// whatever it accepts is something the server can route safely. Its seed
// corpus runs with every go test; `make fuzz` explores further.
func FuzzParseRequest(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"HEAD /bytes?n=5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"GET http://h/x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
		"GET / HTTP/1.1\nHost: h\n\n",
		"\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		end := headEnd(data)
		if end < 0 {
			return
		}
		if end > len(data) || !bytes.HasSuffix(data[:end], []byte("\n")) {
			t.Fatalf("headEnd(%q) = %d: not the end of a line", data, end)
		}
		req, err := parseRequest(data[:end])
		if err != nil {
			if err.Status < 400 || err.Status > 599 || strings.HasPrefix(statusText(err.Status), "Status ") {
				t.Fatalf("parseRequest(%q): error with status %d", data, err.Status)
			}
			return
		}
		if req.Method != "GET" && req.Method != "HEAD" {
			t.Fatalf("parseRequest(%q) accepted method %q", data, req.Method)
		}
		if !strings.HasPrefix(req.Path, "/") || strings.ContainsAny(req.Path, " \r\n\x00") {
			t.Fatalf("parseRequest(%q) accepted path %q", data, req.Path)
		}
	})
}

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
		in         string
		end, start int
	}{
		{"", -1, 0},
		{"GET / HTTP/1.1\r\n", -1, 0},
		{"GET / HTTP/1.1\r\nHost: x\r\n", -1, 0},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 0},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next", 27, 0},
		{"GET / HTTP/1.0\n\n", 16, 0},
		{"GET / HTTP/1.0\r\n\n", 17, 0},
		{"GET / HTTP/1.0\r\n\r", -1, 0},
		{"\r\n", -1, 2},
		{"\n\n\n", -1, 3},
		// Empty lines before the request line are skipped, once.
		{"\r\n\nGET / HTTP/1.0\r\n\r\n", 21, 3},
		// A CR alone is not an empty line: the request line starts at it.
		{"\rGET / HTTP/1.0\r\n\r\n", 19, 0},
		{"\r\r\nGET / HTTP/1.0\r\n\r\n", 21, 0},
		{"\n\r\r\n\r\n", 6, 1},
	}
	for _, tt := range tests {
		var scan headScan
		if end := headEnd([]byte(tt.in), &scan); end != tt.end || scan.start != tt.start {
			t.Errorf("headEnd(%q) = %d, request line at %d; want %d, at %d", tt.in, end, scan.start, tt.end, tt.start)
		}
	}
}

// TestHeadEndResumes feeds heads to headEnd one byte at a time, as a
// client trickling them would, and checks that the answer is the same as
// for the whole head at once.
func TestHeadEndResumes(t *testing.T) {
	for _, head := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\n\n\r\nGET / HTTP/1.0\n\n",
		"\r\r\nGET / HTTP/1.0\r\n\r\n",
		strings.Repeat("\n", 100) + "GET / HTTP/1.0\r\nA: b\r\n\r\n",
	} {
		var whole headScan
		want := headEnd([]byte(head), &whole)
		var scan headScan
		end := -1
		for n := 0; n <= len(head) && end < 0; n++ {
			end = headEnd([]byte(head[:n]), &scan)
		}
		if end != want || scan.start != whole.start {
			t.Errorf("headEnd(%q) a byte at a time = %d, request line at %d; at once: %d, at %d",
				head, end, scan.start, want, whole.start)
		}
	}
}

// TestHeadEndLooksAtEachByteOnce shows that headEnd does not look again
// at what an earlier call saw: bytes changed behind its back after a call
// change nothing. A scanner that started over at every call would see the
// empty lines turned into a request line.
func TestHeadEndLooksAtEachByteOnce(t *testing.T) {
	buf := []byte(strings.Repeat("\n", maxHeadBytes-100))
	var scan headScan
	if end := headEnd(buf, &scan); end != -1 || scan.start != len(buf) {
		t.Fatalf("headEnd(%d empty lines) = %d, request line at %d; want -1, at %d", len(buf), end, scan.start, len(buf))
	}
	copy(buf, "GET / HTTP/1.0\r\n")
	buf = append(buf, "GET / HTTP/1.0\r\n\r\n"...)
	if end := headEnd(buf, &scan); end != len(buf) || scan.start != maxHeadBytes-100 {
		t.Errorf("after more bytes, headEnd = %d, request line at %d; want %d, at %d", end, scan.start, len(buf), maxHeadBytes-100)
	}
}

// BenchmarkHeadEnd runs headEnd on what clients can send to make a
// scanner slow: a buffer full of empty lines, whole and a byte at a time.
func BenchmarkHeadEnd(b *testing.B) {
	for _, bc := range []struct {
		name    string
		in      string
		trickle bool // one call per byte, as a client sending a byte at a time causes
	}{
		{"8KiB-of-LF", strings.Repeat("\n", maxHeadBytes), false},
		{"8KiB-of-CRLF", strings.Repeat("\r\n", maxHeadBytes/2), false},
		{"8KiB-of-LF-trickled", strings.Repeat("\n", maxHeadBytes), true},
		{"head-trickled", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 100)+"\r\n", 70) + "\r\n", true},
	} {
		buf := []byte(bc.in)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				var scan headScan
				if !bc.trickle {
					headEnd(buf, &scan)
					continue
				}
				for n := 1; n <= len(buf); n++ {
					headEnd(buf[:n], &scan)
				}
			}
		})
	}
}

// TestRefusedHeadsOfHead checks that a head refused before it is whole
// (too large, or cut short by the client) gets the status it should, and
// no body if it is HEAD's.
func TestRefusedHeadsOfHead(t *testing.T) {
	full := func(head string) []byte { return []byte(head + strings.Repeat("x", maxHeadBytes-len(head))) }
	tests := []struct {
		name   string
		buf    []byte
		refuse func([]byte, *headScan) *httpError
		want   httpError
	}{
		{"headers too large", full("GET / HTTP/1.1\r\nX: "), headTooLarge,
			httpError{Status: 431, Reason: "request head larger than 8 KiB"}},
		{"HEAD's headers too large", full("\r\nHEAD / HTTP/1.1\r\nX: "), headTooLarge,
			httpError{Status: 431, Reason: "request head larger than 8 KiB", Head: true}},
		{"request line too long", full("GET /"), headTooLarge,
			httpError{Status: 414, Reason: "request line not ended within 8 KiB"}},
		{"HEAD's request line too long", full("\nHEAD /"), headTooLarge,
			httpError{Status: 414, Reason: "request line not ended within 8 KiB", Head: true}},
		{"nothing but empty lines", []byte(strings.Repeat("\r\n", maxHeadBytes/2)), headTooLarge,
			httpError{Status: 431, Reason: "request head larger than 8 KiB"}},
		{"cut short", []byte("GET / HTTP/1.1\r\nHo"), headCutShort,
			httpError{Status: 400, Reason: "connection closed in the middle of the request head"}},
		{"HEAD cut short", []byte("\r\nHEAD / HTTP/1.1\r\nHo"), headCutShort,
			httpError{Status: 400, Reason: "connection closed in the middle of the request head", Head: true}},
		{"HEAD cut short in its request line", []byte("HEAD /x"), headCutShort,
			httpError{Status: 400, Reason: "connection closed in the middle of the request head", Head: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var scan headScan
			if end := headEnd(tt.buf, &scan); end >= 0 {
				t.Fatalf("headEnd = %d: the head is whole", end)
			}
			if diff := cmp.Diff(tt.want, *tt.refuse(tt.buf, &scan)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		head string
		want *request
	}{
		{
			name: "HTTP/1.1",
			head: "GET / HTTP/1.1\r\nHost: example\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 1, KeepAlive: true},
		},
		{
			name: "HTTP/1.0 needs no Host",
			head: "HEAD /x HTTP/1.0\r\n\r\n",
			want: &request{Method: "HEAD", Path: "/x", Minor: 0},
		},
		{
			name: "query split from path",
			head: "GET /bytes?n=10 HTTP/1.1\r\nHost: h\r\n\r\n",
			want: &request{Method: "GET", Path: "/bytes", Query: "n=10", Minor: 1, KeepAlive: true},
		},
		{
			name: "every character RFC 3986 allows in a path and a query",
			head: "GET /az-._~!$&'()*+,;=:@%2F%c3%A9/?/?a=b HTTP/1.1\r\nHost: h\r\n\r\n",
			want: &request{Method: "GET", Path: "/az-._~!$&'()*+,;=:@%2F%c3%A9/", Query: "/?a=b", Minor: 1, KeepAlive: true},
		},
		{
			name: "absolute form",
			head: "GET http://example/bytes?n=1 HTTP/1.1\r\nHost: example\r\n\r\n",
			want: &request{Method: "GET", Path: "/bytes", Query: "n=1", Minor: 1, KeepAlive: true},
		},
		{
			name: "absolute form: scheme in any case, query kept, empty path",
			head: "GET HTTP://example?n=1 HTTP/1.1\r\nHost: example:80\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Query: "n=1", Minor: 1, KeepAlive: true},
		},
		{
			name: "absolute form: the Host header is ignored, however it differs",
			head: "GET https://[::1]:8443/x HTTP/1.1\r\nHost: other\r\n\r\n",
			want: &request{Method: "GET", Path: "/x", Minor: 1, KeepAlive: true},
		},
		{
			name: "bare LF line endings and spaces around the value",
			head: "GET / HTTP/1.1\nHost:   h  \n\n",
			want: &request{Method: "GET", Path: "/", Minor: 1, KeepAlive: true},
		},
		{
			name: "Content-Length: 0 is no body",
			head: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 1, KeepAlive: true},
		},
		{
			name: "repeated identical Content-Length",
			head: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 00\r\nContent-Length: 0\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 1, KeepAlive: true},
		},
		{
			name: "HTTP/1.2 is served as 1.x",
			head: "GET / HTTP/1.2\r\nHost: h\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 2, KeepAlive: true},
		},
		{
			name: "HTTP/1.1 with Connection: close",
			head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 1},
		},
		{
			name: "close among other options, in any case",
			head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, CLOSE\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 1},
		},
		{
			name: "close in a second Connection line",
			head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nConnection:close\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 1},
		},
		{
			name: "HTTP/1.0 asking for keep-alive",
			head: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 0, KeepAlive: true},
		},
		{
			name: "HTTP/1.0 without Connection closes",
			head: "GET / HTTP/1.0\r\nHost: h\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 0},
		},
		{
			name: "a token that only contains close is not close",
			head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: closed, keep-alive-ish\r\n\r\n",
			want: &request{Method: "GET", Path: "/", Minor: 1, KeepAlive: true},
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

// TestHostHeader lists the Host values the server accepts: uri-host
// [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2). The values it refuses are
// in TestParseRequestErrors.
// TestNothingToAnswerAfterEmptyLines: a client that sends nothing, or
// only empty lines, and then closes has made no request: it gets no 400.
func TestNothingToAnswerAfterEmptyLines(t *testing.T) {
	for _, buf := range []string{"", "\r\n", "\n\r\n\n"} {
		var scan headScan
		headEnd([]byte(buf), &scan)
		if e := headCutShort([]byte(buf), &scan); e != nil {
			t.Errorf("closed after %q: %v, want nothing to answer", buf, e)
		}
	}
	for _, buf := range []string{"\r", "\r\nG", "\n\r\r\n"} {
		var scan headScan
		headEnd([]byte(buf), &scan)
		if e := headCutShort([]byte(buf), &scan); e == nil || e.Status != 400 {
			t.Errorf("closed after %q: %v, want 400", buf, e)
		}
	}
}

func TestHostHeader(t *testing.T) {
	for _, host := range []string{
		"", "example.com", "example.com:8080", "example.com:", "127.0.0.1:80", "[::1]", "[::1]:8080",
		"[::ffff:1.2.3.4]", "[v1.fe80::a+en1]", "a-b_c~d.e!$&'()*+,;=", "%65xample",
	} {
		head := "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
		if _, err := parseRequest([]byte(head)); err != nil {
			t.Errorf("Host: %q: %v", host, err)
		}
	}
}

func TestParseRequestErrors(t *testing.T) {
	tests := []struct {
		head   string
		status int
	}{
		{"\r\n\r\n", 400},
		{"\n", 400},
		{"GET\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400},
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
		// Content-Length is 1*DIGIT (RFC 9110 §8.6): no sign, not even on zero.
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -0\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x0\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
		// The method is checked before the target: these are well-formed,
		// only not served here.
		{"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 405},
		{"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", 405},
		{"BREW * HTTP/1.1\r\nHost: h\r\n\r\n", 501},
		// Host is uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2).
		{"GET / HTTP/1.1\r\nHost: a:b:c]]%\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h:8o\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h%zz\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: [1.2.3.4]\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: [fe80::1%eth0]\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: ::1\r\n\r\n", 400},
		{"GET / HTTP/1.1\r\nHost: h\xc3\xa9\r\n\r\n", 400},
		// The authority of an absolute-form target follows the same grammar,
		// must name a host (RFC 9110 §4.2.1), and carries no userinfo
		// (RFC 9110 §4.2.4).
		{"GET http://a\x01b/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET http://a:b:c]]%/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET http://user@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET http:/x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		// The target is RFC 3986 path and query characters only: nothing
		// raw above 0x7f, percent signs as %HH, no fragment.
		{"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET /?q=\xff HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET /a%2 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET /a\\b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET /{x} HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"GET http://h/\x80 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		// A bare CR is not an empty line, before the request line or after.
		{"\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"\r\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
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
		"\r\n\nOPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
		"GET http://[v1.x]:8/%41?%42 HTTP/1.1\r\nHost: h:\r\n\r\n",
		"GET http://h/x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
		"GET / HTTP/1.1\nHost: h\n\n",
		"\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var scan headScan
		end := headEnd(data, &scan)
		if end < 0 {
			return
		}
		if end > len(data) || scan.start >= end || !bytes.HasSuffix(data[:end], []byte("\n")) ||
			strings.TrimLeft(string(data[:scan.start]), "\r\n") != "" {
			t.Fatalf("headEnd(%q) = %d, request line at %d: not a head", data, end, scan.start)
		}
		req, err := parseRequest(data[scan.start:end])
		if err != nil {
			if err.Status < 400 || err.Status > 599 || strings.HasPrefix(statusText(err.Status), "Status ") {
				t.Fatalf("parseRequest(%q): error with status %d", data, err.Status)
			}
			return
		}
		if req.Method != "GET" && req.Method != "HEAD" {
			t.Fatalf("parseRequest(%q) accepted method %q", data, req.Method)
		}
		if !strings.HasPrefix(req.Path, "/") {
			t.Fatalf("parseRequest(%q) accepted path %q", data, req.Path)
		}
		// Only printable ASCII, and no fragment, get past the target's
		// grammar.
		for _, c := range []byte(req.Path + req.Query) {
			if c <= ' ' || c >= 0x7f || c == '#' {
				t.Fatalf("parseRequest(%q) accepted path %q and query %q", data, req.Path, req.Query)
			}
		}
	})
}

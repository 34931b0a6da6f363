package conformance

import (
	"bufio"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadResponse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     string
		method  string
		want    *response
		wantErr string // a substring of the error; "" for none
	}{
		{
			name: "well-formed",
			raw:  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
			want: &response{Proto: "HTTP/1.1", Status: 200, ContentLength: 5, Body: []byte("hello"), Header: map[string][]string{
				"content-type": {"text/plain"}, "content-length": {"5"}, "connection": {"close"},
			}},
		},
		{
			name:   "HEAD: no body is read",
			raw:    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n",
			method: "HEAD",
			want: &response{Proto: "HTTP/1.0", Status: 200, ContentLength: 5, Header: map[string][]string{
				"content-type": {"text/plain"}, "content-length": {"5"},
			}},
		},
		{
			name: "empty reason phrase",
			raw:  "HTTP/1.1 404 \r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n",
			want: &response{Proto: "HTTP/1.1", Status: 404, Body: []byte{}, Header: map[string][]string{
				"content-type": {"text/plain"}, "content-length": {"0"},
			}},
		},
		{name: "bare LF in the status line", raw: "HTTP/1.1 200 OK\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n", wantErr: "does not end in CRLF"},
		{name: "bare LF in a header", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\nContent-Length: 0\r\n\r\n", wantErr: "does not end in CRLF"},
		{name: "bare LF ends the head", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\n", wantErr: "does not end in CRLF"},
		{name: "bare CR in a header", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\rX: y\r\nContent-Length: 0\r\n\r\n", wantErr: "bare CR"},
		{name: "no Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello", wantErr: "exactly one Content-Length"},
		{name: "two Content-Lengths", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", wantErr: "exactly one Content-Length"},
		{name: "signed Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: +5\r\n\r\nhello", wantErr: "malformed Content-Length"},
		{name: "no Content-Type", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", wantErr: "no Content-Type"},
		{name: "short body", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nhello", wantErr: "got 5 of 9 body bytes"},
		{name: "no space after the code", raw: "HTTP/1.1 200\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n", wantErr: "malformed status line"},
		{name: "two-digit code", raw: "HTTP/1.1 20 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n", wantErr: "malformed status line"},
		{name: "HTTP/2", raw: "HTTP/2 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n", wantErr: "malformed status line"},
		{name: "space before the colon", raw: "HTTP/1.1 200 OK\r\nContent-Type : text/plain\r\nContent-Length: 0\r\n\r\n", wantErr: "malformed header line"},
		{name: "obs-fold", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n  more\r\nContent-Length: 0\r\n\r\n", wantErr: "malformed header line"},
		{name: "head cut short", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/pl", wantErr: "unexpected EOF"},
		{name: "endless head", raw: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Filler: 0123456789\r\n", 4000), wantErr: "longer than 64 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readResponse(bufio.NewReader(strings.NewReader(tc.raw)), tc.method)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnnouncesClose(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"close"}, true},
		{[]string{"Close"}, true},
		{[]string{"keep-alive, close"}, true},
		{[]string{"keep-alive"}, false},
		{[]string{"closed"}, false},
	} {
		r := &response{Header: map[string][]string{"connection": tc.values}}
		if got := r.announcesClose(); got != tc.want {
			t.Errorf("Connection: %q: announcesClose() = %v, want %v", tc.values, got, tc.want)
		}
	}
}

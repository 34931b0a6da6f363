package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// TestBytes64MiBSlowReader: the largest /bytes body, read slowly, arrives
// byte-exact while other clients are served, and the server never holds
// the body in memory: its resident set stays far below 64 MiB more than
// when it started.
func TestBytes64MiBSlowReader(t *testing.T) {
	const n = 64 << 20
	s := testserver.Start(t)
	rssBefore, rssErr := residentBytes(s.Pid())

	c := testserver.Dial(t, s.Addr).(*net.TCPConn)
	_ = c.SetReadBuffer(64 << 10) // a small window: the server must wait for the reader
	if _, err := fmt.Fprintf(c, "GET /bytes?n=%d HTTP/1.0\r\n\r\n", n); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReaderSize(c, 64<<10)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the head: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	var rssPeak int64
	buf := make([]byte, 64<<10)
	for off := int64(0); off < n; {
		m, err := r.Read(buf[:min(int64(len(buf)), n-off)])
		for i := range m {
			if want := conformance.BytesPattern(off + int64(i)); buf[i] != want {
				t.Fatalf("byte %d is %q, want %q", off+int64(i), buf[i], want)
			}
		}
		off += int64(m)
		if err != nil {
			t.Fatalf("at byte %d: %v", off, err)
		}
		// Every 4 MiB, the reader stops reading until another client has
		// been served.
		if off%(4<<20) < int64(m) {
			start := time.Now()
			if resp := testserver.RoundTrip(t, s.Addr, "GET / HTTP/1.0\r\n\r\n"); resp.Status != 200 {
				t.Fatalf("GET / during the transfer: status %d", resp.Status)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("GET / took %v while a client read /bytes slowly", d)
			}
			if rss, err := residentBytes(s.Pid()); err == nil {
				rssPeak = max(rssPeak, rss)
			}
		}
	}
	if extra, _ := io.Copy(io.Discard, r); extra != 0 {
		t.Errorf("%d bytes after the body", extra)
	}
	if rssErr == nil && rssPeak-rssBefore > 16<<20 {
		t.Errorf("the server's resident set grew by %d MiB while it sent 64 MiB: it holds the body in memory",
			(rssPeak-rssBefore)>>20)
	}
}

// residentBytes reads VmRSS from /proc (Linux only).
func residentBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// TestChunkIsNotAppendedInto: a chunk is a slice of the table that every
// connection shares. Appending to it, as a response written behind the
// end of a body is, must copy it, never write over the table.
func TestChunkIsNotAppendedInto(t *testing.T) {
	table := newAlphabetTable()
	chunk := table.chunk(0, 10)
	_ = append(chunk, "HTTP/1.1 200 OK"...)
	if got := string(table[10:15]); got != "klmno" {
		t.Errorf("after appending to a chunk, the table holds %q where the pattern has %q", got, "klmno")
	}
}

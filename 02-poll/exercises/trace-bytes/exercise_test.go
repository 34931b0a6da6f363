//go:build exercise

package tracebytes_test

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// bytesSuffix is what each wake-up line must now end with.
var bytesSuffix = regexp.MustCompile(`; read (\d+) bytes, wrote (\d+) bytes$`)

// pass is what one trace line says its pass of the loop did.
type pass struct{ read, written int }

// passes parses the complete wake-up lines in the server's output so far.
// A line that does not say what its pass read and wrote fails the test.
func passes(t *testing.T, output string) []pass {
	t.Helper()
	complete := output[:strings.LastIndexByte(output, '\n')+1]
	var ps []pass
	for line := range strings.SplitSeq(complete, "\n") {
		if !strings.HasPrefix(line, "poll(") {
			continue
		}
		m := bytesSuffix.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("the trace line\n\t%s\ndoes not end with \"; read N bytes, wrote N bytes\"", line)
		}
		read, _ := strconv.Atoi(m[1])
		written, _ := strconv.Atoi(m[2])
		ps = append(ps, pass{read, written})
	}
	return ps
}

// TestTraceBytes fetches 1 MiB of /bytes from a server started with
// -trace, and checks that the bytes the trace lines account for add up to
// what went over the wire: the request the client sent, and the response
// it received.
func TestTraceBytes(t *testing.T) {
	bin := testserver.Build(t, "../..")
	srv := testserver.StartBinary(t, bin, testserver.Options{Args: []string{"-trace"}})

	const request = "GET /bytes?n=1048576 HTTP/1.0\r\n\r\n"
	c := testserver.Dial(t, srv.Addr)
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	response, err := io.ReadAll(c) // until the server closes its side
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	if !strings.HasPrefix(string(response), "HTTP/1.1 200 ") {
		t.Fatalf("want a 200 response, got %q", response[:min(len(response), 80)])
	}
	c.Close()

	// The server prints a line when a pass ends; the last ones may still
	// be on their way.
	testserver.WaitFor(t, 10*time.Second, "a wake-up line in the trace", func() bool {
		return len(passes(t, srv.Output())) > 0
	})
	var read, written, writingPasses int
	testserver.WaitFor(t, 10*time.Second, fmt.Sprintf("the trace to account for the %d bytes of the request and the %d of the response",
		len(request), len(response)), func() bool {
		read, written, writingPasses = 0, 0, 0
		for _, p := range passes(t, srv.Output()) {
			read += p.read
			written += p.written
			if p.written > 0 {
				writingPasses++
			}
		}
		if read > len(request) || written > len(response) {
			t.Fatalf("the trace counts %d bytes read and %d written, more than the %d of the request and the %d of the response:\n%s",
				read, written, len(request), len(response), srv.Output())
		}
		return read == len(request) && written == len(response)
	})
	// A megabyte does not leave in one pass: the loop writes what the
	// socket takes and comes back when poll says there is room.
	if writingPasses < 2 {
		t.Errorf("the %d response bytes were all written in one pass; want them spread over several:\n%s", len(response), srv.Output())
	}
}

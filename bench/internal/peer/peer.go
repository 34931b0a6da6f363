// Package peer holds what the Go peers share: the command line every
// server in this repository has (-addr, then one "listening on" line), and
// the routes' arguments, so that a peer answers what a chapter answers.
package peer

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
)

// Limits of the routes, the chapters' own (curriculum §2).
const (
	MaxBytes   = 64 << 20
	MaxSleepMs = 10000
)

// Greeting is the body of GET / for a peer named name.
func Greeting(name string) string {
	return "Hello from " + name + ": a peer, for comparison.\n"
}

// Flags parses the peer's command line: -addr, like every chapter. A bad
// flag is one line on stderr and status 2, as in the chapters.
func Flags(name string, args []string, stderr io.Writer) (addr string, status int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "listen on host:port")
	if err := fs.Parse(args); err != nil {
		return "", 2
	}
	return addr, 0
}

// Announce prints the line the driver waits for.
func Announce(stdout io.Writer, addr string) {
	fmt.Fprintf(stdout, "listening on http://%s\n", addr)
}

// QueryNumber returns the value of key in a raw query string if it is a
// plain decimal number no larger than max: what the chapters accept, for
// the requests the driver sends (url.ParseQuery also decodes %XX, which
// the chapters refuse; the driver never sends it).
func QueryNumber(rawQuery, key string, max int64) (int64, bool) {
	values, err := url.ParseQuery(rawQuery)
	v := values.Get(key)
	if err != nil || v == "" || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n <= max
}

// Pattern is an endless reader of the bytes the chapters' /bytes serves
// (the conformance suite's BytesPattern), produced as they are read
// rather than held in memory.
type Pattern struct{ off int64 }

func (p *Pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = conformance.BytesPattern(p.off + int64(i))
	}
	p.off += int64(len(b))
	return len(b), nil
}

// Command nethttp is the net/http peer: Go's standard server, a goroutine
// per connection on the runtime's netpoller, serving the chapters' routes.
// The driver runs it with GOMAXPROCS=1 and with the default.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/peer"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	addr, status := peer.Flags("nethttp", args, stderr)
	if status != 0 {
		return status
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(stderr, "nethttp:", err)
		return 1
	}
	peer.Announce(stdout, l.Addr().String())
	err = http.Serve(l, http.HandlerFunc(route))
	fmt.Fprintln(stderr, "nethttp:", err)
	return 1
}

func route(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, peer.Greeting("net/http"))
	case "/bytes":
		n, ok := peer.QueryNumber(r.URL.RawQuery, "n", peer.MaxBytes)
		if !ok {
			http.Error(w, "/bytes wants ?n=", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		io.CopyN(w, &peer.Pattern{}, n)
	case "/sleep":
		ms, ok := peer.QueryNumber(r.URL.RawQuery, "ms", peer.MaxSleepMs)
		if !ok {
			http.Error(w, "/sleep wants ?ms=", http.StatusBadRequest)
			return
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "slept %d ms\n", ms)
	default:
		http.NotFound(w, r)
	}
}

// Command fasthttp is the fasthttp peer: what a Go user picks for speed
// when net/http is too slow, still a goroutine per connection but with
// reused buffers and no allocations per request. The driver runs it with
// GOMAXPROCS=1, for the single-core comparison with the chapters.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/peer"
	"github.com/valyala/fasthttp"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	addr, status := peer.Flags("fasthttp", args, stderr)
	if status != 0 {
		return status
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(stderr, "fasthttp:", err)
		return 1
	}
	peer.Announce(stdout, l.Addr().String())
	// The chapters accept as many connections as the descriptor limit
	// allows; fasthttp's default cap (256 Ki) is above that already.
	s := &fasthttp.Server{Handler: route, Name: "fasthttp"}
	err = s.Serve(l)
	fmt.Fprintln(stderr, "fasthttp:", err)
	return 1
}

func route(ctx *fasthttp.RequestCtx) {
	query := string(ctx.URI().QueryString())
	switch string(ctx.Path()) {
	case "/":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.WriteString(peer.Greeting("fasthttp"))
	case "/bytes":
		n, ok := peer.QueryNumber(query, "n", peer.MaxBytes)
		if !ok {
			ctx.Error("/bytes wants ?n=\n", fasthttp.StatusBadRequest)
			return
		}
		ctx.SetContentType("application/octet-stream")
		ctx.SetBodyStream(io.LimitReader(&peer.Pattern{}, n), int(n))
	case "/sleep":
		ms, ok := peer.QueryNumber(query, "ms", peer.MaxSleepMs)
		if !ok {
			ctx.Error("/sleep wants ?ms=\n", fasthttp.StatusBadRequest)
			return
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
		ctx.SetContentType("text/plain; charset=utf-8")
		fmt.Fprintf(ctx, "slept %d ms\n", ms)
	default:
		ctx.Error("404 Not Found\n", fasthttp.StatusNotFound)
	}
}

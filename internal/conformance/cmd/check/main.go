// Command check runs the conformance suite against a server at any
// address, in any language, and says which behaviours it has, judged by
// what the given chapter should have:
//
//	go run ./internal/conformance/cmd/check -addr 127.0.0.1:8080 -chapter 02 [-run REGEXP] [-short] [-idle-timeout D]
//
// It prints one line per behaviour, then "N passed, N failed, N skipped",
// and exits 1 if anything failed (2 for bad flags). A behaviour the
// chapter should not have yet passes either way: lacking it is what the
// chapter does, and having it means the server is ahead of the chapter
// ("PASS  name (ahead: arrives in chapter NN)"). Behaviours that watch
// the server's process (descriptors, CPU time, memory) or stop it
// (graceful shutdown) are skipped: check sees the server only through
// its address. The behaviours that wait for the server's idle timeout
// (chapter 04's) must be told it: -idle-timeout, 2s unless given, so run
// the server with a short one (04-scheduler -idle-timeout 2s).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// lastChapter is the highest chapter number the suite knows.
const lastChapter = 7

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	addr := flags.String("addr", "127.0.0.1:8080", "the server's `host:port`")
	chapter := flags.String("chapter", "", "judge the server by what chapter `NN` (01 to 07) should do (required)")
	pattern := flags.String("run", "", "run only the behaviours whose name matches `regexp`")
	short := flags.Bool("short", false, "scale the heaviest behaviours down")
	idleTimeout := flags.Duration("idle-timeout", conformance.DefaultIdleTimeout,
		"the server's idle timeout, which the behaviours that wait for it expect (run the server with a short one)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			flags.SetOutput(stdout)
			fmt.Fprintln(stdout, "usage: check -chapter NN [-addr host:port] [-run regexp] [-short] [-idle-timeout duration]")
			flags.PrintDefaults()
			return 0
		}
		return usageError(stderr, "%v", err)
	}
	if flags.NArg() > 0 {
		return usageError(stderr, "unexpected argument %q", flags.Arg(0))
	}
	n, err := strconv.Atoi(*chapter)
	if err != nil || n < 1 || n > lastChapter {
		return usageError(stderr, "-chapter %q: want a chapter number from 01 to %02d", *chapter, lastChapter)
	}
	if *idleTimeout <= 0 {
		return usageError(stderr, "-idle-timeout %v: want a positive duration", *idleTimeout)
	}
	only, err := regexp.Compile(*pattern)
	if err != nil {
		return usageError(stderr, "-run: %v", err)
	}

	// Without this, an address with no server behind it would make every
	// behaviour fail, and the ones the chapter lacks "pass".
	if err := reachable(ctx, *addr); err != nil {
		fmt.Fprintf(stderr, "check: %v\n", err)
		return 1
	}
	target := conformance.Target{Addr: *addr, Chapter: n, Short: *short, IdleTimeout: *idleTimeout, AheadPasses: true}
	var passed, failed, skipped int
	for _, b := range conformance.Behaviours() {
		if !only.MatchString(b.Name) {
			continue
		}
		o := conformance.Check(ctx, target, b)
		// One line per behaviour, even when a check reports several cases.
		fmt.Fprintln(stdout, strings.ReplaceAll(o.String(), "\n", "; "))
		switch {
		case o.Skipped():
			skipped++
		case o.OK():
			passed++
		default:
			failed++
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 {
		return 1
	}
	return 0
}

func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "check: "+format+" (see -h)\n", args...)
	return 2
}

// reachable checks that a server listens at addr and answers something
// to a plain request, so that a dead or stuck server is reported as such
// instead of as a list of failures.
func reachable(ctx context.Context, addr string) error {
	const wait = 5 * time.Second
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("no server at %s: %w", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return fmt.Errorf("the server at %s: sending GET /: %w", addr, err)
	}
	if _, err := c.Read(make([]byte, 1)); err != nil {
		return fmt.Errorf("the server at %s accepted a connection but did not answer GET / within %v: %w", addr, wait, err)
	}
	return nil
}

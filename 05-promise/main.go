// Command 05-promise is chapter 04's server with promises on its loop: a
// Promise[T] settled once, whose handlers the loop runs as microtasks
// after each callback, in the order they were chained. /sleep becomes a
// chain, a promise delayed by a timer and then the response, and the
// combinators Delay, All, Race and Timeout compose such chains.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

const name = "05-promise"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs passed in, so that tests can
// start the server as a child process and read what it prints.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	addr := flags.String("addr", "127.0.0.1:8080", "listen on `host:port` (IPv4 or IPv6 literal, localhost, or :port)")
	trace := flags.Bool("trace", false, "print one line per pass of the loop: what poll watched, what became ready, which handler ran")
	slowHandler := flags.Duration("slow-handler", 0, "make GET /slow sleep this long on the loop before it answers: what one blocking handler does to every other client (a lesson, not a setting)")
	idleTimeout := flags.Duration("idle-timeout", 60*time.Second, "close a connection that has sent no complete request for this long (0: never)")
	shutdownTimeout := flags.Duration("shutdown-timeout", 5*time.Second, "on SIGINT or SIGTERM, how long requests in flight may take to finish")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			flags.SetOutput(stdout)
			fmt.Fprintf(stdout, "usage: %s [flags]\n", name)
			flags.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "%s: %v (see -h)\n", name, err)
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see -h)\n", name, flags.Arg(0))
		return 2
	}
	if *shutdownTimeout < 0 || *slowHandler < 0 || *idleTimeout < 0 {
		fmt.Fprintf(stderr, "%s: durations must not be negative (see -h)\n", name)
		return 2
	}
	sa, err := parseAddr(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: -addr: %v\n", name, err)
		return 2
	}
	lfd, bound, err := listen(sa)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	loop, err := NewEventLoop(stderr, *trace)
	if err != nil {
		closeFD(lfd)
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	defer loop.Close()
	s, err := newServer(loop, lfd)
	if err != nil {
		closeFD(lfd)
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	s.errlog, s.trace, s.slowHandler, s.idleTimeout = stderr, *trace, *slowHandler, *idleTimeout
	stopSignals := relaySignals(loop, stderr, func(sig os.Signal) { s.shutdown(sig, *shutdownTimeout) })
	defer stopSignals()
	fmt.Fprintf(stdout, "listening on http://%s\n", bound)

	if err := s.serve(); err != nil {
		if s.lfd >= 0 {
			closeFD(s.lfd)
		}
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stderr, "%s: stopped: %s\n", name, s.exitLine)
	return 0
}

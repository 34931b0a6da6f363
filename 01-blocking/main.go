// Command 01-blocking is an HTTP server that serves one client at a time,
// with nothing but blocking system calls: accept, read, write, close.
// While one client is slow, every other client waits. That flaw is the
// lesson, and chapter 02 fixes it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const name = "01-blocking"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs passed in, so that tests can
// start the server as a child process and read what it prints.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	addr := flags.String("addr", "127.0.0.1:8080", "listen on `host:port` (IPv4 or IPv6 literal, localhost, or :port)")
	trace := flags.Bool("trace", false, "print every blocking system call and how long it waited")
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
	fmt.Fprintf(stdout, "listening on http://%s\n", bound)

	s := newServer(lfd)
	if *trace {
		s.trace = stderr
	}
	s.errlog = stderr
	err = s.serve()
	closeFD(lfd)
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return 1
}

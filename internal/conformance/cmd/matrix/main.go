// Command matrix writes the capability matrix, generated from the
// conformance suite, into the repository's README.md between its
// <!-- matrix:begin --> and <!-- matrix:end --> markers. With -check it
// changes nothing and exits 1 if the README's matrix is stale.
//
// Run it from the repository root:
//
//	go run ./internal/conformance/cmd/matrix [-check]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("matrix", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	check := flags.Bool("check", false, "change nothing; exit 1 if README.md's matrix is stale")
	root := flags.String("root", ".", "the repository root `dir`")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			flags.SetOutput(stdout)
			fmt.Fprintln(stdout, "usage: matrix [-check] [-root dir]")
			flags.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "matrix: %v (see -h)\n", err)
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "matrix: unexpected argument %q (see -h)\n", flags.Arg(0))
		return 2
	}
	if _, err := os.Stat(filepath.Join(*root, "go.mod")); err != nil {
		fmt.Fprintf(stderr, "matrix: %s is not the repository root (no go.mod): run from the root or pass -root\n", *root)
		return 2
	}
	current, want, err := conformance.Readme(*root)
	if err != nil {
		fmt.Fprintf(stderr, "matrix: %v\n", err)
		return 1
	}
	readme := filepath.Join(*root, "README.md")
	switch {
	case bytes.Equal(current, want):
		fmt.Fprintf(stdout, "%s: the matrix is up to date\n", readme)
		return 0
	case *check:
		fmt.Fprintf(stderr, "%s: the matrix is stale: run go run ./internal/conformance/cmd/matrix\n", readme)
		return 1
	}
	if err := os.WriteFile(readme, want, 0o644); err != nil {
		fmt.Fprintf(stderr, "matrix: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: matrix written\n", readme)
	return 0
}

// Command book refreshes the parts of the book that are generated: code
// embedded from the chapters, diffs between chapters, and transcripts of
// sessions with the servers. See package internal/book for the markers.
//
//	go run ./internal/book/cmd/book           rewrite what is stale
//	go run ./internal/book/cmd/book -check    report what is stale; exit 1 if anything is
//	go run ./internal/book/cmd/book -show 01-curl   print one scenario's transcript
//	go run ./internal/book/cmd/book -list     list the scenarios
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/eventloops-from-scratch/eventloops/internal/book"
)

func main() {
	check := flag.Bool("check", false, "report stale blocks instead of rewriting them; exit 1 if any")
	show := flag.String("show", "", "print the transcript of the named scenario and exit")
	list := flag.Bool("list", false, "list the transcript scenarios and exit")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "book: no arguments expected (see -h)")
		os.Exit(2)
	}
	os.Exit(run(*check, *show, *list))
}

func run(check bool, show string, list bool) int {
	if list {
		fmt.Println(strings.Join(book.ScenarioNames(), "\n"))
		return 0
	}
	root, err := book.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "book:", err)
		return 2
	}
	runner, err := book.NewRunner(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "book:", err)
		return 2
	}
	defer runner.Close()
	ctx := context.Background()

	if show != "" {
		out, err := runner.Run(ctx, show)
		if err != nil {
			fmt.Fprintln(os.Stderr, "book:", err)
			return 1
		}
		fmt.Print(out)
		return 0
	}

	files, err := book.Files(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "book:", err)
		return 2
	}
	b := &book.Book{Root: root, Runner: runner}
	failed, markers, stale := 0, 0, false
	for _, f := range files {
		results, err := b.Process(ctx, f, check)
		if err != nil {
			fmt.Fprintln(os.Stderr, "book:", err)
			failed++
			continue
		}
		for _, r := range results {
			markers++
			switch {
			case book.IsSkip(r.Err):
				fmt.Printf("warning: %s: %s: left as it is: %v\n", r.Pos, r.Marker, r.Err)
			case r.Err != nil:
				fmt.Printf("%s: %s: %v\n", r.Pos, r.Marker, r.Err)
				failed++
			case r.Stale && check:
				fmt.Printf("%s: %s is stale (make book refreshes it): %s\n", r.Pos, r.Marker, r.Why)
				failed, stale = failed+1, true
			case r.Stale:
				fmt.Printf("updated %s: %s\n", r.Pos, r.Marker)
			}
		}
	}
	fmt.Printf("book: %d markers in %d files, %d problems\n", markers, len(files), failed)
	if stale {
		fmt.Println(book.StaleNote)
	}
	if failed > 0 {
		return 1
	}
	return 0
}

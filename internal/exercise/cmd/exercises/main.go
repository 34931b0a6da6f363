// Command exercises checks every exercise in both directions: its test
// fails on the untouched tree, and with its solution.patch applied to a
// temporary copy it passes, and so do the chapter's own tests. It prints
// one line per exercise and a final "N passed, N failed" line, and exits
// 1 if any exercise failed.
//
// Run it from the repository root: go run ./internal/exercise/cmd/exercises
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/exercise"
)

func main() {
	// Two at a time: many exercise tests spend their time waiting (for a
	// timeout, a slow client), and the machines this runs on have 2 cores.
	jobs := flag.Int("j", 2, "check up to `N` exercises at a time")
	flag.Parse()
	if *jobs < 1 {
		fmt.Fprintln(os.Stderr, "exercises: -j must be at least 1")
		os.Exit(2)
	}
	exs, err := exercise.Find(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "exercises:", err)
		os.Exit(2)
	}

	type outcome struct {
		err  error
		took time.Duration
	}
	results := make([]chan outcome, len(exs))
	slots := make(chan struct{}, *jobs)
	for i, e := range exs {
		results[i] = make(chan outcome, 1)
		go func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			start := time.Now()
			err := exercise.Check(context.Background(), ".", e)
			results[i] <- outcome{err, time.Since(start).Round(100 * time.Millisecond)}
		}()
	}

	passed, failed := 0, 0
	for i, e := range exs {
		o := <-results[i]
		if o.err != nil {
			failed++
			fmt.Printf("FAIL %s (%v): %s\n", e.Name(), o.took, indent(o.err.Error()))
			continue
		}
		passed++
		fmt.Printf("ok   %s (fails untouched; passes with solution.patch, and so does go test ./%s/; %v)\n",
			e.Name(), e.Chapter(), o.took)
	}
	fmt.Printf("exercises: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

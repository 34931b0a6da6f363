// Command exercises checks every exercise in both directions: its test
// fails on the untouched tree and passes with its solution.patch applied
// to a temporary copy. It prints one line per exercise and a final
// "N passed, N failed" line, and exits 1 if any exercise failed.
//
// Run it from the repository root: go run ./internal/exercise/cmd/exercises
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/exercise"
)

func main() {
	exs, err := exercise.Find(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "exercises:", err)
		os.Exit(2)
	}
	passed, failed := 0, 0
	for _, e := range exs {
		start := time.Now()
		err := exercise.Check(context.Background(), ".", e)
		took := time.Since(start).Round(100 * time.Millisecond)
		if err != nil {
			failed++
			fmt.Printf("FAIL %s (%v): %s\n", e.Name(), took, indent(err.Error()))
			continue
		}
		passed++
		fmt.Printf("ok   %s (fails untouched, passes with solution.patch; %v)\n", e.Name(), took)
	}
	fmt.Printf("exercises: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

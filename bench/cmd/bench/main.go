// Command bench is the benchmark driver behind `make bench`: it builds
// every chapter and the peers, measures them side by side under wrk,
// writes one results file under bench/results/, and (for a whole run)
// regenerates the book's benchmark page from it.
//
//	go run ./cmd/bench [-quick] [-ch 02] [-scenario idle] [-peers all|single|none]
//	go run ./cmd/bench -render results/FILE.json   # only the page, from a file
//
// Run it from bench/ (the Makefile does).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/driver"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/report"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "..", "the repository root, where the chapters are")
	resultsDir := fs.String("results", "results", "where the results file goes")
	quick := fs.Bool("quick", false, "the reduced set (about 2 minutes)")
	ch := fs.String("ch", "", "only these chapters, comma-separated (02 or 2)")
	scenario := fs.String("scenario", "", "only these scenarios, comma-separated: memory, throughput, pipelined, idle, syscalls, profile, micro")
	peers := fs.String("peers", "", "all, single (nethttp-1 and nginx-1), none, or names (nethttp-1,gnet-1); default all for a whole run, single for a quick or narrowed one")
	render := fs.String("render", "", "do not measure: regenerate the book's page and charts from this results file")
	book := fs.Bool("book", true, "after a whole or quick run, regenerate the book's page from its results")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	bookDir := filepath.Join(*root, "book")
	if *render != "" {
		res, err := results.Read(*render)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		if res.Partial {
			dir := strings.TrimSuffix(*render, ".json")
			if err := report.WriteCharts(dir, res); err != nil {
				fmt.Fprintln(stderr, "bench:", err)
				return 1
			}
			fmt.Fprintf(stdout, "charts of this narrowed run: %s/ (the book's page shows whole runs only)\n", dir)
			return 0
		}
		if err := report.WriteBook(bookDir, *render); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		fmt.Fprintf(stdout, "book/%s regenerated from %s\n", report.PageName, *render)
		return 0
	}
	cfg := driver.Config{Root: *root, BenchDir: ".", ResultsDir: *resultsDir, Quick: *quick, Peers: *peers, Log: stdout,
		Command: "go run ./cmd/bench " + strings.Join(args, " ")}
	var err error
	if cfg.Chapters, err = chapterNumbers(*ch); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if err := checkChapters(*root, cfg.Chapters); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if err := driver.CheckPeers(*peers); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if *scenario != "" {
		cfg.Scenarios = strings.Split(*scenario, ",")
		if err := driver.CheckScenarios(cfg.Scenarios); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, path, err := driver.Run(ctx, cfg)
	if errors.Is(err, driver.ErrNoWrk) {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "results: %s (%.0f s)\n", path, res.Seconds)
	for _, n := range res.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	if cfg.Partial() || !*book {
		dir := strings.TrimSuffix(path, ".json")
		if err := report.WriteCharts(dir, res); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		fmt.Fprintf(stdout, "charts of this run: %s/ (the book's page is left as it is: it shows a whole run)\n", dir)
		return 0
	}
	if err := report.WriteBook(bookDir, path); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	fmt.Fprintf(stdout, "book/%s and its charts regenerated from %s\n", report.PageName, path)
	return 0
}

// chapterNumbers reads -ch: "02", "2", "2,3".
// checkChapters refuses a chapter number that has no folder, rather than
// measure the others and leave it out without a word.
func checkChapters(root string, want []int) error {
	if len(want) == 0 {
		return nil
	}
	chapters, err := server.Chapters(root)
	if err != nil {
		return err
	}
	var have []string
	for _, c := range chapters {
		have = append(have, fmt.Sprintf("%02d", c.Number))
	}
	for _, n := range want {
		if !slices.Contains(have, fmt.Sprintf("%02d", n)) {
			return fmt.Errorf("no chapter %02d; there are: %s", n, strings.Join(have, ", "))
		}
	}
	return nil
}

func chapterNumbers(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-ch %q: want chapter numbers such as 02 or 2,3", s)
		}
		out = append(out, n)
	}
	return out, nil
}

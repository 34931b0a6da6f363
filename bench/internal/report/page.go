// Package report turns a results file into the book's benchmark page:
// tables and SVG charts between markers in book/bench.md, and the charts
// in book/bench/. Everything between the markers is generated; the prose
// around them is written by hand.
package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
)

// PageName is the page in book/; ChartDir the folder of its charts.
const (
	PageName = "bench.md"
	ChartDir = "bench"
)

var (
	resultsMarker = regexp.MustCompile(`(?m)^<!-- bench:results (\S+) -->$`)
	beginMarker   = regexp.MustCompile(`(?m)^<!-- bench:begin (\S+) -->$`)
)

func endMarker(name string) string { return "<!-- bench:end " + name + " -->" }

// Fill regenerates every region of page from run. resultsPath is the
// results file's path from the repository root, written into the page.
func Fill(page []byte, run *results.Run, resultsPath string) ([]byte, map[string][]byte, error) {
	if !resultsMarker.Match(page) {
		return nil, nil, fmt.Errorf("the page has no <!-- bench:results PATH --> line")
	}
	page = resultsMarker.ReplaceAll(page, []byte("<!-- bench:results "+resultsPath+" -->"))
	sections, err := Sections(run, resultsPath, ChartDir+"/")
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]Section{}
	for _, s := range sections {
		byName[s.Name] = s
	}
	charts := map[string][]byte{}
	var out bytes.Buffer
	rest := page
	seen := map[string]bool{}
	for {
		loc := beginMarker.FindSubmatchIndex(rest)
		if loc == nil {
			out.Write(rest)
			break
		}
		name := string(rest[loc[2]:loc[3]])
		s, ok := byName[name]
		if !ok {
			return nil, nil, fmt.Errorf("the page has a region %q the report does not generate", name)
		}
		end := bytes.Index(rest[loc[1]:], []byte(endMarker(name)))
		if end < 0 {
			return nil, nil, fmt.Errorf("region %q has no %s", name, endMarker(name))
		}
		out.Write(rest[:loc[1]])
		out.WriteString("\n\n" + strings.TrimRight(s.Markdown, "\n") + "\n\n")
		rest = rest[loc[1]+end:]
		seen[name] = true
		for f, b := range s.Charts {
			charts[f] = b
		}
	}
	for _, s := range sections {
		if !seen[s.Name] {
			return nil, nil, fmt.Errorf("the page lacks the region %q (<!-- bench:begin %s --> ... %s)", s.Name, s.Name, endMarker(s.Name))
		}
	}
	return out.Bytes(), charts, nil
}

// repoPath is path (absolute, or relative to the working directory)
// relative to the repository root, in slashes.
func repoPath(root, path string) (string, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absRoot, abs)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

// WriteBook regenerates book/bench.md and book/bench/*.svg from the
// results file at path, removing charts the page no longer links.
func WriteBook(bookDir, path string) error {
	run, err := results.Read(path)
	if err != nil {
		return err
	}
	rel, err := repoPath(filepath.Dir(bookDir), path)
	if err != nil {
		return err
	}
	pagePath := filepath.Join(bookDir, PageName)
	page, err := os.ReadFile(pagePath)
	if err != nil {
		return err
	}
	page, charts, err := Fill(page, run, rel)
	if err != nil {
		return fmt.Errorf("%s: %w", pagePath, err)
	}
	dir := filepath.Join(bookDir, ChartDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	for _, f := range old {
		if _, ok := charts[filepath.Base(f)]; !ok {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for name, b := range charts {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(pagePath, page, 0o644)
}

// Check fails when book/bench.md or its charts differ from what its
// results file generates, naming what is stale and how to fix it.
func Check(bookDir string) error {
	pagePath := filepath.Join(bookDir, PageName)
	page, err := os.ReadFile(pagePath)
	if err != nil {
		return err
	}
	m := resultsMarker.FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("%s has no <!-- bench:results PATH --> line", pagePath)
	}
	rel := string(m[1])
	run, err := results.Read(filepath.Join(filepath.Dir(bookDir), filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	want, charts, err := Fill(page, run, rel)
	if err != nil {
		return err
	}
	fix := fmt.Sprintf("run: make bench-book RESULTS=%s", rel)
	var stale []string
	if !bytes.Equal(page, want) {
		stale = append(stale, pagePath)
	}
	dir := filepath.Join(bookDir, ChartDir)
	for name, b := range charts {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, b) {
			stale = append(stale, filepath.Join(dir, name))
		}
	}
	have, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	for _, f := range have {
		if _, ok := charts[filepath.Base(f)]; !ok {
			stale = append(stale, f+" (no longer generated)")
		}
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		return fmt.Errorf("stale against %s: %s; %s", rel, strings.Join(stale, ", "), fix)
	}
	return nil
}

// WriteCharts writes a narrowed run's charts and tables into dir (its
// results file's name without .json), leaving the book alone.
func WriteCharts(dir string, run *results.Run) error {
	sections, err := Sections(run, filepath.Base(dir)+".json", "")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Benchmark run " + run.Date + "\n\nGenerated by the bench driver; the book's page (book/bench.md) explains each part.\n")
	for _, s := range sections {
		b.WriteString("\n## " + s.Name + "\n\n" + s.Markdown)
		for name, svg := range s.Charts {
			if err := os.WriteFile(filepath.Join(dir, name), svg, 0o644); err != nil {
				return err
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644)
}

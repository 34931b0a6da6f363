package book

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() {
	// A scenario for the tests: its output has a Date line, which is
	// volatile, and a body, which is not.
	register(scenario{Name: "test-date", Run: func(s *Session) error {
		s.showCommand("date-header")
		s.showOutput("Date: Tue, 03 Jan 2006 10:00:00 GMT\r\nhello\r\n")
		return nil
	}})
}

// copyRepo copies testdata/repo into a temporary directory, so that
// tests may rewrite its files.
func copyRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	err := filepath.Walk("testdata/repo", func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("testdata/repo", path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func newTestBook(t *testing.T, root string) *Book {
	t.Helper()
	r, err := NewRunner(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &Book{Root: root, Runner: r}
}

// summary is one line per result: position, marker, and what happened.
func summary(results []Result) string {
	var b strings.Builder
	for _, r := range results {
		state := "fresh"
		switch {
		case r.Err != nil:
			state = "error: " + r.Err.Error()
		case r.Stale:
			state = "stale: " + r.Why
		}
		b.WriteString(r.Pos + " " + r.Marker + ": " + state + "\n")
	}
	return b.String()
}

func TestCheckFindsStaleBlocks(t *testing.T) {
	root := copyRepo(t)
	before, _ := os.ReadFile(filepath.Join(root, "book/chapter.md"))
	results, err := newTestBook(t, root).Process(context.Background(), "book/chapter.md", true)
	if err != nil {
		t.Fatal(err)
	}
	want := `book/chapter.md:5 embed: src/sample.go#greet: fresh
book/chapter.md:15 embed: src/sample.go#body: stale: block line 1: the block has "msg := greet(\"someone else\")", it should have "msg := greet(\"reader\")"
book/chapter.md:22 diff: src/old.txt src/new.txt: stale: no ` + "```diff" + ` block follows the marker
book/chapter.md:32 transcript: test-date: fresh
book/chapter.md:41 transcript: test-date: stale: block line 3: the block has "goodbye", it should have "hello"
`
	if got := summary(results); got != want {
		t.Errorf("check found:\n%s\nwant:\n%s", got, want)
	}
	after, _ := os.ReadFile(filepath.Join(root, "book/chapter.md"))
	if string(after) != string(before) {
		t.Error("check mode changed the file")
	}
}

func TestWriteRefreshesStaleBlocks(t *testing.T) {
	root := copyRepo(t)
	b := newTestBook(t, root)
	if _, err := b.Process(context.Background(), "book/chapter.md", false); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(root, "book/chapter.md"))
	want, _ := os.ReadFile("testdata/chapter.golden.md")
	if string(got) != string(want) {
		t.Errorf("rewritten file:\n%s\nwant (testdata/chapter.golden.md):\n%s", got, want)
	}
	results, err := b.Process(context.Background(), "book/chapter.md", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Stale || r.Err != nil {
			t.Errorf("after writing, %s %s: stale %v, error %v", r.Pos, r.Marker, r.Stale, r.Err)
		}
	}
}

func TestErrorsNameTheMarker(t *testing.T) {
	root := copyRepo(t)
	results, err := newTestBook(t, root).Process(context.Background(), "book/errors.md", false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`book/errors.md:3 embed: src/sample.go#nope: error: src/sample.go: no region "nope"`,
		`book/errors.md:7 embed: src/missing.go: error: src/missing.go: open `,
		`book/errors.md:11 embed: src/sample.go#broken: error: src/sample.go: region "broken" is never ended`,
		`book/errors.md:15 transcript: no-such-scenario: error: no scenario "no-such-scenario"`,
	}
	got := strings.Split(strings.TrimSuffix(summary(results), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("results:\n%s\nwant %d", summary(results), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("result %d:\n%s\nwant it to start with:\n%s", i, got[i], want[i])
		}
	}
}

func TestParseMarkdownErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, wantErr string
	}{
		{"wrong language", "<!-- embed: a.go -->\n```python\nx\n```\n", "x.md:2: the block after a embed marker must be ```go"},
		{"unclosed block after a marker", "<!-- diff: a b -->\n```diff\nx\n", "x.md:2: code block is never closed"},
		{"unclosed block", "text\n~~~\n<!-- embed: a.go -->\n", "x.md:2: code block is never closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseMarkdown("x.md", tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseMarkdownIgnoresMarkersInCode(t *testing.T) {
	text := "````markdown\n<!-- embed: a.go -->\n```go\n```\n````\n" +
		"~~~\n<!-- transcript: x -->\n~~~\n" +
		"<!-- embed: b.go#r -->\n```go\nold\n```\n"
	_, blocks, err := parseMarkdown("x.md", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 || blocks[0].Arg != "b.go#r" || blocks[0].Line != 9 || blocks[0].Content != "old\n" {
		t.Errorf("blocks = %+v, want only b.go#r at line 9 holding \"old\\n\"", blocks)
	}
}

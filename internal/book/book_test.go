package book

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestBookIsFresh is make book-check as a test, so that go test ./...
// fails when a snippet, diff or transcript in the book is stale. A
// transcript that needs a tool this machine lacks is skipped, saying so.
func TestBookIsFresh(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	b := newTestBook(t, root)
	for _, f := range files {
		results, err := b.Process(context.Background(), f, true)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for _, r := range results {
			t.Run(r.Pos+" "+r.Marker, func(t *testing.T) {
				switch {
				case IsSkip(r.Err):
					t.Skip(r.Err)
				case r.Err != nil:
					t.Fatal(r.Err)
				case r.Stale:
					t.Fatalf("stale (make book refreshes it): %s\n%s", r.Why, StaleNote)
				}
			})
		}
	}
}

// TestScenarios checks that each scenario's transcript shows what it is
// for (scenario.Shows). It runs the scenarios that no file of the book
// uses yet; for the others, TestBookIsFresh has run them, and the book's
// block is what is checked.
func TestScenarios(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	used := usedScenarios(t, root)
	b := newTestBook(t, root)
	for _, name := range ScenarioNames() {
		if strings.HasPrefix(name, "test-") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			sc := scenarios[name]
			var out string
			if text, ok := used[name]; ok {
				out = text
			} else {
				var err error
				out, err = b.Runner.Run(context.Background(), name)
				if IsSkip(err) {
					t.Skip(err)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, want := range sc.Shows {
				if !regexp.MustCompile(want).MatchString(out) {
					t.Errorf("the transcript does not match %s:\n%s", want, out)
				}
			}
		})
	}
}

// usedScenarios returns the content of the first block in the book
// under each transcript marker, by scenario name.
func usedScenarios(t *testing.T, root string) map[string]string {
	t.Helper()
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	b := &Book{Root: root}
	used := map[string]string{}
	for _, f := range files {
		blocks, err := b.blocks(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, blk := range blocks {
			if _, seen := used[blk.Arg]; blk.Kind == "transcript" && !seen {
				used[blk.Arg] = blk.Content
			}
		}
	}
	return used
}

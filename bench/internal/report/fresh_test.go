package report

import (
	"path/filepath"
	"testing"
)

// TestBookIsFresh fails when book/bench.md or book/bench/*.svg differ
// from what the results file the page names generates: edited by hand, or
// the report changed without `make bench-book`.
func TestBookIsFresh(t *testing.T) {
	if err := Check(filepath.Join("..", "..", "..", "book")); err != nil {
		t.Fatal(err)
	}
}

package conformance

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeMatrixIsFresh fails while the README's capability matrix
// does not match the suite and the chapter folders.
func TestReadmeMatrixIsFresh(t *testing.T) {
	current, want, err := Readme(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if current == nil {
		t.Fatal("README.md does not exist: run go run ./internal/conformance/cmd/matrix")
	}
	if !bytes.Equal(current, want) {
		t.Errorf("README.md's capability matrix is stale: run go run ./internal/conformance/cmd/matrix\n(-current +want):\n%s",
			cmp.Diff(strings.Split(string(current), "\n"), strings.Split(string(want), "\n")))
	}
}

func TestMatrixTable(t *testing.T) {
	behaviours := []Behaviour{
		{Name: "get-root", Since: 1, Doc: "`GET /` answers 200"},
		{Name: "keep-alive", Since: 3, Doc: "keeps a | connection"},
	}
	chapters := []Chapter{{"01-blocking", 1}, {"03-eventloop", 3}}
	want := "" +
		"| behaviour | [01](01-blocking/) | [03](03-eventloop/) |\n" +
		"|---|:-:|:-:|\n" +
		"| `GET /` answers 200 (`get-root`) | ✅ | ✅ |\n" +
		"| keeps a \\| connection (`keep-alive`) | — | ✅ |\n"
	if diff := cmp.Diff(want, MatrixTable(behaviours, chapters)); diff != "" {
		t.Errorf("table mismatch (-want +got):\n%s", diff)
	}
}

func TestChapters(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"02-poll", "01-blocking", "internal", "1-short", "03x"} {
		if err := os.Mkdir(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A file named like a chapter is not one.
	if err := os.WriteFile(filepath.Join(root, "04-file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Chapters(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Chapter{{"01-blocking", 1}, {"02-poll", 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chapters mismatch (-want +got):\n%s", diff)
	}
}

func TestReadmeIsCreatedWhenMissingAndOnlyTheMatrixChanges(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "01-blocking"), 0o755); err != nil {
		t.Fatal(err)
	}
	current, want, err := Readme(root)
	if err != nil {
		t.Fatal(err)
	}
	if current != nil {
		t.Fatalf("no README yet, but current is %q", current)
	}
	table := MatrixTable(Behaviours(), []Chapter{{"01-blocking", 1}})
	if !bytes.HasPrefix(want, []byte("# ")) || !bytes.Contains(want, []byte(table)) {
		t.Fatalf("a new README should be a heading and the matrix, got:\n%s", want)
	}

	// Text around the markers survives a rewrite; an old matrix does not.
	old := "# Title\n\nIntro.\n\n" + matrixBegin + "\nold table\n" + matrixEnd + "\n\nMore.\n"
	if err := os.WriteFile(filepath.Join(root, "README.md"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	_, want, err = Readme(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"# Title\n\nIntro.\n\n" + matrixBegin + "\n", table, matrixEnd + "\n\nMore.\n"} {
		if !bytes.Contains(want, []byte(part)) {
			t.Errorf("the rewritten README lacks %q:\n%s", part, want)
		}
	}
	if bytes.Contains(want, []byte("old table")) {
		t.Errorf("the old matrix survived:\n%s", want)
	}
}

func TestReadmeWithoutMarkersIsAnError(t *testing.T) {
	root := t.TempDir()
	for _, readme := range []string{"# Title\n", "# Title\n" + matrixBegin + "\n", "# Title\n" + matrixEnd + "\n" + matrixBegin + "\n"} {
		if err := os.WriteFile(filepath.Join(root, "README.md"), []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Readme(root); err == nil {
			t.Errorf("README %q: no error", readme)
		}
	}
}

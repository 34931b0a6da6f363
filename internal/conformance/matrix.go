package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// The README's capability matrix is generated from the suite: one row per
// behaviour, one column per chapter folder, a tick where the chapter has
// the behaviour. `go run ./internal/conformance/cmd/matrix` rewrites it,
// and a test fails while it is stale.

const (
	matrixBegin = "<!-- matrix:begin -->"
	matrixEnd   = "<!-- matrix:end -->"
)

// chapterDir matches a chapter folder's name, such as 02-poll.
var chapterDir = regexp.MustCompile(`^([0-9][0-9])-.+$`)

// Chapter is a chapter folder at the repository root.
type Chapter struct {
	Dir    string // "02-poll"
	Number int    // 2
}

// Chapters lists the chapter folders at the repository root, in order.
func Chapters(root string) ([]Chapter, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var chapters []Chapter
	for _, e := range entries {
		m := chapterDir.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		chapters = append(chapters, Chapter{Dir: e.Name(), Number: n})
	}
	return chapters, nil // ReadDir sorts by name, and so by number
}

// MatrixTable is the capability matrix for the given chapters, as a
// markdown table.
func MatrixTable(behaviours []Behaviour, chapters []Chapter) string {
	var b strings.Builder
	b.WriteString("| behaviour |")
	for _, c := range chapters {
		fmt.Fprintf(&b, " [%02d](%s/) |", c.Number, c.Dir)
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat(":-:|", len(chapters)))
	b.WriteString("\n")
	for _, bh := range behaviours {
		fmt.Fprintf(&b, "| %s (`%s`) |", strings.ReplaceAll(bh.Doc, "|", `\|`), bh.Name)
		for _, c := range chapters {
			mark := "—"
			if c.Number >= bh.Since {
				mark = "✅"
			}
			fmt.Fprintf(&b, " %s |", mark)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// newReadme is the README.md written when there is none yet: a heading
// and the markers, for the rest to be written around them.
const newReadme = "# Event loops from scratch\n\n" + matrixBegin + "\n" + matrixEnd + "\n"

// Readme returns the repository's README.md as it is (nil if there is
// none) and as it should be, with the capability matrix of the chapters
// that exist written between its markers. The matrix command writes want;
// the suite's test fails when current differs from it.
func Readme(root string) (current, want []byte, err error) {
	path := filepath.Join(root, "README.md")
	current, err = os.ReadFile(path)
	base := current
	if errors.Is(err, fs.ErrNotExist) {
		current, base = nil, []byte(newReadme)
	} else if err != nil {
		return nil, nil, err
	}
	chapters, err := Chapters(root)
	if err != nil {
		return nil, nil, err
	}
	want, err = spliceMatrix(base, MatrixTable(Behaviours(), chapters))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return current, want, nil
}

// spliceMatrix replaces what is between the markers with table.
func spliceMatrix(readme []byte, table string) ([]byte, error) {
	before, rest, ok := bytes.Cut(readme, []byte(matrixBegin))
	if !ok {
		return nil, fmt.Errorf("no %s marker", matrixBegin)
	}
	_, after, ok := bytes.Cut(rest, []byte(matrixEnd))
	if !ok {
		return nil, fmt.Errorf("no %s marker after %s", matrixEnd, matrixBegin)
	}
	var b bytes.Buffer
	b.Write(before)
	b.WriteString(matrixBegin + "\n")
	b.WriteString("<!-- generated from internal/conformance by `go run ./internal/conformance/cmd/matrix`: do not edit -->\n\n")
	b.WriteString(table)
	b.WriteString("\n" + matrixEnd)
	b.Write(after)
	return b.Bytes(), nil
}

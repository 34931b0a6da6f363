package book

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Files lists the Markdown files the tool maintains, relative to root:
// book/*.md, and README.md and CONTRIBUTING.md at the root.
func Files(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "book", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"README.md", "CONTRIBUTING.md"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			files = append(files, filepath.Join(root, f))
		}
	}
	var rel []string
	for _, f := range files {
		r, err := filepath.Rel(root, f)
		if err != nil {
			return nil, err
		}
		rel = append(rel, filepath.ToSlash(r))
	}
	sort.Strings(rel)
	return rel, nil
}

// Result is what became of one marker.
type Result struct {
	Pos    string // file:line of the marker
	Marker string // e.g. "embed: 01-blocking/http.go#parseRequest"
	Kind   string // embed, diff or transcript
	Arg    string // what follows "KIND:"
	// Err is set when the block could not be made: an unknown file or
	// region, a scenario that failed, or one that was skipped (IsSkip).
	Err error
	// Stale is set when the file's block differs from what the marker
	// makes (for transcripts: after masking volatile parts).
	Stale bool
	// Why says how a stale block differs.
	Why string
}

// StaleNote is said after a stale block is reported. The book embeds the
// chapters' code and the transcripts of their servers, so a chapter
// changed in the working tree, by an exercise's solution for instance,
// makes the book stale, and refreshing it then would be wrong.
const StaleNote = "This is expected while a chapter carries an exercise solution or other local changes: " +
	"make book would write them into the book, so run it only when you mean to change the book."

// Book processes Markdown files: it checks or rewrites the blocks under
// their markers.
type Book struct {
	Root   string
	Runner *Runner
}

// Process handles one file, named relative to b.Root. In check mode it
// only reports; otherwise it rewrites the file's stale blocks, and leaves
// alone blocks it cannot make (their Result has Err set).
func (b *Book) Process(ctx context.Context, name string, check bool) ([]Result, error) {
	path := filepath.Join(b.Root, filepath.FromSlash(name))
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines, blocks, err := parseMarkdown(name, string(data))
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(blocks))
	fresh := make([]*string, len(blocks))
	for i, blk := range blocks {
		r := &results[i]
		*r = Result{Pos: fmt.Sprintf("%s:%d", name, blk.Line), Marker: blk.Kind + ": " + blk.Arg, Kind: blk.Kind, Arg: blk.Arg}
		content, err := b.make(ctx, blk)
		if err != nil {
			r.Err = err
			continue
		}
		old, made := blk.Content, content
		if blk.Kind == "transcript" {
			// Volatile parts differ from run to run: compare without
			// them, and keep the block as it is when nothing else differs.
			old, made = maskVolatile(old), maskVolatile(content)
		}
		switch {
		case !blk.Present:
			r.Stale, r.Why = true, "no ```"+fenceLang[blk.Kind]+" block follows the marker"
		case old != made:
			r.Stale, r.Why = true, firstDifference(blk.Content, content, old, made)
		default:
			continue
		}
		fresh[i] = &content
	}
	if !check {
		if out := replaceBlocks(lines, blocks, fresh); out != string(data) {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				return results, err
			}
		}
	}
	return results, nil
}

// blocks lists the markers of one file, named relative to b.Root.
func (b *Book) blocks(name string) ([]block, error) {
	data, err := os.ReadFile(filepath.Join(b.Root, filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	_, blocks, err := parseMarkdown(name, string(data))
	return blocks, err
}

// make returns what a block should hold.
func (b *Book) make(ctx context.Context, blk block) (string, error) {
	switch blk.Kind {
	case "embed":
		return embed(b.Root, blk.Arg)
	case "diff":
		return gitDiff(b.Root, blk.Arg)
	case "transcript":
		if b.Runner == nil {
			return "", errors.New("no scenario runner")
		}
		return b.Runner.Run(ctx, blk.Arg)
	}
	return "", fmt.Errorf("unknown marker kind %q", blk.Kind)
}

// firstDifference describes where the block in the file (have) first
// differs from what its marker makes (want), comparing haveCmp and
// wantCmp, the same texts line for line, masked where volatile, but
// quoting the real lines.
func firstDifference(have, want, haveCmp, wantCmp string) string {
	h, w := lines(have), lines(want)
	hc, wc := lines(haveCmp), lines(wantCmp)
	for i := 0; i < len(hc) || i < len(wc); i++ {
		switch {
		case i >= len(hc):
			return fmt.Sprintf("block line %d: the block ends; it should go on with %q", i+1, w[i])
		case i >= len(wc):
			return fmt.Sprintf("block line %d: %q should not be there (the block should end before it)", i+1, h[i])
		case hc[i] != wc[i]:
			return fmt.Sprintf("block line %d: the block has %q, it should have %q", i+1, h[i], w[i])
		}
	}
	return "only the line endings differ"
}

// FindRoot returns the repository root: the nearest directory, from dir
// up, that holds go.mod.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in this directory or any above it")
		}
		dir = parent
	}
}

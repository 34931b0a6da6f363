package book

import (
	"fmt"
	"regexp"
	"strings"
)

// markerPattern matches a marker line: <!-- KIND: ARGS -->.
var markerPattern = regexp.MustCompile(`^<!--\s*(embed|diff|transcript):\s*(.*?)\s*-->\s*$`)

// fenceLang is the language of the fenced block each kind of marker owns.
var fenceLang = map[string]string{
	"embed":      "go",
	"diff":       "diff",
	"transcript": "console",
}

// A block is one marker and the fenced block after it.
type block struct {
	Kind string // embed, diff or transcript
	Arg  string // what follows "KIND:", trimmed
	Line int    // the marker's line number, from 1

	// Present is false when the marker is not followed by a fenced block
	// yet: writing inserts one.
	Present bool
	// Start and End delimit the block's content in the file's lines:
	// lines[Start:End], the fences excluded.
	Start, End int
	Content    string // lines[Start:End] joined, each ending in "\n"
}

// parseMarkdown splits text into lines and finds the markers in it.
// Markers inside fenced code blocks are text, not markers: that is how
// documentation shows them without triggering them.
func parseMarkdown(name, text string) ([]string, []block, error) {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var blocks []block
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r\n")
		if fence, ok := openingFence(line); ok {
			end := closingFence(lines, i+1, fence)
			if end < 0 {
				return nil, nil, fmt.Errorf("%s:%d: code block is never closed", name, i+1)
			}
			i = end
			continue
		}
		m := markerPattern.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		b := block{Kind: m[1], Arg: m[2], Line: i + 1}
		if i+1 < len(lines) {
			if fence, ok := openingFence(strings.TrimRight(lines[i+1], "\r\n")); ok {
				lang := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(lines[i+1]), fence[:1]))
				if lang != fenceLang[b.Kind] {
					return nil, nil, fmt.Errorf("%s:%d: the block after a %s marker must be ```%s, not ```%s",
						name, i+2, b.Kind, fenceLang[b.Kind], lang)
				}
				end := closingFence(lines, i+2, fence)
				if end < 0 {
					return nil, nil, fmt.Errorf("%s:%d: code block is never closed", name, i+2)
				}
				b.Present, b.Start, b.End = true, i+2, end
				b.Content = strings.Join(lines[b.Start:b.End], "")
				i = end
			}
		}
		blocks = append(blocks, b)
	}
	return lines, blocks, nil
}

// openingFence reports whether line opens a fenced code block (CommonMark:
// at most three spaces of indent, then three or more backticks or
// tildes) and returns the fence.
func openingFence(line string) (string, bool) {
	trimmed := strings.TrimLeft(line, " ")
	if len(line)-len(trimmed) > 3 || len(trimmed) < 3 {
		return "", false
	}
	c := trimmed[0]
	if c != '`' && c != '~' {
		return "", false
	}
	n := len(trimmed) - len(strings.TrimLeft(trimmed, string(c)))
	if n < 3 || (c == '`' && strings.Contains(trimmed[n:], "`")) {
		return "", false
	}
	return trimmed[:n], true
}

// closingFence returns the index of the line from lines[from:] that
// closes a block opened with fence, or -1.
func closingFence(lines []string, from int, fence string) int {
	for i := from; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			return i
		}
	}
	return -1
}

// replaceBlocks returns the file's text with each block's content
// replaced by fresh[i] (ending in "\n"), inserting fenced blocks where
// none were present. fresh[i] == nil leaves block i as it is.
func replaceBlocks(lines []string, blocks []block, fresh []*string) string {
	var out strings.Builder
	next := 0
	for i, b := range blocks {
		if fresh[i] == nil {
			continue
		}
		if b.Present {
			for _, l := range lines[next:b.Start] {
				out.WriteString(l)
			}
			out.WriteString(*fresh[i])
			next = b.End
			continue
		}
		for _, l := range lines[next:b.Line] {
			out.WriteString(l)
		}
		if !strings.HasSuffix(lines[b.Line-1], "\n") {
			out.WriteString("\n")
		}
		out.WriteString("```" + fenceLang[b.Kind] + "\n" + *fresh[i] + "```\n")
		next = b.Line
	}
	for _, l := range lines[next:] {
		out.WriteString(l)
	}
	return out.String()
}

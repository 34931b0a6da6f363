package book

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// regionMarker matches the lines that delimit a region in source code.
var regionMarker = regexp.MustCompile(`^\s*// (region|endregion): (\S+)\s*$`)

// embed returns what an embed marker's block should hold: the file
// (relative to root), or the named region of it.
func embed(root, arg string) (string, error) {
	file, region, _ := strings.Cut(arg, "#")
	src, err := readRepoFile(root, file)
	if err != nil {
		return "", err
	}
	if region == "" {
		return finish(stripMarkers(lines(src))), nil
	}
	body, err := extractRegion(src, region)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return body, nil
}

// extractRegion returns the lines between "// region: NAME" and
// "// endregion: NAME", without the markers of any region nested in it,
// without leading and trailing blank lines, and with the indentation all
// of its lines share removed.
func extractRegion(src, name string) (string, error) {
	all := lines(src)
	start, end := -1, -1
	for i, l := range all {
		m := regionMarker.FindStringSubmatch(l)
		if m == nil || m[2] != name {
			continue
		}
		switch {
		case m[1] == "region" && start >= 0:
			return "", fmt.Errorf("region %q is defined twice (lines %d and %d)", name, start, i+1)
		case m[1] == "region":
			start = i + 1
		case start < 0:
			return "", fmt.Errorf("line %d: endregion %q before its region", i+1, name)
		case end >= 0:
			return "", fmt.Errorf("line %d: region %q ends twice", i+1, name)
		default:
			end = i
		}
	}
	switch {
	case start < 0:
		return "", fmt.Errorf("no region %q", name)
	case end < 0:
		return "", fmt.Errorf("region %q is never ended (no // endregion: %s)", name, name)
	}
	body := trimBlankLines(stripMarkers(all[start:end]))
	if len(body) == 0 {
		return "", fmt.Errorf("region %q is empty", name)
	}
	return finish(dedent(body)), nil
}

// stripMarkers drops region marker lines, and with them the blank lines
// that the convention puts between a marker and the code (after a
// region line, before an endregion line), so that the code reads as if
// the markers had never been there.
func stripMarkers(in []string) []string {
	var out []string
	for i := 0; i < len(in); i++ {
		m := regionMarker.FindStringSubmatch(in[i])
		switch {
		case m == nil:
			out = append(out, in[i])
		case m[1] == "region":
			if i+1 < len(in) && strings.TrimSpace(in[i+1]) == "" {
				i++
			}
		default:
			if len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
				out = out[:len(out)-1]
			}
		}
	}
	return out
}

func trimBlankLines(l []string) []string {
	for len(l) > 0 && strings.TrimSpace(l[0]) == "" {
		l = l[1:]
	}
	for len(l) > 0 && strings.TrimSpace(l[len(l)-1]) == "" {
		l = l[:len(l)-1]
	}
	return l
}

// dedent removes the longest run of leading tabs and spaces that every
// non-blank line starts with.
func dedent(l []string) []string {
	prefix := ""
	first := true
	for _, s := range l {
		if strings.TrimSpace(s) == "" {
			continue
		}
		indent := s[:len(s)-len(strings.TrimLeft(s, " \t"))]
		if first {
			prefix, first = indent, false
			continue
		}
		for !strings.HasPrefix(indent, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.TrimPrefix(s, prefix)
		if strings.TrimSpace(s) == "" {
			out[i] = ""
		}
	}
	return out
}

// lines splits text into lines without their line endings.
func lines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// finish joins lines into block content: every line ends in "\n".
func finish(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return strings.Join(l, "\n") + "\n"
}

// readRepoFile reads a file named by a marker, relative to the root of
// the repository; a marker may not reach outside it.
func readRepoFile(root, name string) (string, error) {
	if name == "" || !filepath.IsLocal(filepath.FromSlash(name)) {
		return "", fmt.Errorf("%q: want a path relative to the repository root", name)
	}
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return string(b), nil
}

package book

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// gitDiff returns the unified diff between two paths relative to root, as
// git diff --no-index prints it, with the "diff --git" and "index" lines
// dropped (index lines name blob hashes, which say nothing to a reader)
// so that what remains is stable: ---/+++ headers with a/ and b/ paths,
// then the hunks.
func gitDiff(root, arg string) (string, error) {
	paths := strings.Fields(arg)
	if len(paths) != 2 {
		return "", fmt.Errorf("%q: want two paths, the old and the new", arg)
	}
	for _, p := range paths {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return "", fmt.Errorf("%q: want a path relative to the repository root", p)
		}
	}
	// Every setting that changes what git diff prints is pinned here, so
	// that a contributor's ~/.gitconfig cannot make the book stale.
	cmd := exec.Command("git",
		"-c", "core.quotePath=false", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
		"-c", "diff.relative=false", "-c", "diff.suppressBlankEmpty=false",
		"diff", "--no-index", "--no-color", "--no-ext-diff", "--no-textconv",
		"--diff-algorithm=myers", "--indent-heuristic", "--src-prefix=a/", "--dst-prefix=b/", "-U3",
		"--", paths[0], paths[1])
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	// git diff --no-index exits 1 when the files differ: that is success.
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return "", fmt.Errorf("git diff --no-index %s %s: %v: %s", paths[0], paths[1], err, strings.TrimSpace(stderr.String()))
	}
	var out []string
	for _, l := range lines(stdout.String()) {
		if strings.HasPrefix(l, "diff --git ") || strings.HasPrefix(l, "index ") {
			continue
		}
		out = append(out, l)
	}
	if len(out) == 1 && out[0] == "" {
		return "", fmt.Errorf("%s and %s are identical: there is no diff to show", paths[0], paths[1])
	}
	return finish(out), nil
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckThenWrite(t *testing.T) {
	root := t.TempDir()
	for _, f := range []struct{ path, text string }{
		{"go.mod", "module example\n"},
		{"README.md", "# Title\n\n<!-- matrix:begin -->\nstale\n<!-- matrix:end -->\n"},
	} {
		if err := os.WriteFile(filepath.Join(root, f.path), []byte(f.text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "01-blocking"), 0o755); err != nil {
		t.Fatal(err)
	}
	matrix := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(append(args, "-root", root), &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}

	if code, out := matrix("-check"); code != 1 || !strings.Contains(out, "stale") {
		t.Errorf("-check on a stale matrix: exit %d, %q; want 1 and a word on staleness", code, out)
	}
	if code, out := matrix(); code != 0 {
		t.Errorf("rewriting: exit %d, %q", code, out)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(readme, []byte("stale")) || !bytes.Contains(readme, []byte("| [01](01-blocking/) |")) {
		t.Errorf("the README was not rewritten with the matrix:\n%s", readme)
	}
	if code, out := matrix("-check"); code != 0 {
		t.Errorf("-check after rewriting: exit %d, %q; want 0", code, out)
	}
}

func TestNotTheRoot(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-root", t.TempDir()}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "no go.mod") {
		t.Errorf("exit %d, stderr %q: want 2 and a word on go.mod", code, stderr.String())
	}
}

package exercise

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFailedAsATest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		output string
		want   bool
	}{
		{"a failing test", "--- FAIL: TestX (0.01s)\n    x_test.go:9: no\nFAIL\nFAIL\tpkg\t0.01s\n", true},
		{"a test that does not compile", "# pkg_test\n./x_test.go:9:2: undefined: y\nFAIL\tpkg [build failed]\n", false},
		{"a package that cannot load", "FAIL\tpkg [setup failed]\n", false},
		{"the test binary crashed before any test", "panic: boom\nFAIL\tpkg\t0.01s\n", false},
		{"the build failed inside a test", "--- FAIL: TestX (0.5s)\n    go build ../..: exit status 1\nFAIL\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FailedAsATest(tc.output); got != tc.want {
				t.Errorf("FailedAsATest = %v, want %v for:\n%s", got, tc.want, tc.output)
			}
		})
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"02-poll/exercises/b/exercise_test.go",
		"01-blocking/exercises/z/exercise_test.go",
		"01-blocking/exercises/a/exercise_test.go",
		"01-blocking/exercises/no-test/README.md",
		"internal/exercises/x/exercise_test.go",
	} {
		write(t, filepath.Join(root, f), "")
	}
	exs, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range exs {
		got = append(got, e.Name())
	}
	want := "01-blocking/a 01-blocking/z 02-poll/b"
	if strings.Join(got, " ") != want {
		t.Errorf("Find found %q, want %q", got, want)
	}
}

// TestCopyTree checks that the copy in which a solution is tried holds
// what the work tree holds: tracked files as edited, new files not yet
// added, and nothing that git ignores.
func TestCopyTree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	root := t.TempDir()
	git(t, root, "init", "-q")
	write(t, filepath.Join(root, ".gitignore"), "*.out\n")
	write(t, filepath.Join(root, "a/tracked.go"), "committed\n")
	git(t, root, "add", ".")
	write(t, filepath.Join(root, "a/tracked.go"), "edited\n")
	write(t, filepath.Join(root, "a/new.go"), "new\n")
	write(t, filepath.Join(root, "a/build.out"), "ignored\n")

	dst := t.TempDir()
	if err := CopyTree(root, dst); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		".gitignore":   "*.out\n",
		"a/tracked.go": "edited\n",
		"a/new.go":     "new\n",
	} {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil {
			t.Errorf("%s was not copied: %v", name, err)
		} else if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, "a/build.out")); err == nil {
		t.Error("an ignored file was copied")
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

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

// TestCheckRunsTheChaptersTests checks both ways that a solution is
// judged by the chapter's own tests as well as by the exercise's: in a
// small module with one chapter whose test pins its output, a patch that
// changes the output and the pinned value passes, and a patch that
// changes only the output fails, naming the chapter.
func TestCheckRunsTheChaptersTests(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	for _, tc := range []struct {
		name      string
		edits     map[string]string // file -> content, made by the solution
		wantError string            // "" if Check must pass
	}{
		{"a solution that updates the chapter's test", map[string]string{
			"01-x/x.go":      chapterCode("HELLO"),
			"01-x/x_test.go": chapterTest("HELLO"),
		}, ""},
		{"a solution that breaks the chapter's test", map[string]string{
			"01-x/x.go": chapterCode("HELLO"),
		}, "the exercise passes but 01-x's own tests fail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, filepath.Join(root, "go.mod"), "module example.com/fake\n\ngo 1.24\n")
			write(t, filepath.Join(root, "01-x/x.go"), chapterCode("hello"))
			write(t, filepath.Join(root, "01-x/x_test.go"), chapterTest("hello"))
			ex := Exercise{Dir: "01-x/exercises/shout"}
			write(t, filepath.Join(root, ex.Dir, "doc.go"), "package shout\n")
			write(t, filepath.Join(root, ex.Dir, "exercise_test.go"), `//go:build exercise

package shout_test

import (
	"testing"

	x "example.com/fake/01-x"
)

func TestShout(t *testing.T) {
	if got := x.Greeting(); got != "HELLO" {
		t.Errorf("Greeting() = %q, want HELLO", got)
	}
}
`)
			git(t, root, "init", "-q")
			git(t, root, "add", ".")
			git(t, root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "chapter")
			// The solution is what git diff says the edits change.
			for name, content := range tc.edits {
				write(t, filepath.Join(root, name), content)
			}
			write(t, filepath.Join(root, ex.Dir, "solution.patch"), git(t, root, "diff"))
			git(t, root, "checkout", "-q", "--", "01-x")

			err := Check(t.Context(), root, ex)
			switch {
			case tc.wantError == "" && err != nil:
				t.Errorf("Check: %v, want it to pass", err)
			case tc.wantError != "" && err == nil:
				t.Errorf("Check passed, want an error saying %q", tc.wantError)
			case tc.wantError != "" && !strings.Contains(err.Error(), tc.wantError):
				t.Errorf("Check: %v, want an error saying %q", err, tc.wantError)
			}
		})
	}
}

func chapterCode(greeting string) string {
	return "package x\n\nfunc Greeting() string { return \"" + greeting + "\" }\n"
}

func chapterTest(greeting string) string {
	return `package x

import "testing"

func TestGreeting(t *testing.T) {
	if got := Greeting(); got != "` + greeting + `" {
		t.Errorf("Greeting() = %q", got)
	}
}
`
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

// git runs git in dir and returns its standard output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

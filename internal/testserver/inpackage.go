package testserver

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RunInPackage runs go test in the package in dir (a path such as
// "../.."), with source added to the package as one more test file for
// that run only: go test -overlay, so nothing is written to dir. It runs
// the tests named in tests, and no others, with -race when the calling
// test runs under the race detector, and returns go test's output, one
// tab-indented line per line, and whether it passed. When it passed,
// each named test must have passed too (a name that matched nothing is
// an error).
//
// It is for exercises whose check must see a chapter's insides, such as
// a combinator driven by a fake clock: the exercise's own test stays
// outside the chapter's package, and still fails as a test, saying what
// the compiler said, when the learner has not written what the source
// needs yet.
func RunInPackage(t testing.TB, dir, source string, tests ...string) (output string, passed bool) {
	t.Helper()
	pkg, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	testFile := filepath.Join(tmp, "exercise_test.go")
	if err := os.WriteFile(testFile, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(pkg, "zz_exercise_overlay_test.go"): testFile},
	})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}

	args := []string{"test", "-count=1", "-v", "-overlay", overlayFile, "-run", "^(" + strings.Join(tests, "|") + ")$"}
	if raceEnabled {
		args = append(args, "-race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = pkg
	out, err := cmd.CombinedOutput()
	output = indentLines(string(out))
	if ctx.Err() != nil {
		t.Fatalf("go %s in %s did not finish within 4 minutes:\n%s", strings.Join(args, " "), filepath.Base(pkg), output)
	}
	if err != nil {
		return output, false
	}
	for _, name := range tests {
		if !strings.Contains(output, "--- PASS: "+name+" ") {
			t.Errorf("go test in %s: %s did not run", filepath.Base(pkg), name)
		}
	}
	return output, true
}

// indentLines indents go test's output, and leaves out the line that
// says the build failed: the test that ran it fails as a test, whatever
// the reason, and says why.
func indentLines(out string) string {
	var keep []string
	for line := range strings.SplitSeq(strings.TrimRight(out, "\n"), "\n") {
		if !strings.Contains(line, "[build failed]") {
			keep = append(keep, "\t"+line)
		}
	}
	return strings.Join(keep, "\n")
}

// Package exercise checks the chapters' exercises in both directions.
//
// An exercise lives in NN-chapter/exercises/NAME/ and holds:
//
//	README.md          the task, a hint, and how to check an answer
//	doc.go             package NAME (hyphens dropped), one line of doc, no build tag,
//	                   so that go vet ./... and go test ./... see a package
//	exercise_test.go   //go:build exercise; package NAME_test; drives the
//	                   chapter (../..) black-box, e.g. with testserver.Build
//	                   and testserver.StartBinary
//	solution.patch     a git diff, with paths from the repository root, that
//	                   makes the test pass
//
// A learner runs the test with go test -tags exercise ./NN-chapter/exercises/NAME/
// (make exercise CH=NN EX=NAME). Check verifies, for each exercise, that
// the test fails on the untouched tree with a test failure (not a build
// failure), and that it passes in a temporary copy of the tree with
// solution.patch applied, where the chapter's own tests must pass too: a
// solution that breaks the chapter is not a solution.
package exercise

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// BuildTag is the tag that exercise tests carry, so that go test ./...
// does not run them: on the untouched tree they fail by design.
const BuildTag = "exercise"

// testTimeout bounds one go test run: an exercise's or a chapter's.
const testTimeout = 5 * time.Minute

// Exercise is one exercise folder.
type Exercise struct {
	Dir string // relative to the repository root, slash-separated: 01-blocking/exercises/server-header
}

// Name is the exercise's name as the learner types it: the chapter folder
// and the exercise, as in 01-blocking/server-header.
func (e Exercise) Name() string {
	return e.Chapter() + "/" + filepath.Base(e.Dir)
}

// Chapter is the folder of the chapter the exercise belongs to, such as
// 01-blocking.
func (e Exercise) Chapter() string {
	chapter, _, _ := strings.Cut(e.Dir, "/")
	return chapter
}

// Find lists the exercises below root, in chapter order.
func Find(root string) ([]Exercise, error) {
	tests, err := filepath.Glob(filepath.Join(root, "[0-9][0-9]-*", "exercises", "*", "exercise_test.go"))
	if err != nil {
		return nil, err
	}
	var exs []Exercise
	for _, t := range tests {
		rel, err := filepath.Rel(root, filepath.Dir(t))
		if err != nil {
			return nil, err
		}
		exs = append(exs, Exercise{Dir: filepath.ToSlash(rel)})
	}
	sort.Slice(exs, func(i, j int) bool { return exs[i].Dir < exs[j].Dir })
	return exs, nil
}

// Result is the outcome of one go test run.
type Result struct {
	Passed bool
	Output string
}

// Run runs the exercise's test in the tree at root.
func Run(ctx context.Context, root string, e Exercise) (Result, error) {
	return goTest(ctx, root, "-tags", BuildTag, "./"+e.Dir+"/")
}

// RunChapter runs the tests of the exercise's chapter in the tree at
// root. Without -race: the chapter's tests run with it in go test ./...,
// and here they only need to show that a solution leaves them passing.
func RunChapter(ctx context.Context, root string, e Exercise) (Result, error) {
	return goTest(ctx, root, "./"+e.Chapter()+"/")
}

// goTest runs go test -count=1 with args in dir. A test that fails is a
// Result, not an error; an error means go test itself could not run.
func goTest(ctx context.Context, dir string, args ...string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-count=1"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return Result{Passed: true, Output: string(out)}, nil
	case ctx.Err() != nil:
		return Result{}, fmt.Errorf("go test did not finish within %v:\n%s", testTimeout, out)
	case errors.As(err, &exit):
		return Result{Output: string(out)}, nil
	default:
		return Result{}, fmt.Errorf("go test: %w", err)
	}
}

// FailedAsATest reports whether go test output shows a test that ran and
// failed, as opposed to a package that did not build or load: an
// exercise whose test does not even compile teaches nothing.
func FailedAsATest(output string) bool {
	return strings.Contains(output, "--- FAIL") &&
		!strings.Contains(output, "[build failed]") &&
		!strings.Contains(output, "[setup failed]")
}

// Check verifies one exercise both ways. It returns nil when the test
// fails on the tree at root and, with the solution applied to a copy of
// that tree, both the test and the chapter's own tests pass.
func Check(ctx context.Context, root string, e Exercise) error {
	untouched, err := Run(ctx, root, e)
	if err != nil {
		return fmt.Errorf("untouched tree: %w", err)
	}
	switch {
	case untouched.Passed:
		return errors.New("the test passes on the untouched tree; it must fail until the task is done")
	case !FailedAsATest(untouched.Output):
		return fmt.Errorf("on the untouched tree the test must fail as a test, not fail to build:\n%s", untouched.Output)
	}

	copyDir, err := os.MkdirTemp("", "exercise-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(copyDir)
	if err := CopyTree(root, copyDir); err != nil {
		return err
	}
	if err := applyPatch(copyDir, filepath.Join(root, e.Dir, "solution.patch")); err != nil {
		return err
	}
	solved, err := Run(ctx, copyDir, e)
	if err != nil {
		return fmt.Errorf("with solution.patch: %w", err)
	}
	if !solved.Passed {
		return fmt.Errorf("with solution.patch applied the test fails:\n%s", solved.Output)
	}
	chapter, err := RunChapter(ctx, copyDir, e)
	if err != nil {
		return fmt.Errorf("%s's tests with solution.patch: %w", e.Chapter(), err)
	}
	if !chapter.Passed {
		return fmt.Errorf("with solution.patch applied the exercise passes but %s's own tests fail (update them in the patch too):\n%s",
			e.Chapter(), chapter.Output)
	}
	return nil
}

func applyPatch(dir, patch string) error {
	cmd := exec.Command("git", "apply", patch)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git apply %s: %v\n%s", patch, err, out)
	}
	return nil
}

// CopyTree copies the files of the git work tree at root that git tracks
// or would track (untracked files not ignored, so a new exercise counts
// before it is committed) into dst, as they are in the work tree.
func CopyTree(root, dst string) error {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	list, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %v: %s", err, stderr.Bytes())
	}
	for _, name := range strings.Split(strings.TrimSuffix(string(list), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		if err := copyFile(filepath.Join(root, name), filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	info, err := os.Lstat(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil // deleted in the work tree but not yet in the index
	}
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, info.Mode().Perm())
}

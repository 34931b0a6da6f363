// Package gobuild compiles a chapter into a binary, for the tools and
// tests that run a chapter as a reader would: go build, then run.
package gobuild

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

// Build runs go build in dir (a main package's folder) and writes the
// binary to bin. With race, the binary has the race detector.
func Build(ctx context.Context, dir, bin string, race bool) error {
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", dir, err, out)
	}
	return statSources(dir)
}

// statSources stats every file below dir. go test caches a passing
// test's result until a file the test process opened or stated changes;
// the sources are read by go build, another process, so without this a
// test that builds a chapter would pass from the cache after the chapter
// changed.
func statSources(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, err = os.Stat(path)
		return err
	})
}

// Package gobuild compiles a chapter into a binary, for the tools and
// tests that run a chapter as a reader would: go build, then run.
package gobuild

import (
	"context"
	"fmt"
	"os/exec"
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
	return nil
}

package testserver

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/gobuild"
)

// Build compiles the chapter in dir (a path to its folder, such as "../..")
// into a temporary directory and returns the binary's path. The binary is
// built with the race detector when the test itself runs under it, so
// that StartBinary's race check means the same as Start's.
//
// Build is for tests that live outside the chapter's package, such as the
// exercises: they drive the chapter as the reader would run it.
func Build(t testing.TB, dir string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(abs))
	if err := gobuild.Build(context.Background(), abs, bin, raceEnabled); err != nil {
		t.Fatal(err)
	}
	return bin
}

// StartBinary starts a server binary, such as one made by Build, with
// o.Args (plus -addr 127.0.0.1:0 unless o.Args has an -addr) and waits
// until it listens. It behaves as StartWith does, except that o.NoFile is
// not supported: only a chapter's own test binary knows how to apply it.
func StartBinary(t testing.TB, binary string, o Options) *Server {
	t.Helper()
	if o.NoFile > 0 {
		t.Fatal("testserver: StartBinary does not support Options.NoFile")
	}
	cmd := exec.Command(binary, withDefaultAddr(o.Args)...)
	cmd.Env = os.Environ()
	return startCmd(t, cmd, o.KeepRunning)
}

// RequireFlag fails the test unless the binary's -h lists the flag -name:
// an exercise's first check, so that a learner who has not added the
// flag yet reads which one is missing, not a server that will not start.
func RequireFlag(t testing.TB, binary, name string) {
	t.Helper()
	out, err := exec.Command(binary, "-h").Output()
	if err != nil {
		t.Fatalf("%s -h: %v", binary, err)
	}
	if !regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(name) + `(\s|$)`).Match(out) {
		t.Fatalf("%s has no -%s flag yet: its -h does not list it:\n%s", filepath.Base(binary), name, out)
	}
}

// RunToExit runs the binary with args, which must make it exit at once
// (a bad flag), and returns its exit status and what it printed on
// stderr.
func RunToExit(t testing.TB, binary string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %s did not exit within 10s: want a bad flag to stop it at once", filepath.Base(binary), strings.Join(args, " "))
	case err == nil:
		return 0, stderr.String()
	case !errors.As(err, &exit):
		t.Fatalf("running %s: %v", binary, err)
	}
	return exit.ExitCode(), stderr.String()
}

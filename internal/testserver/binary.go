package testserver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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

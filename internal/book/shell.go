package book

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Shell is a bash the scenario types commands into, one at a time: shell
// state such as an open file descriptor lasts from one command to the
// next, as in the reader's terminal.
type Shell struct {
	s     *Session
	proc  *Proc
	stdin io.WriteCloser
	read  int // how much of proc.out earlier commands consumed
}

// Shell starts a bash for the scenario to type into, in the reader's
// given terminal.
func (s *Session) Shell(terminal int) (*Shell, error) {
	if err := clientTerminal(terminal); err != nil {
		return nil, err
	}
	cmd := exec.Command("bash", "--noprofile", "--norc")
	cmd.Dir = s.dir()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	p, err := s.start(terminal, "bash", cmd)
	if err != nil {
		return nil, err
	}
	return &Shell{s: s, proc: p, stdin: stdin}, nil
}

// Type shows cmd in the shell's terminal, runs it, waits for it to
// finish, shows its output and returns its exit status. Output that does
// not end in a newline is an error: the reader's prompt would follow it
// on the same line, which a transcript cannot show, so the command must
// print the newline itself (curl ...; echo).
func (sh *Shell) Type(cmd string) (int, error) {
	token := make([]byte, 8)
	_, _ = rand.Read(token)
	done := "__book_done_" + hex.EncodeToString(token) + "__"
	// The token is printed after the command, with its exit status: its
	// arrival says that the command has finished.
	script := fmt.Sprintf("%s\nprintf '%%s %%d\\n' %s $?\n", sh.s.real(cmd), done)
	if _, err := io.WriteString(sh.stdin, script); err != nil {
		return 0, fmt.Errorf("typing %q: %w", cmd, err)
	}
	sh.s.switchTo(sh.proc.terminal)
	sh.s.showCommand(cmd)
	finished := regexp.MustCompile(regexp.QuoteMeta(done) + ` (\d+)\n`)
	if err := sh.proc.WaitOutput(func(out string) bool { return finished.MatchString(out[sh.read:]) }); err != nil {
		return 0, err
	}
	out := sh.proc.out.String()[sh.read:]
	loc := finished.FindStringSubmatchIndex(out)
	status, _ := strconv.Atoi(out[loc[2]:loc[3]])
	sh.read += loc[1]
	// The token follows the command's output directly: this is all it
	// printed, its last newline included or not.
	output := out[:loc[0]]
	if output != "" && !strings.HasSuffix(output, "\n") {
		return 0, fmt.Errorf("%q printed no newline at its end (%q): the reader's prompt would follow on the same line; end the command with '; echo'", cmd, output[max(0, len(output)-40):])
	}
	sh.s.showOutput(output)
	return status, nil
}

// Run is Type for a command that must succeed.
func (sh *Shell) Run(cmd string) error {
	return sh.Expect(cmd, 0)
}

// Expect is Type for a command that must exit with the given status.
func (sh *Shell) Expect(cmd string, status int) error {
	got, err := sh.Type(cmd)
	if err == nil && got != status {
		err = fmt.Errorf("%q exited with status %d, want %d; the transcript so far:\n%s", cmd, got, status, sh.s.out.String())
	}
	return err
}

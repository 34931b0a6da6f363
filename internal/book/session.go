package book

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
)

// shownPort is the port transcripts show for the server: the chapters'
// default. The server really listens on a port the kernel picks.
const shownPort = "8080"

// serverTerminal is the reader's terminal that runs the server, in every
// session. The clients' terminals are numbered from 2, in the order the
// session first uses them.
const serverTerminal = 1

// shownAuthority is the server's address as the reader types it in a URL
// or a Host header. Commands keep it as shown, so that the bytes a client
// sends are the bytes the reader's would send (curl's Host header carries
// the port): curl is told to connect to the real port instead (see
// curlPrelude).
const shownAuthority = "127.0.0.1:" + shownPort

// Session is one run of a scenario: the transcript it writes, the server
// it started, and what to stop when it ends.
//
// Commands are written as the reader types them, with 8080 for the
// server's port and $(pidof NN-name) for its pid; the session runs them
// with the real values, and shows their output with the real port
// written back as 8080. In 127.0.0.1:8080, as in a URL, the port stays
// 8080 and curl connects to the real one (curlPrelude), so that every
// byte curl sends is what it sends on the reader's machine.
type Session struct {
	parent   context.Context
	ctx      context.Context // the scenario's time budget
	cancel   context.CancelFunc
	runner   *Runner
	out      strings.Builder
	terminal int // the terminal shown last; 0 before the first
	server   *Proc
	realPort string
	subs     []string // old, new pairs for strings.NewReplacer: shown → real
	prelude  string   // bash run before every command: curlPrelude
	stops    []func()
}

// switchTo starts a section of the transcript headed "--- terminal N
// ---": what follows happens in the reader's Nth terminal. It writes
// nothing when that terminal's section is already the current one.
// Every process a session starts belongs to one terminal, and showing
// its command or output switches to it, so that scenarios cannot number
// terminals differently.
func (s *Session) switchTo(terminal int) {
	if terminal != s.terminal {
		s.terminal = terminal
		fmt.Fprintf(&s.out, "--- terminal %d ---\n", terminal)
	}
}

func (s *Session) showCommand(cmd string) { fmt.Fprintf(&s.out, "$ %s\n", cmd) }

// showOutput appends output to the transcript: line endings made "\n"
// and the server's real port shown as 8080.
func (s *Session) showOutput(output string) {
	output = strings.ReplaceAll(output, "\r\n", "\n")
	if output == "" {
		return
	}
	if s.realPort != "" {
		// After a colon, a slash or a parenthesis (ss, strace), and
		// after "port " (curl's "Failed to connect to 127.0.0.1 port N").
		realPort := regexp.MustCompile(`([:/(]|\bport )` + s.realPort + `\b`)
		output = realPort.ReplaceAllString(output, "${1}"+shownPort)
	}
	s.out.WriteString(output)
	if !strings.HasSuffix(output, "\n") {
		s.out.WriteString("\n")
	}
}

// real turns a command as shown into the bash script to run: the
// prelude, then the command with the real port and pid.
func (s *Session) real(cmd string) string {
	return s.prelude + strings.NewReplacer(s.subs...).Replace(cmd)
}

// curlPrelude defines curl, for the commands of a session, as the real
// curl told to connect to the server's real port whenever a URL names
// 127.0.0.1:8080. The URL, and so the Host header and every byte count
// that depends on it, stays as the reader's.
func curlPrelude(realPort string) string {
	return fmt.Sprintf("curl() { command curl --connect-to %s:127.0.0.1:%s \"$@\"; }\n", shownAuthority, realPort)
}

// restartClock gives the scenario its whole time budget from now on.
func (s *Session) restartClock() {
	if s.cancel != nil {
		s.cancel()
	}
	s.ctx, s.cancel = context.WithTimeout(s.parent, scenarioTimeout)
}

func (s *Session) cleanup() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
}

// StartServer builds a chapter and starts it with args, on 127.0.0.1:0,
// and waits until it listens. Nothing is shown until the scenario calls
// the server's ShowCommand, which shows it in terminal 1 as "go run
// ./NN-name ARGS".
func (s *Session) StartServer(chapter string, args ...string) (*Proc, error) {
	if s.server != nil {
		return nil, fmt.Errorf("one server per scenario: %s is already running", s.server.shown)
	}
	bin, err := s.runner.build(s.parent, chapter)
	if err != nil {
		return nil, err
	}
	s.restartClock()
	shown := strings.Join(append([]string{"go run ./" + chapter}, args...), " ")
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	p, err := s.start(serverTerminal, shown, cmd)
	if err != nil {
		return nil, err
	}
	listening := regexp.MustCompile(`listening on http://127\.0\.0\.1:(\d+)\n`)
	if err := p.WaitOutput(listening.MatchString); err != nil {
		return nil, err
	}
	s.server = p
	s.serverAt(chapter, strconv.Itoa(p.cmd.Process.Pid), listening.FindStringSubmatch(p.out.String())[1])
	return p, nil
}

// serverAt tells the session where the server really is, so that it runs
// commands against it.
func (s *Session) serverAt(chapter, pid, port string) {
	s.realPort = port
	// The replacer tries its pairs in this order at each position, left
	// to right: 127.0.0.1:8080 is kept whole before its 8080 could match,
	// while 8080 elsewhere (/dev/tcp/127.0.0.1/8080, ss's sport = :8080)
	// becomes the real port.
	s.subs = append(s.subs, "$(pidof "+chapter+")", pid,
		shownAuthority, shownAuthority, shownPort, s.realPort)
	s.prelude = curlPrelude(s.realPort)
}

// Background starts a command, written as shown, in the background, in
// the reader's given terminal: its output is shown when the scenario
// calls ShowCommand and ShowOutput. It runs in bash, in a process group
// of its own.
func (s *Session) Background(terminal int, shown string) (*Proc, error) {
	if err := clientTerminal(terminal); err != nil {
		return nil, err
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-c", s.real(shown))
	cmd.Dir = s.dir()
	return s.start(terminal, shown, cmd)
}

// dir is where the session's commands run: the repository root, where
// the reader types them (the current directory for a session without a
// runner, as in tests).
func (s *Session) dir() string {
	if s.runner == nil {
		return ""
	}
	return s.runner.root
}

// clientTerminal checks that a command other than the server's is given
// a terminal other than the server's.
func clientTerminal(terminal int) error {
	if terminal <= serverTerminal {
		return fmt.Errorf("terminal %d: terminal %d is the server's, the others are numbered from %d", terminal, serverTerminal, serverTerminal+1)
	}
	return nil
}

func (s *Session) start(terminal int, shown string, cmd *exec.Cmd) (*Proc, error) {
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &Proc{s: s, terminal: terminal, shown: shown, cmd: cmd, out: &syncbuf.Buffer{}, done: make(chan struct{})}
	if err := startCaptured(cmd, p.out, p.done); err != nil {
		return nil, err
	}
	s.stops = append(s.stops, p.stop)
	return p, nil
}

// WaitUntil waits until cond holds, checking every 10ms, for as long as
// the scenario may run.
func (s *Session) WaitUntil(what string, cond func() (bool, error)) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return fmt.Errorf("waiting until %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-s.ctx.Done():
			return fmt.Errorf("gave up waiting until %s: %w", what, s.ctx.Err())
		case <-tick.C:
		}
	}
}

// Proc is a process running in the background: the server, or a command
// such as strace.
type Proc struct {
	s         *Session
	terminal  int // the reader's terminal it runs in
	shown     string
	cmd       *exec.Cmd
	out       *syncbuf.Buffer
	done      chan struct{}
	shownUpTo int
}

// ShowCommand shows, in the process's terminal, the command as the
// reader types it, and what it has printed so far.
func (p *Proc) ShowCommand() {
	p.s.switchTo(p.terminal)
	p.s.showCommand(p.shown)
	p.ShowOutput()
}

// ShowOutput shows, in the process's terminal, the whole lines the
// process printed since last shown, and the last partial line too once
// the process has exited.
func (p *Proc) ShowOutput() {
	all := p.out.String()[p.shownUpTo:]
	if !p.exited() {
		all = all[:strings.LastIndexByte(all, '\n')+1]
	}
	if all == "" {
		return
	}
	p.shownUpTo += len(all)
	p.s.switchTo(p.terminal)
	p.s.showOutput(all)
}

// WaitOutput waits until what the process printed satisfies cond.
func (p *Proc) WaitOutput(cond func(output string) bool) error {
	for {
		output, changed := p.out.Snapshot()
		if cond(output) {
			return nil
		}
		select {
		case <-changed:
		case <-p.done:
			if out := p.out.String(); !cond(out) {
				return fmt.Errorf("%s exited (%v) before printing what was expected; its output:\n%s", p.shown, p.cmd.ProcessState, out)
			}
			return nil
		case <-p.s.ctx.Done():
			return fmt.Errorf("%s did not print what was expected: %w; its output:\n%s", p.shown, p.s.ctx.Err(), p.out.String())
		}
	}
}

// Pid is the process's id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Interrupt sends SIGINT to the process group, as Ctrl-C would, and waits
// for the process to exit.
func (p *Proc) Interrupt() error {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-p.done:
		return nil
	case <-p.s.ctx.Done():
		return fmt.Errorf("%s did not exit after SIGINT: %w", p.shown, p.s.ctx.Err())
	}
}

// Wait waits for the process to exit and returns its exit status.
func (p *Proc) Wait() (int, error) {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), nil
	case <-p.s.ctx.Done():
		return 0, fmt.Errorf("%s did not exit: %w", p.shown, p.s.ctx.Err())
	}
}

func (p *Proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *Proc) stop() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// startCaptured starts cmd with its stdout and stderr on one pipe, so
// that what it prints keeps its order, copied into out. done is closed
// when the process has exited and its output has been read.
func startCaptured(cmd *exec.Cmd, out *syncbuf.Buffer, done chan struct{}) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	go func() {
		_, _ = io.Copy(out, r)
		r.Close()
		_ = cmd.Wait()
		close(done)
	}()
	return nil
}

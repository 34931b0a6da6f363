// Package testserver runs a chapter's server as a child process of the
// chapter's own test binary, bound to 127.0.0.1:0.
//
// A child process, rather than a goroutine, because that is what the
// server is: tests can send it signals, count its file descriptors, watch
// its CPU time and see it die, and a server that blocks forever (chapter
// 01 does, on purpose) can still be stopped. The child is the test binary
// itself, re-executed, so it is built with the same flags: under -race,
// the server runs under the race detector too.
package testserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
)

const (
	envServe  = "EVENTLOOPS_TESTSERVER"
	envNoFile = "EVENTLOOPS_TESTSERVER_NOFILE"
)

// RunFunc is a chapter's run function: main, with its arguments and
// outputs passed in. It returns the exit status.
type RunFunc func(args []string, stdout, stderr io.Writer) int

// Main is a chapter's TestMain. In the child process it runs the server;
// otherwise it runs the tests.
func Main(m *testing.M, run RunFunc) {
	if os.Getenv(envServe) == "1" {
		if n := os.Getenv(envNoFile); n != "" {
			if err := setNoFile(n); err != nil {
				fmt.Fprintln(os.Stderr, "testserver:", err)
				os.Exit(3)
			}
		}
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// Options says how to start the server.
type Options struct {
	// Args are the server's flags. -addr 127.0.0.1:0 is added unless
	// Args has an -addr of its own.
	Args []string
	// NoFile, if not zero, is the child's RLIMIT_NOFILE.
	NoFile uint64
	// KeepRunning leaves it to the test to stop the server; by default
	// the server is killed at cleanup.
	KeepRunning bool
}

// Server is a running server process.
type Server struct {
	Addr string // host:port it listens on

	cmd    *exec.Cmd
	output *syncbuf.Buffer
	done   chan struct{} // closed when the process has exited
	state  *os.ProcessState
	// stopped is set once the test sends a signal that asks the server
	// to stop: its exit is then what the test wants, not a failure.
	stopped atomic.Bool
}

// Start starts the chapter's server with the given flags and waits until
// it listens. At cleanup the test fails if the server died meanwhile, or
// the race detector reported anything.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	return StartWith(t, Options{Args: args})
}

// StartWith is Start with options.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	cmd := exec.Command(os.Args[0], withDefaultAddr(o.Args)...)
	cmd.Env = append(os.Environ(), envServe+"=1")
	if o.NoFile > 0 {
		cmd.Env = append(cmd.Env, envNoFile+"="+strconv.FormatUint(o.NoFile, 10))
	}
	return startCmd(t, cmd, o.KeepRunning)
}

// startCmd starts cmd, a server that prints "listening on http://ADDR",
// and waits until it listens.
func startCmd(t testing.TB, cmd *exec.Cmd, keepRunning bool) *Server {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cmd: cmd, output: &syncbuf.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = s.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "listening on http://"); ok {
				select {
				case addrc <- a:
				default: // only the first address counts; never block the reader
				}
			}
			s.output.Write([]byte(line + "\n"))
		}
		_ = cmd.Wait()
		s.state = cmd.ProcessState
		close(s.done)
	}()
	t.Cleanup(func() {
		switch {
		case s.Addr == "":
			// It never listened: the wait below has reported that
			// already, with the same output, and the test never got s
			// to stop it.
			s.kill()
		case !keepRunning:
			select {
			case <-s.done:
				if s.stopped.Load() {
					break
				}
				t.Errorf("the server exited during the test (%v); its output:\n%s", s.state, s.Output())
			default:
			}
			s.kill()
		}
		if out := s.Output(); strings.Contains(out, "WARNING: DATA RACE") {
			t.Errorf("the race detector reported a race in the server:\n%s", out)
		}
	})
	select {
	case s.Addr = <-addrc:
		return s
	case <-s.done:
		// Both cases are ready when the server printed its address and
		// exited at once, and select picks either: it did listen.
		select {
		case s.Addr = <-addrc:
			return s
		default:
		}
		t.Fatalf("the server exited before listening (%v); its output:\n%s", s.state, s.Output())
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not print its address within 30s; its output:\n%s", s.Output())
	}
	return nil
}

// withDefaultAddr adds -addr 127.0.0.1:0 unless args has an -addr.
func withDefaultAddr(args []string) []string {
	if hasFlag(args, "addr") {
		return args
	}
	return append([]string{"-addr", "127.0.0.1:0"}, args...)
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Output is what the server printed so far, stdout and stderr together.
func (s *Server) Output() string { return s.output.String() }

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Signal sends sig to the server. After SIGINT, SIGTERM or SIGKILL the
// server may exit: that is no longer reported at cleanup as a server that
// died during the test.
func (s *Server) Signal(sig os.Signal) error {
	switch sig {
	case syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL:
		s.stopped.Store(true)
	}
	return s.cmd.Process.Signal(sig)
}

// Wait waits up to timeout for the server to exit and returns its exit
// status.
func (s *Server) Wait(timeout time.Duration) (int, error) {
	select {
	case <-s.done:
		return s.state.ExitCode(), nil
	case <-time.After(timeout):
		return -1, fmt.Errorf("the server did not exit within %v", timeout)
	}
}

// Alive returns an error if the server has exited.
func (s *Server) Alive() error {
	select {
	case <-s.done:
		return fmt.Errorf("the server exited (%v)", s.state)
	default:
		return nil
	}
}

// FDs counts the server's open file descriptors (Linux only).
func (s *Server) FDs() (int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.Pid()))
	if err != nil {
		return 0, fmt.Errorf("counting descriptors needs Linux's /proc: %w", err)
	}
	return len(entries), nil
}

// RSS is the server's resident memory in bytes, VmRSS in
// /proc/PID/status (Linux only; proc(5)).
func (s *Server) RSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Pid()))
	if err != nil {
		return 0, fmt.Errorf("measuring resident memory needs Linux's /proc: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmRSS %q: %w", s.Pid(), v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmRSS (the process is a zombie?)", s.Pid())
}

// CPUTime is the CPU time the server has used, user and system, summed
// over its threads (Linux only; 10ms resolution).
func (s *Server) CPUTime() (time.Duration, error) {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", s.Pid()))
	if err != nil || len(stats) == 0 {
		return 0, errors.New("measuring CPU time needs Linux's /proc")
	}
	var ticks int64
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the thread exited meanwhile
		}
		// The command name, in parentheses, may contain spaces: count
		// fields from after it. utime and stime are fields 14 and 15.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		for _, field := range f[11:13] {
			n, _ := strconv.ParseInt(field, 10, 64)
			ticks += n
		}
	}
	// USER_HZ is 100 on every Linux a Go program runs on.
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

func setNoFile(n string) error {
	v, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return err
	}
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: v, Max: v})
}

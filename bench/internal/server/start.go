package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is a running server: a process group the driver started.
type Proc struct {
	Spec    Spec
	Addr    string // host:port
	Command string // as the book shows it
	Pgid    int

	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited
	stderr *lockedBuffer
}

// startWait bounds how long a server may take to say where it listens.
const startWait = 15 * time.Second

// Start starts the server in a process group of its own, so that Stop
// ends it and anything it started (nginx's workers) at once. wrap, if not
// empty, is a command the server runs under (perf record ... --).
func Start(ctx context.Context, s Spec, dir string, extra []string, wrap ...string) (*Proc, error) {
	args := append(append([]string{}, s.Args...), extra...)
	port := 0
	if s.Announces {
		args = append(args, "-addr", "127.0.0.1:0")
	} else {
		var err error
		if port, err = freePort(); err != nil {
			return nil, err
		}
		conf, err := s.Config(dir, port)
		if err != nil {
			return nil, err
		}
		args = append(args, conf...)
	}
	argv := append(append(append([]string{}, wrap...), s.Path), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), s.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &Proc{Spec: s, cmd: cmd, done: make(chan struct{}), stderr: &lockedBuffer{},
		Command: strings.Join(append(append([]string{}, s.Env...), argv...), " ")}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	p.Pgid = cmd.Process.Pid
	go func() { cmd.Wait(); close(p.done) }()

	ctx, cancel := context.WithTimeout(ctx, startWait)
	defer cancel()
	if s.Announces {
		p.Addr, err = readAnnouncement(ctx, stdout, p.done)
	} else {
		go drain(stdout)
		p.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		err = waitAccepting(ctx, p.Addr, p.done)
	}
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s: %w; its stderr: %s", s.Name, err, strings.TrimSpace(p.stderr.String()))
	}
	return p, nil
}

func drain(r interface{ Read([]byte) (int, error) }) {
	buf := make([]byte, 4096)
	for {
		if _, err := r.Read(buf); err != nil {
			return
		}
	}
}

// readAnnouncement reads stdout up to the "listening on http://ADDR" line,
// then keeps reading (and dropping) the rest so the server never blocks
// on a full pipe.
func readAnnouncement(ctx context.Context, stdout interface{ Read([]byte) (int, error) }, done chan struct{}) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on http://"); ok {
				found <- a
				break
			}
		}
		drain(stdout)
	}()
	select {
	case a := <-found:
		return a, nil
	case <-done:
		return "", errors.New("exited before it said where it listens")
	case <-ctx.Done():
		return "", fmt.Errorf("no \"listening on\" line within %v", startWait)
	}
}

func waitAccepting(ctx context.Context, addr string, done chan struct{}) error {
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-done:
			return errors.New("exited before it accepted a connection")
		case <-ctx.Done():
			return fmt.Errorf("not accepting on %s within %v: %w", addr, startWait, err)
		case <-time.After(20 * time.Millisecond): // polling a port that is not open yet
		}
	}
}

// freePort asks the kernel for a port nobody uses, for a server that
// cannot be told to pick one itself. Another process could take it before
// the server binds it; then the server fails to start, and says so.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Alive reports whether the process is still running.
func (p *Proc) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Stderr is what the server wrote to stderr so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// Stop kills the whole process group and waits for the leader to exit.
func (p *Proc) Stop() {
	syscall.Kill(-p.Pgid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// Interrupt sends SIGINT to the leader only (perf record stops recording
// and writes its data on SIGINT), waits up to timeout, then kills the group.
func (p *Proc) Interrupt(timeout time.Duration) error {
	syscall.Kill(p.Pgid, syscall.SIGINT)
	select {
	case <-p.done:
		p.Stop() // anything the leader left behind
		return nil
	case <-time.After(timeout):
		p.Stop()
		return fmt.Errorf("%s did not exit within %v of SIGINT", p.Spec.Name, timeout)
	}
}

// CPU, RSS and FDs of the server's process group.
func (p *Proc) CPU() (time.Duration, error) { return CPU(p.Pgid) }
func (p *Proc) RSS() (int64, error)         { return RSS(p.Pgid) }
func (p *Proc) FDs() (int, error)           { return FDs(p.Pgid) }
func (p *Proc) PIDs() ([]int, error)        { return PIDs(p.Pgid) }

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 { // keep the start: that is where errors are
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// KillChildren kills every process of the group but its leader, and waits
// up to timeout for the leader to exit. The leader is then a tool that ran
// the server (strace, perf) and writes its report when the server is gone.
func (p *Proc) KillChildren(timeout time.Duration) error {
	pids, _ := groupPIDs(p.Pgid)
	for _, pid := range pids {
		if pid != p.Pgid {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(timeout):
		p.Stop()
		return fmt.Errorf("%s: the tool it ran under did not exit within %v of the server's end", p.Spec.Name, timeout)
	}
}

// WaitFDs waits until the group holds at least n descriptors: the server
// has accepted the connections a scenario opened, not left them in the
// listen backlog.
func (p *Proc) WaitFDs(n int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		got, err := p.FDs()
		if err != nil {
			return got, err
		}
		if got >= n {
			return got, nil
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("%s holds %d descriptors after %v, want %d", p.Spec.Name, got, timeout, n)
		}
		time.Sleep(20 * time.Millisecond) // polling /proc: there is no event to wait on
	}
}

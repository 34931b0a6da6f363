package book

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/syncbuf"
	"golang.org/x/sys/unix"
)

// The scenarios wait for the kernel's view of things (a process blocked
// in a system call, a listen queue's length) rather than for a guessed
// delay, so that what a transcript shows is what the scenario meant.

// syscallNumbers names the system calls scenarios wait on.
var syscallNumbers = map[string]int{
	"accept4": unix.SYS_ACCEPT4,
	"read":    unix.SYS_READ,
}

// WaitBlockedIn waits until one of the process's threads sleeps in the
// named system call.
func (s *Session) WaitBlockedIn(p *Proc, name string) error {
	nr, ok := syscallNumbers[name]
	if !ok {
		return fmt.Errorf("WaitBlockedIn: unknown system call %q", name)
	}
	return s.WaitUntil(fmt.Sprintf("%s is blocked in %s", p.shown, name), func() (bool, error) {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", p.Pid()))
		if err != nil || len(tasks) == 0 {
			return false, fmt.Errorf("no threads found for pid %d", p.Pid())
		}
		for _, task := range tasks {
			sc, err1 := os.ReadFile(task + "/syscall")
			stat, err2 := os.ReadFile(task + "/stat")
			if err1 != nil || err2 != nil {
				continue // the thread exited meanwhile
			}
			fields := strings.Fields(string(sc))
			// State S: asleep in the call, not stopped at its entry
			// for a tracer that has yet to see it.
			if len(fields) > 0 && fields[0] == strconv.Itoa(nr) && threadState(stat) == "S" {
				return true, nil
			}
		}
		return false, nil
	})
}

// threadState returns the state field of /proc/PID/task/TID/stat.
func threadState(stat []byte) string {
	// The command name, in parentheses, may contain anything: the state
	// is the first field after its closing parenthesis.
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// WaitTraced waits until a tracer, such as strace, is attached to every
// thread of the process.
func (s *Session) WaitTraced(p *Proc) error {
	return s.WaitUntil(p.shown+" is traced", func() (bool, error) {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", p.Pid()))
		if err != nil || len(tasks) == 0 {
			return false, fmt.Errorf("no threads found for pid %d", p.Pid())
		}
		for _, t := range tasks {
			if tracerPid(t) == 0 {
				return false, nil
			}
		}
		return true, nil
	})
}

func tracerPid(statusFile string) int {
	b, err := os.ReadFile(statusFile)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// WaitListenQueue waits until n connections wait in the server's listen
// backlog: completed by the kernel, not yet accepted.
func (s *Session) WaitListenQueue(n int) error {
	return s.WaitUntil(fmt.Sprintf("%d connections wait in the listen queue", n), func() (bool, error) {
		q, err := listenQueue(s.realPort)
		return q == n, err
	})
}

// listenQueue reads the accept queue's length of the socket listening on
// port from /proc/net/tcp: for a listening socket the rx_queue column
// holds it.
func listenQueue(port string) (int, error) {
	p, err := strconv.Atoi(port)
	if err != nil {
		return 0, err
	}
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return 0, err
	}
	wantLocal := fmt.Sprintf(":%04X", p)
	for _, line := range strings.Split(string(b), "\n")[1:] {
		// sl local_address rem_address st tx_queue:rx_queue ...
		f := strings.Fields(line)
		if len(f) < 5 || !strings.HasSuffix(f[1], wantLocal) || f[3] != "0A" { // 0A: LISTEN
			continue
		}
		_, rx, _ := strings.Cut(f[4], ":")
		q, err := strconv.ParseInt(rx, 16, 64)
		return int(q), err
	}
	return 0, fmt.Errorf("no socket listens on port %d", p)
}

// serverConn is one of the server's accepted (or still queued)
// connections, as /proc/net/tcp lists it: the bytes received that the
// server has not read yet.
type serverConn struct{ unread int }

// serverConns lists the established connections whose local port is the
// server's. A connection still in the listen backlog is listed too: the
// kernel has finished its handshake.
func (s *Session) serverConns() ([]serverConn, error) {
	p, err := strconv.Atoi(s.realPort)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return nil, err
	}
	wantLocal := fmt.Sprintf(":%04X", p)
	var conns []serverConn
	for _, line := range strings.Split(string(b), "\n")[1:] {
		// sl local_address rem_address st tx_queue:rx_queue ...
		f := strings.Fields(line)
		if len(f) < 5 || !strings.HasSuffix(f[1], wantLocal) || f[3] != "01" { // 01: ESTABLISHED
			continue
		}
		_, rx, _ := strings.Cut(f[4], ":")
		n, err := strconv.ParseInt(rx, 16, 64)
		if err != nil {
			return nil, err
		}
		conns = append(conns, serverConn{unread: int(n)})
	}
	return conns, nil
}

// WaitAllRead waits until the server has read every byte its clients
// sent, and at least one client is connected: on loopback, what a client
// has written is in the server's receive queue by the time the write
// returns, so this says that the server has taken it.
func (s *Session) WaitAllRead() error {
	return s.WaitUntil("the server has read what its clients sent", func() (bool, error) {
		conns, err := s.serverConns()
		if err != nil || len(conns) == 0 {
			return false, err
		}
		for _, c := range conns {
			if c.unread > 0 {
				return false, nil
			}
		}
		return true, nil
	})
}

// probeStrace finds out whether strace may attach to a running process:
// containers and ptrace_scope often forbid it.
func probeStrace() error {
	target := exec.Command("sleep", "30")
	if err := target.Start(); err != nil {
		return fmt.Errorf("probing strace: %w", err)
	}
	defer func() {
		_ = target.Process.Kill()
		_ = target.Wait()
	}()
	tracer := exec.Command("strace", "-q", "-e", "trace=none", "-p", strconv.Itoa(target.Process.Pid))
	out := &syncbuf.Buffer{}
	done := make(chan struct{})
	if err := startCaptured(tracer, out, done); err != nil {
		return skipf("strace cannot start: %v", err)
	}
	defer func() {
		_ = tracer.Process.Kill()
		<-done
	}()
	status := fmt.Sprintf("/proc/%d/status", target.Process.Pid)
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for tracerPid(status) == 0 {
		select {
		case <-done:
			return skipf("strace may not attach to a process here: %s", strings.TrimSpace(out.String()))
		case <-deadline:
			return skipf("strace did not attach to a process within 10s")
		case <-tick.C:
		}
	}
	return nil
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
	"golang.org/x/sys/unix"
)

// TestSignalsDoNotStopTheServer: Go's runtime sends its own threads
// signals (SIGURG, to preempt goroutines), and a blocking call that a
// signal interrupts can fail with EINTR: poll is never restarted, whatever SA_RESTART says (signal(7)). The server must retry, not die.
func TestSignalsDoNotStopTheServer(t *testing.T) {
	s := testserver.Start(t)
	var tids []int
	testserver.WaitFor(t, 10*time.Second, "a server thread blocked in ppoll", func() bool {
		tids = threadsIn(t, s.Pid(), unix.SYS_PPOLL)
		return len(tids) > 0
	})
	for range 20 {
		for _, tid := range tids {
			_ = unix.Tgkill(s.Pid(), tid, unix.SIGURG)
		}
	}
	if resp := testserver.RoundTrip(t, s.Addr, "GET / HTTP/1.0\r\n\r\n"); resp.Status != 200 {
		t.Fatalf("GET / after the signals: status %d", resp.Status)
	}
	if err := s.Alive(); err != nil {
		t.Fatal(err)
	}
}

// threadsIn lists the threads of process pid that are blocked in the
// system call numbered nr, from /proc/PID/task/TID/syscall.
func threadsIn(t *testing.T, pid, nr int) []int {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil {
		t.Fatal(err)
	}
	var tids []int
	for _, task := range tasks {
		b, err := os.ReadFile(task + "/syscall")
		if err != nil {
			continue // the thread exited, or /proc/PID/task/TID/syscall is not readable
		}
		if f := strings.Fields(string(b)); len(f) > 0 && f[0] == strconv.Itoa(nr) {
			tid, _ := strconv.Atoi(filepath.Base(task))
			tids = append(tids, tid)
		}
	}
	return tids
}

package testserver

import (
	"fmt"
	"os"
)

// Threads counts the server's OS threads (Linux only): what a server
// that blocks one thread per client pays for each of them.
func (s *Server) Threads() (int, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", s.Pid()))
	if err != nil {
		return 0, fmt.Errorf("counting threads needs Linux's /proc: %w", err)
	}
	return len(tasks), nil
}

package driver

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/report"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/google/go-cmp/cmp"
)

// TestSmoke runs the real driver, with tiny settings, on chapter 03 and
// the net/http peer: every scenario but micro (go test -bench, whose
// output TestParseGoBench covers; compiling a chapter's tests would
// double this test's time in CI), real wrk, real servers. It asserts
// that each produced figures that make sense, never how fast anything is.
func TestSmoke(t *testing.T) {
	wrkPath, err := exec.LookPath("wrk")
	if err != nil {
		t.Skip("wrk is not installed (apt-get install wrk, brew install wrk): the driver's smoke run is skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	dir := t.TempDir()
	cfg := Config{Root: "../../..", BenchDir: "../..", ResultsDir: dir, Chapters: []int{3}, Peers: "nethttp-1", Wrk: wrkPath,
		Command: "go test -run TestSmoke ./internal/driver", Quick: true, Log: testLog{t},
		Scenarios: []string{results.Memory, results.Throughput, results.Pipelined, results.Idle, results.Syscalls, results.Profiled},
		Settings: &results.Settings{Rounds: 1, Seconds: 1, Conns: []int{10}, IdleLevels: []int{0, 50}, IdleActive: 2,
			MemoryConns: 50, SyscallConns: 10, Pipeline: 4}}
	run, path, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range run.Notes {
		t.Logf("note: %s", n)
	}
	if diff := cmp.Diff([]string{"03-eventloop", "nethttp-1"}, run.ServerNames()); diff != "" {
		t.Fatalf("servers (-want +got):\n%s", diff)
	}
	count := map[string]int{}
	for _, f := range run.Figures {
		count[f.Scenario]++
		for _, s := range f.Samples {
			if s.Command == "" {
				t.Errorf("%s %s: a sample without its command", f.Scenario, f.Server)
			}
			switch f.Scenario {
			case results.Throughput, results.Pipelined, results.Idle:
				if s.Requests == 0 || s.GoodRPS == 0 || s.Errors() != 0 {
					t.Errorf("%s %s %s: %d requests, %.0f good/s, %d errors", f.Scenario, f.Server, f.Mode, s.Requests, s.GoodRPS, s.Errors())
				}
				if s.ServerCPU <= 0 {
					t.Errorf("%s %s: the server used no CPU time serving %d requests", f.Scenario, f.Server, s.Requests)
				}
			case results.Memory:
				if s.StillOpen != 50 || s.RSSBefore <= 0 || s.RSSAfter < s.RSSBefore {
					t.Errorf("memory %s: %d still open, RSS %d -> %d", f.Server, s.StillOpen, s.RSSBefore, s.RSSAfter)
				}
			case results.Syscalls:
				if s.SyscallsPerRequest() <= 0 || s.SyscallsTop["write"]+s.SyscallsTop["writev"] == 0 {
					t.Errorf("syscalls %s: %.2f per request, calls %v", f.Server, s.SyscallsPerRequest(), s.SyscallsTop)
				}
			}
		}
	}
	// Two modes for each server at one level; 03 and net/http pipeline;
	// two idle levels each; a memory figure each.
	for scenario, want := range map[string]int{results.Throughput: 4, results.Pipelined: 2, results.Idle: 4, results.Memory: 2} {
		if count[scenario] != want {
			t.Errorf("%d %s figures, want %d", count[scenario], scenario, want)
		}
	}
	if _, err := exec.LookPath("strace"); err == nil && count[results.Syscalls] != 2 {
		t.Errorf("strace is installed, yet %d syscall figures, want 2", count[results.Syscalls])
	}

	back, err := results.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(run, back); diff != "" {
		t.Errorf("the results file reads back different (-ran +read):\n%s", diff)
	}
	if err := report.WriteCharts(filepath.Join(dir, "charts"), back); err != nil {
		t.Errorf("rendering the run: %v", err)
	}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

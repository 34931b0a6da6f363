// Package driver runs the benchmark scenarios over every chapter and peer
// and records the results.
package driver

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
)

// Config is one run's request, from the command line.
type Config struct {
	Root       string   // the repository root (the chapters are there)
	BenchDir   string   // bench/, the module with the peers
	ResultsDir string   // where the run's JSON goes
	Quick      bool     // QUICK=1: the reduced set
	Chapters   []int    // CH=: only these chapters; nil means all
	Scenarios  []string // SCENARIO=: only these; nil means all
	// Peers: "all", "single" (nethttp-1 and nginx-1, the one-core peers a
	// chapter is held against), "none", or peers' names, comma-separated.
	// Empty means all for a full run, single for a quick or narrowed one.
	Peers   string
	Wrk     string // the wrk binary
	Command string // how the run was started, for the record
	Log     io.Writer
	// Settings, if not zero, replace the plan's (the smoke test uses
	// tiny ones).
	Settings *results.Settings
}

// Scenarios in the order a full run takes them. Memory comes first on
// purpose: it needs servers that have served nothing yet, and although
// it starts its own, nothing else then shares the machine's memory.
var allScenarios = []string{results.Memory, results.Throughput, results.Pipelined, results.Idle, results.Syscalls, results.Profiled, results.Micro}

// Full and quick plans.
//
// The full run's budget, for 7 chapters and 6 peers (13 servers; 11 with
// keep-alive and pipelining, 12 that hold idle connections), 3 rounds of
// 1-second wrk runs:
//
//	throughput: (13 close + 11 keep-alive) x 4 levels x 3 x 1 s = 288 s, + 13 s warm-up
//	pipelined:  11 x 3 x 1 s                                     =  33 s
//	idle:       12 x 4 levels x 3 x 1 s = 144 s, + opening 10 000 connections 36 times, ~36 s
//	memory:     12 x 3 x (start, 10 000 connections, settle: ~2 s) =  72 s
//	syscalls:   13 x 3 x (1 s under strace + start and stop ~0.5 s) + 13 baselines = 65 s
//	profile:    11 x (2 s under perf + report ~1 s)               =  33 s
//	micro:      go test -bench, 7 chapters x ~8 s                 =  56 s
//	total about 740 s, 12 1/2 minutes, under the 15 the issue allows; with
//	today's 4 chapters about 9 minutes. Estimate prints the plan's own sum.
func plan(quick bool) results.Settings {
	if quick {
		// About 90 s for 4 chapters and 2 peers, under 2 minutes for 7;
		// the profiles are of the newest chapter and the peers only.
		return results.Settings{Rounds: 1, Seconds: 1, Conns: []int{1, 100}, IdleLevels: []int{0, 2000},
			IdleActive: 10, MemoryConns: 2000, SyscallConns: 100, Pipeline: 16}
	}
	return results.Settings{Rounds: 3, Seconds: 1, Conns: []int{1, 10, 100, 1000}, IdleLevels: []int{0, 1000, 5000, 10000},
		IdleActive: 10, MemoryConns: 10000, SyscallConns: 100, Pipeline: 16}
}

func (c Config) wants(scenario string) bool {
	return len(c.Scenarios) == 0 || slices.Contains(c.Scenarios, scenario)
}

// Partial: narrowed by CH=, SCENARIO= or a PEERS= with fewer peers than
// the default; such a run does not rewrite the book's page.
func (c Config) Partial() bool {
	return len(c.Chapters) > 0 || len(c.Scenarios) > 0 || c.Peers != "" && c.Peers != "all" && c.Peers != c.defaultPeers()
}

func (c Config) peers() string {
	if c.Peers != "" {
		return c.Peers
	}
	if len(c.Chapters) > 0 || len(c.Scenarios) > 0 {
		return "single"
	}
	return c.defaultPeers()
}

func (c Config) defaultPeers() string {
	if c.Quick {
		return "single"
	}
	return "all"
}

// peerNames are the peers -peers may name.
var peerNames = []string{"nethttp-1", "nethttp-all", "fasthttp-1", "gnet-1", "nginx-1", "nginx-auto"}

// CheckPeers refuses a -peers value that names no set and no peer.
func CheckPeers(s string) error {
	if s == "" || s == "all" || s == "single" || s == "none" {
		return nil
	}
	for _, n := range strings.Split(s, ",") {
		if !slices.Contains(peerNames, n) {
			return fmt.Errorf("no peer %q; -peers takes all, single, none, or names among %s", n, strings.Join(peerNames, ", "))
		}
	}
	return nil
}

// CheckScenarios refuses a scenario name the driver does not know.
func CheckScenarios(names []string) error {
	for _, n := range names {
		if !slices.Contains(allScenarios, n) {
			return fmt.Errorf("no scenario %q; there are: %v", n, allScenarios)
		}
	}
	return nil
}

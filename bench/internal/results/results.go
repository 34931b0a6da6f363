// Package results is the record of one benchmark run: the machine, the
// tools, every sample of every figure and the command that produced it.
// One JSON file per run, under bench/results/.
package results

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
)

// Schema changes when a field changes meaning.
const Schema = 1

// Run is one `make bench`.
type Run struct {
	Schema   int       `json:"schema"`
	Date     string    `json:"date"` // RFC 3339, when the run started
	Command  string    `json:"command"`
	Quick    bool      `json:"quick"`
	Partial  bool      `json:"partial"` // CH= or SCENARIO= narrowed it
	Seconds  float64   `json:"seconds"` // how long the run took
	Machine  Machine   `json:"machine"`
	Versions Versions  `json:"versions"`
	Settings Settings  `json:"settings"`
	Servers  []Server  `json:"servers"`
	Figures  []Figure  `json:"figures"`
	Profiles []Profile `json:"profiles,omitempty"`
	Notes    []string  `json:"notes,omitempty"` // what was skipped, and why
}

// Machine is where the run happened.
type Machine struct {
	CPU         string `json:"cpu"`
	Cores       int    `json:"cores"`
	MemoryBytes int64  `json:"memory_bytes"`
	Kernel      string `json:"kernel"`
	LoadBefore  string `json:"load_before"` // /proc/loadavg's 1, 5, 15 minute averages
	LoadAfter   string `json:"load_after"`
	NoFile      uint64 `json:"nofile"` // RLIMIT_NOFILE the servers got
}

// Versions of what produced the numbers.
type Versions struct {
	Go     string `json:"go"`
	Wrk    string `json:"wrk"`
	Nginx  string `json:"nginx,omitempty"`
	Strace string `json:"strace,omitempty"`
	Perf   string `json:"perf,omitempty"`
}

// Settings are the run's durations and levels.
type Settings struct {
	Rounds       int   `json:"rounds"`
	Seconds      int   `json:"seconds"` // each wrk run
	Conns        []int `json:"conns"`
	IdleLevels   []int `json:"idle_levels"`
	IdleActive   int   `json:"idle_active"`
	MemoryConns  int   `json:"memory_conns"`
	SyscallConns int   `json:"syscall_conns"`
	Pipeline     int   `json:"pipeline"`
}

// Server is one server measured.
type Server struct {
	Name    string `json:"name"`
	Chapter int    `json:"chapter,omitempty"`
	About   string `json:"about"`
	OneCore bool   `json:"one_core,omitempty"` // a peer held to one core, as the chapters are
	Command string `json:"command"`
}

// Scenario names.
const (
	Throughput = "throughput" // a: req/s and latency at each connection count
	Pipelined  = "pipelined"  // b: depth-16 pipelining
	Idle       = "idle"       // c: 10 active clients while idle ones are held
	Memory     = "memory"     // d: resident bytes per idle connection
	Syscalls   = "syscalls"   // e: system calls per request
	Micro      = "micro"      // f: go test -bench
	Profiled   = "profile"    // where the CPU time goes, from perf
)

// Figure is one measured point: a server under one load, sampled Rounds
// times, the samples of different servers interleaved.
type Figure struct {
	Scenario string   `json:"scenario"`
	Server   string   `json:"server"`
	Mode     string   `json:"mode,omitempty"` // keep-alive, close, pipelined
	Conns    int      `json:"conns,omitempty"`
	Idle     int      `json:"idle,omitempty"`
	Bench    string   `json:"bench,omitempty"` // micro: the benchmark's name
	Samples  []Sample `json:"samples"`
}

// Sample is one run of a figure. Which fields are set depends on the
// scenario; Command is always the command that produced it.
type Sample struct {
	Command string `json:"command"`

	// wrk's report.
	Requests      int64   `json:"requests,omitempty"`
	RPS           float64 `json:"rps,omitempty"`      // all responses
	GoodRPS       float64 `json:"good_rps,omitempty"` // 2xx and 3xx only: what tables show
	P50us         float64 `json:"p50_us,omitempty"`
	P99us         float64 `json:"p99_us,omitempty"`
	Non2xx        int64   `json:"non_2xx,omitempty"`
	ConnectErrors int64   `json:"connect_errors,omitempty"`
	ReadErrors    int64   `json:"read_errors,omitempty"`
	WriteErrors   int64   `json:"write_errors,omitempty"`
	Timeouts      int64   `json:"timeouts,omitempty"`
	ServerCPU     float64 `json:"server_cpu_s,omitempty"`
	WrkCPU        float64 `json:"wrk_cpu_s,omitempty"`

	// memory: resident bytes before and after Conns idle connections.
	RSSBefore int64 `json:"rss_before,omitempty"`
	RSSAfter  int64 `json:"rss_after,omitempty"`
	Conns     int   `json:"conns,omitempty"`
	StillOpen int   `json:"still_open,omitempty"` // checked after the reading

	// syscalls: strace -c's totals over the run.
	Syscalls    int64            `json:"syscalls,omitempty"`
	SyscallsTop map[string]int64 `json:"syscalls_top,omitempty"`

	// micro: go test -bench.
	NsPerOp     float64 `json:"ns_per_op,omitempty"`
	BytesPerOp  float64 `json:"bytes_per_op,omitempty"`
	AllocsPerOp float64 `json:"allocs_per_op,omitempty"`
}

// Errors is everything wrk counted as gone wrong in the sample.
func (s Sample) Errors() int64 {
	return s.Non2xx + s.ConnectErrors + s.ReadErrors + s.WriteErrors + s.Timeouts
}

// BytesPerConn is the memory scenario's figure.
func (s Sample) BytesPerConn() float64 {
	if s.Conns == 0 {
		return 0
	}
	return float64(s.RSSAfter-s.RSSBefore) / float64(s.Conns)
}

// SyscallsPerRequest is the syscall scenario's figure.
func (s Sample) SyscallsPerRequest() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Syscalls) / float64(s.Requests)
}

// CPUPer100k is the server's CPU seconds per 100 000 requests.
func (s Sample) CPUPer100k() float64 {
	if s.Requests == 0 {
		return 0
	}
	return s.ServerCPU / float64(s.Requests) * 1e5
}

// Stat is a figure's median and spread over its samples.
type Stat struct {
	Median, Min, Max float64
	N                int
}

// Of summarises one quantity of the figure's samples.
func (f Figure) Of(value func(Sample) float64) Stat {
	if len(f.Samples) == 0 {
		return Stat{}
	}
	v := make([]float64, len(f.Samples))
	for i, s := range f.Samples {
		v[i] = value(s)
	}
	sort.Float64s(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Stat{Median: m, Min: v[0], Max: v[len(v)-1], N: len(v)}
}

// Spread is (max-min)/median, the noise a reader should allow for.
func (s Stat) Spread() float64 {
	if s.Median == 0 {
		return 0
	}
	return (s.Max - s.Min) / s.Median
}

// ErrorShare is the fraction of a figure's requests that went wrong.
func (f Figure) ErrorShare() float64 {
	var req, errs int64
	for _, s := range f.Samples {
		req += s.Requests
		errs += s.Errors()
	}
	if req == 0 {
		if errs > 0 {
			return 1
		}
		return 0
	}
	return float64(errs) / float64(req)
}

// Profile is where one server spent its CPU time under load.
type Profile struct {
	Server  string   `json:"server"`
	Command string   `json:"command"` // the load and the perf command
	Samples int64    `json:"samples"`
	Kernel  float64  `json:"kernel_share"` // of all samples
	Top     []Symbol `json:"top"`
}

// Symbol is one function's share of the samples (self time).
type Symbol struct {
	Name   string  `json:"name"`
	Kernel bool    `json:"kernel"`
	Share  float64 `json:"share"`
}

// Find returns the figures that match.
func (r *Run) Find(match func(Figure) bool) []Figure {
	var out []Figure
	for _, f := range r.Figures {
		if match(f) {
			out = append(out, f)
		}
	}
	return out
}

// ServerNames lists the servers in the order the run lists them.
func (r *Run) ServerNames() []string {
	var names []string
	for _, s := range r.Servers {
		names = append(names, s.Name)
	}
	return names
}

// Server finds a server by name.
func (r *Run) Server(name string) (Server, bool) {
	i := slices.IndexFunc(r.Servers, func(s Server) bool { return s.Name == name })
	if i < 0 {
		return Server{}, false
	}
	return r.Servers[i], true
}

// Write writes the run as indented JSON.
func (r *Run) Write(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Read reads a run written by Write.
func Read(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %d, this driver reads %d", path, r.Schema, Schema)
	}
	return &r, nil
}

package driver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/idle"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/probe"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/wrk"
)

// Driver is one run in progress.
type Driver struct {
	cfg    Config
	set    results.Settings
	tmp    string // binaries, configurations, strace and perf files
	wrk    wrk.Runner
	specs  []server.Spec
	run    *results.Run
	strace string // "" when strace cannot be used
	perf   string // "" when perf cannot be used
}

// ErrNoWrk is returned, with how to install it, when wrk is missing.
var ErrNoWrk = errors.New("wrk not found: install it (apt-get install wrk, or brew install wrk) and run again")

// Run runs the configured scenarios and writes the results file, whose
// path it returns.
func Run(ctx context.Context, cfg Config) (*results.Run, string, error) {
	if cfg.Wrk == "" {
		p, err := exec.LookPath("wrk")
		if err != nil {
			return nil, "", ErrNoWrk
		}
		cfg.Wrk = p
	}
	start := time.Now()
	tmp, err := os.MkdirTemp("", "eventloops-bench-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)

	d := &Driver{cfg: cfg, set: plan(cfg.Quick), tmp: tmp, wrk: wrk.Runner{Path: cfg.Wrk, Dir: tmp}}
	if cfg.Settings != nil {
		d.set = *cfg.Settings
	}
	nofile, err := idle.RaiseNoFile()
	if err != nil {
		return nil, "", err
	}
	d.run = &results.Run{Schema: results.Schema, Date: start.UTC().Format(time.RFC3339), Command: cfg.Command,
		Quick: cfg.Quick, Partial: cfg.Partial(), Settings: d.set}
	d.run.Machine = machine()
	d.run.Machine.NoFile = nofile
	d.run.Versions = versions(cfg.Wrk)
	if p, v, why := probe.Available("strace", "-V"); why != "" {
		d.note("syscalls: skipped: %s", why)
	} else {
		d.strace, d.run.Versions.Strace = p, v
	}
	if p, v, why := probe.Available("perf", "--version"); why != "" {
		d.note("profile: skipped: %s", why)
	} else {
		d.perf, d.run.Versions.Perf = p, v
	}
	if d.specs, err = d.build(ctx, nofile); err != nil {
		return nil, "", err
	}
	for _, s := range d.specs {
		d.run.Servers = append(d.run.Servers, results.Server{Name: s.Name, Chapter: s.Chapter, About: s.About, OneCore: s.OneCore, Command: s.Command()})
	}
	d.logf("plan: %s", d.Estimate())

	steps := map[string]func(context.Context) error{
		results.Memory: d.memory, results.Throughput: d.throughput, results.Pipelined: d.pipelined,
		results.Idle: d.idle, results.Syscalls: d.syscalls, results.Profiled: d.profile, results.Micro: d.micro,
	}
	for _, sc := range allScenarios {
		if !cfg.wants(sc) {
			continue
		}
		t0 := time.Now()
		d.logf("== %s", sc)
		if err := steps[sc](ctx); err != nil {
			if ctx.Err() != nil {
				return nil, "", ctx.Err()
			}
			d.note("%s: stopped: %v", sc, err)
		}
		d.logf("== %s took %.0f s", sc, time.Since(t0).Seconds())
	}
	d.run.Machine.LoadAfter = loadAverage()
	d.run.Seconds = time.Since(start).Seconds()
	name := start.UTC().Format("2006-01-02T150405Z")
	if cfg.Quick {
		name += "-quick"
	}
	if cfg.Partial() {
		name += "-partial"
	}
	if err := os.MkdirAll(cfg.ResultsDir, 0o755); err != nil {
		return nil, "", err
	}
	path := filepath.Join(cfg.ResultsDir, name+".json")
	return d.run, path, d.run.Write(path)
}

func (d *Driver) logf(format string, args ...any) {
	if d.cfg.Log != nil {
		fmt.Fprintf(d.cfg.Log, format+"\n", args...)
	}
}

// note records something the run left out, and why, in the results and
// on the terminal.
func (d *Driver) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	d.run.Notes = append(d.run.Notes, msg)
	d.logf("note: %s", msg)
}

// serversWith are the run's servers that have what a scenario needs.
func (d *Driver) serversWith(ok func(server.Spec) bool) []server.Spec {
	var out []server.Spec
	for _, s := range d.specs {
		if ok(s) {
			out = append(out, s)
		}
	}
	return out
}

// build compiles the chapters asked for and the Go peers, and finds nginx.
func (d *Driver) build(ctx context.Context, nofile uint64) ([]server.Spec, error) {
	chapters, err := server.Chapters(d.cfg.Root)
	if err != nil {
		return nil, err
	}
	var specs []server.Spec
	for _, c := range chapters {
		if len(d.cfg.Chapters) > 0 && !slices.Contains(d.cfg.Chapters, c.Number) {
			continue
		}
		bin := filepath.Join(d.tmp, c.Dir)
		if err := goBuild(ctx, d.cfg.Root, bin, "./"+c.Dir); err != nil {
			return nil, err
		}
		specs = append(specs, server.ChapterSpec(c, bin))
	}
	if len(d.cfg.Chapters) > 0 && len(specs) == 0 {
		return nil, fmt.Errorf("no chapter %v under %s", d.cfg.Chapters, d.cfg.Root)
	}
	want := func(p server.Spec) bool {
		switch d.cfg.peers() {
		case "none":
			return false
		case "single":
			return p.Name == "nethttp-1" || p.Name == "nginx-1"
		case "all":
			return true
		}
		return slices.Contains(strings.Split(d.cfg.peers(), ","), p.Name)
	}
	built := map[string]bool{}
	for _, p := range server.GoPeerSpecs(d.tmp) {
		if !want(p) {
			continue
		}
		if !built[p.Path] {
			if err := goBuild(ctx, d.cfg.BenchDir, p.Path, "./peers/"+filepath.Base(p.Path)); err != nil {
				return nil, err
			}
			built[p.Path] = true
		}
		specs = append(specs, p)
	}
	nginx := server.NginxSpecs(int(nofile))
	if len(nginx) == 0 && (d.cfg.peers() == "all" || d.cfg.peers() == "single") {
		d.note("nginx: not installed (apt-get install nginx, brew install nginx): measured without it")
	}
	for _, p := range nginx {
		if want(p) {
			specs = append(specs, p)
		}
	}
	return specs, nil
}

func goBuild(ctx context.Context, dir, out, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s (in %s): %w\n%s", pkg, dir, err, b)
	}
	return nil
}

// Estimate is the plan's duration, summed the way config.go's comment sums it.
func (d *Driver) Estimate() string {
	s, n := d.set, 0.0
	all := len(d.specs)
	ka := len(d.serversWith(func(s server.Spec) bool { return s.Features.KeepAlive }))
	pl := len(scenarioServers(results.Pipelined, d.specs))
	conc := len(scenarioServers(results.Idle, d.specs))
	secs := float64(s.Seconds) + 0.1 // wrk runs its -d, then joins its thread
	parts := []string{}
	add := func(name string, sec float64) {
		if d.cfg.wants(name) {
			n += sec
			parts = append(parts, fmt.Sprintf("%s %.0f s", name, sec))
		}
	}
	add(results.Memory, float64(conc*s.Rounds)*2)
	add(results.Throughput, float64((all+ka)*len(s.Conns)*s.Rounds)*secs+float64(all)*secs)
	add(results.Pipelined, float64(pl*s.Rounds)*secs)
	add(results.Idle, float64(conc*len(s.IdleLevels)*s.Rounds)*secs+float64(conc*s.Rounds)*float64(slices.Max(s.IdleLevels))/10000)
	if d.strace != "" {
		add(results.Syscalls, float64(all*s.Rounds)*(secs+0.5)+float64(all)*0.5)
	}
	if d.perf != "" {
		add(results.Profiled, float64(len(d.profiledServers()))*3)
	}
	add(results.Micro, float64(len(scenarioServers(results.Micro, d.specs)))*map[bool]float64{true: 4, false: 8}[d.cfg.Quick])
	return fmt.Sprintf("%d servers, %d round(s) of %d s runs: %s; about %.0f s in all", all, s.Rounds, s.Seconds, strings.Join(parts, ", "), n)
}

package driver

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/probe"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
)

// profileFreq is perf's sampling rate: about 2 000 samples in a 2 s run
// on a busy core, enough to rank the top functions.
const profileFreq = 999

// profileTop is how many functions each profile keeps.
const profileTop = 15

// profile samples where each server spends its CPU time under 100
// keep-alive connections (one request per connection without keep-alive),
// with perf record, the chapters' command lines untouched.
func (d *Driver) profile(ctx context.Context) error {
	if d.perf == "" {
		return nil
	}
	for _, spec := range d.profiledServers() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p, err := d.profileOne(ctx, spec)
		if err != nil {
			d.note("profile %s: %v", spec.Name, err)
			continue
		}
		d.run.Profiles = append(d.run.Profiles, p)
		d.logf("  profile %-14s %5d samples, %2.0f%% in the kernel; top: %s", spec.Name, p.Samples, p.Kernel*100, p.Top[0].Name)
	}
	return nil
}

// profiledServers are the scenario's servers; a quick run keeps, of the
// chapters, only the newest.
func (d *Driver) profiledServers() []server.Spec {
	all := scenarioServers(results.Profiled, d.specs)
	if !d.cfg.Quick {
		return all
	}
	newest := 0
	for _, s := range all {
		newest = max(newest, s.Chapter)
	}
	return slices.DeleteFunc(all, func(s server.Spec) bool { return s.IsChapter() && s.Chapter != newest })
}

func (d *Driver) profileOne(ctx context.Context, spec server.Spec) (results.Profile, error) {
	file := filepath.Join(d.tmp, "perf-"+spec.Name+".data")
	p, err := server.Start(ctx, spec, d.tmp, nil, probe.PerfWrap(d.perf, file, profileFreq)...)
	if err != nil {
		return results.Profile{}, err
	}
	defer p.Stop()
	l := d.load(p, modeOf(spec), 100)
	l.Seconds = max(2, d.set.Seconds)
	r, err := d.wrk.Run(ctx, l)
	if err != nil {
		return results.Profile{}, err
	}
	if err := p.KillChildren(30 * time.Second); err != nil {
		return results.Profile{}, err
	}
	args := probe.PerfReportArgs(file)
	out, err := exec.CommandContext(ctx, d.perf, args...).Output()
	if err != nil {
		return results.Profile{}, fmt.Errorf("perf %s: %w", strings.Join(args, " "), err)
	}
	rep, err := probe.ParsePerf(string(out))
	if err != nil {
		return results.Profile{}, err
	}
	prof := results.Profile{Server: spec.Name, Samples: rep.Samples, Kernel: rep.KernelShare(),
		Command: fmt.Sprintf("%s; %s; perf %s", p.Command, r.Command, strings.Join(args, " "))}
	for _, s := range rep.Symbols[:min(profileTop, len(rep.Symbols))] {
		prof.Top = append(prof.Top, results.Symbol{Name: s.Name, Kernel: s.Kernel, Share: s.Share})
	}
	return prof, nil
}

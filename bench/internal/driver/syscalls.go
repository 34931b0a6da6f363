package driver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/probe"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
)

// syscalls is scenario e: system calls per request at SyscallConns
// connections (keep-alive where the server has it), counted by strace
// over one wrk run, less what the server's start costs. Tracing slows the
// server several times over, so the requests/s of these runs mean nothing
// and are not shown; the counts per request are what the scenario is for.
func (d *Driver) syscalls(ctx context.Context) error {
	if d.strace == "" {
		return nil
	}
	specs := scenarioServers(results.Syscalls, d.specs)
	figs := make([]*results.Figure, len(specs))
	base := make([]probe.StraceSummary, len(specs))
	failed := map[string]bool{}
	for i, spec := range specs {
		figs[i] = &results.Figure{Scenario: results.Syscalls, Server: spec.Name, Mode: modeOf(spec), Conns: d.set.SyscallConns}
		b, _, err := d.straced(ctx, spec, fmt.Sprintf("%s-start", spec.Name), nil)
		if err != nil {
			failed[spec.Name] = true
			d.note("syscalls %s: %v", spec.Name, err)
			continue
		}
		base[i] = b
	}
	for round := 1; round <= d.set.Rounds; round++ {
		for i, spec := range specs {
			if failed[spec.Name] || ctx.Err() != nil {
				continue
			}
			var s results.Sample
			sum, p, err := d.straced(ctx, spec, fmt.Sprintf("%s-%d", spec.Name, round), func(p *server.Proc) error {
				var err error
				s, err = d.sample(ctx, p, d.load(p, modeOf(spec), d.set.SyscallConns))
				return err
			})
			if err != nil {
				failed[spec.Name] = true
				d.note("syscalls %s: %v", spec.Name, err)
				continue
			}
			net := sum.Minus(base[i])
			s.Syscalls, s.SyscallsTop = net.Total, net.Calls
			s.Command = fmt.Sprintf("%s; %s; less the %d calls of starting and stopping", p, s.Command, base[i].Total)
			figs[i].Samples = append(figs[i].Samples, s)
			d.logf("  round %d/%d syscalls %-14s %6.2f per request (%d requests)", round, d.set.Rounds, spec.Name, s.SyscallsPerRequest(), s.Requests)
		}
	}
	for _, f := range figs {
		if len(f.Samples) > 0 {
			d.run.Figures = append(d.run.Figures, *f)
		}
	}
	return nil
}

func modeOf(s server.Spec) string {
	if s.Features.KeepAlive {
		return KeepAlive
	}
	return Close
}

// straced starts spec under strace -c -f, runs work (nil: nothing, the
// baseline), ends the server and reads strace's summary. It returns the
// command it ran, for the record.
func (d *Driver) straced(ctx context.Context, spec server.Spec, name string, work func(*server.Proc) error) (probe.StraceSummary, string, error) {
	file := filepath.Join(d.tmp, "strace-"+name+".txt")
	wrap := probe.StraceWrap(d.strace, file)
	p, err := server.Start(ctx, spec, d.tmp, nil, wrap...)
	if err != nil {
		return probe.StraceSummary{}, "", err
	}
	defer p.Stop()
	if work != nil {
		if err := work(p); err != nil {
			return probe.StraceSummary{}, "", err
		}
	}
	if err := p.KillChildren(30 * time.Second); err != nil {
		return probe.StraceSummary{}, "", err
	}
	out, err := os.ReadFile(file)
	if err != nil {
		return probe.StraceSummary{}, "", err
	}
	sum, err := probe.ParseStrace(string(out))
	return sum, p.Command, err
}

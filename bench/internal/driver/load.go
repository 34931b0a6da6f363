package driver

import (
	"context"
	"fmt"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/wrk"
)

// Modes of the load.
const (
	KeepAlive = "keep-alive"
	Close     = "close"
	Pipelined = "pipelined"
)

// load is the wrk run for a mode: keep-alive sends nothing special (a
// server without keep-alive answers Connection: close, and wrk reconnects);
// close asks for one request per connection; pipelined writes Pipeline
// requests at once.
func (d *Driver) load(p *server.Proc, mode string, conns int) wrk.Load {
	l := wrk.Load{URL: "http://" + p.Addr + "/", Conns: conns, Seconds: d.set.Seconds, Close: mode == Close}
	if mode == Pipelined {
		l.Pipeline = d.set.Pipeline
	}
	return l
}

// sample runs the load once against p, measuring the server's CPU time
// around it.
func (d *Driver) sample(ctx context.Context, p *server.Proc, l wrk.Load) (results.Sample, error) {
	if !p.Alive() {
		return results.Sample{}, fmt.Errorf("%s is no longer running; its stderr: %s", p.Spec.Name, p.Stderr())
	}
	cpu0, err := p.CPU()
	if err != nil {
		return results.Sample{}, err
	}
	r, err := d.wrk.Run(ctx, l)
	if err != nil {
		return results.Sample{Command: r.Command}, err
	}
	cpu1, err := p.CPU()
	if err != nil {
		return results.Sample{}, fmt.Errorf("%s after the run: %w; its stderr: %s", p.Spec.Name, err, p.Stderr())
	}
	return results.Sample{
		Command: r.Command, Requests: r.Requests, RPS: r.RPS, GoodRPS: r.Good(), P50us: r.P50, P99us: r.P99,
		Non2xx: r.Non2xx, ConnectErrors: r.ConnectErrors, ReadErrors: r.ReadErrors, WriteErrors: r.WriteErrors, Timeouts: r.Timeouts,
		ServerCPU: (cpu1 - cpu0).Seconds(), WrkCPU: r.WrkCPU.Seconds(),
	}, nil
}

// startAll starts the servers for a scenario; stop ends them all.
func (d *Driver) startAll(ctx context.Context, specs []server.Spec, extra func(server.Spec) []string) (procs []*server.Proc, stop func(), err error) {
	stop = func() {
		for _, p := range procs {
			p.Stop()
		}
	}
	for _, s := range specs {
		var args []string
		if extra != nil {
			args = extra(s)
		}
		p, err := server.Start(ctx, s, d.tmp, args)
		if err != nil {
			stop()
			return nil, func() {}, err
		}
		procs = append(procs, p)
	}
	return procs, stop, nil
}

// figure is a figure being sampled, with the server it belongs to.
type figure struct {
	*results.Figure
	proc   *server.Proc
	load   wrk.Load
	failed bool
}

// interleave samples every figure once per round, in the same order each
// round, so that whatever else the machine does hits every server alike.
// A figure whose run fails is noted and not sampled again.
func (d *Driver) interleave(ctx context.Context, figs []*figure, label func(*figure) string) {
	for round := 1; round <= d.set.Rounds; round++ {
		for _, f := range figs {
			if f.failed || ctx.Err() != nil {
				continue
			}
			s, err := d.sample(ctx, f.proc, f.load)
			if err != nil {
				f.failed = true
				d.note("%s %s: %v", f.Scenario, label(f), err)
				continue
			}
			f.Samples = append(f.Samples, s)
			d.logf("  round %d/%d %-40s %9.0f req/s  p99 %7.2f ms%s", round, d.set.Rounds, label(f), s.GoodRPS, s.P99us/1000, errorNote(s))
		}
	}
	for _, f := range figs {
		if len(f.Samples) > 0 {
			d.run.Figures = append(d.run.Figures, *f.Figure)
		}
	}
}

func errorNote(s results.Sample) string {
	if s.Errors() == 0 {
		return ""
	}
	return fmt.Sprintf("  errors: %d non-2xx, %d connect, %d read, %d write, %d timeout",
		s.Non2xx, s.ConnectErrors, s.ReadErrors, s.WriteErrors, s.Timeouts)
}

// warmUp gives every server one unrecorded run: the first seconds of a
// process (page faults, the Go heap growing) are not what is measured.
func (d *Driver) warmUp(ctx context.Context, procs []*server.Proc) {
	for _, p := range procs {
		mode := Close
		if p.Spec.Features.KeepAlive {
			mode = KeepAlive
		}
		if _, err := d.wrk.Run(ctx, d.load(p, mode, 10)); err != nil {
			d.note("warm-up of %s: %v", p.Spec.Name, err)
		}
	}
}

// settle is how long a scenario waits for a server to take connections.
const settle = 15 * time.Second

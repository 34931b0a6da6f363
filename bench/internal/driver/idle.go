package driver

import (
	"context"
	"fmt"
	"slices"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/idle"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
)

// fdSlack is how many descriptors a server's count may differ by without
// the connections being at fault: the active clients of the previous run
// still closing, nginx's master and workers opening and closing their
// own. Waiting for "all but fdSlack" of 10 000 connections is waiting for
// them all, to a part in a thousand.
const fdSlack = 10

// descriptorMargin is what a server needs besides its connections: the
// standard streams, the listener, the loop's own descriptors; and what
// the driver needs besides the idle connections it holds.
const descriptorMargin = 100

// levelFits says whether n idle connections fit under RLIMIT_NOFILE; if
// not, the level is skipped with a note rather than failed half-way.
func (d *Driver) levelFits(scenario string, n int) bool {
	if uint64(n+descriptorMargin) <= d.run.Machine.NoFile {
		return true
	}
	d.note("%s: %d connections skipped: RLIMIT_NOFILE's hard limit is %d here (ulimit -Hn); raise it to %d to measure them",
		scenario, n, d.run.Machine.NoFile, n+descriptorMargin)
	return false
}

// idle is scenario c: IdleActive keep-alive clients (where the server
// keeps connections; else one request each) while the server holds 0,
// 1 000, 5 000, 10 000 idle connections. A poll loop rebuilds and scans
// an array with every descriptor on each pass, so its line falls as the
// idle connections grow; epoll's stays flat.
func (d *Driver) idle(ctx context.Context) error {
	specs := scenarioServers(results.Idle, d.specs)
	levels := slices.DeleteFunc(slices.Clone(d.set.IdleLevels), func(n int) bool { return !d.levelFits(results.Idle, n) })
	procs, stop, err := d.startAll(ctx, specs, server.Spec.IdleArgs)
	if err != nil {
		return err
	}
	defer stop()
	base := map[string]int{}
	for _, p := range procs {
		if base[p.Spec.Name], err = p.FDs(); err != nil {
			return err
		}
	}
	d.warmUp(ctx, procs)
	figs := map[string]*results.Figure{}
	key := func(p *server.Proc, level int) string { return fmt.Sprintf("%s/%d", p.Spec.Name, level) }
	for _, p := range procs {
		for _, level := range levels {
			figs[key(p, level)] = &results.Figure{Scenario: results.Idle, Server: p.Spec.Name, Mode: mode(p), Conns: d.set.IdleActive, Idle: level}
		}
	}
	failed := map[string]bool{}
	for round := 1; round <= d.set.Rounds; round++ {
		for _, p := range procs {
			if failed[p.Spec.Name] || ctx.Err() != nil {
				continue
			}
			if err := d.idleRound(ctx, p, base[p.Spec.Name], levels, round, func(level int, s results.Sample) {
				f := figs[key(p, level)]
				f.Samples = append(f.Samples, s)
			}); err != nil {
				failed[p.Spec.Name] = true
				d.note("idle %s: %v", p.Spec.Name, err)
			}
		}
	}
	for _, p := range procs {
		for _, level := range levels {
			if f := figs[key(p, level)]; len(f.Samples) > 0 {
				d.run.Figures = append(d.run.Figures, *f)
			}
		}
	}
	return nil
}

func mode(p *server.Proc) string {
	if p.Spec.Features.KeepAlive {
		return KeepAlive
	}
	return Close
}

// idleRound raises p's idle connections level by level, measuring the
// active clients at each, then closes them all.
func (d *Driver) idleRound(ctx context.Context, p *server.Proc, base int, levels []int, round int, record func(int, results.Sample)) error {
	var sets []*idle.Set
	defer func() {
		for _, s := range sets {
			s.Close()
		}
	}()
	held := 0
	for _, level := range levels {
		if level > held {
			s, err := idle.Open(ctx, p.Addr, level-held, p.Spec.Features.KeepAlive)
			if err != nil {
				return fmt.Errorf("opening %d idle connections: %w", level-held, err)
			}
			sets = append(sets, s)
			held = level
		}
		if _, err := p.WaitFDs(base+held-fdSlack, settle); err != nil {
			return err
		}
		s, err := d.sample(ctx, p, d.load(p, mode(p), d.set.IdleActive))
		if err != nil {
			return err
		}
		open := 0
		for _, set := range sets {
			open += set.StillOpen()
		}
		if open < held {
			return fmt.Errorf("the server closed %d of the %d idle connections during the run", held-open, held)
		}
		s.Conns, s.StillOpen = held, open
		record(level, s)
		d.logf("  round %d/%d idle %5d + %d active %-14s %9.0f req/s  p99 %7.2f ms%s", round, d.set.Rounds, level, d.set.IdleActive, p.Spec.Name, s.GoodRPS, s.P99us/1000, errorNote(s))
	}
	return nil
}

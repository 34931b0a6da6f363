package driver

import (
	"context"
	"fmt"
	"slices"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
)

// throughput is scenario a: GET / at each connection count, keep-alive
// for the servers that have it, and one request per connection for all,
// so that 01 and 02 are compared with the peers like for like.
func (d *Driver) throughput(ctx context.Context) error {
	procs, stop, err := d.startAll(ctx, scenarioServers(results.Throughput, d.specs), nil)
	if err != nil {
		return err
	}
	defer stop()
	d.warmUp(ctx, procs)
	var figs []*figure
	for _, mode := range []string{KeepAlive, Close} {
		for _, conns := range d.set.Conns {
			for _, p := range procs {
				if !slices.Contains(throughputModes(p.Spec), mode) {
					continue
				}
				figs = append(figs, &figure{proc: p, load: d.load(p, mode, conns),
					Figure: &results.Figure{Scenario: results.Throughput, Server: p.Spec.Name, Mode: mode, Conns: conns}})
			}
		}
	}
	d.interleave(ctx, figs, func(f *figure) string { return fmt.Sprintf("%s -c%d %s", f.Mode, f.Conns, f.Server) })
	return nil
}

// pipelined is scenario b: Pipeline requests per write, 100 connections,
// for the servers that answer pipelined requests.
func (d *Driver) pipelined(ctx context.Context) error {
	specs := scenarioServers(results.Pipelined, d.specs)
	if len(specs) == 0 {
		d.note("pipelined: no server in this run pipelines")
		return nil
	}
	procs, stop, err := d.startAll(ctx, specs, nil)
	if err != nil {
		return err
	}
	defer stop()
	d.warmUp(ctx, procs)
	var figs []*figure
	for _, p := range procs {
		figs = append(figs, &figure{proc: p, load: d.load(p, Pipelined, 100),
			Figure: &results.Figure{Scenario: results.Pipelined, Server: p.Spec.Name, Mode: Pipelined, Conns: 100}})
	}
	d.interleave(ctx, figs, func(f *figure) string { return fmt.Sprintf("x%d -c100 %s", d.set.Pipeline, f.Server) })
	return nil
}

package driver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/idle"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
)

// memory is scenario d: resident bytes per idle connection, with
// MemoryConns connections, each after one request where the server keeps
// connections. Each sample starts a fresh server and gives it one request
// first: after a throughput run, a Go heap already grown and resident
// would absorb the connections' memory and hide it.
func (d *Driver) memory(ctx context.Context) error {
	specs := scenarioServers(results.Memory, d.specs)
	n := d.set.MemoryConns
	if !d.levelFits(results.Memory, n) {
		return nil
	}
	figs := make([]*results.Figure, len(specs))
	for i, s := range specs {
		figs[i] = &results.Figure{Scenario: results.Memory, Server: s.Name, Idle: n}
	}
	failed := map[string]bool{}
	for round := 1; round <= d.set.Rounds; round++ {
		for i, spec := range specs {
			if failed[spec.Name] || ctx.Err() != nil {
				continue
			}
			s, err := d.memorySample(ctx, spec, n)
			if err != nil {
				failed[spec.Name] = true
				d.note("memory %s: %v", spec.Name, err)
				continue
			}
			figs[i].Samples = append(figs[i].Samples, s)
			d.logf("  round %d/%d memory %-14s %7.0f B per connection (RSS %d -> %d KiB)", round, d.set.Rounds, spec.Name, s.BytesPerConn(), s.RSSBefore>>10, s.RSSAfter>>10)
		}
	}
	for _, f := range figs {
		if len(f.Samples) > 0 {
			d.run.Figures = append(d.run.Figures, *f)
		}
	}
	return nil
}

func (d *Driver) memorySample(ctx context.Context, spec server.Spec, n int) (results.Sample, error) {
	p, err := server.Start(ctx, spec, d.tmp, spec.IdleArgs())
	if err != nil {
		return results.Sample{}, err
	}
	defer p.Stop()
	if err := warmRequest(p.Addr); err != nil {
		return results.Sample{}, fmt.Errorf("warm-up request: %w", err)
	}
	before, err := settledRSS(p)
	if err != nil {
		return results.Sample{}, err
	}
	fds, err := p.FDs()
	if err != nil {
		return results.Sample{}, err
	}
	set, err := idle.Open(ctx, p.Addr, n, spec.Features.KeepAlive)
	if err != nil {
		return results.Sample{}, fmt.Errorf("opening %d idle connections: %w", n, err)
	}
	defer set.Close()
	if _, err := p.WaitFDs(fds+n-fdSlack, settle); err != nil {
		return results.Sample{}, err
	}
	after, err := settledRSS(p)
	if err != nil {
		return results.Sample{}, err
	}
	open := set.StillOpen()
	if open < n {
		return results.Sample{}, fmt.Errorf("the server closed %d of the %d idle connections", n-open, n)
	}
	request := "connect only"
	if spec.Features.KeepAlive {
		request = "GET / on each, answer read"
	}
	return results.Sample{
		Command:   fmt.Sprintf("%s; one GET /; VmRSS; open %d connections (%s); wait for %d descriptors; VmRSS", p.Command, n, request, fds+n-fdSlack),
		RSSBefore: before, RSSAfter: after, Conns: n, StillOpen: open,
	}, nil
}

// warmRequest is one GET / on a connection of its own.
func warmRequest(addr string) error {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// settledRSS reads the resident memory until two readings 100 ms apart
// agree (the server has finished with what just happened), or for 3 s.
func settledRSS(p *server.Proc) (int64, error) {
	last, err := p.RSS()
	if err != nil {
		return 0, err
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond) // RSS has no event to wait on
		now, err := p.RSS()
		if err != nil {
			return 0, err
		}
		if now == last {
			return now, nil
		}
		last = now
	}
	return last, nil
}

package driver

import (
	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
)

// Which servers a scenario measures, by what each has. A chapter added
// later is measured on its features (read from the conformance suite),
// with nothing to change here.
func scenarioServers(scenario string, specs []server.Spec) []server.Spec {
	var ok func(server.Spec) bool
	switch scenario {
	case results.Throughput, results.Syscalls:
		ok = func(server.Spec) bool { return true }
	case results.Pipelined:
		ok = func(s server.Spec) bool { return s.Features.Pipelining }
	case results.Idle, results.Memory:
		// A server that serves one connection at a time would leave idle
		// connections in its listen backlog, holding nothing for them.
		ok = func(s server.Spec) bool { return s.Features.Concurrent }
	case results.Profiled:
		// Every chapter, and the one-core peers a chapter is held against.
		ok = func(s server.Spec) bool { return s.IsChapter() || s.OneCore }
	case results.Micro:
		ok = server.Spec.IsChapter
	}
	var out []server.Spec
	for _, s := range specs {
		if ok != nil && ok(s) {
			out = append(out, s)
		}
	}
	return out
}

// throughputModes are the loads scenario a runs against a server: one
// request per connection for every server, keep-alive for those with it.
func throughputModes(s server.Spec) []string {
	if s.Features.KeepAlive {
		return []string{KeepAlive, Close}
	}
	return []string{Close}
}

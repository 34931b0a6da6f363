package driver

import (
	"fmt"
	"testing"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/server"
	"github.com/google/go-cmp/cmp"
)

func names(specs []server.Spec) []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

// Chapters 01-07 as they will be, and every peer: which scenario measures
// which, from the features alone.
func TestScenarioServers(t *testing.T) {
	var specs []server.Spec
	for n, dir := range []string{"01-blocking", "02-poll", "03-eventloop", "04-scheduler", "05-promise", "06-threadpool", "07-epoll-edge"} {
		specs = append(specs, server.ChapterSpec(server.Chapter{Dir: dir, Number: n + 1}, "/bin/"+dir))
	}
	specs = append(specs, server.GoPeerSpecs("/bin")...)
	specs = append(specs, server.Spec{Name: "nginx-1", OneCore: true, Features: server.Features{Concurrent: true, KeepAlive: true, Pipelining: true}},
		server.Spec{Name: "nginx-auto", Features: server.Features{Concurrent: true, KeepAlive: true, Pipelining: true}})
	chapters := []string{"01-blocking", "02-poll", "03-eventloop", "04-scheduler", "05-promise", "06-threadpool", "07-epoll-edge"}
	peers := []string{"nethttp-1", "nethttp-all", "fasthttp-1", "gnet-1", "nginx-1", "nginx-auto"}
	all := append(append([]string{}, chapters...), peers...)
	from := func(i int) []string { return append(append([]string{}, chapters[i:]...), peers...) }
	want := map[string][]string{
		results.Throughput: all,
		results.Syscalls:   all,
		results.Pipelined:  from(2), // 03 on
		results.Idle:       from(1), // 02 on: 01 would queue them
		results.Memory:     from(1),
		results.Profiled:   append(append([]string{}, chapters...), "nethttp-1", "fasthttp-1", "gnet-1", "nginx-1"),
		results.Micro:      chapters,
	}
	for scenario, w := range want {
		if diff := cmp.Diff(w, names(scenarioServers(scenario, specs))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", scenario, diff)
		}
	}
	for _, s := range specs[:4] {
		t.Run(fmt.Sprint(s.Name), func(t *testing.T) {
			got := throughputModes(s)
			w := []string{Close}
			if s.Chapter >= 3 {
				w = []string{KeepAlive, Close}
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("throughput modes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckScenarios(t *testing.T) {
	if err := CheckScenarios([]string{"idle", "memory"}); err != nil {
		t.Error(err)
	}
	if err := CheckScenarios([]string{"idel"}); err == nil {
		t.Error("a misspelt scenario was accepted")
	}
}

// go test -bench output as chapter 04 prints it, two counts.
const goBench = `goos: linux
goarch: amd64
pkg: github.com/eventloops-from-scratch/eventloops/04-scheduler
cpu: Oxide Virtual Turin-like Processor
BenchmarkHeadEnd/8KiB-of-LF-2         	    1785	     65035 ns/op	 125.96 MB/s	       0 B/op	       0 allocs/op
BenchmarkHeadEnd/8KiB-of-LF-2         	    1785	     61035 ns/op	 125.96 MB/s	       0 B/op	       0 allocs/op
BenchmarkTimersAdd100k-2                       	       3	  40143350 ns/op	 7898834 B/op	  100009 allocs/op
BenchmarkTimersAdd100k-2                       	       3	  40143352 ns/op	 7898834 B/op	  100009 allocs/op
PASS
ok  	github.com/eventloops-from-scratch/eventloops/04-scheduler	1.136s
`

func TestParseGoBench(t *testing.T) {
	figs := ParseGoBench(goBench)
	if len(figs) != 2 {
		t.Fatalf("%d figures, want 2: %+v", len(figs), figs)
	}
	if figs[0].Bench != "BenchmarkHeadEnd/8KiB-of-LF" || len(figs[0].Samples) != 2 || figs[0].Samples[1].NsPerOp != 61035 {
		t.Errorf("first figure = %+v", figs[0])
	}
	s := figs[1].Samples[0]
	if figs[1].Bench != "BenchmarkTimersAdd100k" || s.NsPerOp != 40143350 || s.BytesPerOp != 7898834 || s.AllocsPerOp != 100009 {
		t.Errorf("second figure = %+v", figs[1])
	}
}

// TestNarrowedRunsLeaveTheBook: a run with fewer peers than its default
// is narrowed too, and must not rewrite the book's page as a whole run.
func TestNarrowedRunsLeaveTheBook(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want bool
	}{
		{Config{}, false},
		{Config{Peers: "all"}, false},
		{Config{Quick: true}, false},
		{Config{Quick: true, Peers: "single"}, false},
		{Config{Peers: "none"}, true},
		{Config{Peers: "gnet-1"}, true},
		{Config{Quick: true, Peers: "all"}, false},
		{Config{Chapters: []int{2}}, true},
		{Config{Scenarios: []string{"idle"}}, true},
	} {
		if got := tc.cfg.Partial(); got != tc.want {
			t.Errorf("%+v: Partial() = %v, want %v", tc.cfg, got, tc.want)
		}
	}
}

package driver

import (
	"bufio"
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
)

// micro is scenario f: the chapters' Go benchmarks (the head scanner, the
// timer heap, and whatever later chapters add), each run Rounds times.
func (d *Driver) micro(ctx context.Context) error {
	benchtime := "200ms"
	if d.cfg.Quick {
		benchtime = "50ms"
	}
	for _, spec := range scenarioServers(results.Micro, d.specs) {
		args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", benchtime, "-count", strconv.Itoa(d.set.Rounds), "./" + spec.Name}
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = d.cfg.Root
		out, err := cmd.CombinedOutput()
		if err != nil {
			d.note("micro %s: go %s: %v\n%s", spec.Name, strings.Join(args, " "), err, out)
			continue
		}
		figs := ParseGoBench(string(out))
		for _, f := range figs {
			f.Server = spec.Name
			for i := range f.Samples {
				f.Samples[i].Command = "go " + strings.Join(args, " ")
			}
			d.run.Figures = append(d.run.Figures, f)
			st := f.Of(func(s results.Sample) float64 { return s.NsPerOp })
			d.logf("  micro %-14s %-40s %12.0f ns/op", spec.Name, f.Bench, st.Median)
		}
		if len(figs) == 0 {
			d.logf("  micro %-14s no benchmarks", spec.Name)
		}
	}
	return nil
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+([0-9.]+) ns/op(.*)$`)

// ParseGoBench reads `go test -bench -benchmem` output: one figure per
// benchmark, one sample per line of it (-count).
func ParseGoBench(out string) []results.Figure {
	var figs []results.Figure
	index := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		s := results.Sample{NsPerOp: ns}
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			v, _ := strconv.ParseFloat(f[i], 64)
			switch f[i+1] {
			case "B/op":
				s.BytesPerOp = v
			case "allocs/op":
				s.AllocsPerOp = v
			}
		}
		i, ok := index[m[1]]
		if !ok {
			i = len(figs)
			index[m[1]] = i
			figs = append(figs, results.Figure{Scenario: results.Micro, Bench: m[1]})
		}
		figs[i].Samples = append(figs[i].Samples, s)
	}
	return figs
}

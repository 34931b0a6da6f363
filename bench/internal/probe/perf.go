package probe

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PerfReport is perf report's flat profile: each symbol's share of the
// samples in itself (self time), kernel symbols marked [k].
type PerfReport struct {
	Samples int64
	Symbols []PerfSymbol // in perf's order: largest share first
}

// PerfSymbol is one line of the report.
type PerfSymbol struct {
	Name   string
	Kernel bool
	Share  float64 // 0..1
}

var (
	perfSamples = regexp.MustCompile(`^# Samples: (\d+)([KMG]?)\s+of event`)
	perfLine    = regexp.MustCompile(`^\s+([0-9.]+)%\s+\[([k.])\]\s+(.+?)\s*$`)
)

// ParsePerf reads `perf report --stdio --no-children --sort sym -g none`.
func ParsePerf(out string) (PerfReport, error) {
	var r PerfReport
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := perfSamples.FindStringSubmatch(line); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			r.Samples = n * map[string]int64{"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m[2]]
		} else if m := perfLine.FindStringSubmatch(line); m != nil {
			share, _ := strconv.ParseFloat(m[1], 64)
			r.Symbols = append(r.Symbols, PerfSymbol{Name: m[3], Kernel: m[2] == "k", Share: share / 100})
		}
	}
	if r.Samples == 0 || len(r.Symbols) == 0 {
		return r, fmt.Errorf("perf report: no samples in its output:\n%s", out)
	}
	return r, nil
}

// KernelShare is the share of samples in the kernel.
func (r PerfReport) KernelShare() float64 {
	k := 0.0
	for _, s := range r.Symbols {
		if s.Kernel {
			k += s.Share
		}
	}
	return k
}

// PerfWrap is the command a server runs under to be profiled: perf
// samples its CPU clock (a software event, which works in virtual machines
// without hardware counters) at freq Hz, in every thread and child.
func PerfWrap(path, file string, freq int) []string {
	return []string{path, "record", "-e", "cpu-clock", "-F", strconv.Itoa(freq), "-o", file, "--"}
}

// PerfReportArgs reads file back as a flat profile.
func PerfReportArgs(file string) []string {
	return []string{"report", "-i", file, "--stdio", "--no-children", "--sort", "sym", "-g", "none", "--percent-limit", "0"}
}

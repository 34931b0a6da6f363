// Package probe reads what strace and perf say about a server: system
// calls counted, CPU time sampled.
//
// Both tools start the server themselves (strace -f -- server, perf
// record -- server) rather than attach to a running one with -p: in the
// container this driver was written in, both attached without error but
// saw nothing (strace -c -p printed no summary; perf record -p wrote no
// samples), while tracing a process they started works. A server started
// under strace pays for tracing from its first instruction, so its start
// is measured once alone and subtracted (see StraceBaseline).
package probe

import (
	"bufio"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// StraceSummary is strace -c's table: calls per system call, and the total.
type StraceSummary struct {
	Calls map[string]int64
	Total int64
}

// ParseStrace reads the table strace -c writes (strace(1), -c: "Count
// time, calls, and errors for each system call and report a summary").
// The errors column is empty for calls that never failed.
func ParseStrace(out string) (StraceSummary, error) {
	s := StraceSummary{Calls: map[string]int64{}}
	haveTotal := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || f[0] == "%" || strings.HasPrefix(f[0], "-") {
			continue
		}
		calls, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			continue
		}
		name := f[len(f)-1]
		if name == "total" {
			s.Total, haveTotal = calls, true
			continue
		}
		s.Calls[name] = calls
	}
	if !haveTotal {
		return s, fmt.Errorf("strace: no total line in its summary:\n%s", out)
	}
	return s, nil
}

// Minus subtracts a baseline (the server's start) from a summary.
func (s StraceSummary) Minus(base StraceSummary) StraceSummary {
	out := StraceSummary{Calls: map[string]int64{}, Total: max(s.Total-base.Total, 0)}
	for name, n := range s.Calls {
		if d := n - base.Calls[name]; d > 0 {
			out.Calls[name] = d
		}
	}
	return out
}

// StraceWrap is the command a server runs under to count its system
// calls: every thread and child (-f), a summary only (-c), into file.
func StraceWrap(path, file string) []string {
	return []string{path, "-f", "-c", "-o", file, "--"}
}

// Available says whether a tool can be run, and if not, why in one line.
func Available(name string, versionArgs ...string) (path, version, why string) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", "", name + " is not installed (apt-get install " + map[string]string{"strace": "strace", "perf": "linux-perf"}[name] + ")"
	}
	out, err := exec.Command(p, versionArgs...).CombinedOutput()
	if err != nil {
		return "", "", fmt.Sprintf("%s %s failed: %v: %s", name, strings.Join(versionArgs, " "), err, strings.TrimSpace(string(out)))
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return p, line, ""
}

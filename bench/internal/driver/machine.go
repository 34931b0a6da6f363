package driver

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
	"github.com/eventloops-from-scratch/eventloops/bench/internal/wrk"
)

// machine describes this computer from /proc (proc(5)).
func machine() results.Machine {
	m := results.Machine{Cores: runtime.NumCPU(), LoadBefore: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.Join(strings.Fields(v), " ")
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				m.MemoryBytes = kb << 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	return m
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute load averages: how
// busy the shared machine was while the figures were taken.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func versions(wrkPath string) results.Versions {
	v := results.Versions{Go: runtime.Version(), Wrk: wrk.Version(wrkPath)}
	if out, err := exec.Command("go", "version").Output(); err == nil {
		v.Go = strings.TrimSpace(strings.TrimPrefix(string(out), "go version "))
	}
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if out, err := exec.Command(p, "-v").CombinedOutput(); err == nil {
			v.Nginx = strings.TrimSpace(strings.TrimPrefix(string(out), "nginx version: "))
			break
		}
	}
	return v
}

package probe

import (
	"os"
	"path/filepath"
	"testing"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// strace -c -f of chapter 03 serving wrk -c100 for a second.
func TestParseStrace(t *testing.T) {
	s, err := ParseStrace(read(t, "strace-03.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Total != 13232 {
		t.Errorf("Total = %d, want 13232", s.Total)
	}
	for name, want := range map[string]int64{"futex": 1777, "write": 4106, "read": 4209, "accept4": 102, "ppoll": 46, "execve": 1} {
		if got := s.Calls[name]; got != want {
			t.Errorf("Calls[%s] = %d, want %d", name, got, want)
		}
	}
	var sum int64
	for _, n := range s.Calls {
		sum += n
	}
	if sum != s.Total {
		t.Errorf("the calls add up to %d, the total line says %d", sum, s.Total)
	}
	d := s.Minus(StraceSummary{Calls: map[string]int64{"execve": 1, "write": 6}, Total: 7})
	if d.Total != 13225 || d.Calls["write"] != 4100 || d.Calls["execve"] != 0 {
		t.Errorf("Minus: total %d, write %d, execve %d; want 13225, 4100, 0", d.Total, d.Calls["write"], d.Calls["execve"])
	}
}

func TestParseStraceRefusesAnEmptySummary(t *testing.T) {
	if _, err := ParseStrace(""); err == nil {
		t.Error("an empty file (strace killed before its summary) parsed")
	}
}

// perf record -e cpu-clock of chapter 03 under wrk -c100, reported flat.
func TestParsePerf(t *testing.T) {
	r, err := ParsePerf(read(t, "perf-03.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Samples != 980 {
		t.Errorf("Samples = %d, want 980", r.Samples)
	}
	first := r.Symbols[0]
	if first.Name != "pvm_irq_enable" || !first.Kernel || first.Share != 0.2133 {
		t.Errorf("first symbol = %+v, want pvm_irq_enable, kernel, 0.2133", first)
	}
	second := r.Symbols[1]
	if second.Name != "internal/runtime/syscall/linux.Syscall6" || second.Kernel {
		t.Errorf("second symbol = %+v, want the Go runtime's Syscall6, user space", second)
	}
	total := 0.0
	for _, s := range r.Symbols {
		total += s.Share
	}
	if total < 0.98 || total > 1.02 {
		t.Errorf("the shares add up to %.3f, want about 1", total)
	}
	if k := r.KernelShare(); k < 0.5 || k > 0.9 {
		t.Errorf("KernelShare = %.2f: a server doing loopback I/O spends most of its time in the kernel", k)
	}
}

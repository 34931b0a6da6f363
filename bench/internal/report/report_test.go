package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
)

// fixture is a small run: a chapter, a one-core peer, and a server that
// answers every request fast with a 400.
func fixture() *results.Run {
	ka := func(rps ...float64) []results.Sample {
		var out []results.Sample
		for _, r := range rps {
			out = append(out, results.Sample{Command: "wrk", Requests: int64(r), RPS: r, GoodRPS: r, P50us: 1000, P99us: 4000, ServerCPU: r / 1e5, WrkCPU: 0.5})
		}
		return out
	}
	return &results.Run{
		Schema: results.Schema, Date: "2026-01-02T03:04:05Z", Command: "make bench", Seconds: 600,
		Machine:  results.Machine{CPU: "Test CPU", Cores: 2, MemoryBytes: 4 << 30, Kernel: "Linux 6.1", LoadBefore: "0.1 0.2 0.3", LoadAfter: "0.4 0.5 0.6", NoFile: 20000},
		Versions: results.Versions{Go: "go1.26", Wrk: "wrk 4.1.0"},
		Settings: results.Settings{Rounds: 3, Seconds: 1, Conns: []int{1, 100}, IdleLevels: []int{0, 1000}, IdleActive: 10, MemoryConns: 1000, SyscallConns: 100, Pipeline: 16},
		Servers: []results.Server{
			{Name: "03-eventloop", Chapter: 3, About: "chapter 03", Command: "03-eventloop -addr 127.0.0.1:0"},
			{Name: "nginx-1", OneCore: true, About: "nginx", Command: "nginx"},
			{Name: "bad-400", About: "answers 400", Command: "bad"},
		},
		Figures: []results.Figure{
			{Scenario: results.Throughput, Server: "03-eventloop", Mode: KeepAlive, Conns: 1, Samples: ka(20000, 21000, 22000)},
			{Scenario: results.Throughput, Server: "03-eventloop", Mode: KeepAlive, Conns: 100, Samples: ka(60000, 66000, 63000)},
			{Scenario: results.Throughput, Server: "nginx-1", Mode: KeepAlive, Conns: 1, Samples: ka(18000, 18000, 18000)},
			{Scenario: results.Throughput, Server: "nginx-1", Mode: KeepAlive, Conns: 100, Samples: ka(50000, 60000, 55000)},
			{Scenario: results.Throughput, Server: "bad-400", Mode: KeepAlive, Conns: 100, Samples: []results.Sample{
				{Command: "wrk", Requests: 90000, RPS: 90000, GoodRPS: 0, Non2xx: 90000}}},
			{Scenario: results.Idle, Server: "03-eventloop", Mode: KeepAlive, Conns: 10, Idle: 0, Samples: ka(40000)},
			{Scenario: results.Idle, Server: "03-eventloop", Mode: KeepAlive, Conns: 10, Idle: 1000, Samples: ka(30000)},
			{Scenario: results.Memory, Server: "03-eventloop", Idle: 1000, Samples: []results.Sample{{Command: "m", RSSBefore: 3 << 20, RSSAfter: 3<<20 + 1000*1500, Conns: 1000, StillOpen: 1000}}},
			{Scenario: results.Syscalls, Server: "03-eventloop", Mode: KeepAlive, Conns: 100, Samples: []results.Sample{
				{Command: "s", Requests: 1000, Syscalls: 2500, SyscallsTop: map[string]int64{"read": 1000, "write": 1000, "ppoll": 300, "futex": 200}}}},
		},
		Notes: []string{"profile: skipped: perf is not installed"},
	}
}

func section(t *testing.T, run *results.Run, name string) Section {
	t.Helper()
	all, err := Sections(run, "bench/results/x.json", "bench/")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no section %q", name)
	return Section{}
}

func TestThroughputTable(t *testing.T) {
	s := section(t, fixture(), "throughput-keep-alive")
	for _, want := range []string{
		"| `03-eventloop` | 21,000 ±5% | 63,000 ±5% |", // median of three, half the range
		"| `nginx-1` | 18,000 ±0% | 55,000 ±9% |",
		"| `bad-400` | – | 0 † |", // fast, but no good answer: 0, marked
		"![GET /, keep-alive: responses per second](bench/throughput-keep-alive.svg)",
	} {
		if !strings.Contains(s.Markdown, want) {
			t.Errorf("the table lacks %q:\n%s", want, s.Markdown)
		}
	}
	if len(s.Charts["throughput-keep-alive.svg"]) == 0 {
		t.Error("no chart")
	}
}

// A server that answers 400s fast must not look fast: its errors are
// listed, not dropped.
func TestErrorsAreListed(t *testing.T) {
	s := section(t, fixture(), "errors")
	if !strings.Contains(s.Markdown, "| throughput | `bad-400` | keep-alive | 100 | 90000 | 90000 | 0 | 0 | 0 | 0 |") {
		t.Errorf("the errors section lacks the 400s:\n%s", s.Markdown)
	}
}

func TestRatiosNameTheFurthestBehind(t *testing.T) {
	s := section(t, fixture(), "ratios")
	// 03: 63,000 req/s against 55,000; CPU 0.63 s against 0.55 s per 100k
	// in the fixture: more requests, each costing as much.
	for _, want := range []string{"| `03-eventloop` | keep-alive | 1.15 | 1.00 |",
		"Furthest behind with keep-alive, in requests/s: `03-eventloop`, at 1.15 of `nginx-1` (63,000 against 55,000).",
		"In CPU per request: `03-eventloop`, at 1.00 times `nginx-1`'s (1.00 against 1.00 CPU seconds per 100 000)."} {
		if !strings.Contains(s.Markdown, want) {
			t.Errorf("ratios lack %q:\n%s", want, s.Markdown)
		}
	}
}

func TestMemoryIdleSyscalls(t *testing.T) {
	run := fixture()
	if s := section(t, run, "memory"); !strings.Contains(s.Markdown, "| `03-eventloop` | 1,500 |") {
		t.Errorf("memory:\n%s", s.Markdown)
	}
	if s := section(t, run, "idle"); !strings.Contains(s.Markdown, "| `03-eventloop` | 40,000 | 30,000 | 75% |") {
		t.Errorf("idle:\n%s", s.Markdown)
	}
	// 2.5 per request: 1 read, 1 write, 0.3 ppoll, 0.2 futex among the others.
	if s := section(t, run, "syscalls"); !strings.Contains(s.Markdown, "| `03-eventloop` | keep-alive | 2.50 | 1.00 | 1.00 | 0.30 | 0.00 | 0.00 | 0.00 | 0.00 | 0.20 | futex 0.20 |") {
		t.Errorf("syscalls:\n%s", s.Markdown)
	}
	if s := section(t, run, "notes"); !strings.Contains(s.Markdown, "- profile: skipped: perf is not installed") {
		t.Errorf("notes:\n%s", s.Markdown)
	}
}

// The same results draw the same bytes: the staleness check relies on it.
func TestChartsAreDeterministic(t *testing.T) {
	a, err := Sections(fixture(), "x.json", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sections(fixture(), "x.json", "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range a {
		for name, svg := range a[i].Charts {
			n++
			if !bytes.Equal(svg, b[i].Charts[name]) {
				t.Errorf("%s differs between two renderings", name)
			}
			if !bytes.Contains(svg, []byte("<svg")) {
				t.Errorf("%s is not an SVG", name)
			}
		}
	}
	if n < 5 {
		t.Errorf("%d charts, want one each for throughput (2), latency, idle, memory, syscalls", n)
	}
}

const page = `# Benchmarks
<!-- bench:results old.json -->
Prose stays.
`

// pageWith has every region, empty.
func pageWith(t *testing.T) string {
	all, err := Sections(fixture(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	p := page
	for _, s := range all {
		p += "\n<!-- bench:begin " + s.Name + " -->\nold\n" + endMarker(s.Name) + "\nmore prose\n"
	}
	return p
}

func TestWriteBookThenCheck(t *testing.T) {
	root := t.TempDir()
	book := filepath.Join(root, "book")
	os.MkdirAll(filepath.Join(book, ChartDir), 0o755)
	os.MkdirAll(filepath.Join(root, "bench", "results"), 0o755)
	resultsFile := filepath.Join(root, "bench", "results", "run.json")
	if err := fixture().Write(resultsFile); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(book, PageName), []byte(pageWith(t)), 0o644)
	os.WriteFile(filepath.Join(book, ChartDir, "orphan.svg"), []byte("<svg/>"), 0o644)
	if err := Check(book); err == nil {
		t.Fatal("Check passed on a page never generated")
	}
	if err := WriteBook(book, resultsFile); err != nil {
		t.Fatal(err)
	}
	if err := Check(book); err != nil {
		t.Fatalf("Check after WriteBook: %v", err)
	}
	got, _ := os.ReadFile(filepath.Join(book, PageName))
	for _, want := range []string{"<!-- bench:results bench/results/run.json -->", "Prose stays.", "more prose", "| `03-eventloop` | 21,000 ±5% |"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(book, ChartDir, "orphan.svg")); err == nil {
		t.Error("a chart no longer generated was left behind")
	}
	// Hand-edit a generated table: stale.
	os.WriteFile(filepath.Join(book, PageName), bytes.Replace(got, []byte("21,000"), []byte("99,000"), 1), 0o644)
	if err := Check(book); err == nil || !strings.Contains(err.Error(), "make bench-book RESULTS=bench/results/run.json") {
		t.Errorf("Check of an edited page = %v, want stale, with the command that fixes it", err)
	}
}

func TestFillRefusesMissingAndUnknownRegions(t *testing.T) {
	if _, _, err := Fill([]byte(page), fixture(), "x.json"); err == nil {
		t.Error("a page without the regions was filled")
	}
	p := pageWith(t) + "<!-- bench:begin nonsense -->\n" + endMarker("nonsense") + "\n"
	if _, _, err := Fill([]byte(p), fixture(), "x.json"); err == nil {
		t.Error("a page with an unknown region was filled")
	}
}

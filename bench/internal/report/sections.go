package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/results"
)

// Section is one generated part of the page: its Markdown and the charts
// it links to, by file name.
type Section struct {
	Name     string
	Markdown string
	Charts   map[string][]byte
}

// view answers the questions the sections ask of a run.
type view struct {
	run    *results.Run
	prefix string // where the page finds the charts ("bench/")
}

func (v view) figure(scenario, server, mode string, conns, idle int) *results.Figure {
	for i, f := range v.run.Figures {
		if f.Scenario == scenario && f.Server == server && f.Mode == mode && f.Conns == conns && f.Idle == idle {
			return &v.run.Figures[i]
		}
	}
	return nil
}

func (v view) isChapter(name string) bool {
	s, ok := v.run.Server(name)
	return ok && s.Chapter > 0
}

// servers lists, in the run's order, the servers with a figure in scenario.
func (v view) servers(scenario string, ok func(results.Figure) bool) []string {
	var names []string
	for _, name := range v.run.ServerNames() {
		for _, f := range v.run.Figures {
			if f.Scenario == scenario && f.Server == name && (ok == nil || ok(f)) {
				names = append(names, name)
				break
			}
		}
	}
	return names
}

func goodRPS(s results.Sample) float64  { return s.GoodRPS }
func p99ms(s results.Sample) float64    { return s.P99us / 1000 }
func p50ms(s results.Sample) float64    { return s.P50us / 1000 }
func perConn(s results.Sample) float64  { return s.BytesPerConn() }
func perReq(s results.Sample) float64   { return s.SyscallsPerRequest() }
func cpu100k(s results.Sample) float64  { return s.CPUPer100k() }
func nsPerOp(s results.Sample) float64  { return s.NsPerOp }
func wrkShare(s results.Sample) float64 { return s.WrkCPU }

// cell is a figure's median with its spread: "66,123 ±2%", where ± is half
// the range of the samples as a share of the median, and a dagger when wrk
// counted errors (listed in the errors section).
func cell(f *results.Figure, value func(results.Sample) float64, format func(float64) string) string {
	if f == nil {
		return "–"
	}
	st := f.Of(value)
	s := format(st.Median)
	if st.N > 1 && st.Median != 0 {
		s += fmt.Sprintf(" ±%.0f%%", st.Spread()*50)
	}
	if f.ErrorShare() > 0 {
		s += " †"
	}
	return s
}

// table is a Markdown table: the first column (names) left, the figures
// right-aligned.
func table(header []string, rows [][]string) string { return aligned(header, rows, true) }

// textTable is a table of words: every column left-aligned.
func textTable(header []string, rows [][]string) string { return aligned(header, rows, false) }

func aligned(header []string, rows [][]string, figures bool) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i == 0 || !figures {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}

func image(prefix, file, alt string) string {
	return fmt.Sprintf("![%s](%s%s)\n", alt, prefix, file)
}

// Sections renders every generated part of the page from the run.
func Sections(run *results.Run, resultsPath, chartPrefix string) ([]Section, error) {
	v := view{run: run, prefix: chartPrefix}
	var out []Section
	for _, g := range []struct {
		name string
		fn   func(view) (string, map[string][]byte, error)
	}{
		{"source", func(v view) (string, map[string][]byte, error) { return v.source(resultsPath), nil, nil }},
		{"servers", v.noCharts(view.serverTable)},
		{"throughput-keep-alive", func(v view) (string, map[string][]byte, error) { return v.throughput(KeepAlive) }},
		{"throughput-close", func(v view) (string, map[string][]byte, error) { return v.throughput(Close) }},
		{"latency", view.latency},
		{"cpu", v.noCharts(view.cpu)},
		{"ratios", v.noCharts(view.ratios)},
		{"pipelined", view.pipelined},
		{"idle", view.idle},
		{"memory", view.memory},
		{"syscalls", view.syscalls},
		{"profile", v.noCharts(view.profile)},
		{"micro", v.noCharts(view.micro)},
		{"errors", v.noCharts(view.errors)},
		{"notes", v.noCharts(view.notes)},
	} {
		md, charts, err := g.fn(v)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", g.name, err)
		}
		out = append(out, Section{Name: g.name, Markdown: md, Charts: charts})
	}
	return out, nil
}

func (view) noCharts(fn func(view) string) func(view) (string, map[string][]byte, error) {
	return func(v view) (string, map[string][]byte, error) { return fn(v), nil, nil }
}

// Modes, as the driver names them.
const (
	KeepAlive = "keep-alive"
	Close     = "close"
	Pipelined = "pipelined"
)

func (v view) source(path string) string {
	r, m := v.run, v.run.Machine
	kind := "a whole run (`make bench`)"
	if r.Quick {
		kind = "a quick run (`make bench QUICK=1`: fewer levels, one round, two peers)"
	}
	if r.Partial {
		kind = "a narrowed run (`CH=` or `SCENARIO=`)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Generated from [`%s`](../%s), %s started %s and taking %.0f s.\n\n", path, path, kind, r.Date, r.Seconds)
	b.WriteString(textTable([]string{"machine", ""}, [][]string{
		{"CPU", fmt.Sprintf("%s, %d cores", m.CPU, m.Cores)},
		{"memory", fmt.Sprintf("%.1f GiB", float64(m.MemoryBytes)/(1<<30))},
		{"kernel", m.Kernel},
		{"load average before and after (1, 5, 15 min)", fmt.Sprintf("%s; %s", m.LoadBefore, m.LoadAfter)},
		{"RLIMIT_NOFILE", fmt.Sprint(m.NoFile)},
		{"Go", r.Versions.Go},
		{"wrk", r.Versions.Wrk},
		{"nginx", or(r.Versions.Nginx, "not installed")},
		{"strace", or(r.Versions.Strace, "not used")},
		{"perf", or(r.Versions.Perf, "not used")},
		{"samples per figure", fmt.Sprintf("%d, interleaved: each round runs every server once, in the same order", r.Settings.Rounds)},
		{"each wrk run", fmt.Sprintf("%d s, one wrk thread (`-t 1`), after one unrecorded warm-up run per server", r.Settings.Seconds)},
	}))
	return b.String()
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func (v view) serverTable() string {
	var rows [][]string
	for _, s := range v.run.Servers {
		rows = append(rows, []string{"`" + s.Name + "`", s.About, "`" + s.Command + "`"})
	}
	return textTable([]string{"server", "what it is", "command"}, rows)
}

func (v view) throughput(mode string) (string, map[string][]byte, error) {
	names := v.servers(results.Throughput, func(f results.Figure) bool { return f.Mode == mode })
	if len(names) == 0 {
		return "_Not measured in this run._\n", nil, nil
	}
	conns := v.run.Settings.Conns
	var all []series
	var rows [][]string
	for _, name := range names {
		s := series{name: name, chapter: v.isChapter(name)}
		row := []string{"`" + name + "`"}
		for _, c := range conns {
			f := v.figure(results.Throughput, name, mode, c, 0)
			row = append(row, cell(f, goodRPS, thousands))
			if f != nil {
				s.x = append(s.x, float64(c))
				s.y = append(s.y, f.Of(goodRPS).Median)
			}
		}
		all = append(all, s)
		rows = append(rows, row)
	}
	header := []string{"requests/s"}
	for _, c := range conns {
		header = append(header, fmt.Sprintf("%d conn.", c))
	}
	file := "throughput-" + mode + ".svg"
	title := "GET /, keep-alive: responses per second"
	if mode == Close {
		title = "GET /, one request per connection: responses per second"
	}
	svg, err := lineChart(title, "connections (log scale)", "responses/s (median)", true, all)
	if err != nil {
		return "", nil, err
	}
	return image(v.prefix, file, title) + "\n" + table(header, rows), map[string][]byte{file: svg}, nil
}

func (v view) latency() (string, map[string][]byte, error) {
	c := 100
	if !slices.Contains(v.run.Settings.Conns, c) {
		c = slices.Max(v.run.Settings.Conns)
	}
	names := v.servers(results.Throughput, nil)
	if len(names) == 0 {
		return "_Not measured in this run._\n", nil, nil
	}
	var rows [][]string
	for _, name := range names {
		ka := v.figure(results.Throughput, name, KeepAlive, c, 0)
		cl := v.figure(results.Throughput, name, Close, c, 0)
		rows = append(rows, []string{"`" + name + "`", cell(ka, p50ms, fixed(2)), cell(ka, p99ms, fixed(2)), cell(cl, p50ms, fixed(2)), cell(cl, p99ms, fixed(2))})
	}
	md := fmt.Sprintf("At %d connections, in milliseconds (wrk's percentiles, corrected by wrk for the requests it could not send while waiting):\n\n", c) +
		table([]string{"latency, ms", "keep-alive p50", "keep-alive p99", "close p50", "close p99"}, rows)
	var all []series
	for _, name := range v.servers(results.Throughput, func(f results.Figure) bool { return f.Mode == KeepAlive }) {
		s := series{name: name, chapter: v.isChapter(name)}
		for _, c := range v.run.Settings.Conns {
			if f := v.figure(results.Throughput, name, KeepAlive, c, 0); f != nil {
				s.x = append(s.x, float64(c))
				s.y = append(s.y, f.Of(p99ms).Median)
			}
		}
		all = append(all, s)
	}
	if len(all) == 0 {
		return md, nil, nil
	}
	file := "latency-p99.svg"
	title := "GET /, keep-alive: 99th percentile latency"
	svg, err := lineChart(title, "connections (log scale)", "p99 latency, ms (median)", true, all)
	if err != nil {
		return "", nil, err
	}
	return image(v.prefix, file, title) + "\n" + md, map[string][]byte{file: svg}, nil
}

func (v view) cpu() string {
	c := 100
	if !slices.Contains(v.run.Settings.Conns, c) {
		c = slices.Max(v.run.Settings.Conns)
	}
	var rows [][]string
	for _, name := range v.servers(results.Throughput, nil) {
		row := []string{"`" + name + "`"}
		for _, mode := range []string{KeepAlive, Close} {
			f := v.figure(results.Throughput, name, mode, c, 0)
			row = append(row, cell(f, cpu100k, fixed(2)))
			share := "–"
			if f != nil {
				secs := float64(v.run.Settings.Seconds)
				share = fmt.Sprintf("%.0f%%", f.Of(wrkShare).Median/secs*100)
			}
			row = append(row, share)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return "_Not measured in this run._\n"
	}
	return fmt.Sprintf("At %d connections: the server's CPU seconds (user + system, from /proc/PID/stat, all its processes) per 100 000 responses, and how much of one core wrk itself used meanwhile:\n\n", c) +
		table([]string{"server", "keep-alive: CPU s / 100k", "wrk's core", "close: CPU s / 100k", "wrk's core"}, rows)
}

// onePeers are the peers a chapter is held against: those on one core.
func (v view) onePeers() []string {
	var out []string
	for _, s := range v.run.Servers {
		if s.OneCore {
			out = append(out, s.Name)
		}
	}
	return out
}

func (v view) ratios() string {
	c := 100
	if !slices.Contains(v.run.Settings.Conns, c) {
		c = slices.Max(v.run.Settings.Conns)
	}
	peers := v.onePeers()
	type gap struct {
		chapter, peer string
		ratio, ch, pr float64
	}
	// Furthest behind in requests/s, and in CPU time per request: when
	// wrk's own core is full, requests/s measures wrk as much as the
	// server, and CPU per request is the fairer comparison.
	slowest, costliest := map[string]gap{}, map[string]gap{}
	var rows [][]string
	for _, s := range v.run.Servers {
		if s.Chapter == 0 {
			continue
		}
		for _, mode := range []string{KeepAlive, Close} {
			cf := v.figure(results.Throughput, s.Name, mode, c, 0)
			if cf == nil {
				continue
			}
			row := []string{"`" + s.Name + "`", mode}
			for _, p := range peers {
				pf := v.figure(results.Throughput, p, mode, c, 0)
				if pf == nil || pf.Of(goodRPS).Median == 0 || pf.Of(cpu100k).Median == 0 {
					row = append(row, "–", "–")
					continue
				}
				r := cf.Of(goodRPS).Median / pf.Of(goodRPS).Median
				k := cf.Of(cpu100k).Median / pf.Of(cpu100k).Median
				row = append(row, fmt.Sprintf("%.2f", r), fmt.Sprintf("%.2f", k))
				if w, ok := slowest[mode]; !ok || r < w.ratio {
					slowest[mode] = gap{s.Name, p, r, cf.Of(goodRPS).Median, pf.Of(goodRPS).Median}
				}
				if w, ok := costliest[mode]; !ok || k > w.ratio {
					costliest[mode] = gap{s.Name, p, k, cf.Of(cpu100k).Median, pf.Of(cpu100k).Median}
				}
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 || len(peers) == 0 {
		return "_Not measured in this run._\n"
	}
	header := []string{"chapter", "mode"}
	for _, p := range peers {
		header = append(header, "req/s ÷ `"+p+"`", "CPU/req ÷ `"+p+"`")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "A chapter's requests/s, and its CPU time per request, at %d connections, divided by a one-core peer's from the same run (medians). Below 1 in requests/s, or above 1 in CPU per request, the chapter is behind:\n\n", c)
	b.WriteString(table(header, rows))
	for _, mode := range []string{KeepAlive, Close} {
		if w, ok := slowest[mode]; ok {
			fmt.Fprintf(&b, "\nFurthest behind with %s, in requests/s: `%s`, at %.2f of `%s` (%s against %s).", mode, w.chapter, w.ratio, w.peer, thousands(w.ch), thousands(w.pr))
		}
		if w, ok := costliest[mode]; ok {
			fmt.Fprintf(&b, " In CPU per request: `%s`, at %.2f times `%s`'s (%.2f against %.2f CPU seconds per 100 000).\n", w.chapter, w.ratio, w.peer, w.ch, w.pr)
		}
	}
	return b.String()
}

func (v view) pipelined() (string, map[string][]byte, error) {
	names := v.servers(results.Pipelined, nil)
	if len(names) == 0 {
		return "_Not measured in this run._\n", nil, nil
	}
	var bars []bar
	var rows [][]string
	for _, name := range names {
		f := v.figure(results.Pipelined, name, Pipelined, 100, 0)
		ka := v.figure(results.Throughput, name, KeepAlive, 100, 0)
		gain := "–"
		if ka != nil && ka.Of(goodRPS).Median > 0 {
			gain = fmt.Sprintf("%.1f×", f.Of(goodRPS).Median/ka.Of(goodRPS).Median)
		}
		bars = append(bars, bar{name, v.isChapter(name), f.Of(goodRPS).Median})
		rows = append(rows, []string{"`" + name + "`", cell(f, goodRPS, thousands), gain})
	}
	title := fmt.Sprintf("GET /, %d requests pipelined per write, 100 connections", v.run.Settings.Pipeline)
	svg, err := barChart(title, "responses/s (median)", bars, thousands)
	if err != nil {
		return "", nil, err
	}
	file := "pipelined.svg"
	return image(v.prefix, file, title) + "\n" + table([]string{"server", "responses/s", "÷ keep-alive, unpipelined"}, rows), map[string][]byte{file: svg}, nil
}

func (v view) idle() (string, map[string][]byte, error) {
	names := v.servers(results.Idle, nil)
	if len(names) == 0 {
		return "_Not measured in this run._\n", nil, nil
	}
	levels := v.run.Settings.IdleLevels
	var all []series
	var rows [][]string
	for _, name := range names {
		s := series{name: name, chapter: v.isChapter(name)}
		row := []string{"`" + name + "`"}
		var first, last float64
		for _, l := range levels {
			var f *results.Figure
			for i, g := range v.run.Figures {
				if g.Scenario == results.Idle && g.Server == name && g.Idle == l {
					f = &v.run.Figures[i]
				}
			}
			row = append(row, cell(f, goodRPS, thousands))
			if f != nil {
				m := f.Of(goodRPS).Median
				s.x, s.y = append(s.x, float64(l)), append(s.y, m)
				if len(s.x) == 1 {
					first = m
				}
				last = m
			}
		}
		kept := "–"
		if first > 0 && len(s.x) > 1 {
			kept = fmt.Sprintf("%.0f%%", last/first*100)
		}
		row = append(row, kept)
		all = append(all, s)
		rows = append(rows, row)
	}
	header := []string{"requests/s"}
	for _, l := range levels {
		header = append(header, fmt.Sprintf("%d idle", l))
	}
	header = append(header, "last ÷ first")
	title := fmt.Sprintf("%d active clients while idle connections are held open", v.run.Settings.IdleActive)
	svg, err := lineChart(title, "idle connections", "responses/s of the active clients (median)", false, all)
	if err != nil {
		return "", nil, err
	}
	file := "idle.svg"
	return image(v.prefix, file, title) + "\n" + table(header, rows), map[string][]byte{file: svg}, nil
}

func (v view) memory() (string, map[string][]byte, error) {
	names := v.servers(results.Memory, nil)
	if len(names) == 0 {
		return "_Not measured in this run._\n", nil, nil
	}
	var bars []bar
	var rows [][]string
	for _, name := range names {
		var f *results.Figure
		for i, g := range v.run.Figures {
			if g.Scenario == results.Memory && g.Server == name {
				f = &v.run.Figures[i]
			}
		}
		bars = append(bars, bar{name, v.isChapter(name), f.Of(perConn).Median})
		before := f.Of(func(s results.Sample) float64 { return float64(s.RSSBefore) / (1 << 20) })
		after := f.Of(func(s results.Sample) float64 { return float64(s.RSSAfter) / (1 << 20) })
		rows = append(rows, []string{"`" + name + "`", cell(f, perConn, thousands), fmt.Sprintf("%.1f", before.Median), fmt.Sprintf("%.1f", after.Median)})
	}
	n := v.run.Settings.MemoryConns
	title := fmt.Sprintf("resident memory per idle connection, %d connections, fresh server", n)
	svg, err := barChart(title, "bytes per connection (median)", bars, thousands)
	if err != nil {
		return "", nil, err
	}
	file := "memory.svg"
	return image(v.prefix, file, title) + "\n" + table([]string{"server", "bytes per connection", "RSS before, MiB", fmt.Sprintf("RSS with %d, MiB", n)}, rows), map[string][]byte{file: svg}, nil
}

// syscallColumns are the calls a table shows per request; the rest are
// summed as "other" (the Go runtime's futex, nanosleep, signals...).
var syscallGroups = []struct {
	name  string
	calls []string
}{
	{"read", []string{"read", "recvfrom", "readv"}},
	{"write", []string{"write", "writev", "sendto", "sendfile"}},
	{"wait", []string{"poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_pwait2", "select", "pselect6"}},
	{"epoll_ctl", []string{"epoll_ctl"}},
	{"accept", []string{"accept", "accept4"}},
	{"close", []string{"close", "shutdown"}},
	{"setsockopt", []string{"setsockopt", "getsockopt", "getsockname", "fcntl"}},
}

func (v view) syscalls() (string, map[string][]byte, error) {
	names := v.servers(results.Syscalls, nil)
	if len(names) == 0 {
		return "_Not measured in this run (not selected, or strace missing or not permitted: see the notes)._\n", nil, nil
	}
	var bars []bar
	var rows [][]string
	for _, name := range names {
		var f *results.Figure
		for i, g := range v.run.Figures {
			if g.Scenario == results.Syscalls && g.Server == name {
				f = &v.run.Figures[i]
			}
		}
		bars = append(bars, bar{name, v.isChapter(name), f.Of(perReq).Median})
		row := []string{"`" + name + "`", f.Mode, cell(f, perReq, fixed(2))}
		grouped := map[string]bool{}
		for _, g := range syscallGroups {
			per := f.Of(func(s results.Sample) float64 {
				var n int64
				for _, c := range g.calls {
					n += s.SyscallsTop[c]
				}
				return float64(n) / math.Max(1, float64(s.Requests))
			})
			for _, c := range g.calls {
				grouped[c] = true
			}
			row = append(row, fmt.Sprintf("%.2f", per.Median))
		}
		other := f.Of(func(s results.Sample) float64 {
			var n int64
			for c, k := range s.SyscallsTop {
				if !grouped[c] {
					n += k
				}
			}
			return float64(n) / math.Max(1, float64(s.Requests))
		})
		row = append(row, fmt.Sprintf("%.2f", other.Median), topOthers(f, grouped))
		rows = append(rows, row)
	}
	header := []string{"server", "mode", "all, per request"}
	for _, g := range syscallGroups {
		header = append(header, g.name)
	}
	header = append(header, "other", "most frequent other calls")
	title := fmt.Sprintf("system calls per request, %d connections (strace -c -f)", v.run.Settings.SyscallConns)
	svg, err := barChart(title, "system calls per response (median)", bars, fixed(2))
	if err != nil {
		return "", nil, err
	}
	file := "syscalls.svg"
	return image(v.prefix, file, title) + "\n" + table(header, rows), map[string][]byte{file: svg}, nil
}

// topOthers names the three most frequent calls outside the groups.
func topOthers(f *results.Figure, grouped map[string]bool) string {
	totals := map[string]int64{}
	var req int64
	for _, s := range f.Samples {
		req += s.Requests
		for c, n := range s.SyscallsTop {
			if !grouped[c] {
				totals[c] += n
			}
		}
	}
	type kv struct {
		name string
		n    int64
	}
	var list []kv
	for c, n := range totals {
		list = append(list, kv{c, n})
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i].n > list[j].n || list[i].n == list[j].n && list[i].name < list[j].name
	})
	var parts []string
	for _, e := range list[:min(3, len(list))] {
		parts = append(parts, fmt.Sprintf("%s %.2f", e.name, float64(e.n)/math.Max(1, float64(req))))
	}
	return strings.Join(parts, ", ")
}

func (v view) profile() string {
	if len(v.run.Profiles) == 0 {
		return "_Not profiled in this run (not selected, or perf missing or not permitted: see the notes)._\n"
	}
	var b strings.Builder
	var rows [][]string
	for _, p := range v.run.Profiles {
		var user []string
		for _, s := range p.Top {
			if !s.Kernel && len(user) < 3 {
				user = append(user, fmt.Sprintf("`%s` %.1f%%", s.Name, s.Share*100))
			}
		}
		rows = append(rows, []string{"`" + p.Server + "`", fmt.Sprint(p.Samples), fmt.Sprintf("%.0f%%", p.Kernel*100), strings.Join(user, ", ")})
	}
	b.WriteString(textTable([]string{"server", "samples (as perf rounds them)", "in the kernel", "top functions outside the kernel (self time)"}, rows))
	for _, p := range v.run.Profiles {
		fmt.Fprintf(&b, "\n<details><summary><code>%s</code>: the %d functions with the most samples</summary>\n\n", p.Server, len(p.Top))
		var rows [][]string
		for _, s := range p.Top {
			where := "user"
			if s.Kernel {
				where = "kernel"
			}
			rows = append(rows, []string{"`" + s.Name + "`", where, fmt.Sprintf("%.1f%%", s.Share*100)})
		}
		b.WriteString(textTable([]string{"function", "where", "self"}, rows))
		fmt.Fprintf(&b, "\nCommand: `%s`\n\n</details>\n", p.Command)
	}
	return b.String()
}

func (v view) micro() string {
	var rows [][]string
	for _, f := range v.run.Figures {
		if f.Scenario != results.Micro {
			continue
		}
		f := f
		rows = append(rows, []string{"`" + f.Server + "`", "`" + f.Bench + "`", cell(&f, nsPerOp, thousands),
			fmt.Sprintf("%.0f", f.Of(func(s results.Sample) float64 { return s.BytesPerOp }).Median),
			fmt.Sprintf("%.0f", f.Of(func(s results.Sample) float64 { return s.AllocsPerOp }).Median)})
	}
	if len(rows) == 0 {
		return "_Not measured in this run._\n"
	}
	return table([]string{"chapter", "benchmark", "ns/op", "B/op", "allocs/op"}, rows)
}

func (v view) errors() string {
	var rows [][]string
	for _, f := range v.run.Figures {
		if f.ErrorShare() == 0 {
			continue
		}
		var non2xx, conn, read, write, timeout, req int64
		for _, s := range f.Samples {
			non2xx, conn, read, write, timeout, req = non2xx+s.Non2xx, conn+s.ConnectErrors, read+s.ReadErrors, write+s.WriteErrors, timeout+s.Timeouts, req+s.Requests
		}
		what := f.Mode
		if f.Idle > 0 {
			what += fmt.Sprintf(", %d idle", f.Idle)
		}
		rows = append(rows, []string{f.Scenario, "`" + f.Server + "`", what, fmt.Sprint(f.Conns), fmt.Sprint(req), fmt.Sprint(non2xx), fmt.Sprint(conn), fmt.Sprint(read), fmt.Sprint(write), fmt.Sprint(timeout)})
	}
	if len(rows) == 0 {
		return "wrk counted no errors in this run: every response was a 2xx, no connection failed, none timed out.\n"
	}
	return "Every figure marked † above, with what wrk counted over all its samples. The requests/s shown count 2xx and 3xx responses only.\n\n" +
		table([]string{"scenario", "server", "mode", "connections", "responses", "non-2xx", "connect", "read", "write", "timeout"}, rows)
}

func (v view) notes() string {
	if len(v.run.Notes) == 0 {
		return "Nothing was skipped.\n"
	}
	var b strings.Builder
	for _, n := range v.run.Notes {
		b.WriteString("- " + strings.ReplaceAll(n, "\n", " ") + "\n")
	}
	return b.String()
}

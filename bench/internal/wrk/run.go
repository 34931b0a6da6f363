package wrk

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Load is one wrk run's shape.
type Load struct {
	URL      string
	Conns    int
	Seconds  int  // wrk's -d takes whole seconds: it sleep()s that long
	Close    bool // send Connection: close, one request per connection
	Pipeline int  // requests written at once per connection (0 or 1: none)
	// TimeoutSeconds is wrk's --timeout (whole seconds, like -d): a
	// response slower than this counts as a timeout error. 0 means 2,
	// wrk's own default, written out so the command says it.
	TimeoutSeconds int
}

// Threads is wrk's -t: one thread, leaving the other core of a two-core
// machine to the server. It is a choice the book states.
const Threads = 1

// Args is wrk's command line for the load; script is the path of the
// pipelining script, used when Pipeline > 1.
func (l Load) Args(script string) []string {
	timeout := l.TimeoutSeconds
	if timeout == 0 {
		timeout = 2
	}
	args := []string{"-t", strconv.Itoa(min(Threads, l.Conns)), "-c", strconv.Itoa(l.Conns),
		"-d", strconv.Itoa(l.Seconds) + "s", "--timeout", strconv.Itoa(timeout) + "s", "--latency"}
	if l.Close {
		args = append(args, "-H", "Connection: close")
	}
	if l.Pipeline > 1 {
		args = append(args, "-s", script)
	}
	return append(args, l.URL)
}

// Run is one finished run: the report, the command that produced it, and
// how much CPU wrk itself used (on two cores, it competes with the server).
type Run struct {
	Result
	Command string
	WrkCPU  time.Duration
}

// Runner runs wrk from a directory that holds its Lua script.
type Runner struct {
	Path string // the wrk binary
	Dir  string // where the pipelining script is written
}

// Pipelining script: each request() returns depth requests at once, and
// wrk counts each response as it is parsed.
func pipelineScript(depth int) string {
	return fmt.Sprintf(`-- written by the bench driver: %d requests per write
init = function(args)
  local r = {}
  for i = 1, %d do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
`, depth, depth)
}

// Run runs wrk once. It is bounded: wrk gets its duration plus a grace
// period, then it and anything it started are killed.
func (r Runner) Run(ctx context.Context, l Load) (Run, error) {
	script := ""
	if l.Pipeline > 1 {
		script = filepath.Join(r.Dir, fmt.Sprintf("pipeline-%d.lua", l.Pipeline))
		if err := os.WriteFile(script, []byte(pipelineScript(l.Pipeline)), 0o644); err != nil {
			return Run{}, err
		}
	}
	args := l.Args(script)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(l.Seconds)*time.Second+15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.Path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	command := "wrk " + shellJoin(args)
	err := cmd.Run()
	if err != nil {
		return Run{Command: command}, fmt.Errorf("%s: %w: %s", command, err, strings.TrimSpace(errOut.String()))
	}
	res, err := Parse(out.String())
	if err != nil {
		return Run{Command: command}, fmt.Errorf("%s: %w", command, err)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return Run{Result: res, Command: command, WrkCPU: cpu}, nil
}

// shellJoin quotes what needs quoting, so the command can be pasted.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$\\;&|<>*?()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		quoted[i] = a
	}
	return strings.Join(quoted, " ")
}

// Version is wrk's version line, or "" when it cannot be read.
func Version(path string) string {
	out, _ := exec.Command(path, "-v").CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	v, _, _ := strings.Cut(line, " Copyright")
	return strings.TrimSpace(v)
}

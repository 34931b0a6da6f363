package book

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/gobuild"
)

// A scenario produces the transcript named by <!-- transcript: NAME -->.
// Each chapter's scenarios are in scenario_NN.go.
type scenario struct {
	Name string
	// Needs lists the commands the scenario runs, so that it is skipped,
	// not failed, where one is missing. "strace" also requires permission
	// to attach to a process.
	Needs []string
	Run   func(s *Session) error
	// Shows lists regular expressions the transcript must match: the
	// point the book makes with it. TestScenarios checks them.
	Shows []string
}

var scenarios = map[string]scenario{}

func register(sc scenario) {
	if _, dup := scenarios[sc.Name]; dup {
		panic("book: scenario " + sc.Name + " registered twice")
	}
	scenarios[sc.Name] = sc
}

// ScenarioNames lists the registered scenarios.
func ScenarioNames() []string {
	var names []string
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// errSkip marks a scenario that cannot run here: a tool is missing or
// not permitted, or the system is not Linux.
var errSkip = errors.New("skipped")

func skipf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errSkip, fmt.Sprintf(format, args...))
}

// IsSkip reports whether err says that a scenario could not run here.
func IsSkip(err error) bool { return errors.Is(err, errSkip) }

// scenarioTimeout bounds one scenario, start to finish, not counting the
// time go build takes: on a busy machine that can be long.
const scenarioTimeout = 60 * time.Second

// buildTimeout bounds building one chapter.
const buildTimeout = 5 * time.Minute

// Runner runs scenarios. It builds each chapter at most once and removes
// the binaries when closed.
type Runner struct {
	root   string
	tmp    string
	mu     sync.Mutex
	builds map[string]string // chapter folder → binary
}

// NewRunner returns a Runner for the repository at root.
func NewRunner(root string) (*Runner, error) {
	tmp, err := os.MkdirTemp("", "book-")
	if err != nil {
		return nil, err
	}
	return &Runner{root: root, tmp: tmp, builds: map[string]string{}}, nil
}

// Close removes what the runner built.
func (r *Runner) Close() error { return os.RemoveAll(r.tmp) }

// build compiles a chapter. The binary is named after the chapter's
// folder, as go run names it, so that pidof finds it the same way.
func (r *Runner) build(ctx context.Context, chapter string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if bin, ok := r.builds[chapter]; ok {
		return bin, nil
	}
	if !filepath.IsLocal(chapter) || strings.ContainsRune(chapter, '/') {
		return "", fmt.Errorf("%q: want a chapter folder, such as 01-blocking", chapter)
	}
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	bin := filepath.Join(r.tmp, chapter, chapter)
	if err := gobuild.Build(ctx, filepath.Join(r.root, chapter), bin, false); err != nil {
		return "", err
	}
	r.builds[chapter] = bin
	return bin, nil
}

// Run runs the named scenario and returns its transcript.
func (r *Runner) Run(ctx context.Context, name string) (string, error) {
	sc, ok := scenarios[name]
	if !ok {
		return "", fmt.Errorf("no scenario %q (scenarios: %s)", name, strings.Join(ScenarioNames(), ", "))
	}
	for _, tool := range sc.Needs {
		if err := available(tool); err != nil {
			return "", err
		}
	}
	s := &Session{parent: ctx, runner: r}
	s.restartClock()
	err := sc.Run(s)
	s.cleanup()
	s.cancel()
	if err != nil {
		return "", fmt.Errorf("scenario %s: %w", name, err)
	}
	return s.out.String(), nil
}

var (
	straceOnce sync.Once
	straceErr  error
)

// available returns nil if the scenario may use tool, or a skip error
// saying why not.
func available(tool string) error {
	if _, err := exec.LookPath(tool); err != nil {
		return skipf("%s is not installed", tool)
	}
	if tool == "strace" {
		straceOnce.Do(func() { straceErr = probeStrace() })
		return straceErr
	}
	return nil
}

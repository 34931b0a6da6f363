// Package conformance is one black-box test suite for every chapter's
// server. Each behaviour says which chapter first has it; a chapter's
// tests run the whole suite against that chapter's server, and a
// behaviour the chapter does not have yet must fail there. That is how the
// suite shows, for example, that chapter 01 really blocks.
//
// The suite talks to the server over TCP only, so it can check any server
// that speaks the same small HTTP subset, in any language:
//
//	go run ./internal/conformance/cmd/check -addr 127.0.0.1:8080 -chapter 02
package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"
)

// Process is what the suite can see of a server running on this machine.
// Behaviours that need it are skipped for a server reached by address only.
type Process interface {
	FDs() (int, error)
	CPUTime() (time.Duration, error)
	RSS() (int64, error) // resident memory, in bytes
	Alive() error
}

// Stopper is a Process the suite may also stop: the behaviour that shuts
// the server down gracefully needs it, and is skipped without it.
type Stopper interface {
	Process
	Signal(os.Signal) error
	// Wait waits up to timeout for the process to exit and returns its
	// exit status, -1 if a signal killed it.
	Wait(timeout time.Duration) (int, error)
}

// Target is the server under test.
type Target struct {
	Addr    string  // host:port
	Chapter int     // which chapter's expectations apply
	Process Process // nil when the server is not a local child process
	// Short scales the heaviest behaviours down (go test -short).
	Short bool
	// IdleTimeout is the server's idle timeout: how long it keeps a
	// connection that sends no complete request. The behaviours that
	// wait for it need to know it; 0 means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// AheadPasses makes a behaviour the chapter should not have yet a
	// pass when the server has it: the check command judges servers that
	// may well be ahead of the chapter named. A chapter's own tests leave
	// it false, since a chapter must lack what it should lack.
	AheadPasses bool
}

// DefaultIdleTimeout is the idle timeout the suite expects of a server
// when the Target does not say: short, so that a chapter without one
// fails the behaviours that wait for it quickly.
const DefaultIdleTimeout = 2 * time.Second

func (t Target) idleTimeout() time.Duration {
	if t.IdleTimeout > 0 {
		return t.IdleTimeout
	}
	return DefaultIdleTimeout
}

// Behaviour is one thing a server does or does not do.
type Behaviour struct {
	Name  string // kebab-case, stable: it names a subtest and a matrix row
	Since int    // the first chapter that has it
	Doc   string // one line, for the README's capability matrix
	Check func(ctx context.Context, t Target) error
	// EndsServer marks the behaviour that stops the server (graceful
	// shutdown): it must be the last one Behaviours lists, and Run does
	// not expect the server to be alive after it.
	EndsServer bool
}

// ErrSkip is returned by a check that cannot run against this target.
var ErrSkip = errors.New("skipped")

// skipError is a check's reason for not running; it is an ErrSkip.
type skipError struct{ reason string }

func (e skipError) Error() string        { return e.reason }
func (e skipError) Is(target error) bool { return target == ErrSkip }

func skipf(format string, args ...any) error {
	return skipError{fmt.Sprintf(format, args...)}
}

// Behaviours returns the whole suite, in the order it runs: what every
// chapter does first, then what later chapters add, and last the
// shutdown, which leaves no server to check anything else against.
func Behaviours() []Behaviour {
	var all []Behaviour
	for _, group := range [][]Behaviour{basics, errorHandling, hostileClients, concurrency, keepAlive, laterChapters, shutdown} {
		all = append(all, group...)
	}
	return all
}

const (
	// checkTimeout bounds every check. Within it, no single wait is
	// longer than answerWait, and checks that wait on purpose (to show
	// that a server blocks) use shorter bounds of their own.
	checkTimeout = 20 * time.Second
	// promptly is how soon a request must be answered while the server
	// is busy with other clients. It is far more than a server that does
	// not block needs, and it is how long chapter 01 takes to fail the
	// checks that show it blocking.
	promptly = time.Second
)

// Outcome is how one behaviour went against one target.
type Outcome struct {
	Behaviour   Behaviour
	Err         error // nil if the server has the behaviour
	Want        bool  // whether the chapter is documented to have it
	Chapter     int
	AheadPasses bool // from the Target
}

// OK reports whether the outcome matches the chapter's expectations.
func (o Outcome) OK() bool {
	return o.Skipped() || (o.Err == nil) == o.Want || (o.Ahead() && o.AheadPasses)
}

// Ahead reports whether the server has a behaviour that arrives in a
// later chapter than the one it is judged by.
func (o Outcome) Ahead() bool {
	return !o.Want && o.Err == nil
}

// Skipped reports whether the check could not run against the target.
func (o Outcome) Skipped() bool {
	return errors.Is(o.Err, ErrSkip)
}

func (o Outcome) String() string {
	switch {
	case o.Skipped():
		return fmt.Sprintf("SKIP  %s: %v", o.Behaviour.Name, o.Err)
	case o.Want && o.Err == nil:
		return fmt.Sprintf("PASS  %s", o.Behaviour.Name)
	case !o.Want && o.Err != nil:
		return fmt.Sprintf("PASS  %s (lacks it, as chapter %02d should: %v)", o.Behaviour.Name, o.Chapter, o.Err)
	case o.Ahead() && o.AheadPasses:
		return fmt.Sprintf("PASS  %s (ahead: arrives in chapter %02d)", o.Behaviour.Name, o.Behaviour.Since)
	case o.Want:
		return fmt.Sprintf("FAIL  %s: %s: %v", o.Behaviour.Name, o.Behaviour.Doc, o.Err)
	default:
		return fmt.Sprintf("FAIL  %s: the chapter should not have this yet (it arrives in %02d), but the check passed",
			o.Behaviour.Name, o.Behaviour.Since)
	}
}

// Check runs one behaviour against the target.
func Check(ctx context.Context, target Target, b Behaviour) Outcome {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	return Outcome{
		Behaviour:   b,
		Err:         b.Check(ctx, target),
		Want:        target.Chapter >= b.Since,
		Chapter:     target.Chapter,
		AheadPasses: target.AheadPasses,
	}
}

// Run runs every behaviour as a subtest of t.
func Run(t *testing.T, target Target) {
	for _, b := range Behaviours() {
		t.Run(b.Name, func(t *testing.T) {
			o := Check(t.Context(), target, b)
			switch {
			case o.Skipped():
				t.Skip(o.Err)
			case !o.OK():
				t.Error(o)
			case o.Ahead():
				t.Log(o)
			case !o.Want:
				t.Logf("fails, as chapter %02d should: %v", target.Chapter, o.Err)
			}
			if target.Process != nil && !b.EndsServer {
				if err := target.Process.Alive(); err != nil {
					t.Fatalf("after %s: %v", b.Name, err)
				}
			}
		})
	}
}

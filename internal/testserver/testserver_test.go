package testserver

import (
	"flag"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m, fakeServer) }

// fakeServer stands in for a chapter's run: it prints its address as a
// chapter does, and its flags make it fail the ways a chapter can.
func fakeServer(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("fake", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	addr := flags.String("addr", "", "")
	exitOnConnect := flags.Bool("exit-on-connect", false, "exit when the first client connects")
	if err := flags.Parse(args); err != nil {
		fmt.Fprintf(stderr, "fake: %v\n", err)
		return 2
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "fake: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Fprintf(stderr, "fake: accept: %v\n", err)
			return 1
		}
		if *exitOnConnect {
			fmt.Fprintln(stderr, "fake: a client connected; exiting")
			return 1
		}
		c.Close()
	}
}

// TestStartReportsEachFailureOnce starts servers that fail in different
// ways and checks what the test is told: one report per failure, with
// the server's own words in it, and nothing when all is well.
func TestStartReportsEachFailureOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		// during runs while the server is up, as the test body would.
		during func(t *testing.T, s *Server)
		// One entry per failure expected: what its report must contain.
		// (The server's stdout and stderr may come in either order.)
		wantFailures [][]string
	}{
		{"a server that keeps serving", nil, nil, nil},
		{"a server that exits before listening", []string{"-bogus"}, nil, [][]string{
			{"the server exited before listening (exit status 2); its output:\nfake: flag provided but not defined: -bogus\n"},
		}},
		{"a server that exits during the test", []string{"-exit-on-connect"}, func(t *testing.T, s *Server) {
			// Not t.Fatal: this runs on the recorder's goroutine.
			c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			if _, err := s.Wait(10 * time.Second); err != nil {
				t.Error(err)
			}
		}, [][]string{
			{"the server exited during the test (exit status 1); its output:\n", "listening on http://", "fake: a client connected; exiting\n"},
		}},
		{"a server the test stops with SIGTERM", nil, func(t *testing.T, s *Server) {
			if err := s.Signal(syscall.SIGTERM); err != nil {
				t.Error(err)
				return
			}
			if _, err := s.Wait(10 * time.Second); err != nil {
				t.Error(err)
			}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			got := r.run(func(tb testing.TB) {
				s := StartWith(tb, Options{Args: tc.args})
				if tc.during != nil {
					tc.during(t, s)
				}
			})
			if len(got) != len(tc.wantFailures) {
				t.Fatalf("%d failures reported, want %d:\n%s", len(got), len(tc.wantFailures), strings.Join(got, "\n---\n"))
			}
			for i, wants := range tc.wantFailures {
				for _, want := range wants {
					if !strings.Contains(got[i], want) {
						t.Errorf("failure %d is:\n%s\nwant it to contain:\n%s", i+1, got[i], want)
					}
				}
			}
		})
	}
}

// recorder is a testing.TB that records failures instead of reporting
// them, so that a test can check what Start tells a test. It implements
// what startCmd calls; the embedded TB is nil, so anything else panics.
type recorder struct {
	testing.TB

	mu       sync.Mutex
	failures []string
	cleanups []func()
}

func (r *recorder) Helper() {}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) {
	r.Errorf("%s", fmt.Sprint(args...))
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// run runs body as the testing package runs a test, on a goroutine of
// its own so that Fatal can end it, then runs the cleanups, last first,
// and returns the failures reported.
func (r *recorder) run(body func(testing.TB)) []string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(r)
	}()
	<-done
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	return r.failures
}

func TestRSS(t *testing.T) {
	s := Start(t)
	rss, err := s.RSS()
	if err != nil {
		t.Skip(err)
	}
	// A Go program's resident memory is some MiB, never bytes or GiB.
	if rss < 1<<20 || rss > 1<<30 {
		t.Errorf("RSS() = %d bytes, want between 1 MiB and 1 GiB", rss)
	}
}

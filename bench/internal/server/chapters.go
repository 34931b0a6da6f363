// Package server knows the servers the driver measures: the chapters it
// finds in the repository, the peers it builds or finds installed, how to
// start each one, and what it can see of a running one through /proc.
package server

import (
	"os"
	"path/filepath"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
)

// Features is what a server can be measured on. A chapter's come from the
// conformance suite, which proves each one in that chapter's tests, so a
// new chapter is measured on what it has without a change here.
type Features struct {
	// Concurrent: holds many connections at once and serves the others
	// while one is idle (from 02). Without it idle connections would just
	// queue, so the idle scenarios leave the server out.
	Concurrent bool
	KeepAlive  bool // several requests per connection (from 03)
	Pipelining bool // requests answered in order from one read (from 03)
	Sleep      bool // GET /sleep?ms=N (from 04)
	// IdleTimeout: the server closes idle connections after -idle-timeout
	// (from 04); the idle scenarios turn it off with -idle-timeout 0, or
	// it would close the very connections they hold.
	IdleTimeout bool
}

// The behaviours of the conformance suite that stand for each feature.
const (
	behaviourConcurrent  = "stalled-client-does-not-block"
	behaviourKeepAlive   = "keep-alive"
	behaviourPipelining  = "pipelining"
	behaviourSleep       = "sleep"
	behaviourIdleTimeout = "idle-timeout"
)

// ChapterFeatures is what chapter n has, by the suite's Since numbers.
func ChapterFeatures(n int) Features {
	since := map[string]int{}
	for _, b := range conformance.Behaviours() {
		since[b.Name] = b.Since
	}
	has := func(name string) bool {
		s, ok := since[name]
		return ok && s <= n
	}
	return Features{
		Concurrent:  has(behaviourConcurrent),
		KeepAlive:   has(behaviourKeepAlive),
		Pipelining:  has(behaviourPipelining),
		Sleep:       has(behaviourSleep),
		IdleTimeout: has(behaviourIdleTimeout),
	}
}

// Chapter is a chapter folder with a main.go, as the Makefile finds them.
type Chapter struct {
	Dir    string // "02-poll"
	Number int
}

// Chapters lists the chapters under root in order.
func Chapters(root string) ([]Chapter, error) {
	all, err := conformance.Chapters(root)
	if err != nil {
		return nil, err
	}
	var chapters []Chapter
	for _, c := range all {
		if _, err := os.Stat(filepath.Join(root, c.Dir, "main.go")); err == nil {
			chapters = append(chapters, Chapter{Dir: c.Dir, Number: c.Number})
		}
	}
	return chapters, nil
}

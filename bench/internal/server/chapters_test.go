package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The features follow the conformance suite's Since numbers: a chapter
// added later is measured on what it has, with no table to update here.
func TestChapterFeatures(t *testing.T) {
	none := Features{}
	poll := Features{Concurrent: true}
	loop := Features{Concurrent: true, KeepAlive: true, Pipelining: true}
	timers := Features{Concurrent: true, KeepAlive: true, Pipelining: true, Sleep: true, IdleTimeout: true}
	for n, want := range map[int]Features{1: none, 2: poll, 3: loop, 4: timers, 5: timers, 7: timers} {
		if diff := cmp.Diff(want, ChapterFeatures(n)); diff != "" {
			t.Errorf("chapter %d (-want +got):\n%s", n, diff)
		}
	}
}

// Chapters are found as the Makefile finds them: NN-name folders with a
// main.go, in order.
func TestChapters(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"01-blocking/main.go", "03-eventloop/main.go", "05-promise/main.go", "02-poll/README.md", "notes/main.go", "10-later/main.go"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Chapters(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Chapter{{"01-blocking", 1}, {"03-eventloop", 3}, {"05-promise", 5}, {"10-later", 10}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Chapters (-want +got):\n%s", diff)
	}
}

func TestIdleArgs(t *testing.T) {
	if got := ChapterSpec(Chapter{"02-poll", 2}, "/b/02-poll").IdleArgs(); got != nil {
		t.Errorf("02 has no idle timeout, yet IdleArgs = %q", got)
	}
	if diff := cmp.Diff([]string{"-idle-timeout", "0"}, ChapterSpec(Chapter{"04-scheduler", 4}, "/b/04").IdleArgs()); diff != "" {
		t.Errorf("04's IdleArgs (-want +got):\n%s", diff)
	}
}

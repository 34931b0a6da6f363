package conformance

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// The matrix and the check command print these fields: each must be fit
// for that.
func TestBehavioursAreWellFormed(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z0-9]+(?:[-.][a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, b := range Behaviours() {
		if !kebab.MatchString(b.Name) {
			t.Errorf("%q: the name is not kebab-case", b.Name)
		}
		if seen[b.Name] {
			t.Errorf("%q: two behaviours have this name", b.Name)
		}
		seen[b.Name] = true
		if b.Since < 1 || b.Since > 7 {
			t.Errorf("%s: Since is %d, want a chapter from 1 to 7", b.Name, b.Since)
		}
		if b.Doc == "" || strings.ContainsAny(b.Doc, "|\n") {
			t.Errorf("%s: Doc %q must be one line, without |", b.Name, b.Doc)
		}
		if b.Check == nil {
			t.Errorf("%s: no Check", b.Name)
		}
	}
	// Nothing can be checked after the server has stopped.
	all := Behaviours()
	for i, b := range all {
		if b.EndsServer && i != len(all)-1 {
			t.Errorf("%s ends the server, but %d behaviours come after it", b.Name, len(all)-1-i)
		}
	}
}

func TestOutcome(t *testing.T) {
	b := Behaviour{Name: "keep-alive", Since: 3, Doc: "keeps connections"}
	lacks := errors.New("closed after one response")
	for _, tc := range []struct {
		name    string
		o       Outcome
		ok      bool
		printed string
	}{
		{"has it, as it should", Outcome{Behaviour: b, Want: true, Chapter: 3}, true,
			"PASS  keep-alive"},
		{"lacks it, as it should", Outcome{Behaviour: b, Err: lacks, Want: false, Chapter: 2}, true,
			"PASS  keep-alive (lacks it, as chapter 02 should: closed after one response)"},
		{"lacks it, but should not", Outcome{Behaviour: b, Err: lacks, Want: true, Chapter: 3}, false,
			"FAIL  keep-alive: keeps connections: closed after one response"},
		{"has it too early", Outcome{Behaviour: b, Want: false, Chapter: 2}, false,
			"FAIL  keep-alive: the chapter should not have this yet (it arrives in 03), but the check passed"},
		{"has it early, where being ahead passes", Outcome{Behaviour: b, Want: false, Chapter: 2, AheadPasses: true}, true,
			"PASS  keep-alive (ahead: arrives in chapter 03)"},
		{"lacks it, as it should, where being ahead passes", Outcome{Behaviour: b, Err: lacks, Want: false, Chapter: 2, AheadPasses: true}, true,
			"PASS  keep-alive (lacks it, as chapter 02 should: closed after one response)"},
		{"lacks it, but should not, where being ahead passes", Outcome{Behaviour: b, Err: lacks, Want: true, Chapter: 3, AheadPasses: true}, false,
			"FAIL  keep-alive: keeps connections: closed after one response"},
		{"skipped", Outcome{Behaviour: b, Err: skipf("no process"), Want: true, Chapter: 3}, true,
			"SKIP  keep-alive: no process"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.o.OK(); got != tc.ok {
				t.Errorf("OK() = %v, want %v", got, tc.ok)
			}
			if got := tc.o.String(); got != tc.printed {
				t.Errorf("String() = %q, want %q", got, tc.printed)
			}
		})
	}
}

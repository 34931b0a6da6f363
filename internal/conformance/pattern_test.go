package conformance

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestBytesPattern(t *testing.T) {
	var got strings.Builder
	for i := range int64(30) {
		got.WriteByte(BytesPattern(i))
	}
	if want := "abcdefghijklmnopqrstuvwxyzabcd"; got.String() != want {
		t.Errorf("the first 30 bytes are %q, want %q", got.String(), want)
	}
}

// pattern returns n bytes of the pattern from offset 0.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = BytesPattern(int64(i))
	}
	return b
}

func TestPatternCheckerAcceptsThePatternInAnyChunking(t *testing.T) {
	body := pattern(3*patternChunk + 1000)
	for _, size := range []int{1, 7, 26, 4096, patternChunk + 3, len(body)} {
		p := new(patternChecker)
		for rest := body; len(rest) > 0; {
			n := min(size, len(rest))
			if _, err := p.Write(rest[:n]); err != nil {
				t.Fatalf("writes of %d: %v", size, err)
			}
			rest = rest[n:]
		}
		if p.off != int64(len(body)) {
			t.Errorf("writes of %d: offset %d, want %d", size, p.off, len(body))
		}
	}
}

func TestPatternCheckerFindsTheWrongByte(t *testing.T) {
	for _, bad := range []int{0, 25, 26, patternChunk - 1, patternChunk, 2*patternChunk + 77} {
		body := pattern(3 * patternChunk)
		body[bad] = 'A'
		err := new(patternChecker).readFrom(bytes.NewReader(body), int64(len(body)))
		if err == nil {
			t.Errorf("byte %d changed: no error", bad)
			continue
		}
		if want := "body byte " + strconv.Itoa(bad) + " is 'A'"; !strings.Contains(err.Error(), want) {
			t.Errorf("byte %d changed: got %v, want it to say %q", bad, err, want)
		}
	}
}

func TestPatternCheckerWantsEveryByte(t *testing.T) {
	err := new(patternChecker).readFrom(bytes.NewReader(pattern(100)), 101)
	if err == nil || !strings.Contains(err.Error(), "got 100 of 101 bytes") {
		t.Errorf("a body one byte short: got %v", err)
	}
}

package conformance

import (
	"bytes"
	"fmt"
	"io"
)

// BytesPattern is byte i of every /bytes?n=N body: the lowercase
// alphabet, repeated, so byte i is 'a' + i%26. A server can produce it
// from a small table without holding N bytes, and a client can check
// every byte it receives, in order, without knowing how it was chunked.
func BytesPattern(i int64) byte {
	return 'a' + byte(i%26)
}

// patternTable is the pattern from offset 0, long enough that any offset
// modulo 26 followed by a read of up to patternChunk bytes is a slice of
// it.
var patternTable = func() []byte {
	t := make([]byte, patternChunk+26)
	for i := range t {
		t[i] = BytesPattern(int64(i))
	}
	return t
}()

const patternChunk = 32 << 10

// patternChecker is an io.Writer that checks that what is written to it
// is the /bytes pattern, continuing from where the last write stopped.
type patternChecker struct {
	off int64 // body offset of the next byte
}

func (p *patternChecker) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		n := min(len(b), patternChunk)
		start := p.off % 26
		if want := patternTable[start : start+int64(n)]; !bytes.Equal(b[:n], want) {
			i := 0
			for b[i] == want[i] {
				i++
			}
			return written + i, fmt.Errorf("body byte %d is %q, want %q", p.off+int64(i), b[i], want[i])
		}
		p.off += int64(n)
		written += n
		b = b[n:]
	}
	return written, nil
}

// readFrom reads exactly n body bytes from r and checks them against the
// pattern, continuing from body offset p.off.
func (p *patternChecker) readFrom(r io.Reader, n int64) error {
	got, err := io.CopyN(p, r, n)
	if err != nil {
		return fmt.Errorf("body: got %d of %d bytes: %w", got, n, err)
	}
	return nil
}

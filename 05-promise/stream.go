package main

// The /bytes body is the lowercase alphabet, repeated: byte i is
// 'a' + i%26. A client can check every byte it receives, and the server
// needs no memory per connection to produce it: every chunk is a slice of
// one shared, read-only table.

const streamChunk = 64 << 10

// alphabetTable holds streamChunk+26 bytes of the pattern, so that a chunk
// starting at any offset is a slice of it.
type alphabetTable []byte

func newAlphabetTable() alphabetTable {
	t := make(alphabetTable, streamChunk+26)
	for i := range t {
		t[i] = 'a' + byte(i%26)
	}
	return t
}

// chunk returns up to streamChunk bytes of the pattern starting at body
// offset off, and no more than remaining.
func (t alphabetTable) chunk(off, remaining int64) []byte {
	n := int64(streamChunk)
	if remaining < n {
		n = remaining
	}
	start := off % 26
	// The slice's capacity ends where it does: appending to a chunk (the
	// next response, behind the last piece of a body) must copy it, not
	// write over the table that every connection reads.
	return t[start : start+n : start+n]
}

package syncbuf

import (
	"testing"
	"time"
)

// TestSnapshotWakesOnWrite checks the promise a waiting reader relies on:
// the channel from Snapshot is closed by the next write, and the write is
// then visible.
func TestSnapshotWakesOnWrite(t *testing.T) {
	var b Buffer
	got, changed := b.Snapshot()
	if got != "" {
		t.Fatalf("new buffer holds %q", got)
	}
	go b.Write([]byte("hello\n"))
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the write did not close the channel")
	}
	if got := b.String(); got != "hello\n" {
		t.Errorf("after the write: %q, want %q", got, "hello\n")
	}
	_, again := b.Snapshot()
	select {
	case <-again:
		t.Error("a channel taken after the write is already closed")
	default:
	}
}

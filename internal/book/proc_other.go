//go:build !linux

package book

// The scenarios that watch the kernel read Linux's /proc; elsewhere they
// are skipped.

func (s *Session) WaitBlockedIn(p *Proc, name string) error {
	return skipf("this scenario reads Linux's /proc")
}

func (s *Session) WaitTraced(p *Proc) error { return skipf("this scenario reads Linux's /proc") }

func (s *Session) WaitListenQueue(n int) error { return skipf("this scenario reads Linux's /proc") }

func (s *Session) WaitAllRead() error { return skipf("this scenario reads Linux's /proc") }

func probeStrace() error { return skipf("strace transcripts are made on Linux") }

package conformance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// shutdown: how the server stops (chapter 03). Its one behaviour ends
// the server, so this group comes last in Behaviours, and only a suite
// that can signal the server's process runs it: cmd/check, which sees
// only an address, skips it. Chapters 01 and 02 have no handler for
// SIGTERM, and the signal kills them.
var shutdown = []Behaviour{
	{Name: "graceful-shutdown", Since: 3, Check: checkGracefulShutdown, EndsServer: true,
		Doc: "on SIGTERM: new connections refused at once, idle ones closed, a download in flight finished, then exit status 0"},
}

const (
	// shutdownTimeout is how long the server may take to finish the
	// responses in flight: the default of chapter 03's -shutdown-timeout.
	shutdownTimeout = 5 * time.Second
	// exitWait is how long after the signal the server must have exited.
	exitWait = shutdownTimeout + time.Second
	// The download in flight is read steadily at downloadChunk every
	// downloadTick (6.4 MB/s), so that it lasts a while after the signal.
	downloadChunk = 32 << 10
	downloadTick  = 5 * time.Millisecond
)

func checkGracefulShutdown(ctx context.Context, t Target) error {
	p, ok := t.Process.(Stopper)
	if !ok {
		return skipf("stopping the server needs its process")
	}
	n := int64(4 << 20)
	if t.Short {
		n = 1 << 20
	}
	var errs []error
	idle, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer idle.close()
	r, err := idle.exchange(get("/"))
	if err != nil {
		return fmt.Errorf("before the signal, GET /: %w", err)
	}
	if r.announcesClose() {
		// There is no idle connection to close: the rest still runs.
		errs = append(errs, errors.New("before the signal, GET / was answered with `Connection: close`: no connection is kept idle"))
		idle.close()
		idle = nil
	}
	check := new(patternChecker)
	download, err := startDownload(ctx, t.Addr, n, check)
	if err != nil {
		// Nothing in flight to finish: the rest still runs.
		errs = append(errs, fmt.Errorf("before the signal, /bytes?n=%d: %w", n, err))
	} else {
		defer download.close()
	}

	if err := p.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("sending SIGTERM: %w", err)
	}
	exitBy := time.Now().Add(exitWait)
	errs = append(errs, refusedPromptly(ctx, t.Addr))
	if idle != nil {
		if err := idle.expectClosed(); err != nil {
			errs = append(errs, fmt.Errorf("the idle keep-alive connection: %w", err))
		}
	}
	if download != nil {
		if err := readSteadily(download, check, n); err != nil {
			errs = append(errs, fmt.Errorf("the download in flight (/bytes?n=%d) was cut after SIGTERM, at byte %d: %w", n, check.off, err))
		} else if err := download.expectClosed(); err != nil {
			errs = append(errs, fmt.Errorf("the download in flight, once complete: %w", err))
		}
	}
	status, err := p.Wait(time.Until(exitBy))
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("after SIGTERM: %w", err))
	case status == -1:
		errs = append(errs, errors.New("SIGTERM killed the server (it has no handler for it), want an exit with status 0"))
	case status != 0:
		errs = append(errs, fmt.Errorf("after SIGTERM the server exited with status %d, want 0", status))
	}
	return errors.Join(errs...)
}

// startDownload asks for n bytes of /bytes on a connection that is kept,
// and reads the head and the first downloadChunk of the body.
func startDownload(ctx context.Context, addr string, n int64, check *patternChecker) (*conn, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	_ = c.tcp.SetReadBuffer(smallReceiveBuffer)
	if _, err := askBytes(c, n); err != nil {
		c.close()
		return nil, err
	}
	if err := c.readPattern(check, downloadChunk); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// readSteadily reads the rest of an n-byte /bytes body, downloadChunk
// every downloadTick.
func readSteadily(c *conn, check *patternChecker, n int64) error {
	tick := time.NewTicker(downloadTick)
	defer tick.Stop()
	for check.off < n {
		if err := c.readPattern(check, min(downloadChunk, n-check.off)); err != nil {
			return err
		}
		select {
		case <-c.ctx.Done():
			return c.ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// refusedPromptly checks that, within promptly, connecting to addr is
// refused: the server has closed its listener.
func refusedPromptly(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, promptly)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil
		}
		if err == nil {
			c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%v after SIGTERM, new connections are still accepted: the listener is open", promptly)
		case <-tick.C:
		}
	}
}

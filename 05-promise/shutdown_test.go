package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

// downloadSize is more than the socket buffers between the server and a
// client that does not read hold on loopback (a few MB: tcp(7),
// tcp_wmem and tcp_rmem), so the server is still sending when the signal
// comes.
const downloadSize = 16 << 20

// startDownload begins GET /bytes?n=downloadSize and returns the
// connection after the response head has arrived, with its reader.
func startDownload(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c := testserver.Dial(t, addr)
	if _, err := io.WriteString(c, "GET /bytes?n="+strconv.Itoa(downloadSize)+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(c, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download: %v, %v", resp, err)
	}
	return c, br
}

// readBody reads the /bytes body, checking every byte, and reports how
// many bytes it got and why it stopped.
func readBody(c net.Conn, br *bufio.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	var got int
	for got < downloadSize {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := br.Read(buf[:min(len(buf), downloadSize-got)])
		for i := range n {
			if buf[i] != conformance.BytesPattern(int64(got+i)) {
				return got + i, errors.New("wrong byte")
			}
		}
		got += n
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// TestGracefulShutdown: on SIGTERM the server refuses new connections at
// once, closes an idle keep-alive connection, lets a download in flight
// finish, and then exits with status 0.
func TestGracefulShutdown(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{KeepRunning: true})
	idle := testserver.Dial(t, s.Addr)
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := testserver.ReadResponse(t, idle, "GET /"); r.Status != 200 || r.Close {
		t.Fatalf("idle connection's first response: %+v", r)
	}
	c, br := startDownload(t, s.Addr)
	refused := make(chan struct{})
	downloaded := make(chan error, 1)
	go func() {
		<-refused // the download stays in flight until the server is shutting down
		n, err := readBody(c, br)
		if err == nil && n != downloadSize {
			err = errors.New("short body")
		}
		downloaded <- err
	}()

	signalled := time.Now()
	if err := s.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	testserver.WaitFor(t, 2*time.Second, "new connections to be refused", func() bool {
		nc, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			nc.Close()
		}
		return errors.Is(err, syscall.ECONNREFUSED)
	})
	t.Logf("new connections refused %v after SIGTERM", time.Since(signalled).Round(time.Millisecond))
	close(refused)
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("idle keep-alive connection: read %d bytes, %v; want it closed by the server (EOF)", n, err)
	}
	if err := <-downloaded; err != nil {
		t.Errorf("the download in flight did not finish intact: %v", err)
	}
	code, err := s.Wait(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Errorf("exit status %d, want 0; output:\n%s", code, s.Output())
	}
	if !strings.Contains(s.Output(), "stopped: every connection finished") {
		t.Errorf("no line saying how the server stopped:\n%s", s.Output())
	}
}

// TestShutdownTimeout: a client that stops reading cannot hold the
// server past -shutdown-timeout.
func TestShutdownTimeout(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{KeepRunning: true, Args: []string{"-shutdown-timeout", "300ms"}})
	startDownload(t, s.Addr) // and never read the body
	if err := s.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, err := s.Wait(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || !strings.Contains(s.Output(), "closed 1 connection(s) still open at the deadline") {
		t.Errorf("exit status %d; output:\n%s", code, s.Output())
	}
}

// TestSecondSignalExitsAtOnce: while a graceful shutdown waits for a
// client, a second signal ends the process.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{KeepRunning: true, Args: []string{"-shutdown-timeout", "1h"}})
	startDownload(t, s.Addr)
	if err := s.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	testserver.WaitFor(t, 10*time.Second, "the server to begin shutting down", func() bool {
		return strings.Contains(s.Output(), "shutting down")
	})
	if err := s.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code, err := s.Wait(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if code != 1 || !strings.Contains(s.Output(), "again: exiting now") {
		t.Errorf("exit status %d, want 1; output:\n%s", code, s.Output())
	}
}

// TestShutdownFinishesADownloadWithARequestBehindIt: a client streaming a
// large body has sent its next request, which the server has not read
// (it reads nothing while a body is being produced). SIGTERM comes. The
// body must arrive whole and the connection end with a FIN: a plain
// close with that request unread would send a reset and destroy the
// rest of the body.
func TestShutdownFinishesADownloadWithARequestBehindIt(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{KeepRunning: true})
	c, br := startDownload(t, s.Addr)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := s.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	testserver.WaitFor(t, 10*time.Second, "the server to begin shutting down", func() bool {
		return strings.Contains(s.Output(), "shutting down")
	})
	n, err := readBody(c, br)
	if err != nil || n != downloadSize {
		t.Fatalf("download: %d of %d bytes, %v", n, downloadSize, err)
	}
	// What follows the body: nothing, or the answer to the second
	// request, and then the end of the stream, not a reset.
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Errorf("after the body (and %d more bytes): %v, want a clean end of stream", len(rest), err)
	}
	if code, err := s.Wait(10 * time.Second); err != nil || code != 0 {
		t.Errorf("exit status %d, %v", code, err)
	}
}

// TestShutdownResetsNoKeepAliveClient: clients that send request after
// request on kept connections while SIGTERM comes. Each sees complete
// responses and then a clean end of stream, never a reset: a request
// that arrived in the pass that began the shutdown is answered (with
// Connection: close) or discarded by a lingering close.
func TestShutdownResetsNoKeepAliveClient(t *testing.T) {
	s := testserver.StartWith(t, testserver.Options{KeepRunning: true})
	const clients = 30
	results := make(chan error, clients)
	started := make(chan struct{}, clients)
	for range clients {
		c := testserver.Dial(t, s.Addr)
		go func() {
			br := bufio.NewReader(c)
			for i := 0; ; i++ {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
					results <- fmt.Errorf("write %d: %w", i, err)
					return
				}
				resp, err := http.ReadResponse(br, nil)
				if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) && i > 0 {
					results <- nil // closed between responses: fine
					return
				}
				if err != nil {
					results <- fmt.Errorf("response %d: %w", i, err)
					return
				}
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					results <- fmt.Errorf("body %d: %w", i, err)
					return
				}
				if i == 0 {
					started <- struct{}{}
				}
				if resp.Close {
					_, err := br.ReadByte()
					if err != io.EOF {
						err = fmt.Errorf("after Connection: close: %v, want EOF", err)
					} else {
						err = nil
					}
					results <- err
					return
				}
			}
		}()
	}
	for range clients {
		<-started
	}
	if err := s.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range clients {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
}

package main

import (
	"bufio"
	"errors"
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
	if code != 0 || !strings.Contains(s.Output(), "closed 1 connections still open at the deadline") {
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

package book

import (
	"bufio"
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
)

// TestCommandsRunAsTheReaderTypesThem checks what a session makes of the
// commands a scenario shows: the port becomes the real one where it is
// only a port, and 127.0.0.1:8080 is kept, so that curl sends the same
// Host header, and so the same number of bytes, as on the reader's
// machine.
func TestCommandsRunAsTheReaderTypesThem(t *testing.T) {
	s := &Session{parent: context.Background()}
	s.serverAt("01-blocking", "4242", "43210")
	for shown, want := range map[string]string{
		"exec 3<>/dev/tcp/127.0.0.1/8080":                   "exec 3<>/dev/tcp/127.0.0.1/43210",
		"ss -ltn 'sport = :8080'":                           "ss -ltn 'sport = :43210'",
		"strace -p $(pidof 01-blocking)":                    "strace -p 4242",
		"curl -s http://127.0.0.1:8080/":                    "curl -s http://127.0.0.1:8080/",
		`printf 'Host: 127.0.0.1:8080\r\n' >&3`:             `printf 'Host: 127.0.0.1:8080\r\n' >&3`,
		"curl -s 'http://127.0.0.1:8080/bytes?n=1' | wc -c": "curl -s 'http://127.0.0.1:8080/bytes?n=1' | wc -c",
	} {
		if got := strings.TrimPrefix(s.real(shown), s.prelude); got != want {
			t.Errorf("%q runs as %q, want %q", shown, got, want)
		}
	}
}

// TestCurlReachesTheRealPortWithTheShownHost runs curl as a scenario does,
// against a listener on a port the kernel picks, and checks the request
// that arrives: it must name 127.0.0.1:8080, as the reader's does.
func TestCurlReachesTheRealPortWithTheShownHost(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	heads := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			heads <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		var head strings.Builder
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			head.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		heads <- head.String()
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"))
	}()

	s := &Session{parent: context.Background()}
	s.restartClock()
	t.Cleanup(func() { s.cleanup(); s.cancel() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s.serverAt("01-blocking", "1", port)
	sh, err := s.Shell()
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Run("curl -s http://127.0.0.1:8080/x"); err != nil {
		t.Fatal(err)
	}
	if head := <-heads; !strings.Contains(head, "\r\nHost: 127.0.0.1:8080\r\n") {
		t.Errorf("the request curl sent has no Host: 127.0.0.1:8080 line:\n%s", head)
	}
	if got, want := s.out.String(), "$ curl -s http://127.0.0.1:8080/x\nok\n"; got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}

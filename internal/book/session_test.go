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

// TestOutputShowsTheServersPortAs8080: where a command prints the
// server's real port, the reader sees 8080; other numbers stay.
func TestOutputShowsTheServersPortAs8080(t *testing.T) {
	s := &Session{parent: context.Background()}
	s.serverAt("03-eventloop", "4242", "43210")
	for printed, want := range map[string]string{
		"LISTEN 0 4096 127.0.0.1:43210 0.0.0.0:*\n":                                  "LISTEN 0 4096 127.0.0.1:8080 0.0.0.0:*\n",
		"sin_port=htons(43210)\n":                                                    "sin_port=htons(8080)\n",
		"curl: (7) Failed to connect to 127.0.0.1 port 43210 after 0 ms: Couldn't\n": "curl: (7) Failed to connect to 127.0.0.1 port 8080 after 0 ms: Couldn't\n",
		"432100 bytes, 43210 new\n":                                                  "432100 bytes, 43210 new\n",
	} {
		s.out.Reset()
		s.showOutput(printed)
		if got := s.out.String(); got != want {
			t.Errorf("%q is shown as %q, want %q", printed, got, want)
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

	s := newBareSession(t)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	s.serverAt("01-blocking", "1", port)
	sh, err := s.Shell(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Run("curl -s http://127.0.0.1:8080/x"); err != nil {
		t.Fatal(err)
	}
	if head := <-heads; !strings.Contains(head, "\r\nHost: 127.0.0.1:8080\r\n") {
		t.Errorf("the request curl sent has no Host: 127.0.0.1:8080 line:\n%s", head)
	}
	if got, want := s.out.String(), "--- terminal 2 ---\n$ curl -s http://127.0.0.1:8080/x\nok\n"; got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}

// newBareSession returns a session with no server, for tests of what a
// session shows.
func newBareSession(t *testing.T) *Session {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	s := &Session{parent: context.Background()}
	s.restartClock()
	t.Cleanup(func() { s.cleanup(); s.cancel() })
	return s
}

// TestEachCommandShowsInItsTerminal: a "--- terminal N ---" line starts
// each stretch of the transcript typed in another terminal than the one
// before, and terminal 1, the server's, is no client's.
func TestEachCommandShowsInItsTerminal(t *testing.T) {
	s := newBareSession(t)
	if _, err := s.Shell(1); err == nil {
		t.Error("a shell in terminal 1, the server's, was accepted")
	}
	two, err := s.Shell(2)
	if err != nil {
		t.Fatal(err)
	}
	three, err := s.Shell(3)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		sh  *Shell
		cmd string
	}{{two, "echo a"}, {two, "echo b"}, {three, "echo c"}, {two, "echo d"}} {
		if err := step.sh.Run(step.cmd); err != nil {
			t.Fatal(err)
		}
	}
	want := "--- terminal 2 ---\n$ echo a\na\n$ echo b\nb\n" +
		"--- terminal 3 ---\n$ echo c\nc\n" +
		"--- terminal 2 ---\n$ echo d\nd\n"
	if got := s.out.String(); got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}

// TestOutputWithoutFinalNewlineIsRefused: a transcript cannot show the
// reader's prompt following output on the same line, so a command whose
// output does not end in a newline fails the scenario rather than being
// shown with a newline it never printed.
func TestOutputWithoutFinalNewlineIsRefused(t *testing.T) {
	s := newBareSession(t)
	sh, err := s.Shell(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Run("printf abc"); err == nil || !strings.Contains(err.Error(), "; echo") {
		t.Errorf("printf abc: got error %v, want one that says to end the command with '; echo'", err)
	}
	if err := sh.Run("printf abc; echo"); err != nil {
		t.Fatal(err)
	}
	if got := s.out.String(); !strings.HasSuffix(got, "$ printf abc; echo\nabc\n") {
		t.Errorf("transcript:\n%s\nwant it to end with the command and abc on a line of its own", got)
	}
}

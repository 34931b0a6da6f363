package book

import (
	"path/filepath"
	"regexp"

	"github.com/eventloops-from-scratch/eventloops/internal/gobuild"
)

// Chapter 02's transcripts.

const ch02 = "02-poll"

func init() {
	register(scenario{Name: "02-run", Run: run02,
		Shows: []string{`^--- terminal 1 ---\n\$ go run ./02-poll\nlistening on http://127\.0\.0\.1:8080\n$`}})
	// Any length, exactly; the HEAD announces 64 MiB; one byte more is 400.
	register(scenario{Name: "02-curl-bytes", Needs: []string{"bash", "curl"}, Run: curlBytes02,
		Shows: []string{`\n(abcdefghijklmnopqrstuvwxyz){2}\n\$ `, `Content-Length: 67108864\n`,
			`\| wc -c\n67108864\n`, `400 Bad Request: /bytes`}})
	// B is answered while A stalls, and A is answered when it finishes.
	register(scenario{Name: "02-not-blocking", Needs: []string{"bash", "curl"}, Run: notBlocking02,
		Shows: []string{`--- terminal 3 ---\n.*\nHello from 02-poll: many clients, one thread\.\nanswered in [0-9.]+s\n`,
			`--- terminal 2 ---\n\$ printf '\\r\\n' >&3; cat <&3; exec 3>&-\nHTTP/1\.1 200 OK\n`}})
	// A's three pieces arrive in three wake-ups, with B and C served in
	// between, and C reuses B's descriptor.
	register(scenario{Name: "02-trace", Needs: []string{"bash", "curl"}, Run: trace02,
		Shows: []string{`(?m)^poll\(2 fds, timeout=inf\) blocked \S+: 1 ready, fd 4 IN\n` +
			`poll\(2 fds.*fd 3 IN \(listener\)\n(poll\(3 fds.*fd 5 .*\n){2}` +
			`poll\(2 fds.*fd 4 IN\n` +
			`poll\(2 fds.*fd 3 IN \(listener\)\n(poll\(3 fds.*fd 5 .*\n){2}` +
			`poll\(2 fds.*fd 4 IN\npoll\(2 fds, timeout=\d+ms\).*fd 4 IN\|HUP\n$`}})
	// One ppoll per wake-up; accept4 until EAGAIN; the lingering ppoll
	// has a timeout.
	register(scenario{Name: "02-strace", Needs: []string{"bash", "curl", "strace"}, Run: strace02,
		Shows: []string{`accept4\(3, .*SOCK_NONBLOCK\) = 4\n`,
			`accept4\(3, .*\) = -1 EAGAIN`,
			`shutdown\(4, SHUT_WR\) += 0\n.*ppoll\(.*, 2, \{tv_sec=.*revents=POLLIN\|POLLHUP`,
			`close\(4\) += 0\n.*ppoll\(\[\{fd=3, events=POLLIN\}\], 1, NULL, NULL, 0 <detached \.\.\.>\n$`}})

	// A client's half-close is POLLIN and a read of 0: the server answers
	// the half head with 400. POLLHUP comes only after the server has shut
	// down its own side too.
	register(scenario{Name: "02-half-close", Needs: []string{"bash", "go"}, Run: halfClose02,
		Shows: []string{`400 Bad Request: connection closed in the middle of the request head\n`,
			`(?m)^poll\(1 fds, timeout=inf\).*fd 3 IN \(listener\)\n` +
				`poll\(2 fds, timeout=inf\).*: 1 ready, fd 4 IN\n` +
				`poll\(2 fds, timeout=inf\).*: 1 ready, fd 4 IN\n` +
				`poll\(2 fds, timeout=\d+ms\).*: 1 ready, fd 4 IN\|HUP\n$`}})

	// ppoll's timeout and the time it had left, as strace prints them,
	// differ from run to run; so does the address of the buffer a failed
	// accept4 was given for the client's address.
	masks = append(masks,
		mask{regexp.MustCompile(`\{tv_sec=\d+, tv_nsec=\d+\}`), always("{<timespec>}")},
		mask{regexp.MustCompile(`\b0x[0-9a-f]+\b`), always("<address>")},
	)
}

// run02: starting the server.
func run02(s *Session) error { return s.startShown(ch02) }

// curlBytes02: /bytes streams the alphabet pattern, any length up to
// 64 MiB, and refuses anything else.
func curlBytes02(s *Session) error {
	return s.runAgainst(ch02,
		// The body has no newline of its own: echo ends the line, so
		// that the reader's prompt starts a line of its own.
		"curl -s 'http://127.0.0.1:8080/bytes?n=52'; echo",
		"curl -sI 'http://127.0.0.1:8080/bytes?n=67108864'",
		"curl -s 'http://127.0.0.1:8080/bytes?n=67108864' | wc -c",
		"curl -s 'http://127.0.0.1:8080/bytes?n=67108865'")
}

// notBlocking02: the scene of 01-blocking again. One client is half-way
// through its request; this time another is answered at once.
func notBlocking02(s *Session) error {
	_, a, b, err := s.stalledClient(ch02)
	if err != nil {
		return err
	}
	if err := b.Run(`curl -sS --max-time 2 -w 'answered in %{time_total}s\n' http://127.0.0.1:8080/`); err != nil {
		return err
	}
	return a.Run(`printf '\r\n' >&3; cat <&3; exec 3>&-`)
}

// pollLine matches one line of 02's -trace output: one wake-up of the loop.
var pollLine = regexp.MustCompile(`(?m)^poll\(.*\n`)

// waitWakeUps waits until the server has traced n wake-ups in all, so
// that each step of a scenario shows up in the trace before the next
// step starts and the trace reads the same on every run.
func waitWakeUps(srv *Proc, n int) error {
	return srv.WaitOutput(func(out string) bool {
		return len(pollLine.FindAllStringIndex(out, -1)) >= n
	})
}

// trace02: the loop's -trace while client A sends its request head in
// three pieces, one line at a time (bash's printf sends a line in one
// write), and clients B and C come and go between the pieces.
func trace02(s *Session) error {
	srv, err := s.StartServer(ch02, "-trace")
	if err != nil {
		return err
	}
	srv.ShowCommand()
	a, err := s.Shell(2)
	if err != nil {
		return err
	}
	other, err := s.Shell(3)
	if err != nil {
		return err
	}
	// Each step, and how many wake-ups the server has traced in all once
	// the step is done. The server traces a wake-up before it reads, so
	// two pieces of A's head sent one after the other could still be
	// read together; B and C in between keep them apart: once the server
	// has traced their last wake-up, it has read everything sent before.
	steps := []struct {
		sh      *Shell
		cmd     string
		wakeUps int
	}{
		// The listener is ready: accept A.
		{a, "exec 3<>/dev/tcp/127.0.0.1/8080", 1},
		// A's request line: read, no blank line yet.
		{a, `printf 'GET / HTTP/1.1\r\n' >&3`, 2},
		// B: accepted, its request read and answered at once, then B
		// closes while the server lingers.
		{other, "curl -s http://127.0.0.1:8080/", 5},
		// A's Host header: read, still no blank line.
		{a, `printf 'Host: localhost\r\n' >&3`, 6},
		// C, as B.
		{other, "curl -s http://127.0.0.1:8080/", 9},
		// A's blank line: answered; A reads it all and closes.
		{a, `printf '\r\n' >&3; cat <&3 >/dev/null; exec 3>&-`, 11},
	}
	for _, st := range steps {
		if err := st.sh.Run(st.cmd); err != nil {
			return err
		}
		if err := waitWakeUps(srv, st.wakeUps); err != nil {
			return err
		}
	}
	srv.ShowOutput()
	return nil
}

// strace02: the system calls behind one request: ppoll, then whatever
// it said was ready. x/sys/unix.Poll is ppoll on Linux.
func strace02(s *Session) error {
	// Stop strace once the server, done with the connection, waits on
	// the listener alone again, so that the trace ends the same way
	// every time. strace prints a call's arguments when the call
	// begins, so the wait shows before it ends.
	backToListener := regexp.MustCompile(`close\(\d+\) += 0\n(\[pid +\d+\] )?ppoll\(\[\{fd=\d+, events=POLLIN\}\], 1, NULL`)
	return s.straceOneRequest(ch02, "ppoll,accept4,read,write,shutdown,close", func(st *Proc, _ *Proc) error {
		return st.WaitOutput(backToListener.MatchString)
	})
}

// halfClose02: a client sends half a request head, then shuts down its
// sending side (halfclose is nc -N in Go). The server's -trace shows the
// half-close as plain IN; the read that follows returns 0, so the head
// can never be finished, and the client gets a 400. HUP appears only on
// the last wake-up, after the server's own shutdown(SHUT_WR).
func halfClose02(s *Session) error {
	// Build the client before the scenario's clock starts, so that go run
	// in the session finds it in the build cache.
	if err := gobuild.Build(s.parent, filepath.Join(s.runner.root, "internal", "book", "cmd", "halfclose"),
		filepath.Join(s.runner.tmp, "halfclose"), false); err != nil {
		return err
	}
	srv, err := s.StartServer(ch02, "-trace")
	if err != nil {
		return err
	}
	srv.ShowCommand()
	sh, err := s.Shell(2)
	if err != nil {
		return err
	}
	if err := sh.Run(`printf 'GET / HTTP/1.1\r\nHost: localhost\r\n' | go run ./internal/book/cmd/halfclose 127.0.0.1 8080`); err != nil {
		return err
	}
	// Accept, the half head, the end of stream (answered), the end of the
	// lingering close.
	if err := waitWakeUps(srv, 4); err != nil {
		return err
	}
	srv.ShowOutput()
	return nil
}

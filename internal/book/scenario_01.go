package book

// Chapter 01's transcripts.

const ch01 = "01-blocking"

func init() {
	register(scenario{Name: "01-run", Run: run01,
		Shows: []string{`^--- terminal 1 ---\n\$ go run ./01-blocking\nlistening on http://127\.0\.0\.1:8080\n$`}})
	register(scenario{Name: "01-curl", Needs: []string{"bash", "curl"}, Run: curl01,
		Shows: []string{`HTTP/1\.1 200 OK\n`, `HTTP/1\.1 404 Not Found\n`,
			`\$ curl -sI .*\nHTTP/1\.1 200 OK\n(.+\n)*Content-Length: 46\n(.+\n)*\n$`}})
	// B times out while A stalls, and is served once A has finished.
	register(scenario{Name: "01-blocking", Needs: []string{"bash", "curl"}, Run: blocking01,
		Shows: []string{`curl: \(28\) Operation timed out`,
			`--- terminal 3 ---\n\$ curl -sS http://127\.0\.0\.1:8080/\nHello from 01-blocking`}})
	register(scenario{Name: "01-backlog", Needs: []string{"bash", "curl", "ss"}, Run: backlog01,
		Shows: []string{`LISTEN +5 +\d+ +127\.0\.0\.1:8080`, `\$ wait; ss .*\n.*\nLISTEN +0 `}})
	register(scenario{Name: "01-trace", Needs: []string{"bash", "curl"}, Run: trace01,
		Shows: []string{`accept\(3\) = fd 4 from 127\.0\.0\.1:\d+, blocked`, `read\(4\) = \d+ bytes`,
			`write\(4\) = \d+ bytes`, `close\(4\)\n$`}})
	register(scenario{Name: "01-strace", Needs: []string{"bash", "curl", "strace"}, Run: strace01,
		Shows: []string{`accept4\(3, .*\) = 4\n`, `shutdown\(4, SHUT_WR\) += 0\n`,
			`close\(4\) += 0\n.*accept4\(3, +<detached \.\.\.>\n$`}})
}

// run01: starting the server.
func run01(s *Session) error { return s.startShown(ch01) }

// curl01: a greeting, a 404 and a HEAD.
func curl01(s *Session) error {
	return s.runAgainst(ch01,
		"curl -si http://127.0.0.1:8080/",
		"curl -si http://127.0.0.1:8080/nope",
		"curl -sI http://127.0.0.1:8080/")
}

// blocking01: while one client is half-way through its request, another
// gets nothing; once the first finishes, the second is served.
func blocking01(s *Session) error {
	srv, a, b, err := s.stalledClient(ch01)
	if err != nil {
		return err
	}
	// Client A is accepted at once, and the server then sits in read.
	if err := s.WaitBlockedIn(srv, "read"); err != nil {
		return err
	}
	// curl's exit status 28: it gave up waiting.
	if err := b.Expect("curl -sS --max-time 2 http://127.0.0.1:8080/", 28); err != nil {
		return err
	}
	if err := a.Run(`printf '\r\n' >&3; cat <&3; exec 3>&-`); err != nil {
		return err
	}
	return b.Run("curl -sS http://127.0.0.1:8080/")
}

// backlog01: while the server is stuck on one client, five more connect:
// the kernel completes their handshakes and queues them in the listen
// backlog, where ss shows them as Recv-Q.
func backlog01(s *Session) error {
	srv, a, b, err := s.stalledClient(ch01)
	if err != nil {
		return err
	}
	// Client A is accepted at once, and the server then sits in read.
	if err := s.WaitBlockedIn(srv, "read"); err != nil {
		return err
	}
	if err := b.Run("for i in 1 2 3 4 5; do curl -s -o /dev/null http://127.0.0.1:8080/ & done"); err != nil {
		return err
	}
	if err := s.WaitListenQueue(5); err != nil {
		return err
	}
	if err := b.Run("ss -ltn 'sport = :8080'"); err != nil {
		return err
	}
	if err := a.Run(`printf '\r\n' >&3; cat <&3 >/dev/null; exec 3>&-`); err != nil {
		return err
	}
	return b.Run("wait; ss -ltn 'sport = :8080'")
}

// trace01: the -trace output for one request.
func trace01(s *Session) error {
	srv, err := s.StartServer(ch01, "-trace")
	if err != nil {
		return err
	}
	srv.ShowCommand()
	sh, err := s.Shell(2)
	if err != nil {
		return err
	}
	if err := sh.Run("curl -s http://127.0.0.1:8080/"); err != nil {
		return err
	}
	if err := srv.WaitOutput(hasLine(`close\(\d+\)`)); err != nil {
		return err
	}
	srv.ShowOutput()
	return nil
}

// strace01: the system calls behind one request, seen by strace attached
// to the running server. Attaching after start-up leaves out the Go
// runtime's own start-up calls; the trace is limited to the calls the
// chapter is about.
func strace01(s *Session) error {
	// Stop strace once the server waits in accept4 for the next client,
	// so that the trace ends the same way every time.
	return s.straceOneRequest(ch01, "accept4,read,write,shutdown,close", func(st *Proc, srv *Proc) error {
		if err := st.WaitOutput(hasLine(`close\(\d+\) += 0`)); err != nil {
			return err
		}
		return s.WaitBlockedIn(srv, "accept4")
	})
}

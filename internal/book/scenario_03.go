package book

import (
	"fmt"
	"regexp"
)

// Chapter 03's transcripts.

const ch03 = "03-eventloop"

func init() {
	register(scenario{Name: "03-run", Run: run03,
		Shows: []string{`^--- terminal 1 ---\n\$ go run ./03-eventloop\nlistening on http://127\.0\.0\.1:8080\n$`}})
	// Two requests, one connection: curl opens a connection for the
	// first and reuses it for the second, after a /bytes body too; not
	// after Connection: close, nor for HTTP/1.0 unless it asks, and then
	// the answer says keep-alive.
	register(scenario{Name: "03-keep-alive", Needs: []string{"bash", "curl"}, Run: keepAlive03,
		Shows: []string{
			`\$ curl -s -w "\$w" -o /dev/null 'http://127\.0\.0\.1:8080/bytes\?n=1048576' -o /dev/null http://127\.0\.0\.1:8080/\n` +
				`200, 1048576 bytes, new connections: 1\n200, 45 bytes, new connections: 0\n`,
			`-H 'Connection: close' .*\n200, 45 bytes, new connections: 1\n200, 45 bytes, new connections: 1\n`,
			`\$ curl -s -0 -w .*\n200, 45 bytes, new connections: 1\n200, 45 bytes, new connections: 1\n`,
			`Connection: keep-alive\n\n200, 45 bytes, new connections: 1\n(.+\n)+Connection: keep-alive\n\n200, 45 bytes, new connections: 0\n$`}})
	// Three requests sent without waiting for an answer are answered in
	// order: the HEAD's head, then the GET's exact body, then the
	// response that closes, and nothing after it.
	register(scenario{Name: "03-pipelining", Needs: []string{"bash"}, Run: pipelining03,
		Shows: []string{
			`Content-Length: 45\n\nHTTP/1\.1 200 OK\n(.+\n){2}Content-Length: 26\n\nabcdefghijklmnopqrstuvwxyzHTTP/1\.1 200 OK\n(.+\n){3}Connection: close\n\nHello from 03-eventloop: handlers on a loop\.\n$`}})
	// One line per pass, naming the handler; the signal arrives as
	// posted work, on the wake-up descriptor's line.
	register(scenario{Name: "03-trace", Needs: []string{"bash", "curl"}, Run: trace03,
		Shows: []string{
			`(?m)^poll\(2 fds, timeout=inf\) blocked \S+: 1 ready, fd 3 IN → listener\n` +
				`(poll\(3 fds, timeout=inf\) blocked \S+: 1 ready, fd 5 IN → conn\n){3}`,
			`shutting down: no new connections; 0 open, given up to 5s to finish\n` +
				`poll\(2 fds, timeout=inf\) blocked \S+: 1 ready, fd 4 IN → wake-up \(drained, ran 1 posted\)\n` +
				`03-eventloop: stopped: every connection finished\n$`}})
	// SIGTERM with a download in flight: new connections refused at
	// once, the download finished, then the server exits (status 0,
	// which the scenario checks).
	register(scenario{Name: "03-shutdown", Needs: []string{"bash", "curl"}, Run: shutdown03,
		Shows: []string{
			`terminated: shutting down: no new connections; 1 open, given up to 5s to finish\n`,
			`curl: \(7\) Failed to connect to 127\.0\.0\.1 port 8080`,
			`--- terminal 2 ---\n200, 33554432 bytes\n--- terminal 1 ---\n03-eventloop: stopped: every connection finished\n$`}})
	// A handler that sleeps on the loop delays a client that has nothing
	// to do with it by the whole sleep; without it, the same request
	// takes a millisecond or so.
	register(scenario{Name: "03-slow-handler", Needs: []string{"bash", "curl"}, Run: slowHandler03,
		Shows: []string{
			`--- terminal 3 ---\n\$ curl .*\nHello from 03-eventloop: handlers on a loop\.\nanswered in (0\.[5-9]|1\.)\d*s\n`,
			`slept 1s on the loop\n(.*\n)*answered in 0\.0\d*s\n`,
			`fd 5 IN → conn \(slow handler: sleeping 1s on the loop\)\npoll\(3 fds, timeout=\d+ms\) blocked \S+: 1 ready, fd 3 IN → listener\n`}})
	// One connection, two requests: one accept4, then a read and a
	// write for each request, and no timeout on ppoll between them.
	register(scenario{Name: "03-strace", Needs: []string{"bash", "curl", "strace"}, Run: strace03,
		Shows: []string{`accept4\(3, .*SOCK_NONBLOCK\) = 5\n`,
			`(?s)read\(5, "GET / HTTP/1\.1.*write\(5, "HTTP/1\.1 200 OK.*ppoll\(\[\{fd=3, events=POLLIN\}, \{fd=4, events=POLLIN\}, \{fd=5, events=POLLIN\}\], 3, NULL.*read\(5, "GET / HTTP/1\.1.*write\(5, "HTTP/1\.1 200 OK`,
			`read\(5, "", \d+\) += 0\n.*close\(5\) += 0\n.*ppoll\(\[\{fd=3, events=POLLIN\}, \{fd=4, events=POLLIN\}\], 2, NULL, NULL, 0 <detached \.\.\.>\n$`}})

	// curl's "Failed to connect ... after 0 ms" counts milliseconds.
	masks = append(masks, mask{regexp.MustCompile(`\bafter \d+ ms\b`), always("after <n> ms")})
}

// run03: starting the server.
func run03(s *Session) error { return s.startShown(ch03) }

// keepAlive03: curl says how many connections it opened for each URL
// (num_connects): none for the second one when the first is kept open.
func keepAlive03(s *Session) error {
	return s.runAgainst(ch03,
		`w='%{http_code}, %{size_download} bytes, new connections: %{num_connects}\n'`,
		`curl -s -w "$w" -o /dev/null 'http://127.0.0.1:8080/bytes?n=1048576' -o /dev/null http://127.0.0.1:8080/`,
		`curl -s -H 'Connection: close' -w "$w" -o /dev/null http://127.0.0.1:8080/ -o /dev/null http://127.0.0.1:8080/`,
		`curl -s -0 -w "$w" -o /dev/null http://127.0.0.1:8080/ -o /dev/null http://127.0.0.1:8080/`,
		`curl -s -0 -H 'Connection: keep-alive' -D - -w "$w" -o /dev/null http://127.0.0.1:8080/ -o /dev/null http://127.0.0.1:8080/`)
}

// pipelining03: a HEAD, a GET of /bytes and a GET that closes, sent in
// one printf with bash's /dev/tcp, before reading any answer.
func pipelining03(s *Session) error {
	return s.runAgainst(ch03,
		"exec 3<>/dev/tcp/127.0.0.1/8080",
		`printf 'HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\nGET /bytes?n=26 HTTP/1.1\r\nHost: localhost\r\n\r\nGET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3`,
		`cat <&3; exec 3>&-`)
}

// trace03: the loop's -trace for two requests on one connection, then
// SIGTERM, which reaches the loop as posted work.
func trace03(s *Session) error {
	srv, err := s.StartServer(ch03, "-trace")
	if err != nil {
		return err
	}
	srv.ShowCommand()
	sh, err := s.Shell(2)
	if err != nil {
		return err
	}
	if err := sh.Run("curl -s http://127.0.0.1:8080/ http://127.0.0.1:8080/"); err != nil {
		return err
	}
	// The accept, two requests, and curl's close.
	if err := waitWakeUps(srv, 4); err != nil {
		return err
	}
	srv.ShowOutput()
	if err := sh.Run("kill -TERM $(pidof 03-eventloop)"); err != nil {
		return err
	}
	if err := serverExits(srv, 0); err != nil {
		return err
	}
	srv.ShowOutput()
	return nil
}

// serverExits waits for the server to exit and checks its status.
func serverExits(srv *Proc, want int) error {
	status, err := srv.Wait()
	if err == nil && status != want {
		err = fmt.Errorf("the server exited with status %d, want %d; it printed:\n%s", status, want, srv.out.String())
	}
	return err
}

// shutdown03: SIGTERM while a client downloads 32 MiB at 16 MiB/s. The
// listener closes at once, the download finishes, and the server exits.
func shutdown03(s *Session) error {
	srv, err := s.StartServer(ch03)
	if err != nil {
		return err
	}
	srv.ShowCommand()
	download, err := s.Background(2, `curl -s --limit-rate 16M -o /dev/null -w '%{http_code}, %{size_download} bytes\n' 'http://127.0.0.1:8080/bytes?n=33554432'`)
	if err != nil {
		return err
	}
	download.ShowCommand()
	// The server has accepted the download and read its request: the
	// body is on its way.
	if err := s.WaitAllRead(); err != nil {
		return err
	}
	sh, err := s.Shell(3)
	if err != nil {
		return err
	}
	if err := sh.Run("kill -TERM $(pidof 03-eventloop)"); err != nil {
		return err
	}
	if err := srv.WaitOutput(hasLine(`shutting down`)); err != nil {
		return err
	}
	srv.ShowOutput()
	// curl's exit status 7: nobody listens any more.
	if err := sh.Expect("curl -sS http://127.0.0.1:8080/", 7); err != nil {
		return err
	}
	status, err := download.Wait()
	if err != nil {
		return err
	}
	if status != 0 {
		return fmt.Errorf("the download exited with status %d; it printed:\n%s", status, download.out.String())
	}
	download.ShowOutput()
	if err := serverExits(srv, 0); err != nil {
		return err
	}
	srv.ShowOutput()
	return nil
}

// slowHandler03: GET /slow sleeps a second on the loop. Client A asks
// for it (with bash's /dev/tcp, so that it reads its answer when the
// scenario says, and the trace reads the same every time); client B,
// which wants only /, waits for the whole second. Once A is done, B is
// answered at once.
func slowHandler03(s *Session) error {
	srv, err := s.StartServer(ch03, "-slow-handler", "1s", "-trace")
	if err != nil {
		return err
	}
	srv.ShowCommand()
	a, err := s.Shell(2)
	if err != nil {
		return err
	}
	b, err := s.Shell(3)
	if err != nil {
		return err
	}
	if err := a.Run("exec 3<>/dev/tcp/127.0.0.1/8080"); err != nil {
		return err
	}
	// printf %s hands bash's whole string to one write (its format's
	// newlines would each end a write), so that the request arrives in
	// one piece and the trace reads the same every time.
	if err := a.Run(`printf %s $'GET /slow HTTP/1.0\r\n\r\n' >&3`); err != nil {
		return err
	}
	// The server has read A's request: it is asleep in the handler.
	if err := s.WaitAllRead(); err != nil {
		return err
	}
	timed := `curl -s -w 'answered in %{time_total}s\n' http://127.0.0.1:8080/`
	if err := b.Run(timed); err != nil {
		return err
	}
	if err := a.Run(`cat <&3; exec 3>&-`); err != nil {
		return err
	}
	// A's accept and request; B's accept, request and close; A's close.
	if err := waitWakeUps(srv, 6); err != nil {
		return err
	}
	if err := b.Run(timed); err != nil {
		return err
	}
	if err := waitWakeUps(srv, 9); err != nil {
		return err
	}
	srv.ShowOutput()
	return nil
}

// strace03: the system calls behind two requests on one kept-alive
// connection.
func strace03(s *Session) error {
	// Stop once the server, done with the connection, waits on the
	// listener and the wake-up descriptor alone again.
	backToListener := regexp.MustCompile(`close\(\d+\) += 0\n(\[pid +\d+\] )?ppoll\(\[\{fd=\d+, events=POLLIN\}, \{fd=\d+, events=POLLIN\}\], 2, NULL`)
	return s.straceClient(ch03, "ppoll,accept4,read,write,shutdown,close",
		"curl -s http://127.0.0.1:8080/ http://127.0.0.1:8080/",
		func(st *Proc, _ *Proc) error { return st.WaitOutput(backToListener.MatchString) })
}

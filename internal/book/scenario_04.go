package book

import "regexp"

// Chapter 04's transcripts.

const ch04 = "04-scheduler"

func init() {
	register(scenario{Name: "04-run", Run: run04,
		Shows: []string{`^--- terminal 1 ---\n\$ go run ./04-scheduler\nlistening on http://127\.0\.0\.1:8080\n$`}})
	// Faugeron's "now % interval" check, simulated: with a client that
	// shifts the loop's phase, or a poll that returns a millisecond late,
	// the callback never runs; a deadline runs it on time, or as soon
	// after as the loop looks.
	register(scenario{Name: "04-oneoff", Needs: []string{"bash"}, Run: oneOff04,
		Shows: []string{
			`(?s)1\. now % interval.*\(a client\): 1 % 5 = 1: not due\n.*\(timeout\): 6 % 5 = 1: not due\n.*the callback has not run\n2\.`,
			`(?s)2\. now % interval.*5001 % 5000 = 1: not due\n.*the callback has not run\n3\.`,
			`3\. a deadline.*\n.*\(a client\): 3\.8s to go\n.*\(timeout\): due at 5s: ran, 0s late\n`,
			`4\. a deadline.*\n.*\(timeout\): due at 5s: ran, 1ms late\n$`}})
	// Five clients ask for /sleep?ms=500 at once: each is answered in
	// about half a second, not one after the other.
	register(scenario{Name: "04-sleep", Needs: []string{"bash", "curl"}, Run: sleep04,
		Shows: []string{`(200 after 0\.5\d*s\n){5}$`}})
	// A /sleep of a second beside a request for /: the loop answers /
	// at once, and the trace shows the timer in poll's timeout, then
	// firing ("ran 1 timers").
	register(scenario{Name: "04-sleep-trace", Needs: []string{"bash", "curl"}, Run: sleepTrace04,
		Shows: []string{
			`--- terminal 3 ---\n\$ curl .*\nHello from 04-scheduler: timers on the loop\.\nanswered in 0\.0\d*s\n`,
			`slept 1000 ms\n`,
			`(?m)^poll\(3 fds, timeout=\d+ms\) blocked \S+: 0 ready\n` +
				`ran 1 timers, 0 next-ticks; poll\(3 fds, timeout=\d+ms\) blocked \S+: 1 ready, fd 5 IN(\|HUP)? → conn\n$`}})
	// A kept-alive connection that sends nothing more is closed when
	// -idle-timeout has passed since its last answer.
	register(scenario{Name: "04-idle-timeout", Needs: []string{"bash"}, Run: idleTimeout04,
		Shows: []string{`Hello from 04-scheduler: timers on the loop\.\n\nreal\t0m(1\.9|2\.0)\d*s\n`}})
	// Half a head, then nothing: after -idle-timeout, 408 and close.
	register(scenario{Name: "04-slowloris", Needs: []string{"bash"}, Run: slowloris04,
		Shows: []string{`HTTP/1\.1 408 Request Timeout\n(.+\n)*Connection: close\n\n408 Request Timeout: no complete request head within 2s\n\nreal\t0m(1\.9|2\.0)\d*s\n`}})
}

// run04: starting the server.
func run04(s *Session) error { return s.startShown(ch04) }

// oneOff04: the simulation in internal/book/cmd/oneoff. It needs no
// server: the reader runs it in a terminal of its own.
func oneOff04(s *Session) error {
	sh, err := s.Shell(2)
	if err != nil {
		return err
	}
	return sh.Run("go run ./internal/book/cmd/oneoff")
}

// sleep04: five curls in the background at once, each printing its
// status and how long it took, in one write, so that lines cannot mix.
func sleep04(s *Session) error {
	return s.runAgainst(ch04,
		`w='%{http_code} after %{time_total}s\n'`,
		`for i in 1 2 3 4 5; do curl -s -o /dev/null -w "$w" 'http://127.0.0.1:8080/sleep?ms=500' & done; wait`)
}

// wakeUp04 matches one line of 04's -trace: a pass that polled, with the
// timers and next-tick work it ran first, if any.
var wakeUp04 = regexp.MustCompile(`(?m)^(ran \d+ timers, \d+ next-ticks; )?poll\(.*\n`)

func waitWakeUps04(srv *Proc, n int) error {
	return srv.WaitOutput(func(out string) bool {
		return len(wakeUp04.FindAllStringIndex(out, -1)) >= n
	})
}

// sleepTrace04 is 03-slow-handler again, with /sleep for /slow: A asks
// for a one-second /sleep (bash's /dev/tcp, so that it reads when the
// scenario says), B asks for / meanwhile and is answered at once.
func sleepTrace04(s *Session) error {
	srv, err := s.StartServer(ch04, "-trace")
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
	// One write, so that the request arrives in one piece (see
	// slowHandler03).
	if err := a.Run(`printf %s $'GET /sleep?ms=1000 HTTP/1.0\r\n\r\n' >&3`); err != nil {
		return err
	}
	// A's accept and request: the timer is set.
	if err := waitWakeUps04(srv, 2); err != nil {
		return err
	}
	if err := b.Run(`curl -s -w 'answered in %{time_total}s\n' http://127.0.0.1:8080/`); err != nil {
		return err
	}
	if err := a.Run(`cat <&3; exec 3>&-`); err != nil {
		return err
	}
	// B's accept, request and close; the timeout that ends A's sleep;
	// the pass that fires the timer, which ends with A's close.
	if err := waitWakeUps04(srv, 7); err != nil {
		return err
	}
	srv.ShowOutput()
	return nil
}

// idleTimeout04: one request on a kept-alive connection, then nothing;
// cat ends when the server closes, -idle-timeout after the answer.
func idleTimeout04(s *Session) error {
	return s.runAgainstWith(ch04, []string{"-idle-timeout", "2s"}, true,
		"exec 3<>/dev/tcp/127.0.0.1/8080",
		`printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3`,
		`time cat <&3`)
}

// slowloris04: a head without its blank line, then nothing: the server
// answers 408 when -idle-timeout has passed, and closes.
func slowloris04(s *Session) error {
	return s.runAgainstWith(ch04, []string{"-idle-timeout", "2s"}, true,
		"exec 3<>/dev/tcp/127.0.0.1/8080",
		`printf 'GET / HTTP/1.1\r\nHost: localhost\r\n' >&3`,
		`time cat <&3`)
}

package book

import "regexp"

// Chapter 05's transcripts.

const ch05 = "05-promise"

func init() {
	register(scenario{Name: "05-run", Run: run05,
		Shows: []string{`^--- terminal 1 ---\n\$ go run ./05-promise\nlistening on http://127\.0\.0\.1:8080\n$`}})
	// Five clients ask for /sleep?ms=500 at once: the chain (a delay,
	// then the response) answers each in about half a second.
	register(scenario{Name: "05-sleep", Needs: []string{"bash", "curl"}, Run: sleep05,
		Shows: []string{`(200 after 0\.5\d*s\n){5}$`}})
	// A /sleep of half a second with -trace: the pass whose timer fires
	// runs one microtask, the chain's respond, before it polls again.
	register(scenario{Name: "05-sleep-trace", Needs: []string{"bash", "curl"}, Run: sleepTrace05,
		Shows: []string{
			`slept 500 ms\n`,
			`(?m)^poll\(3 fds, timeout=\d+ms\) blocked \S+: 0 ready\n` +
				`ran 1 timers, 0 next-ticks, 2 microtasks; poll\(3 fds, timeout=\d+ms\) blocked \S+: 1 ready, fd 5 IN(\|HUP)? → conn\n$`}})
}

// run05: starting the server.
func run05(s *Session) error { return s.startShown(ch05) }

// sleep05: 04-sleep again, on chapter 05.
func sleep05(s *Session) error {
	return s.runAgainst(ch05,
		`w='%{http_code} after %{time_total}s\n'`,
		`for i in 1 2 3 4 5; do curl -s -o /dev/null -w "$w" 'http://127.0.0.1:8080/sleep?ms=500' & done; wait`)
}

// wakeUp05 matches one line of 05's -trace: a pass that polled, with the
// timers, next-tick work and microtasks it ran first, if any.
var wakeUp05 = regexp.MustCompile(`(?m)^(ran \d+ timers, \d+ next-ticks, \d+ microtasks; )?poll\(.*\n`)

// sleepTrace05: one client asks for a half-second /sleep with bash's
// /dev/tcp, so that it reads when the scenario says, and closes after
// the answer.
func sleepTrace05(s *Session) error {
	srv, err := s.StartServer(ch05, "-trace")
	if err != nil {
		return err
	}
	srv.ShowCommand()
	a, err := s.Shell(2)
	if err != nil {
		return err
	}
	if err := a.Run("exec 3<>/dev/tcp/127.0.0.1/8080"); err != nil {
		return err
	}
	// One write, so that the request arrives in one piece (see
	// slowHandler03).
	if err := a.Run(`printf %s $'GET /sleep?ms=500 HTTP/1.0\r\n\r\n' >&3`); err != nil {
		return err
	}
	if err := a.Run(`cat <&3; exec 3>&-`); err != nil {
		return err
	}
	// The accept, the request, the timeout that ends the sleep, and the
	// pass that fires the timer, which ends with the client's close.
	if err := srv.WaitOutput(func(out string) bool {
		return len(wakeUp05.FindAllStringIndex(out, -1)) >= 4
	}); err != nil {
		return err
	}
	srv.ShowOutput()
	return nil
}

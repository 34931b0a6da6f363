package book

// Scenes that several chapters' scenarios share.

import (
	"fmt"
	"regexp"
)

// hasLine returns a condition on a process's output: a whole line
// matching pattern has been printed.
func hasLine(pattern string) func(string) bool {
	re := regexp.MustCompile(`(?m)^.*` + pattern + `.*\n`)
	return re.MatchString
}

// straceOneRequest is the strace session every chapter shows: the
// chapter's server in terminal 1, strace attached to it in terminal 2,
// tracing only calls, one curl in terminal 3. done waits until the trace
// has reached the point where it ends the same way every time.
func (s *Session) straceOneRequest(chapter, calls string, done func(strace, server *Proc) error) error {
	return s.straceClient(chapter, calls, "curl -s http://127.0.0.1:8080/", done)
}

// straceClient is straceOneRequest with another client command in
// terminal 3.
func (s *Session) straceClient(chapter, calls, client string, done func(strace, server *Proc) error) error {
	srv, err := s.StartServer(chapter)
	if err != nil {
		return err
	}
	srv.ShowCommand()
	st, err := s.Background(2, fmt.Sprintf("strace -q -f -e trace=%s -e signal=none -p $(pidof %s)", calls, chapter))
	if err != nil {
		return err
	}
	if err := s.WaitTraced(srv); err != nil {
		return err
	}
	st.ShowCommand()
	sh, err := s.Shell(3)
	if err != nil {
		return err
	}
	if err := sh.Run(client); err != nil {
		return err
	}
	if err := done(st, srv); err != nil {
		return err
	}
	if err := st.Interrupt(); err != nil {
		return err
	}
	st.ShowOutput()
	return nil
}

// startShown starts the chapter's server and shows, in terminal 1, the
// command that starts it, with the line it prints.
func (s *Session) startShown(chapter string) error {
	srv, err := s.StartServer(chapter)
	if err != nil {
		return err
	}
	srv.ShowCommand()
	return nil
}

// runAgainst starts the chapter's server without showing it and runs
// cmds, one after the other, in one shell in terminal 2.
func (s *Session) runAgainst(chapter string, cmds ...string) error {
	return s.runAgainstWith(chapter, nil, false, cmds...)
}

// runAgainstWith is runAgainst with the server's flags, and the command
// that starts it shown in terminal 1 when show is set.
func (s *Session) runAgainstWith(chapter string, flags []string, show bool, cmds ...string) error {
	srv, err := s.StartServer(chapter, flags...)
	if err != nil {
		return err
	}
	if show {
		srv.ShowCommand()
	}
	sh, err := s.Shell(2)
	if err != nil {
		return err
	}
	for _, cmd := range cmds {
		if err := sh.Run(cmd); err != nil {
			return err
		}
	}
	return nil
}

// stalledClient starts the chapter's server, not shown (it is the one
// the reader started in terminal 1), and two shells, a in terminal 2 and
// b in terminal 3. In terminal 2, client A connects with bash's /dev/tcp
// and sends a request head without its final blank line, and stops
// there.
func (s *Session) stalledClient(chapter string) (srv *Proc, a, b *Shell, err error) {
	if srv, err = s.StartServer(chapter); err != nil {
		return nil, nil, nil, err
	}
	if a, err = s.Shell(2); err != nil {
		return nil, nil, nil, err
	}
	if b, err = s.Shell(3); err != nil {
		return nil, nil, nil, err
	}
	if err := a.Run("exec 3<>/dev/tcp/127.0.0.1/8080"); err != nil {
		return nil, nil, nil, err
	}
	if err := a.Run(`printf 'GET / HTTP/1.1\r\nHost: localhost\r\n' >&3`); err != nil {
		return nil, nil, nil, err
	}
	return srv, a, b, nil
}

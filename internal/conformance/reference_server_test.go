package conformance

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m, runReference) }

// The reference server: a small HTTP/1.1 server written the plain Go
// way, a goroutine per connection on a net.Listener, that has chapter
// 03's behaviours, and with -idle-timeout those of chapter 04. Against
// it, the tests show that each of those checks can pass; with one flaw
// switched on, that each check catches a server without its behaviour.
// It runs as a child process (testserver), so that the suite can see its
// memory and signal it.
//
// It speaks only as much HTTP as the checks need: GET and HEAD of /,
// /bytes?n=N and /sleep?ms=N, 404 for anything else, 400 for a request
// line or header it cannot parse.

// The flaws, each a behaviour the reference server can be made to lack.
const (
	flawCloseAlways    = "close-always"    // closes after every response, as chapters 01 and 02 do
	flawCloseExact     = "close-exact"     // honours `Connection: close` only when it is exactly that
	flawHeadBody       = "head-body"       // sends a body after a HEAD response too
	flawErrorKeeps     = "error-keeps"     // answers 400, then reads on
	flawHTTP10Silent   = "http10-silent"   // keeps an HTTP/1.0 connection without saying so
	flawNoBackpressure = "no-backpressure" // reads on however much output waits to be sent
	flawTermAbrupt     = "term-abrupt"     // on SIGTERM, exits with 0 at once
	flawTermKeepsIdle  = "term-keeps-idle" // on SIGTERM, leaves idle connections open
	flawTermListens    = "term-listens"    // on SIGTERM, keeps its listener open

	flawIdleNever       = "idle-never"        // ignores -idle-timeout, as chapters 01 to 03 have none
	flawIdleEarly       = "idle-early"        // times out after a tenth of -idle-timeout
	flawIdleFromAccept  = "idle-from-accept"  // counts from the connection's start: requests do not restart it
	flawTrickleResets   = "trickle-resets"    // any byte received restarts it, so a slowloris is never timed out
	flawSlowHeadSilent  = "slow-head-silent"  // closes a half-received head without a 408
	flawSleepNone       = "sleep-none"        // answers /sleep at once
	flawSleepSerial     = "sleep-serial"      // sleeps one /sleep at a time, server-wide
	flawSleepRefusesMax = "sleep-refuses-max" // refuses ms=10000 too
	flawSleepAsync      = "sleep-async"       // answers /sleep from a timer and answers the requests behind it first
	flawSleepHoldsFD    = "sleep-holds-fd"    // does not watch a sleeping connection: a client that left keeps its descriptor
	// sleep-late-fd answers /sleep from a timer too, writing to the
	// descriptor number the connection had, even after it has closed and
	// the number belongs to another connection: what a loop does that
	// does not cancel a leaving client's timer.
	flawSleepLateFD = "sleep-late-fd"
)

const (
	refLinger          = time.Second
	refShutdownTimeout = 5 * time.Second
	refMaxSleepMs      = 10000
)

// runReference is the reference server's main, run by TestMain in the
// child process: -addr host:port, -flaws a,b, -idle-timeout d (0, the
// default: none).
func runReference(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("reference", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:0", "")
	flawList := flags.String("flaws", "", "")
	idleTimeout := flags.Duration("idle-timeout", 0, "")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	s := &refServer{flaws: map[string]bool{}, conns: map[net.Conn]bool{}, drained: make(chan struct{})}
	for f := range strings.SplitSeq(*flawList, ",") {
		s.flaws[f] = true
	}
	switch {
	case s.flaws[flawIdleNever]:
	case s.flaws[flawIdleEarly]:
		s.idleTimeout = *idleTimeout / 10
	default:
		s.idleTimeout = *idleTimeout
	}
	// Before the listener, so that a SIGTERM the moment the address is
	// printed finds the handler.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", l.Addr())
	go s.accept(l)
	<-sigs
	if s.flaws[flawTermAbrupt] {
		return 0
	}
	if !s.flaws[flawTermListens] {
		l.Close()
	}
	s.shutdown()
	select {
	case <-s.drained:
		return 0
	case <-time.After(refShutdownTimeout):
		fmt.Fprintln(stderr, "shutdown timed out")
		return 1
	}
}

type refServer struct {
	flaws       map[string]bool
	idleTimeout time.Duration // 0: none
	sleepMu     sync.Mutex    // the sleep-serial flaw's

	mu       sync.Mutex
	conns    map[net.Conn]bool // open connections: true while idle
	shutting bool
	drained  chan struct{} // closed once shutting and no connection is left
}

func (s *refServer) accept(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = false
		s.mu.Unlock()
		go s.serve(c)
	}
}

// idle marks c idle between requests. It reports false if the server is
// shutting down: the connection is to be closed instead.
func (s *refServer) idle(c net.Conn, idle bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = idle
	return !(idle && s.shutting)
}

func (s *refServer) forget(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	s.drainedIfDone()
}

func (s *refServer) shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutting = true
	for c, idle := range s.conns {
		switch {
		case !idle:
		case s.flaws[flawTermKeepsIdle]:
			delete(s.conns, c) // not waited for: open until the process exits
		default:
			c.Close() // its goroutine's read fails, and it forgets c
		}
	}
	s.drainedIfDone()
}

func (s *refServer) drainedIfDone() {
	if s.shutting && len(s.conns) == 0 {
		select {
		case <-s.drained:
		default:
			close(s.drained)
		}
	}
}

var errMalformed = errors.New("malformed request")

type refRequest struct {
	method, target, proto string
	connection            []string // the Connection headers' values
}

// readRefRequest reads a request head. When it fails, got is what it had
// read of the head: a timeout with nothing read is an idle connection's,
// one with something read a slow head's.
func readRefRequest(br *bufio.Reader) (req *refRequest, got string, err error) {
	var head strings.Builder
	line, err := readRefLine(br, &head)
	if err != nil {
		return nil, head.String(), err
	}
	f := strings.Split(line, " ")
	if len(f) != 3 || f[0] == "" || !strings.HasPrefix(f[1], "/") || (f[2] != "HTTP/1.1" && f[2] != "HTTP/1.0") {
		return nil, "", errMalformed
	}
	req = &refRequest{method: f[0], target: f[1], proto: f[2]}
	for {
		line, err := readRefLine(br, &head)
		if err != nil {
			return nil, head.String(), err
		}
		if line == "" {
			return req, "", nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(name) {
			return nil, "", errMalformed
		}
		if strings.EqualFold(name, "Connection") {
			req.connection = append(req.connection, strings.TrimSpace(value))
		}
	}
}

func readRefLine(br *bufio.Reader, head *strings.Builder) (string, error) {
	line, err := br.ReadString('\n')
	head.WriteString(line)
	if err != nil {
		return "", err
	}
	line, ok := strings.CutSuffix(line, "\r\n")
	if !ok {
		return "", errMalformed
	}
	return line, nil
}

// keep reports whether the connection stays open after req, and whether
// the response must say `Connection: keep-alive` because of it.
func (s *refServer) keep(req *refRequest) (keep, sayKeepAlive bool) {
	has := func(opt string) bool {
		for _, v := range req.connection {
			if s.flaws[flawCloseExact] {
				if v == opt {
					return true
				}
				continue
			}
			for o := range strings.SplitSeq(v, ",") {
				if strings.EqualFold(strings.TrimSpace(o), opt) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case s.flaws[flawCloseAlways] || has("close"):
		return false, false
	case req.proto == "HTTP/1.0":
		return has("keep-alive"), has("keep-alive") && !s.flaws[flawHTTP10Silent]
	}
	return true, false
}

func (s *refServer) serve(c net.Conn) {
	defer s.forget(c)
	var src io.Reader = c
	if s.flaws[flawTrickleResets] && s.idleTimeout > 0 {
		src = refreshingReader{c, s.idleTimeout}
	}
	br := bufio.NewReader(src)
	var w io.Writer = c
	flush := func() {}
	switch {
	case s.flaws[flawNoBackpressure]:
		q := newUnboundedWriter(c)
		w, flush = q, q.stop
	case s.flaws[flawSleepAsync]:
		w = &lockedWriter{w: c} // timers write to it too
	}
	defer flush()
	accepted := time.Now()
	for {
		if !s.idle(c, br.Buffered() == 0) {
			c.Close()
			return
		}
		switch {
		case s.idleTimeout == 0:
			_ = c.SetReadDeadline(time.Time{}) // a sleep may have set one
		case s.flaws[flawIdleFromAccept]:
			_ = c.SetReadDeadline(accepted.Add(s.idleTimeout))
		case s.flaws[flawTrickleResets]: // every read sets it
		default:
			// Until a complete request: bytes alone do not restart it.
			_ = c.SetReadDeadline(time.Now().Add(s.idleTimeout))
		}
		req, got, err := readRefRequest(br)
		s.idle(c, false)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.timedOut(c, w, flush, got)
			return
		case errors.Is(err, errMalformed):
			writeRefHead(w, 400, "text/plain", 12, "Connection: close")
			io.WriteString(w, "bad request\n")
			if s.flaws[flawErrorKeeps] {
				continue
			}
			flush()
			lingerClose(c)
			return
		case err != nil:
			c.Close()
			return
		}
		keep, sayKeepAlive := s.keep(req)
		var extra []string
		if !keep {
			extra = append(extra, "Connection: close")
		} else if sayKeepAlive {
			extra = append(extra, "Connection: keep-alive")
		}
		if strings.HasPrefix(req.target, "/sleep") {
			later, gone := s.sleep(c, br, w, req, extra)
			if gone {
				c.Close()
				return
			}
			if later {
				continue // answered later, from a timer (a flaw)
			}
		}
		if err := s.respond(w, req, extra); err != nil {
			c.Close()
			return
		}
		if !keep {
			flush()
			lingerClose(c)
			return
		}
	}
}

func (s *refServer) respond(w io.Writer, req *refRequest, extra []string) error {
	body := s.flaws[flawHeadBody] || req.method != "HEAD"
	if n, ok := strings.CutPrefix(req.target, "/bytes?n="); ok {
		size, err := strconv.ParseInt(n, 10, 64)
		if err == nil && size >= 0 {
			if err := writeRefHead(w, 200, "application/octet-stream", size, extra...); err != nil || !body {
				return err
			}
			for off := int64(0); off < size; {
				chunk := min(patternChunk, size-off)
				if _, err := w.Write(patternTable[off%26 : off%26+chunk]); err != nil {
					return err
				}
				off += chunk
			}
			return nil
		}
	}
	status, text := 404, "not found\n"
	switch {
	case req.target == "/":
		status, text = 200, "hello from the reference server\n"
	case strings.HasPrefix(req.target, "/sleep"):
		if _, ok := s.sleepDuration(req.target); ok {
			status, text = 200, "slept\n"
		} else {
			status, text = 400, "bad request\n"
		}
	}
	if err := writeRefHead(w, status, "text/plain; charset=utf-8", int64(len(text)), extra...); err != nil || !body {
		return err
	}
	_, err := io.WriteString(w, text)
	return err
}

// sleepDuration parses /sleep?ms=N: digits only, at most refMaxSleepMs.
func (s *refServer) sleepDuration(target string) (time.Duration, bool) {
	v, ok := strings.CutPrefix(target, "/sleep?ms=")
	if !ok || v == "" || len(v) > 5 || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	ms, _ := strconv.Atoi(v)
	limit := refMaxSleepMs
	if s.flaws[flawSleepRefusesMax] {
		limit--
	}
	return time.Duration(ms) * time.Millisecond, ms <= limit
}

// sleep does what /sleep?ms=N asks for before it is answered: it sleeps,
// on the connection's goroutine, watching the connection meanwhile. It
// reports gone if the client reset the connection, and later when a flaw
// answers from a timer instead, and the connection goes on without
// waiting.
func (s *refServer) sleep(c net.Conn, br *bufio.Reader, w io.Writer, req *refRequest, extra []string) (later, gone bool) {
	d, ok := s.sleepDuration(req.target)
	if !ok {
		return false, false // answered 400
	}
	answerLater := func(write func([]byte)) {
		var b bytes.Buffer
		_ = s.respond(&b, req, extra)
		time.AfterFunc(d, func() { write(b.Bytes()) })
	}
	switch {
	case s.flaws[flawSleepNone]:
	case s.flaws[flawSleepSerial]:
		s.sleepMu.Lock()
		time.Sleep(d)
		s.sleepMu.Unlock()
	case s.flaws[flawSleepAsync]:
		answerLater(func(b []byte) { _, _ = w.Write(b) })
		return true, false
	case s.flaws[flawSleepLateFD]:
		fd := rawFD(c)
		answerLater(func(b []byte) { _, _ = syscall.Write(fd, b) })
		return true, false
	case s.flaws[flawSleepHoldsFD]:
		time.Sleep(d)
	default:
		return false, sleepWatching(c, br, d)
	}
	return false, false
}

// sleepWatching sleeps for d, watching the connection: a reset ends the
// sleep at once and reports the client gone. Bytes or a FIN that arrive
// meanwhile wait their turn.
func sleepWatching(c net.Conn, br *bufio.Reader, d time.Duration) (gone bool) {
	wake := time.Now().Add(d)
	if br.Buffered() == 0 {
		_ = c.SetReadDeadline(wake)
		_, err := br.Peek(1)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, io.EOF) {
			return true
		}
	}
	time.Sleep(time.Until(wake))
	return false
}

// rawFD is the descriptor number of c.
func rawFD(c net.Conn) int {
	fd := -1
	if sc, err := c.(*net.TCPConn).SyscallConn(); err == nil {
		_ = sc.Control(func(f uintptr) { fd = int(f) })
	}
	return fd
}

// timedOut ends a connection whose idle timeout ran out. got is what had
// arrived of a request head: with nothing, the connection was idle
// between requests and is closed; with something, a slow head is told
// 408 first.
func (s *refServer) timedOut(c net.Conn, w io.Writer, flush func(), got string) {
	if got == "" || s.flaws[flawSlowHeadSilent] {
		c.Close()
		return
	}
	const text = "request timeout\n"
	_ = writeRefHead(w, 408, "text/plain", int64(len(text)), "Connection: close")
	if !strings.HasPrefix(got, "HEAD ") || s.flaws[flawHeadBody] {
		_, _ = io.WriteString(w, text)
	}
	flush()
	lingerClose(c)
}

// refreshingReader is the trickle-resets flaw: every read, whatever it
// brings, sets the idle deadline anew.
type refreshingReader struct {
	c       net.Conn
	timeout time.Duration
}

func (r refreshingReader) Read(p []byte) (int, error) {
	_ = r.c.SetReadDeadline(time.Now().Add(r.timeout))
	return r.c.Read(p)
}

// lockedWriter lets the sleep-async flaw's timers write to the connection
// between the responses of its goroutine.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func writeRefHead(w io.Writer, status int, contentType string, length int64, extra ...string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n",
		status, strings.ToUpper(statusText[status]), contentType, length)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

var statusText = map[int]string{200: "OK", 400: "Bad Request", 404: "Not Found", 408: "Request Timeout"}

// lingerClose closes as every chapter does: FIN first, then read and
// discard what the client still sends, so that the close is no reset.
func lingerClose(c net.Conn) {
	tc := c.(*net.TCPConn)
	_ = tc.CloseWrite()
	_ = tc.SetReadDeadline(time.Now().Add(refLinger))
	_, _ = io.Copy(io.Discard, tc)
	tc.Close()
}

// unboundedWriter is the no-backpressure flaw: a Write queues and returns
// at once, and a goroutine of its own sends the queue, so the reader
// never waits for a client that does not read. The queue is a list, so
// that it grows without copying what it holds.
type unboundedWriter struct {
	mu      sync.Mutex
	more    *sync.Cond
	queue   [][]byte
	err     error
	stopped bool
	done    chan struct{}
}

func newUnboundedWriter(c net.Conn) *unboundedWriter {
	u := &unboundedWriter{done: make(chan struct{})}
	u.more = sync.NewCond(&u.mu)
	go u.send(c)
	return u
}

func (u *unboundedWriter) Write(b []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.err != nil {
		return 0, u.err
	}
	u.queue = append(u.queue, bytes.Clone(b))
	u.more.Signal()
	return len(b), nil
}

func (u *unboundedWriter) send(c net.Conn) {
	defer close(u.done)
	for {
		u.mu.Lock()
		for len(u.queue) == 0 && !u.stopped {
			u.more.Wait()
		}
		bufs := net.Buffers(u.queue)
		u.queue = nil
		u.mu.Unlock()
		if len(bufs) == 0 {
			return
		}
		if _, err := bufs.WriteTo(c); err != nil {
			u.mu.Lock()
			u.err = err
			u.mu.Unlock()
			return
		}
	}
}

// stop sends what is queued and stops the sending goroutine.
func (u *unboundedWriter) stop() {
	u.mu.Lock()
	u.stopped = true
	u.more.Signal()
	u.mu.Unlock()
	<-u.done
}

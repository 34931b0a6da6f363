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
// 03's behaviours. Against it, the tests show that each of those checks
// can pass; with one flaw switched on, that each check catches a server
// without its behaviour. It runs as a child process (testserver), so
// that the suite can see its memory and signal it.
//
// It speaks only as much HTTP as the checks need: GET and HEAD of / and
// /bytes?n=N, 404 for anything else, 400 for a request line or header it
// cannot parse.

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
)

const (
	refLinger          = time.Second
	refShutdownTimeout = 5 * time.Second
)

// runReference is the reference server's main, run by TestMain in the
// child process: -addr host:port, -flaws a,b.
func runReference(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("reference", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:0", "")
	flawList := flags.String("flaws", "", "")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	s := &refServer{flaws: map[string]bool{}, conns: map[net.Conn]bool{}, drained: make(chan struct{})}
	for f := range strings.SplitSeq(*flawList, ",") {
		s.flaws[f] = true
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
	flaws map[string]bool

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

func readRefRequest(br *bufio.Reader) (*refRequest, error) {
	line, err := readRefLine(br)
	if err != nil {
		return nil, err
	}
	f := strings.Split(line, " ")
	if len(f) != 3 || f[0] == "" || !strings.HasPrefix(f[1], "/") || (f[2] != "HTTP/1.1" && f[2] != "HTTP/1.0") {
		return nil, errMalformed
	}
	req := &refRequest{method: f[0], target: f[1], proto: f[2]}
	for {
		line, err := readRefLine(br)
		if err != nil {
			return nil, err
		}
		if line == "" {
			return req, nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(name) {
			return nil, errMalformed
		}
		if strings.EqualFold(name, "Connection") {
			req.connection = append(req.connection, strings.TrimSpace(value))
		}
	}
}

func readRefLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
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
	br := bufio.NewReader(c)
	var w io.Writer = c
	flush := func() {}
	if s.flaws[flawNoBackpressure] {
		q := newUnboundedWriter(c)
		w, flush = q, q.stop
	}
	defer flush()
	for {
		if !s.idle(c, br.Buffered() == 0) {
			c.Close()
			return
		}
		req, err := readRefRequest(br)
		s.idle(c, false)
		switch {
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
	if req.target == "/" {
		status, text = 200, "hello from the reference server\n"
	}
	if err := writeRefHead(w, status, "text/plain; charset=utf-8", int64(len(text)), extra...); err != nil || !body {
		return err
	}
	_, err := io.WriteString(w, text)
	return err
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

var statusText = map[int]string{200: "OK", 400: "Bad Request", 404: "Not Found"}

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

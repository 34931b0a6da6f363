package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// conn is the suite's side of one connection to the server.
type conn struct {
	ctx  context.Context
	tcp  *net.TCPConn
	r    *bufio.Reader
	stop func() bool // stops the context watch
}

// answerWait is how long the suite waits for a response, or for the next
// part of one, before it calls the server stuck.
const answerWait = 5 * time.Second

// dial connects to addr. Every read and write on the connection fails
// once ctx is done, so no check can hang past its context.
func dial(ctx context.Context, addr string) (*conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	tcp := c.(*net.TCPConn)
	stop := context.AfterFunc(ctx, func() { _ = tcp.SetDeadline(time.Unix(1, 0)) })
	return &conn{ctx: ctx, tcp: tcp, r: bufio.NewReader(tcp), stop: stop}, nil
}

func (c *conn) send(s string) error {
	if _, err := io.WriteString(c.tcp, s); err != nil {
		return fmt.Errorf("sending: %w", err)
	}
	return nil
}

// expectData gives the server answerWait, or what is left of the
// context if that is less, to send what the client reads next.
func (c *conn) expectData() error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	deadline := time.Now().Add(answerWait)
	if d, ok := c.ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	return c.tcp.SetReadDeadline(deadline)
}

// read reads one whole response to a request with the given method.
func (c *conn) read(method string) (*response, error) {
	if err := c.expectData(); err != nil {
		return nil, err
	}
	return readResponse(c.r, method)
}

// readHead reads the head of a response, leaving its body to be read.
func (c *conn) readHead() (*response, error) {
	if err := c.expectData(); err != nil {
		return nil, err
	}
	return readHead(c.r)
}

// readPattern reads n bytes of a /bytes body and checks them.
func (c *conn) readPattern(p *patternChecker, n int64) error {
	if err := c.expectData(); err != nil {
		return err
	}
	return p.readFrom(c.r, n)
}

func (c *conn) close() {
	c.stop()
	_ = c.tcp.Close()
}

// reset closes the connection with a TCP RST instead of a FIN, as a
// client that crashes or gives up does: SO_LINGER with a zero timeout
// makes close discard what is unsent and abort the connection.
func (c *conn) reset() {
	_ = c.tcp.SetLinger(0)
	c.close()
}

// closeWait is how long a check waits for a server to close a connection
// it said it would close.
const closeWait = 2 * time.Second

// expectClosed checks that the server closes the connection within
// closeWait, with a FIN, and sends nothing more first.
//
// A reset (RST) instead of a FIN fails the check. The kernel resets a
// connection that is closed while some of what the client sent is still
// unread (the rest of an oversized head, a request body, a second
// request). The reset throws away what the server had not sent yet, and a
// client still sending gets an error and may never read the rest; on
// loopback the response has usually arrived whole, and the reset is all
// there is to see. A server avoids it by shutting down its sending side,
// then reading and discarding until the client closes too.
func (c *conn) expectClosed() error {
	_ = c.tcp.SetReadDeadline(time.Now().Add(closeWait))
	b, err := io.ReadAll(io.LimitReader(c.r, 4096))
	var ne net.Error
	switch {
	case len(b) > 0:
		return fmt.Errorf("expected the connection to close, got %d more bytes: %q", len(b), trim(b))
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("connection still open %v after the response", closeWait)
	case errors.Is(err, syscall.ECONNRESET):
		return errors.New("a reset (RST) instead of a FIN after the response: the server closed with request bytes unread " +
			"(shut down the sending side and drain first)")
	case err != nil:
		return fmt.Errorf("waiting for the connection to close: %w", err)
	}
	return nil
}

// expectCloseAfter checks that r says `Connection: close` and that the
// server then closes without sending anything more: the contract for
// every response after which a server closes.
func (c *conn) expectCloseAfter(r *response) error {
	if !r.announcesClose() {
		return fmt.Errorf("the %d response has no `Connection: close`", r.Status)
	}
	return c.expectClosed()
}

func trim(b []byte) []byte {
	if len(b) > 80 {
		return append(b[:80:80], "..."...)
	}
	return b
}

// roundTrip sends raw on a new connection, reads one response and closes
// the connection.
func roundTrip(ctx context.Context, addr, raw string) (*response, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer c.close()
	return c.exchange(raw)
}

// exchange sends raw and reads the response to it.
func (c *conn) exchange(raw string) (*response, error) {
	if err := c.send(raw); err != nil {
		return nil, err
	}
	return c.read(methodOf(raw))
}

// expectStatus is roundTrip for a response whose status is all that
// matters.
func expectStatus(ctx context.Context, addr, raw string, want int) (*response, error) {
	r, err := roundTrip(ctx, addr, raw)
	if err != nil {
		return nil, err
	}
	if r.Status != want {
		return r, fmt.Errorf("got status %d, want %d", r.Status, want)
	}
	return r, nil
}

func methodOf(raw string) string {
	method, _, _ := strings.Cut(raw, " ")
	return method
}

// request builds a request head. HTTP/1.1 requests get the Host header
// they must have.
func request(method, target, proto string, headers ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\n", method, target, proto)
	if proto == "HTTP/1.1" {
		b.WriteString("Host: test\r\n")
	}
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// get is the plainest request: GET target over HTTP/1.1.
func get(target string, headers ...string) string {
	return request("GET", target, "HTTP/1.1", headers...)
}

// stillServes checks that the server answers an ordinary request,
// typically after something a client did that might have broken it.
func stillServes(ctx context.Context, addr string) error {
	if _, err := expectStatus(ctx, addr, get("/"), 200); err != nil {
		return fmt.Errorf("afterwards, GET / failed: %w", err)
	}
	return nil
}

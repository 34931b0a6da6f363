package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"
)

// keepAlive: one connection, many requests (chapter 03). Chapters 01 and
// 02 answer every request with `Connection: close` and close, and fail
// all of these at their first response.
var keepAlive = []Behaviour{
	{Name: "keep-alive", Since: 3, Check: checkKeepAlive,
		Doc: "an HTTP/1.1 connection stays open for more requests until the client says `Connection: close` (in any case, in a list)"},
	{Name: "pipelining", Since: 3, Check: checkPipelining,
		Doc: "several requests sent in one write, `/bytes` among them, are all answered, in order"},
	{Name: "pipelined-head-get", Since: 3, Check: checkPipelinedHeadGet,
		Doc: "a HEAD and a GET sent in one write: the GET's status line follows the HEAD's head at once, no body between"},
	{Name: "pipelined-error-closes", Since: 3, Check: checkPipelinedError,
		Doc: "good requests then a malformed one in one write get their answers, then 400 and a close; what follows is never answered"},
	{Name: "bytes-keep-alive", Since: 3, Check: checkBytesKeepAlive,
		Doc: "after a `/bytes` body, the same connection answers the next request"},
	{Name: "http-1.0-keep-alive", Since: 3, Check: checkHTTP10KeepAlive,
		Doc: "HTTP/1.0 with `Connection: keep-alive` is answered with `Connection: keep-alive`, and the connection serves another request"},
	{Name: "pipelining-never-reader", Since: 3, Check: checkPipeliningNeverReader,
		Doc: "a client that pipelines megabytes of requests and never reads delays no one, and the server's memory stays bounded"},
}

// exchange is one request on a connection that is kept, and what its
// response must be.
type exchange struct {
	raw  string
	want int // the status
	// bytes, if not zero, is the n of a /bytes?n=N request: the body
	// must be that much of the pattern.
	bytes int64
}

// bytesExchange asks for n bytes of /bytes on a connection that is kept.
func bytesExchange(n int64, headers ...string) exchange {
	return exchange{raw: get(fmt.Sprintf("/bytes?n=%d", n), headers...), want: 200, bytes: n}
}

// keptExchanges are requests on one connection: all but the last leave
// it open, the last asks for it to be closed, in a list and in capitals
// (connection options are case-insensitive, RFC 9110 §7.6.1).
var keptExchanges = []exchange{
	{raw: get("/"), want: 200},
	{raw: get("/no/such/page"), want: 404},
	{raw: request("HEAD", "/", "HTTP/1.1"), want: 200},
	bytesExchange(100_003),
	{raw: get("/", "Connection: keep-alive"), want: 200},
	{raw: get("/", "Connection: keep-alive, CLOSE"), want: 200},
}

// pipelinedExchanges are sent in one write. The /bytes bodies test the
// framing: a server that answers with the wrong length, or starts the
// next response before a body ends, garbles the responses after it.
var pipelinedExchanges = []exchange{
	{raw: get("/"), want: 200},
	bytesExchange(100_003),
	{raw: get("/no/such/page"), want: 404},
	bytesExchange(27),
	{raw: get("/", "Connection: close"), want: 200},
}

// readExchange reads the response to the i-th of xs on c. Only the last
// one may close the connection, and it must.
func readExchange(c *conn, xs []exchange, i int) error {
	x := xs[i]
	r, err := c.read(methodOf(x.raw))
	if err != nil {
		return fmt.Errorf("response %d of %d: %w", i+1, len(xs), err)
	}
	if r.Status != x.want {
		return fmt.Errorf("response %d of %d: got status %d, want %d", i+1, len(xs), r.Status, x.want)
	}
	if x.bytes > 0 {
		if r.ContentLength != x.bytes {
			return fmt.Errorf("response %d of %d: Content-Length %d, want %d", i+1, len(xs), r.ContentLength, x.bytes)
		}
		if _, err := new(patternChecker).Write(r.Body); err != nil {
			return fmt.Errorf("response %d of %d: %w", i+1, len(xs), err)
		}
	}
	if i == len(xs)-1 {
		if err := c.expectCloseAfter(r); err != nil {
			return fmt.Errorf("response %d of %d: %w", i+1, len(xs), err)
		}
		return nil
	}
	if r.announcesClose() {
		return fmt.Errorf("response %d of %d says `Connection: close`: the server closes after every response", i+1, len(xs))
	}
	return nil
}

// sendExchanges sends xs one after another on one connection, each after
// the response to the one before it, or, pipelined, all in one write.
func sendExchanges(ctx context.Context, addr string, xs []exchange, pipelined bool) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	if pipelined {
		var all strings.Builder
		for _, x := range xs {
			all.WriteString(x.raw)
		}
		if err := c.send(all.String()); err != nil {
			return err
		}
	}
	for i, x := range xs {
		if !pipelined {
			if err := c.send(x.raw); err != nil {
				return fmt.Errorf("request %d: %w", i+1, err)
			}
		}
		if err := readExchange(c, xs, i); err != nil {
			return err
		}
	}
	return nil
}

func checkKeepAlive(ctx context.Context, t Target) error {
	return sendExchanges(ctx, t.Addr, keptExchanges, false)
}

func checkPipelining(ctx context.Context, t Target) error {
	return sendExchanges(ctx, t.Addr, pipelinedExchanges, true)
}

func checkPipelinedHeadGet(ctx context.Context, t Target) error {
	// The HEAD announces 1000 bytes it must not send: any of them would
	// be read where the GET's status line belongs.
	head := exchange{raw: request("HEAD", "/bytes?n=1000", "HTTP/1.1"), want: 200}
	err := sendExchanges(ctx, t.Addr, []exchange{
		head,
		bytesExchange(26),
		{raw: request("HEAD", "/", "HTTP/1.1"), want: 200},
		{raw: get("/", "Connection: close"), want: 200},
	}, true)
	if errors.Is(err, errStatusLine) {
		return fmt.Errorf("%w (a HEAD response followed by body bytes?)", err)
	}
	return err
}

// malformed is a request every chapter refuses with 400: two spaces
// after the method.
const malformed = "GET  / HTTP/1.1\r\nHost: test\r\n\r\n"

func checkPipelinedError(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	xs := []exchange{
		{raw: get("/"), want: 200},
		bytesExchange(1000),
		{raw: malformed, want: 400},
	}
	// smuggled follows the malformed request: a server that answers it
	// has read on past a request it could not frame.
	if err := c.send(xs[0].raw + xs[1].raw + xs[2].raw + smuggled); err != nil {
		return err
	}
	for i := range xs {
		if err := readExchange(c, xs, i); err != nil {
			return err
		}
	}
	return nil
}

func checkBytesKeepAlive(ctx context.Context, t Target) error {
	const n = 1<<20 + 7
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	r, err := askBytes(c, n)
	if err != nil {
		return fmt.Errorf("/bytes?n=%d: %w", n, err)
	}
	if r.announcesClose() {
		return fmt.Errorf("/bytes?n=%d: the response says `Connection: close`", n)
	}
	if err := c.readPattern(new(patternChecker), n); err != nil {
		return fmt.Errorf("/bytes?n=%d: %w", n, err)
	}
	next, err := c.exchange(get("/", "Connection: close"))
	if err != nil {
		return fmt.Errorf("the request after the /bytes body: %w", err)
	}
	if next.Status != 200 {
		return fmt.Errorf("the request after the /bytes body: got status %d, want 200", next.Status)
	}
	return c.expectCloseAfter(next)
}

// askBytes sends GET /bytes?n=N on c, without asking for a close, and
// reads the response head, leaving the body to be read.
func askBytes(c *conn, n int64) (*response, error) {
	if err := c.send(get(fmt.Sprintf("/bytes?n=%d", n))); err != nil {
		return nil, err
	}
	r, err := c.readHead()
	if err != nil {
		return nil, err
	}
	if r.Status != 200 || r.ContentLength != n {
		return nil, fmt.Errorf("got status %d and Content-Length %d, want 200 and %d", r.Status, r.ContentLength, n)
	}
	return r, nil
}

func checkHTTP10KeepAlive(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	// Capitalised: connection options are case-insensitive (RFC 9110
	// §7.6.1).
	r, err := c.exchange("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
	if err != nil {
		return err
	}
	switch {
	case r.Status != 200:
		return fmt.Errorf("got status %d, want 200", r.Status)
	case !r.hasConnectionOption("keep-alive") || r.announcesClose():
		return fmt.Errorf("the response's Connection header is %q, want keep-alive: the server does not keep HTTP/1.0 connections",
			r.Header["connection"])
	}
	// Without the option, an HTTP/1.0 request ends the connection.
	r, err = c.exchange("GET /no/such/page HTTP/1.0\r\n\r\n")
	if err != nil {
		return fmt.Errorf("the second request: %w", err)
	}
	if r.Status != 404 {
		return fmt.Errorf("the second request: got status %d, want 404", r.Status)
	}
	return c.expectCloseAfter(r)
}

// floodBytes is the n of the /bytes?n=N that the never-reading client
// asks for, over and over: each 41-byte request asks for a response 25
// times its size, so a server that reads on without bound fills its
// memory fast, and one that stops reading above a high-water mark stops
// soon.
const floodBytes = 1000

var floodRequest = get(fmt.Sprintf("/bytes?n=%d", floodBytes))

const (
	// floodStall is how long a write may send nothing before the client
	// takes it that the server has stopped reading, as it should once its
	// output for the connection is above a high-water mark.
	floodStall = 300 * time.Millisecond
	// floodTime bounds the whole flood.
	floodTime = 4 * time.Second
	// floodGrowth is the growth of resident memory allowed: room for a
	// garbage collector's slack and the race detector's shadow memory,
	// far less than a server that reads without bound holds.
	floodGrowth = 16 << 20
)

func checkPipeliningNeverReader(ctx context.Context, t Target) error {
	limit := int64(64 << 20)
	if t.Short {
		limit = 16 << 20
	}
	var rssBefore int64
	if t.Process != nil {
		if err := warmUp(ctx, t.Addr); err != nil {
			return err
		}
		var err error
		if rssBefore, err = t.Process.RSS(); err != nil {
			return err
		}
	}
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.reset() // there are requests the server never read
	_ = c.tcp.SetReadBuffer(smallReceiveBuffer)
	start := time.Now()
	sent, err := flood(c, limit)
	if err != nil {
		return err
	}
	if err := answeredPromptly(ctx, t.Addr); err != nil {
		return fmt.Errorf("while a client pipelined %d bytes of requests and read nothing: %w", sent, err)
	}
	if t.Process != nil {
		rss, err := t.Process.RSS()
		if err != nil {
			return err
		}
		if grew := rss - rssBefore; grew > floodGrowth {
			return fmt.Errorf("the server's resident memory grew by %d MiB while a client pipelined %d MiB of requests and read nothing: "+
				"it reads on without bound (stop reading while a connection's unsent output is above a high-water mark)",
				grew>>20, sent>>20)
		}
	}
	// At last the client reads: the first responses must be there, and
	// none says the server closes (readExchange expects that of the
	// last of xs only, which is not read).
	xs := slices.Repeat([]exchange{bytesExchange(floodBytes)}, 101)
	for i := range 100 {
		if err := readExchange(c, xs, i); err != nil {
			if gaveUpOnNonReader(err, time.Since(start), t) {
				return nil
			}
			return fmt.Errorf("after pipelining %d bytes of requests: %w", sent, err)
		}
	}
	return nil
}

// gaveUpOnNonReader reports whether err is the server closing a client
// that has taken none of its output for longer than the server's idle
// timeout: a server may close such a client (nginx's send_timeout does,
// and so do chapters 04 on), and on a loaded machine, this check's client
// can spend longer than a short test timeout before it reads.
func gaveUpOnNonReader(err error, elapsed time.Duration, t Target) bool {
	closed := errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	return closed && elapsed >= t.idleTimeout()
}

// warmUpRequests are pipelined, and their responses read, before the
// server's memory is measured: more than a flood makes the server answer
// before the kernel's buffers are full and it stops reading, so that its
// heap, and under the race detector its shadow memory, have grown to
// what serving them takes.
const warmUpRequests = 5000

// warmUp sends warmUpRequests pipelined on one connection, the last
// asking for a close, and reads until the server closes.
func warmUp(ctx context.Context, addr string) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	sent := make(chan error, 1)
	go func() {
		sent <- c.send(strings.Repeat(floodRequest, warmUpRequests-1) + get("/", "Connection: close"))
	}()
	if err := c.expectData(); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, c.r); err != nil {
		return fmt.Errorf("warming up with %d pipelined requests: %w", warmUpRequests, err)
	}
	return <-sent
}

// flood writes floodRequest on c, in 64 KiB writes, until limit bytes
// are sent, a write sends nothing in floodStall, or floodTime is up. It
// returns how much it sent.
func flood(c *conn, limit int64) (int64, error) {
	chunk := []byte(strings.Repeat(floodRequest, (64<<10)/len(floodRequest)))
	var sent int64
	for end := time.Now().Add(floodTime); sent < limit && time.Now().Before(end); {
		if err := c.ctx.Err(); err != nil {
			return sent, err
		}
		_ = c.tcp.SetWriteDeadline(time.Now().Add(floodStall))
		// After a partial write, the next one goes on from where it
		// stopped, so that every request arrives whole.
		n, err := c.tcp.Write(chunk[sent%int64(len(chunk)):])
		sent += int64(n)
		if isTimeout(err) && n == 0 {
			break
		}
		if isTimeout(err) {
			continue // slow, but still reading
		}
		if err != nil {
			return sent, fmt.Errorf("the server stopped the connection after %d bytes of pipelined requests: %w", sent, err)
		}
	}
	return sent, c.tcp.SetWriteDeadline(time.Time{})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

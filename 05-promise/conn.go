package main

import (
	"time"

	"golang.org/x/sys/unix"
)

const (
	// writeBudget bounds the bytes written to one connection per wake-up,
	// so that a client that reads as fast as the server writes cannot keep
	// the loop to itself.
	writeBudget = 4 * streamChunk
	// highWater is how much unsent output a connection may have before
	// the server stops reading its requests: a client that pipelines
	// requests without reading the answers costs this much, not more.
	highWater = 64 << 10
	// lingerTimeout and lingerMaxBytes bound how long the server waits
	// for a client to close after the last response, and how much it
	// discards meanwhile.
	lingerTimeout  = time.Second
	lingerMaxBytes = 64 << 10
)

type connState int

const (
	open      connState = iota // reading requests, writing responses
	lingering                  // last response and FIN sent: discarding until the client closes
	closed
)

// region: conn

// conn is one client's connection, from accept to close. Its handler,
// ready, is all the event loop knows of it.
type conn struct {
	fd    int
	s     *server
	state connState

	// in holds what was received and not yet answered: in[start:]. It is
	// taken from the server's pool when bytes arrive, and given back
	// when everything in it has been answered, so an idle connection
	// holds no buffer.
	in    []byte
	start int
	scan  headScan // how far headEnd has looked into in[start:]

	out      []byte // response bytes not written yet
	off      int64  // /bytes: body bytes produced so far
	stream   int64  // /bytes: body bytes still to produce
	budget   int    // bytes this wake-up may still write
	more     bool   // bytes wait in the buffer while canAnswer is false
	lastSent bool   // the response being sent closes the connection
	peerDone bool   // the client sent its FIN: no more requests will come

	drained int // lingering: bytes discarded so far

	// Timers. sleeping holds the answer of /sleep until it is due;
	// idleTimer checks idleSince when it fires; lingerTimer bounds the
	// lingering close. close stops them all.
	sleeping, idleTimer, lingerTimer *Timer
	idleSince                        time.Time // when the connection began to wait for a request
	lastProgress                     time.Time // when a write last took bytes
}

// endregion: conn

// region: ready

// ready is the connection's handler: read what arrived, answer every
// complete request that may be answered now, write what the socket
// takes, and tell the loop what to wait for next.
func (c *conn) ready(ev Events) {
	if c.state == lingering {
		c.drain()
		return
	}
	c.budget = writeBudget
	if ev&Readable != 0 && !c.read() {
		return
	}
	c.serve()
}

// serve answers what may be answered, writes, and tells the loop what to
// wait for next. It runs when the socket is ready, and when a /sleep
// timer fires.
func (c *conn) serve() {
	for {
		c.answer()
		if !c.flush() {
			return
		}
		// Requests held back by backpressure may be answered now that
		// the output has drained, within this wake-up's budget.
		if !c.more || !c.canAnswer() || c.budget <= 0 {
			break
		}
	}
	if c.waiting() && c.idleSince.IsZero() {
		// The clock, not the pass's cached Now: after a long pass, Now
		// could be far behind, and the timeout would end early.
		c.idleSince = c.s.loop.clock()
	}
	if c.s.shuttingDown && c.idle() {
		// A lingering close, not a plain one: a request the client sent
		// meanwhile would otherwise turn the close into a reset, which
		// can destroy what is still in flight to it.
		c.linger()
		return
	}
	c.releaseIdleBuffer()
	c.s.loop.SetEvents(c.fd, c.events())
}

// endregion: ready

// region: events

// events is what the connection waits for. POLLOUT only while there is
// something to write: a socket with room in its buffer is writable nearly
// all the time, and asking for POLLOUT then would make poll return at
// once, again and again. POLLIN only while the connection may take
// another request: not while a /bytes body is still being produced, nor
// while more than highWater bytes wait to be sent (backpressure), nor
// after the response that closes it.
func (c *conn) events() Events {
	var ev Events
	// While /sleep waits, the next requests may arrive, and a reset must
	// be seen at once, to stop the timer: read on, if there is room.
	if (c.canAnswer() || c.sleeping != nil && len(c.in)-c.start < maxHeadBytes) && !c.peerDone {
		ev |= Readable
	}
	// c.more: requests wait in the buffer that this wake-up's budget
	// did not allow answering. The socket is writable, so the handler
	// runs again on the next pass, after the other connections.
	if len(c.out) > 0 || c.stream > 0 || c.more {
		ev |= Writable
	}
	return ev
}

func (c *conn) canAnswer() bool {
	return !c.lastSent && c.stream == 0 && c.sleeping == nil && len(c.out) < highWater
}

// waiting reports whether the connection waits for the client: no
// response pending, none being written. The idle timeout runs only then.
func (c *conn) waiting() bool {
	return c.state == open && !c.lastSent && len(c.out) == 0 && c.stream == 0 && c.sleeping == nil
}

// idle reports whether the connection is between requests: nothing
// received, nothing to send. A graceful shutdown closes these at once.
func (c *conn) idle() bool {
	return c.waiting() && c.start == len(c.in)
}

// endregion: events

// region: read

// read reads what has arrived into the connection's buffer. It returns
// false when the connection was closed.
func (c *conn) read() bool {
	if c.in == nil {
		c.in = c.s.buffers.get()
	}
	if len(c.in) == cap(c.in) && c.start > 0 {
		// Make room: move the unanswered tail to the front (c.scan counts
		// from the tail's start, so it holds). Each byte moves at most
		// once, as the head it belongs to is answered before the buffer
		// can fill again.
		n := copy(c.in[:cap(c.in)], c.in[c.start:])
		c.in, c.start = c.in[:n], 0
	}
	n, err := unix.Read(c.fd, c.in[len(c.in):cap(c.in)])
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return true // nothing after all: poll will say when
	case err != nil: // ECONNRESET and the like: nobody to answer
		c.close()
		return false
	case n == 0:
		// The client's FIN: it sends nothing more, but may still read
		// (a half-close), so what it asked for is answered, a /sleep too.
		c.peerDone = true
		if c.start == len(c.in) && len(c.out) == 0 && c.stream == 0 && c.sleeping == nil {
			c.close() // between requests: a normal end
			return false
		}
		return true
	}
	c.in = c.in[:len(c.in)+n]
	return true
}

// endregion: read

// region: answer

// answer parses and answers the complete requests in the buffer, in
// order, for as long as the connection may take more (canAnswer).
func (c *conn) answer() {
	c.more = false
	for c.start < len(c.in) {
		if !c.canAnswer() {
			c.more = !c.lastSent && c.sleeping == nil
			return
		}
		head := c.in[c.start:]
		end := headEnd(head, &c.scan)
		if end < 0 {
			switch {
			case len(head) == cap(c.in):
				c.queue(errorResponse(headTooLarge(head, &c.scan)), 0)
			case c.peerDone:
				if e := headCutShort(head, &c.scan); e != nil {
					c.queue(errorResponse(e), 0)
					return
				}
				c.start, c.scan = len(c.in), headScan{} // only empty lines: nothing to answer
				continue
			}
			return
		}
		req, herr := parseRequest(head[c.scan.start:end])
		c.start += end
		c.scan = headScan{}
		if herr != nil {
			c.queue(errorResponse(herr), 0)
			return
		}
		r, stream, delay := route(req)
		if req.Path == "/slow" && c.s.slowHandler > 0 {
			r, stream = c.s.slow(req), 0
		}
		// An error (a /bytes with a bad n) closes too: errorResponse
		// set Close, and the contract is that every error ends the
		// connection.
		r.Close = r.Close || !req.KeepAlive || c.s.shuttingDown
		if !r.Close && req.Minor == 0 {
			// HTTP/1.0 closes by default: say that this one stays open.
			r.Header = append(r.Header, "Connection: keep-alive")
		}
		c.idleSince = time.Time{} // a request: not idle
		if delay > 0 || req.Path == "/sleep" {
			c.answerAfter(delay, r)
			return
		}
		c.queue(r, stream)
	}
	if c.peerDone && !c.lastSent && c.sleeping == nil {
		// Everything is answered and the client will send nothing more:
		// close after what is queued.
		c.lastSent = true
	}
}

// queue appends r to the output, to be followed by stream bytes of a
// /bytes body. A response that closes the connection is the last one: the
// bytes after it in the buffer are never read as a request.
func (c *conn) queue(r response, stream int64) {
	if r.Close {
		c.lastSent = true
	}
	c.out = appendResponse(c.out, &r, c.s.loop.Now())
	c.stream = stream
	c.off = 0
	c.lastProgress = c.s.loop.Now() // the send timeout counts from here
}

// region: answerAfter

// answerAfter answers with r once d has passed: a promise of r, delayed
// by d, then the response written. The loop goes on serving everyone
// else meanwhile. Requests behind this one wait, so that answers go out
// in order. If the connection closes first, close stops the delay's
// timer: the promise never settles, and respond never runs.
func (c *conn) answerAfter(d time.Duration, r response) {
	var later *Promise[response]
	later, c.sleeping = Delay(c.s.loop, d, r)
	c.answerWhen(later)
}

// answerWhen answers with the response p promises, once p is fulfilled.
// If the chain fails instead (p rejected, or respond panicking), the
// connection is closed: it could never answer in order again, and left
// open, it would wait for an answer that will not come. The error is
// passed on, so the loop reports it as unhandled.
func (c *conn) answerWhen(p *Promise[response]) {
	Then(p, c.respond).Catch(func(err error) (struct{}, error) {
		c.close()
		return struct{}{}, err
	})
}

// respond is the last link of the /sleep chain: it queues the response
// and writes it. It runs as a microtask, right after the timer fired or,
// when a pass ran out of microtask budget, in a later pass; the client
// may have reset the connection in between, and then its descriptor's
// number may already belong to someone else: it writes nothing.
func (c *conn) respond(r response) (struct{}, error) {
	if c.state == closed {
		return struct{}{}, nil
	}
	c.sleeping = nil
	r.Close = r.Close || c.s.shuttingDown // the server closes after it
	c.queue(r, 0)
	c.budget = writeBudget
	c.serve()
	return struct{}{}, nil
}

// endregion: answerAfter

// endregion: answer

// region: flush

// flush writes as much output as the socket takes now, within the
// wake-up's budget. It returns false when the connection was closed.
func (c *conn) flush() bool {
	for {
		if len(c.out) == 0 {
			if c.stream == 0 {
				if c.lastSent {
					c.linger()
					return false
				}
				return true
			}
			if c.budget <= 0 {
				return true // more next time poll reports POLLOUT
			}
			c.out = c.s.pattern.chunk(c.off, c.stream)
			c.off += int64(len(c.out))
			c.stream -= int64(len(c.out))
		}
		if c.budget <= 0 {
			return true
		}
		n, err := unix.Write(c.fd, c.out)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return true
		case err != nil: // EPIPE, ECONNRESET: the client left
			c.close()
			return false
		}
		c.out = c.out[n:]
		c.lastProgress = c.s.loop.Now()
		c.budget -= n
	}
}

// endregion: flush

// releaseIdleBuffer gives the read buffer back once everything in it has
// been answered.
func (c *conn) releaseIdleBuffer() {
	if c.in != nil && c.start == len(c.in) {
		c.s.buffers.put(c.in)
		c.in, c.start, c.scan = nil, 0, headScan{}
	}
	if len(c.out) == 0 {
		// c.out is a slice of the array the responses were appended to,
		// however short it is now: dropped, the array can be collected.
		c.out = nil
	}
}

// region: linger

// linger closes the connection without losing the response: the server
// sends its FIN first, and waits a while for the client's, discarding
// what it still sends. Closing at once with unread bytes in the receive
// buffer would send RST instead of FIN, and a client still sending would
// then get ECONNRESET, often before it read the response (tcp(7), and
// net/ipv4/tcp.c, tcp_close).
func (c *conn) linger() {
	_ = unix.Shutdown(c.fd, unix.SHUT_WR)
	c.state = lingering
	c.out = nil
	c.releaseBuffer()
	c.lingerTimer = c.s.loop.AfterFunc(lingerTimeout, c.close)
	c.s.loop.SetEvents(c.fd, Readable)
}

// drain reads and discards until the client closes its side.
func (c *conn) drain() {
	var discard [4096]byte
	for {
		n, err := unix.Read(c.fd, discard[:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return
		case err != nil || n == 0:
			c.close()
			return
		}
		c.drained += n
		if c.drained > lingerMaxBytes {
			c.close()
			return
		}
	}
}

// endregion: linger

// region: close

// close unregisters the connection from the loop, then closes it: in that
// order, since its number may be given to the next connection accepted.
func (c *conn) close() {
	if c.state == closed {
		return
	}
	c.state = closed
	for _, t := range []*Timer{c.sleeping, c.idleTimer, c.lingerTimer} {
		if t != nil {
			t.Stop()
		}
	}
	c.releaseBuffer()
	c.s.loop.Unregister(c.fd)
	closeFD(c.fd)
	c.s.forget(c)
}

// endregion: close

// region: idleTimeout

// checkIdle runs when the idle timer fires. A connection that has waited
// for a request for the whole timeout is closed; with half a head in its
// buffer (a slowloris), it is told 408 first. Otherwise the timer is set
// again for what is left. Activity only ever sets idleSince, an
// assignment: the timer is moved lazily, when it fires, not at every
// request, so keeping it costs no heap operation per request.
func (c *conn) checkIdle() {
	timeout := c.s.idleTimeout
	if !c.waiting() || c.idleSince.IsZero() {
		// Busy: a response is pending or being written. A client that
		// has stopped reading it makes no progress: it is closed after
		// the same timeout (nginx's send_timeout), or it would hold its
		// descriptor forever.
		if (len(c.out) > 0 || c.stream > 0) && c.s.loop.Now().Sub(c.lastProgress) >= timeout {
			c.idleTimer = nil
			c.close()
			return
		}
		c.idleTimer = c.s.loop.AfterFunc(timeout, c.checkIdle)
		return
	}
	if left := c.idleSince.Add(timeout).Sub(c.s.loop.Now()); left > 0 {
		c.idleTimer = c.s.loop.AfterFunc(left, c.checkIdle)
		return
	}
	c.idleTimer = nil
	if c.start+c.scan.start == len(c.in) && c.scan.lines == 0 {
		// Nothing since the last answer, or only the empty lines that
		// RFC 9112 §2.2 says to ignore: no request to answer.
		c.close()
		return
	}
	e := &httpError{Status: 408, Reason: "no complete request head within " + timeout.String()}
	e.Head = isHead(c.in[c.start+c.scan.start:])
	c.queue(errorResponse(e), 0)
	c.budget = writeBudget
	c.serve()
}

// endregion: idleTimeout

func (c *conn) releaseBuffer() {
	if c.in != nil {
		c.s.buffers.put(c.in)
		c.in, c.start, c.scan = nil, 0, headScan{}
	}
}

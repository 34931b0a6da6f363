package main

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// writeBudget bounds the bytes written to one connection per wake-up,
	// so that a client that reads as fast as the server writes cannot keep
	// the loop to itself.
	writeBudget = 4 * streamChunk
	// lingerTimeout and lingerMaxBytes bound how long the server waits
	// for a client to close after the response, and how much it discards
	// meanwhile.
	lingerTimeout  = time.Second
	lingerMaxBytes = 64 << 10
)

// A connection goes through three states, one request each: it reads a
// request head, writes the response, then lingers until the client
// closes.
type connState int

const (
	reading   connState = iota // waiting for the whole request head
	writing                    // sending the response
	lingering                  // response and FIN sent: discarding until the client closes
)

// region: conn

// conn is everything the server remembers about one client between two
// wake-ups. In chapter 01 this state lived on the stack of a function
// that blocked; now that no call may block, it must be kept here.
type conn struct {
	fd      int
	state   connState
	head    []byte   // the request head read so far, at most maxHeadBytes; nil until bytes arrive
	scan    headScan // how far headEnd has looked into head
	out     []byte   // response bytes not written yet
	off     int64    // /bytes: body bytes produced so far
	stream  int64    // /bytes: body bytes still to produce
	drained int      // lingering: bytes discarded so far

	lingerUntil time.Time // lingering: when to stop waiting for the client
}

// events is what poll should wait for. POLLOUT only while there is
// something to write: a socket with room in its buffer is writable
// nearly all the time, and asking for POLLOUT then would make poll return
// at once, again and again, and the loop would spin.
func (c *conn) events() int16 {
	if c.state == writing {
		return unix.POLLOUT
	}
	return unix.POLLIN
}

// endregion: conn

func newConn(fd int) *conn {
	return &conn{fd: fd}
}

// ready runs when poll reported events on c. POLLHUP and POLLERR arrive
// whatever was asked for; they are handled by making the call the
// connection was waiting to make, which then returns the real error, or
// the last bytes the client sent before it left.
func (s *server) ready(c *conn, revents int16) {
	if revents&unix.POLLNVAL != 0 {
		// The descriptor is not open: the server closed it and forgot to
		// forget the connection. A bug, so say so, as nginx's poll module
		// does (ngx_poll_process_events logs an alert); and drop the
		// connection, or poll would report it again at once, forever.
		fmt.Fprintf(s.errlog, "%s: poll: fd %d is not open (POLLNVAL): dropping its connection; this is a bug\n", name, c.fd)
		s.conns[c.fd] = nil
		return
	}
	switch c.state {
	case reading:
		s.readHead(c)
	case writing:
		s.flush(c)
	case lingering:
		s.drain(c)
	}
}

// region: readHead

// readHead reads what has arrived of the request head. A head may arrive
// in many pieces, down to a byte at a time; only once the blank line that
// ends it is in, the request is parsed and answered.
func (s *server) readHead(c *conn) {
	if c.head == nil {
		// Taken when the first bytes arrive, not at accept: a client that
		// connects and sends nothing costs no buffer. nginx does the same
		// (ngx_http_wait_request_handler allocates its header buffer).
		c.head = make([]byte, 0, maxHeadBytes)
	}
	n, err := unix.Read(c.fd, c.head[len(c.head):cap(c.head)])
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		if len(c.head) == 0 {
			c.head = nil // nothing after all: not worth a buffer yet
		}
		return // poll will say when
	case err != nil: // ECONNRESET and the like: nobody to answer
		s.close(c)
		return
	case n == 0:
		if e := headCutShort(c.head, &c.scan); e != nil {
			s.respond(c, errorResponse(e), 0)
		} else {
			s.close(c) // closed without a request: no answer
		}
		return
	}
	c.head = c.head[:len(c.head)+n]
	if end := headEnd(c.head, &c.scan); end >= 0 {
		req, herr := parseRequest(c.head[c.scan.start:end])
		if herr != nil {
			s.respond(c, errorResponse(herr), 0)
			return
		}
		r, stream := route(req)
		s.respond(c, r, stream)
		return
	}
	if len(c.head) == cap(c.head) {
		s.respond(c, errorResponse(headTooLarge(c.head, &c.scan)), 0)
	}
}

// endregion: readHead

// respond starts sending r, followed by stream bytes of /bytes body.
func (s *server) respond(c *conn, r response, stream int64) {
	r.Close = true // one request per connection, until chapter 03
	c.out = appendResponse(nil, &r, time.Now())
	c.head = nil // the head buffer is not needed any more
	c.stream = stream
	c.state = writing
	s.flush(c)
}

// region: flush

// flush writes as much of the response as the socket takes now. What is
// left waits for POLLOUT: a full socket buffer (EAGAIN) is the client
// reading slowly, and the server keeps no more than one chunk of it.
func (s *server) flush(c *conn) {
	for budget := writeBudget; ; {
		if len(c.out) == 0 {
			if c.stream == 0 {
				s.linger(c)
				return
			}
			if budget <= 0 {
				return // more next time poll reports POLLOUT
			}
			c.out = s.pattern.chunk(c.off, c.stream)
			c.off += int64(len(c.out))
			c.stream -= int64(len(c.out))
		}
		n, err := unix.Write(c.fd, c.out)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return
		case err != nil: // EPIPE, ECONNRESET: the client left
			s.close(c)
			return
		}
		c.out = c.out[n:]
		budget -= n
	}
}

// endregion: flush

// region: linger

// linger closes the connection without losing the response. Closing a
// socket while unread bytes sit in its receive buffer (a request body, a
// second request) makes the kernel send RST instead of FIN. The RST
// throws away whatever of the response this side has not sent yet, and
// the client, still sending, gets EPIPE or ECONNRESET and may never read
// what did arrive. So the server sends its FIN first, and waits for the
// client's, for a while.
func (s *server) linger(c *conn) {
	_ = unix.Shutdown(c.fd, unix.SHUT_WR)
	c.state = lingering
	c.out = nil
	c.lingerUntil = time.Now().Add(lingerTimeout)
}

// drain reads and discards until the client closes its side.
func (s *server) drain(c *conn) {
	var discard [4096]byte
	for {
		n, err := unix.Read(c.fd, discard[:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return
		case err != nil || n == 0:
			s.close(c)
			return
		}
		c.drained += n
		if c.drained > lingerMaxBytes {
			s.close(c)
			return
		}
	}
}

// endregion: linger

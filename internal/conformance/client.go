package conformance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// response is a response as the suite read it off the wire.
type response struct {
	Proto  string // "HTTP/1.1"
	Status int
	Header map[string][]string // keys in lower case
	Body   []byte
}

func (r *response) get(name string) string {
	if v := r.Header[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func dial(ctx context.Context, addr string) (*net.TCPConn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	return c.(*net.TCPConn), nil
}

// readResponse reads one response, strictly: CRLF line endings, a
// well-formed status line, and a Content-Length that frames the body
// (bodyless for HEAD).
func readResponse(br *bufio.Reader, head bool) (*response, error) {
	line, err := readLine(br)
	if err != nil {
		return nil, fmt.Errorf("reading the status line: %w", err)
	}
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if (proto != "HTTP/1.1" && proto != "HTTP/1.0") || err != nil || len(code) != 3 {
		return nil, fmt.Errorf("malformed status line %q", line)
	}
	r := &response{Proto: proto, Status: status, Header: map[string][]string{}}
	for {
		line, err := readLine(br)
		if err != nil {
			return nil, fmt.Errorf("reading headers: %w", err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("malformed header line %q", line)
		}
		key := strings.ToLower(name)
		r.Header[key] = append(r.Header[key], strings.TrimSpace(value))
	}
	cl := r.Header["content-length"]
	if len(cl) != 1 {
		return nil, fmt.Errorf("status %d: want exactly one Content-Length, got %q", status, cl)
	}
	n, err := strconv.ParseInt(cl[0], 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("malformed Content-Length %q", cl[0])
	}
	if r.get("Content-Type") == "" {
		return nil, fmt.Errorf("status %d: no Content-Type", status)
	}
	if head {
		return r, nil
	}
	r.Body = make([]byte, n)
	if _, err := io.ReadFull(br, r.Body); err != nil {
		return nil, fmt.Errorf("reading a %d-byte body: %w", n, err)
	}
	return r, nil
}

func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("line %q does not end in CRLF", line)
	}
	return strings.TrimSuffix(line, "\r\n"), nil
}

// exchange sends raw bytes on a new connection and reads one response.
func exchange(ctx context.Context, addr, raw string) (*response, *net.TCPConn, *bufio.Reader, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := io.WriteString(c, raw); err != nil {
		c.Close()
		return nil, nil, nil, fmt.Errorf("sending the request: %w", err)
	}
	br := bufio.NewReader(c)
	r, err := readResponse(br, strings.HasPrefix(raw, "HEAD "))
	if err != nil {
		c.Close()
		return nil, nil, nil, err
	}
	return r, c, br, nil
}

// get sends one request and returns the response; the connection is
// closed before it returns.
func get(ctx context.Context, addr, raw string) (*response, error) {
	r, c, _, err := exchange(ctx, addr, raw)
	if err != nil {
		return nil, err
	}
	c.Close()
	return r, nil
}

// expectClosed checks that the server closes the connection (EOF or
// reset) within d and sends nothing more first.
func expectClosed(c net.Conn, br *bufio.Reader, d time.Duration) error {
	_ = c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(br)
	var ne net.Error
	switch {
	case len(b) > 0:
		return fmt.Errorf("expected the connection to close, got %d more bytes: %q", len(b), trim(b))
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("connection still open after %v", d)
	}
	return nil // EOF, or ECONNRESET: closed either way
}

func trim(b []byte) []byte {
	if len(b) > 80 {
		return append(bytes.Clone(b[:80]), "..."...)
	}
	return b
}

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

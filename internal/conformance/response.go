package conformance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// response is a response as the suite read it off the wire.
type response struct {
	Proto  string // "HTTP/1.1" or "HTTP/1.0"
	Status int
	Header map[string][]string // keys in lower case
	// ContentLength is the value of the one Content-Length header.
	ContentLength int64
	Body          []byte // nil when only the head was read
}

func (r *response) get(name string) string {
	if v := r.Header[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// announcesClose reports whether the response says the server will close
// the connection after it.
func (r *response) announcesClose() bool { return r.hasConnectionOption("close") }

// hasConnectionOption reports whether a Connection header lists opt.
// Options are a comma-separated list and case-insensitive (RFC 9110
// §7.6.1).
func (r *response) hasConnectionOption(opt string) bool {
	for _, v := range r.Header["connection"] {
		for o := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(o), opt) {
				return true
			}
		}
	}
	return false
}

const (
	// maxResponseHead bounds what the suite reads of a response head, so
	// that a misbehaving server cannot make it buffer without limit.
	maxResponseHead = 64 << 10
	// maxBufferedBody bounds a body read into memory; larger bodies
	// (/bytes) are checked as they stream in.
	maxBufferedBody = 16 << 20
)

// readHead reads a response head, strictly: CRLF line endings, a
// well-formed status line, well-formed header lines, exactly one valid
// Content-Length, and a Content-Type. Every response in this project's
// HTTP subset has both, so a response without them is a bug even where
// HTTP in general would allow it.
func readHead(br *bufio.Reader) (*response, error) {
	lr := &limitedLines{br: br, left: maxResponseHead}
	line, err := lr.readLine()
	if err != nil {
		return nil, fmt.Errorf("reading the status line: %w", err)
	}
	r, err := parseStatusLine(line)
	if err != nil {
		return nil, err
	}
	for {
		line, err := lr.readLine()
		if err != nil {
			return nil, fmt.Errorf("reading the headers of a %d response: %w", r.Status, err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(name) {
			return nil, fmt.Errorf("malformed header line %q", line)
		}
		key := strings.ToLower(name)
		r.Header[key] = append(r.Header[key], strings.Trim(value, " \t"))
	}
	cl := r.Header["content-length"]
	if len(cl) != 1 {
		return nil, fmt.Errorf("%d response: want exactly one Content-Length header, got %q", r.Status, cl)
	}
	r.ContentLength, err = parseContentLength(cl[0])
	if err != nil {
		return nil, fmt.Errorf("%d response: %w", r.Status, err)
	}
	if r.get("Content-Type") == "" {
		return nil, fmt.Errorf("%d response: no Content-Type", r.Status)
	}
	return r, nil
}

// readResponse reads a whole response: its head and, unless it answers a
// HEAD request, the Content-Length bytes of its body.
func readResponse(br *bufio.Reader, method string) (*response, error) {
	r, err := readHead(br)
	if err != nil || method == "HEAD" {
		return r, err
	}
	if r.ContentLength > maxBufferedBody {
		return nil, fmt.Errorf("%d response: a %d-byte body is more than the suite buffers", r.Status, r.ContentLength)
	}
	r.Body = make([]byte, r.ContentLength)
	if n, err := io.ReadFull(br, r.Body); err != nil {
		return nil, fmt.Errorf("%d response: got %d of %d body bytes: %w", r.Status, n, r.ContentLength, err)
	}
	return r, nil
}

// errStatusLine is what a response that does not start with a status
// line fails with: a sign of a body where none belongs, or of one longer
// than its Content-Length said.
var errStatusLine = errors.New("malformed status line")

// parseStatusLine parses "HTTP/1.1 200 OK". RFC 9112 §4 requires the
// space after the code even when the reason phrase is empty.
func parseStatusLine(line string) (*response, error) {
	proto, rest, ok1 := strings.Cut(line, " ")
	code, _, ok2 := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if !ok1 || !ok2 || (proto != "HTTP/1.1" && proto != "HTTP/1.0") ||
		len(code) != 3 || err != nil || status < 100 {
		return nil, fmt.Errorf("%w %q", errStatusLine, trim([]byte(line)))
	}
	return &response{Proto: proto, Status: status, Header: map[string][]string{}}, nil
}

func parseContentLength(s string) (int64, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("malformed Content-Length %q", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed Content-Length %q", s)
	}
	return n, nil
}

// limitedLines reads CRLF-terminated lines, at most left bytes in all.
type limitedLines struct {
	br   *bufio.Reader
	left int
}

var errHeadTooLong = errors.New("response head longer than 64 KiB")

func (l *limitedLines) readLine() (string, error) {
	var b []byte
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.left -= len(chunk)
		if l.left < 0 {
			return "", errHeadTooLong
		}
		b = append(b, chunk...)
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if errors.Is(err, io.EOF) && len(b) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
	}
	line, ok := strings.CutSuffix(string(b), "\r\n")
	if !ok {
		return "", fmt.Errorf("line %q does not end in CRLF", b)
	}
	if strings.ContainsAny(line, "\r\n") {
		return "", fmt.Errorf("line %q holds a bare CR", line)
	}
	return line, nil
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

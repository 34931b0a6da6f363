package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxHeadBytes bounds the request line plus headers. Anything longer is
// answered with 431 instead of being buffered without limit.
const maxHeadBytes = 8 << 10

// request is what the server understands of an HTTP/1.x request head.
type request struct {
	Method    string
	Target    string // the request-target as sent, e.g. "/bytes?n=10"
	Path      string
	Query     string
	Minor     int // HTTP/1.Minor
	Host      string
	KeepAlive bool
}

// httpError is a request the server refuses. It becomes a response with
// Status, and the connection is closed after it: once a request is
// malformed, nothing that follows it on the connection can be trusted to
// be the start of the next request.
type httpError struct {
	Status int
	Reason string
	Head   bool // the request was HEAD: answer without a body
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Reason) }

func badRequest(format string, args ...any) *httpError {
	return &httpError{Status: 400, Reason: fmt.Sprintf(format, args...)}
}

// region: headEnd

// headEnd returns the length of the request head at the start of buf,
// blank line included, or -1 if the blank line has not arrived yet.
// Lines may end in CRLF or, as RFC 9112 §2.2 lets a server accept, a bare
// LF. Empty lines before the request line do not end the head: the same
// section asks servers to skip them.
func headEnd(buf []byte) int {
	start := 0
	for {
		i := bytes.IndexByte(buf[start:], '\n')
		if i < 0 {
			return -1
		}
		line := buf[start : start+i]
		start += i + 1
		if (len(line) == 0 || (len(line) == 1 && line[0] == '\r')) && len(bytes.TrimLeft(buf[:start], "\r\n")) > 0 {
			return start
		}
	}
}

// endregion: headEnd

// region: parseRequest

// parseRequest parses a complete request head, as delimited by headEnd.
func parseRequest(head []byte) (*request, *httpError) {
	lines := strings.Split(strings.TrimLeft(string(head), "\r\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	// The head ends with an empty line, so the last two elements are "".
	lines = lines[:max(len(lines)-2, 0)]
	if len(lines) == 0 {
		return nil, badRequest("empty request")
	}
	req, err := parseRequestLine(lines[0])
	if err != nil {
		// The answer to HEAD never has a body, not even an error's.
		err.Head = strings.HasPrefix(lines[0], "HEAD ")
		return nil, err
	}
	if err := parseHeaders(req, lines[1:]); err != nil {
		err.Head = req.Method == "HEAD"
		return nil, err
	}
	return req, nil
}

// parseHeaders checks the header lines and what they say about the
// request, and keeps what the server needs of them in req.
func parseHeaders(req *request, lines []string) *httpError {
	var (
		hosts             int
		contentLength     = int64(-1)
		transferEncoding  bool
		connectionClose   bool
		connectionKeepAlv bool
	)
	for _, line := range lines {
		name, value, err := parseHeaderLine(line)
		if err != nil {
			return err
		}
		switch strings.ToLower(name) {
		case "host":
			if !isHost(value) {
				return badRequest("malformed Host header %q", value)
			}
			hosts++
			req.Host = value
		case "content-length":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || value[0] == '+' {
				return badRequest("invalid Content-Length %q", value)
			}
			if contentLength >= 0 && contentLength != n {
				return badRequest("conflicting Content-Length headers")
			}
			contentLength = n
		case "transfer-encoding":
			transferEncoding = true
		case "connection":
			for _, opt := range strings.Split(value, ",") {
				switch strings.ToLower(strings.TrimSpace(opt)) {
				case "close":
					connectionClose = true
				case "keep-alive":
					connectionKeepAlv = true
				}
			}
		}
	}
	switch {
	// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host header.
	case req.Minor >= 1 && hosts == 0:
		return badRequest("HTTP/1.1 request without a Host header")
	case hosts > 1:
		return badRequest("more than one Host header")
	// Both framings at once is the classic request-smuggling vector
	// (RFC 9112 §6.1): refuse rather than guess which one a proxy used.
	case transferEncoding && contentLength >= 0:
		return badRequest("both Transfer-Encoding and Content-Length")
	}
	switch req.Method {
	case "GET", "HEAD":
	case "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE":
		return &httpError{Status: 405, Reason: req.Method + " is not allowed here"}
	default:
		return &httpError{Status: 501, Reason: "unknown method " + req.Method}
	}
	// The server reads no request bodies. Refusing them, and closing, is
	// what keeps a body from being parsed as the next request.
	switch {
	case transferEncoding:
		return &httpError{Status: 501, Reason: "Transfer-Encoding is not supported"}
	case contentLength > 0:
		return &httpError{Status: 413, Reason: "request bodies are not accepted"}
	}
	req.KeepAlive = !connectionClose && (req.Minor >= 1 || connectionKeepAlv)
	return nil
}

// endregion: parseRequest

func parseRequestLine(line string) (*request, *httpError) {
	method, rest, ok1 := strings.Cut(line, " ")
	target, version, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || strings.Contains(version, " ") {
		return nil, badRequest("malformed request line")
	}
	if !isToken(method) {
		return nil, badRequest("malformed method")
	}
	minor, err := parseVersion(version)
	if err != nil {
		return nil, err
	}
	req := &request{Method: method, Target: target, Minor: minor}
	path := target
	// RFC 9112 §3.2.2: a server must accept the absolute form too,
	// "http://host/path?query". The scheme is case-insensitive.
	if i := strings.Index(path, "://"); i > 0 && !strings.Contains(path[:i], "/") {
		scheme, rest := strings.ToLower(path[:i]), path[i+3:]
		if scheme != "http" && scheme != "https" {
			return nil, badRequest("unsupported scheme %q", scheme)
		}
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			path = rest[j:]
		} else {
			path = ""
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
	}
	if !strings.HasPrefix(path, "/") {
		return nil, badRequest("request target must start with /")
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; c <= ' ' || c == 0x7f {
			return nil, badRequest("control character in request target")
		}
	}
	req.Path, req.Query, _ = strings.Cut(path, "?")
	return req, nil
}

func parseVersion(v string) (int, *httpError) {
	if len(v) != len("HTTP/1.1") || !strings.HasPrefix(v, "HTTP/") || v[6] != '.' ||
		!isDigit(v[5]) || !isDigit(v[7]) {
		return 0, badRequest("malformed HTTP version %q", v)
	}
	if v[5] != '1' {
		return 0, &httpError{Status: 505, Reason: "only HTTP/1.x is supported"}
	}
	return int(v[7] - '0'), nil
}

func parseHeaderLine(line string) (name, value string, err *httpError) {
	if line != "" && (line[0] == ' ' || line[0] == '\t') {
		// obs-fold: RFC 9112 §5.2 lets a server reject it with 400.
		return "", "", badRequest("folded header line")
	}
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return "", "", badRequest("header line without a colon")
	}
	// A space before the colon must be rejected (RFC 9112 §5.1): proxies
	// disagree about what it means.
	if !isToken(name) {
		return "", "", badRequest("malformed header name %q", name)
	}
	value = strings.Trim(value, " \t")
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return "", "", badRequest("control character in header %s", name)
		}
	}
	return name, value, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isHost reports whether s is a plausible Host value: a name, an IPv4
// address or a bracketed IPv6 literal, with an optional port (RFC 9110
// §7.2, RFC 3986 §3.2.2). Empty is allowed: it means "no authority".
func isHost(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' || strings.IndexByte("-._~%!$&'()*+,;=:[]", c) >= 0) {
			return false
		}
	}
	return true
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// response is everything needed to write a response head. Body may be nil
// when the body is produced separately, as 02's /bytes does.
type response struct {
	Status        int
	ContentType   string
	ContentLength int64
	Header        []string // extra "Name: value" lines
	Body          []byte
	Close         bool
	Head          bool // answering HEAD: headers only, no body
}

func textResponse(status int, body string) response {
	return response{
		Status:        status,
		ContentType:   "text/plain; charset=utf-8",
		ContentLength: int64(len(body)),
		Body:          []byte(body),
	}
}

func errorResponse(e *httpError) response {
	r := textResponse(e.Status, fmt.Sprintf("%d %s: %s\n", e.Status, statusText(e.Status), e.Reason))
	if e.Status == 405 {
		r.Header = append(r.Header, "Allow: GET, HEAD")
	}
	r.Head = e.Head
	r.Close = true
	return r
}

// region: appendResponse

// appendResponse appends the response's bytes to b: the head and, unless
// it answers a HEAD request, the body it holds.
func appendResponse(b []byte, r *response, now time.Time) []byte {
	b = fmt.Appendf(b, "HTTP/1.1 %d %s\r\n", r.Status, statusText(r.Status))
	// RFC 9110 §6.6.1: a server with a clock sends Date.
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, "\r\nContent-Type: "...)
	b = append(b, r.ContentType...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, r.ContentLength, 10)
	b = append(b, "\r\n"...)
	for _, h := range r.Header {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	if r.Close {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	if !r.Head {
		b = append(b, r.Body...)
	}
	return b
}

// endregion: appendResponse

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 408:
		return "Request Timeout"
	case 413:
		return "Content Too Large"
	case 431:
		return "Request Header Fields Too Large"
	case 501:
		return "Not Implemented"
	case 503:
		return "Service Unavailable"
	case 505:
		return "HTTP Version Not Supported"
	}
	return "Status " + strconv.Itoa(code)
}

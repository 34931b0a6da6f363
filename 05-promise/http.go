package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// maxHeadBytes bounds the request head: the request line, the headers,
// and any empty lines before them. A head that does not end within it is
// answered with 414 or 431 instead of being buffered without limit.
const maxHeadBytes = 8 << 10

// request is what the server understands of an HTTP/1.x request head.
type request struct {
	Method    string
	Path      string
	Query     string
	Minor     int  // HTTP/1.Minor
	KeepAlive bool // the client may send another request on this connection
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

// headScan is how far headEnd has got in a request head that is still
// arriving. Kept between reads, it lets headEnd look at each byte once,
// however many pieces the head comes in.
type headScan struct {
	next  int // bytes looked at so far
	line  int // where the line being looked at starts
	start int // where the request line starts, after the empty lines before it
	lines int // complete lines from the request line on
}

// headEnd returns the length of the request head at the start of buf,
// blank line included, or -1 if the blank line has not arrived yet. buf
// must hold what it held at the previous call with the same scan, and
// more: only the new bytes are looked at.
//
// Lines may end in CRLF or, as RFC 9112 §2.2 lets a server accept, a bare
// LF. Empty lines before the request line do not end the head: the same
// section asks servers to skip them, and scan.start moves past them. A CR
// alone ends no line, so a line that is only a CR is not empty.
func headEnd(buf []byte, scan *headScan) int {
	for {
		i := bytes.IndexByte(buf[scan.next:], '\n')
		if i < 0 {
			scan.next = len(buf)
			return -1
		}
		scan.next += i + 1
		empty := scan.next-scan.line == 1 || scan.next-scan.line == 2 && buf[scan.line] == '\r'
		scan.line = scan.next
		switch {
		case !empty:
			scan.lines++
		case scan.lines > 0:
			return scan.next
		default:
			scan.start = scan.next
		}
	}
}

// endregion: headEnd

// headTooLarge is the answer to a head that has filled maxHeadBytes, all
// of it looked at by headEnd, without ending. If the request line itself
// has not ended, the target is what is too long (RFC 9112 §3: 414).
func headTooLarge(buf []byte, scan *headScan) *httpError {
	e := &httpError{Status: 431, Reason: "request head larger than 8 KiB"}
	if scan.lines == 0 && scan.start < len(buf) {
		e = &httpError{Status: 414, Reason: "request line not ended within 8 KiB"}
	}
	e.Head = isHead(buf[scan.start:])
	return e
}

// headCutShort is the answer to a client that closed its side in the
// middle of the head in buf, all of it looked at by headEnd. It is nil if
// there is nothing to answer: the client sent nothing, or nothing but the
// empty lines that RFC 9112 §2.2 says to ignore before a request.
func headCutShort(buf []byte, scan *headScan) *httpError {
	if scan.lines == 0 && scan.start == len(buf) {
		return nil
	}
	e := badRequest("connection closed in the middle of the request head")
	e.Head = isHead(buf[scan.start:])
	return e
}

// isHead reports whether head, from its request line on, is a HEAD
// request. The answer to HEAD never has a body, not even an error's
// (RFC 9110 §9.3.2), and a refused request may be one whose request line
// never arrived whole, or does not parse: so only its prefix counts.
func isHead(head []byte) bool { return bytes.HasPrefix(head, []byte("HEAD ")) }

// region: parseRequest

// parseRequest parses a complete request head, from the request line to
// the blank line: buf[scan.start:end] after headEnd.
func parseRequest(head []byte) (*request, *httpError) {
	lines := strings.Split(string(head), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	// The head ends with an empty line, so the last two elements are "".
	lines = lines[:max(len(lines)-2, 0)]
	if len(lines) == 0 {
		return nil, badRequest("empty request")
	}
	req, err := parseRequestLine(lines[0])
	if err == nil {
		err = parseHeaders(req, lines[1:])
	}
	if err != nil {
		err.Head = isHead(head) // no body for HEAD, not even an error's
		return nil, err
	}
	return req, nil
}

// parseHeaders checks the header lines and what they say about the
// request, and keeps in req whether the connection is to stay open.
func parseHeaders(req *request, lines []string) *httpError {
	var (
		hosts                  int
		contentLength          = int64(-1)
		transferEncoding       bool
		optClose, optKeepAlive bool // the Connection header's options
	)
	for _, line := range lines {
		name, value, err := parseHeaderLine(line)
		if err != nil {
			return err
		}
		switch strings.ToLower(name) {
		case "host":
			// Checked even when an absolute-form target makes the server
			// ignore it (RFC 9112 §3.2.2): §3.2 answers any invalid Host
			// with 400.
			if !isHostPort(value) {
				return badRequest("malformed Host header %q", value)
			}
			hosts++
		case "content-length":
			// 1*DIGIT (RFC 9110 §8.6): no sign, no list, not even "-0".
			n, err := strconv.ParseInt(value, 10, 64)
			if !isDigits(value) || err != nil {
				return badRequest("invalid Content-Length %q", value)
			}
			if contentLength >= 0 && contentLength != n {
				return badRequest("conflicting Content-Length headers")
			}
			contentLength = n
		case "transfer-encoding":
			transferEncoding = true
		case "connection":
			// A comma-separated list of case-insensitive options, which
			// may come in several Connection lines (RFC 9110 §7.6.1).
			for _, opt := range strings.Split(value, ",") {
				switch strings.ToLower(strings.Trim(opt, " \t")) {
				case "close":
					optClose = true
				case "keep-alive":
					optKeepAlive = true
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
	// The server reads no request bodies. Refusing them, and closing, is
	// what keeps a body from being parsed as the next request.
	switch {
	case transferEncoding:
		return &httpError{Status: 501, Reason: "Transfer-Encoding is not supported"}
	case contentLength > 0:
		return &httpError{Status: 413, Reason: "request bodies are not accepted"}
	}
	// HTTP/1.1 connections persist unless either side says close; an
	// HTTP/1.0 client must ask for it with keep-alive (RFC 9112 §9.3).
	req.KeepAlive = !optClose && (req.Minor >= 1 || optKeepAlive)
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
	// The method before the target: `OPTIONS *` and `CONNECT host:443`
	// are well-formed, in target forms only those methods use.
	switch method {
	case "GET", "HEAD":
	case "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE":
		return nil, &httpError{Status: 405, Reason: method + " is not allowed here"}
	default:
		return nil, &httpError{Status: 501, Reason: "unknown method " + method}
	}
	path, query, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	return &request{Method: method, Path: path, Query: query, Minor: minor}, nil
}

// region: parseTarget

// parseTarget splits a request-target in origin form, "/path?query", or
// in absolute form, "http://host:port/path?query" (RFC 9112 §3.2.1–2), into
// its path and query, and checks every byte of it against RFC 3986.
//
// Of an absolute-form target only the path and query are kept: RFC 9112
// §3.2.2 has the server use the target's authority and ignore the Host
// header, and this server serves every host alike, so a Host that differs
// changes nothing.
func parseTarget(target string) (path, query string, err *httpError) {
	if !strings.HasPrefix(target, "/") {
		scheme, rest, ok := strings.Cut(target, "://")
		if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
			return "", "", badRequest("request target must be /path or http://host/path")
		}
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		authority := rest[:end]
		// RFC 9110 §4.2.1: an http URI names a host; §4.2.4: userinfo
		// in one is to be treated as an error.
		if strings.HasPrefix(authority, ":") || authority == "" || !isHostPort(authority) {
			return "", "", badRequest("malformed authority %q in the request target", authority)
		}
		target = rest[end:]
		if !strings.HasPrefix(target, "/") {
			target = "/" + target // RFC 9110 §4.2.3: an empty path is "/"
		}
	}
	path, query, _ = strings.Cut(target, "?")
	if !isURIChars(path, "/") || !isURIChars(query, "/?") {
		return "", "", badRequest("malformed request target")
	}
	return path, query, nil
}

// endregion: parseTarget

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

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// isURIChars reports whether s holds only RFC 3986 pchars (§3.3:
// unreserved, sub-delims, ":", "@" and %HH) and the bytes in extra.
// Anything else, bytes above 0x7f included, is not part of a URI.
func isURIChars(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= len(s) || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
				return false
			}
			i += 2
		case isUnreserved(c) || strings.IndexByte("!$&'()*+,;=:@", c) >= 0 || strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isUnreserved(c byte) bool {
	return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' || c == '-' || c == '.' || c == '_' || c == '~'
}

// region: isHostPort

// isHostPort reports whether s is uri-host [ ":" port ], the form of the
// Host header and of an http URI's authority (RFC 9112 §3.2, RFC 3986
// §3.2.2–3.2.3): a name or IPv4 address, or an IP literal in brackets,
// then optionally a colon and digits. Empty is allowed: it is the Host of
// a request whose target has no authority; an empty host before a port
// is not.
func isHostPort(s string) bool {
	host, port := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || !isIPLiteral(s[1:end]) {
			return false
		}
		host, port = "", s[end+1:]
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		host, port = s[:i], s[i:]
	}
	// A reg-name: unreserved, sub-delims and %HH. An IPv4 address is one
	// too, as far as its characters go.
	if strings.ContainsAny(host, ":@/?") || !isURIChars(host, "") {
		return false
	}
	if port == "" {
		return true
	}
	return (host != "" || s[0] == '[') && port[0] == ':' && strings.Trim(port[1:], "0123456789") == ""
}

// endregion: isHostPort

// isIPLiteral reports whether s, found between brackets, is an IPv6
// address without a zone, or an IPvFuture (RFC 3986 §3.2.2).
func isIPLiteral(s string) bool {
	if v, rest, ok := strings.Cut(s, "."); ok && len(v) > 1 && v[0]|0x20 == 'v' {
		return strings.Trim(v[1:], "0123456789abcdefABCDEF") == "" &&
			rest != "" && !strings.Contains(rest, "%") && !strings.ContainsAny(rest, "@/?") && isURIChars(rest, "")
	}
	ip, err := netip.ParseAddr(s)
	return err == nil && ip.Is6() && ip.Zone() == ""
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
	case 414:
		return "URI Too Long"
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

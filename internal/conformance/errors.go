package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// errorHandling: requests the server refuses. Each is answered with its
// status, `Connection: close`, and a close, and whatever the client sent
// after it is never answered as a request.
var errorHandling = []Behaviour{
	{Name: "malformed-request-line-400", Since: 1, Check: refusals(malformedRequestLines),
		Doc: "a malformed request line (a target outside RFC 3986's characters, a bare CR before it) gets 400 and a close"},
	{Name: "malformed-headers-400", Since: 1, Check: refusals(malformedHeaders),
		Doc: "a malformed header (no colon, space before colon, obs-fold, control characters) gets 400 and a close"},
	{Name: "host-header-400", Since: 1, Check: refusals(badHostHeaders),
		Doc: "an HTTP/1.1 request without exactly one Host header, or with one that is not `host[:port]`, gets 400 and a close"},
	{Name: "head-over-8kib-431", Since: 1, Check: checkHeadLimit,
		Doc: "a request head over 8 KiB gets 431 and a close; one of exactly 8 KiB is answered"},
	{Name: "request-line-over-8kib-414", Since: 1, Check: refusals(longRequestLines),
		Doc: "a request line that does not end within 8 KiB gets 414 and a close"},
	{Name: "unsupported-version-505", Since: 1, Check: refusals(unsupportedVersions),
		Doc: "HTTP/2.0 and HTTP/3.0 request lines get 505 and a close"},
	{Name: "malformed-version-400", Since: 1, Check: refusals(malformedVersions),
		Doc: "a malformed HTTP version gets 400 and a close"},
	{Name: "method-not-allowed-405", Since: 1, Check: refusals(disallowedMethods),
		Doc: "POST, PUT, DELETE, `OPTIONS *` and `CONNECT host:port` get 405 with `Allow: GET, HEAD` and a close"},
	{Name: "unknown-method-501", Since: 1, Check: refusals(unknownMethods),
		Doc: "an unknown method gets 501 and a close"},
	{Name: "request-body-refused", Since: 1, Check: refusals(requestBodies),
		Doc: "a request body gets 413 (Content-Length) or 501 (chunked) and is never parsed as a request"},
	{Name: "bad-content-length-400", Since: 1, Check: refusals(badContentLengths),
		Doc: "an invalid or conflicting Content-Length, or both Content-Length and Transfer-Encoding, gets 400"},
}

// refusal is one request the server must refuse.
type refusal struct {
	name string
	raw  string // the request as sent
	want int    // the status it must get
	// check, if set, checks the response further.
	check func(*response) error
	// unfinished marks a request that never ends: nothing is sent
	// after it.
	unfinished bool
	// cutShort marks a request the client stops in the middle of: after
	// it, the client shuts down its sending side (a FIN) instead of
	// sending more.
	cutShort bool
}

// smuggled follows every refused request on its connection. A server that
// answers it has read past a request it could not frame.
const smuggled = "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n"

// refuse sends the refused request followed by another request, and
// checks the status, `Connection: close`, and that the server closes
// without answering the second request.
func refuse(ctx context.Context, addr string, rf refusal) error {
	c, err := dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.close()
	raw := rf.raw
	if !rf.unfinished && !rf.cutShort {
		raw += smuggled
	}
	if err := c.send(raw); err != nil {
		return err
	}
	if rf.cutShort {
		if err := c.tcp.CloseWrite(); err != nil {
			return fmt.Errorf("shutdown(SHUT_WR): %w", err)
		}
	}
	r, err := c.read(methodOf(rf.raw))
	if err != nil {
		return err
	}
	if r.Status != rf.want {
		return fmt.Errorf("got status %d, want %d", r.Status, rf.want)
	}
	if rf.check != nil {
		if err := rf.check(r); err != nil {
			return err
		}
	}
	return c.expectCloseAfter(r)
}

// refusals is a check that runs every case and reports each one that
// failed, by name.
func refusals(cases []refusal) func(context.Context, Target) error {
	return func(ctx context.Context, t Target) error {
		var errs []error
		for _, rf := range cases {
			if err := refuse(ctx, t.Addr, rf); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", rf.name, err))
			}
		}
		return errors.Join(errs...)
	}
}

var malformedRequestLines = []refusal{
	{name: "no version", raw: "GET /\r\n\r\n", want: 400},
	{name: "two spaces", raw: "GET  / HTTP/1.1\r\nHost: test\r\n\r\n", want: 400},
	{name: "trailing space", raw: "GET / HTTP/1.1 \r\nHost: test\r\n\r\n", want: 400},
	{name: "no target", raw: "GET HTTP/1.1\r\nHost: test\r\n\r\n", want: 400},
	{name: "empty method", raw: " / HTTP/1.1\r\nHost: test\r\n\r\n", want: 400},
	{name: "target without a leading slash", raw: "GET index.html HTTP/1.1\r\nHost: test\r\n\r\n", want: 400},
	{name: "control character in the target", raw: "GET /a\x01b HTTP/1.1\r\nHost: test\r\n\r\n", want: 400},
	{name: "raw UTF-8 in the target", raw: get("/caf\xc3\xa9"), want: 400},
	{name: "a byte above 0x7f in the query", raw: get("/?q=\xff"), want: 400},
	{name: "a percent sign without two hex digits", raw: get("/a%zz"), want: 400},
	{name: "a fragment", raw: get("/a#b"), want: 400},
	{name: "control character in an absolute-form authority", raw: get("http://te\x01st/"), want: 400},
	{name: "absolute-form authority that is not host:port", raw: get("http://a:b:c]]%/"), want: 400},
	{name: "absolute-form with userinfo", raw: get("http://user@test/"), want: 400},
	// RFC 9112 §2.2 lets a server skip empty lines before the request
	// line; a CR alone is not one.
	{name: "bare CR before the request line", raw: "\r" + get("/"), want: 400},
}

// withHeader is a GET / with Host and one more header line, as sent.
func withHeader(line string) string {
	return "GET / HTTP/1.1\r\nHost: test\r\n" + line + "\r\n\r\n"
}

var malformedHeaders = []refusal{
	{name: "no colon", raw: withHeader("X-Test value"), want: 400},
	{name: "space before the colon", raw: withHeader("X-Test : value"), want: 400},
	{name: "empty name", raw: withHeader(": value"), want: 400},
	{name: "obs-fold", raw: withHeader("X-Test: one\r\n two"), want: 400},
	{name: "control character in a value", raw: withHeader("X-Test: a\x01b"), want: 400},
	{name: "NUL in a value", raw: withHeader("X-Test: a\x00b"), want: 400},
	{name: "bare CR in a value", raw: withHeader("X-Test: a\rb"), want: 400},
	{name: "control character in a name", raw: withHeader("X-\x7fTest: value"), want: 400},
}

var badHostHeaders = []refusal{
	{name: "no Host", raw: "GET / HTTP/1.1\r\n\r\n", want: 400},
	{name: "two Hosts", raw: "GET / HTTP/1.1\r\nHost: one\r\nHost: two\r\n\r\n", want: 400},
	{name: "Host that is not host[:port]", raw: "GET / HTTP/1.1\r\nHost: a:b:c]]%\r\n\r\n", want: 400},
	{name: "Host with a port that is not a number", raw: "GET / HTTP/1.1\r\nHost: test:8o\r\n\r\n", want: 400},
	{name: "Host with an unclosed IPv6 literal", raw: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", want: 400},
	// The answer to HEAD has no body, not even an error's: one would be
	// read as the start of the next response.
	{name: "HEAD without Host, answered without a body", raw: "HEAD / HTTP/1.1\r\n\r\n", want: 400},
}

var (
	unsupportedVersions = append(versionRefusals(505, "HTTP/2.0", "HTTP/3.0"),
		refusal{name: "HEAD with HTTP/2.0, answered without a body", raw: "HEAD / HTTP/2.0\r\nHost: test\r\n\r\n", want: 505})
	malformedVersions = versionRefusals(400,
		"HTTP/1", "HTTP/1.", "HTTP/1.1.1", "HTTP/11", "HTTP/1.10", "HTTP/a.b", "http/1.1", "HTTPS/1.1")
)

// versionRefusals is a GET / with each version, all refused with want.
func versionRefusals(want int, versions ...string) []refusal {
	var rs []refusal
	for _, v := range versions {
		rs = append(rs, refusal{name: v, raw: "GET / " + v + "\r\nHost: test\r\n\r\n", want: want})
	}
	return rs
}

func allowsGetAndHead(r *response) error {
	var methods []string
	for _, v := range r.Header["allow"] {
		for m := range strings.SplitSeq(v, ",") {
			methods = append(methods, strings.TrimSpace(m))
		}
	}
	slices.Sort(methods)
	if !slices.Equal(methods, []string{"GET", "HEAD"}) {
		return fmt.Errorf("the Allow header is %q, want GET, HEAD", r.Header["allow"])
	}
	return nil
}

var disallowedMethods = []refusal{
	{name: "POST", raw: request("POST", "/", "HTTP/1.1"), want: 405, check: allowsGetAndHead},
	{name: "PUT", raw: request("PUT", "/", "HTTP/1.1"), want: 405, check: allowsGetAndHead},
	{name: "DELETE", raw: request("DELETE", "/", "HTTP/1.1"), want: 405, check: allowsGetAndHead},
	// Well-formed, in forms only these methods use: the method is what
	// the server refuses, not the target.
	{name: "OPTIONS *", raw: request("OPTIONS", "*", "HTTP/1.1"), want: 405, check: allowsGetAndHead},
	{name: "CONNECT host:port", raw: request("CONNECT", "test:443", "HTTP/1.1"), want: 405, check: allowsGetAndHead},
}

var unknownMethods = []refusal{
	{name: "BREW", raw: request("BREW", "/", "HTTP/1.1"), want: 501},
	// Methods are case-sensitive: "get" is not GET.
	{name: "get", raw: request("get", "/", "HTTP/1.1"), want: 501},
}

// chunked is a chunked body whose one chunk is itself a request.
var chunked = fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled)

var requestBodies = []refusal{
	// The body is a whole request: a server that skipped the body, or
	// parsed it as the next request, would answer it.
	{name: "Content-Length", want: 413,
		raw: get("/", fmt.Sprintf("Content-Length: %d", len(smuggled))) + smuggled},
	{name: "Transfer-Encoding: chunked", want: 501,
		raw: get("/", "Transfer-Encoding: chunked") + chunked},
	// More than one read's worth: the server must not close while the
	// rest is unread.
	{name: "a 32 KiB body", want: 413,
		raw: get("/", fmt.Sprintf("Content-Length: %d", 32<<10)) + strings.Repeat("b", 32<<10)},
}

var badContentLengths = []refusal{
	{name: "conflicting", raw: get("/", "Content-Length: 5", "Content-Length: 6") + "hello!", want: 400},
	{name: "with Transfer-Encoding", want: 400,
		raw: get("/", "Transfer-Encoding: chunked", fmt.Sprintf("Content-Length: %d", len(chunked))) + chunked},
	{name: "-1", raw: get("/", "Content-Length: -1"), want: 400},
	{name: "abc", raw: get("/", "Content-Length: abc"), want: 400},
	{name: "+5", raw: get("/", "Content-Length: +5") + "hello", want: 400},
	{name: "empty", raw: get("/", "Content-Length: "), want: 400},
	// 1*DIGIT (RFC 9110 §8.6): a sign is refused even on zero.
	{name: "-0", raw: get("/", "Content-Length: -0"), want: 400},
}

// maxHead is the largest request head every chapter must accept, blank
// line included.
const maxHead = 8 << 10

// headOfSize is a request for / whose head, blank line included, is
// exactly n bytes: a padding header makes up the difference.
func headOfSize(method string, n int) string {
	prefix, suffix := method+" / HTTP/1.1\r\nHost: test\r\nX-Pad: ", "\r\n\r\n"
	return prefix + strings.Repeat("p", n-len(prefix)-len(suffix)) + suffix
}

func checkHeadLimit(ctx context.Context, t Target) error {
	if _, err := expectStatus(ctx, t.Addr, headOfSize("GET", maxHead), 200); err != nil {
		return fmt.Errorf("a head of exactly 8 KiB: %w", err)
	}
	var many strings.Builder
	many.WriteString("GET / HTTP/1.1\r\nHost: test\r\n")
	for i := 0; many.Len() < maxHead+1024; i++ {
		fmt.Fprintf(&many, "X-Header-%d: value\r\n", i)
	}
	return refusals([]refusal{
		{name: "8 KiB + 1 byte", raw: headOfSize("GET", maxHead+1), want: 431},
		{name: "HEAD over 8 KiB, answered without a body", raw: headOfSize("HEAD", maxHead+1), want: 431},
		{name: "one 10 KiB header", raw: get("/", "X-Big: "+strings.Repeat("b", 10<<10)), want: 431},
		// No blank line is ever sent: the server must answer once it has
		// 8 KiB, not wait for the end of the head.
		{name: "9 KiB of headers and no end", raw: many.String(), want: 431, unfinished: true},
	})(ctx, t)
}

// longTarget is a target that alone makes the request line longer than
// any head the server accepts.
var longTarget = "/" + strings.Repeat("t", maxHead+1024)

var longRequestLines = []refusal{
	{name: "9 KiB target", raw: get(longTarget), want: 414},
	{name: "HEAD with a 9 KiB target, answered without a body", raw: request("HEAD", longTarget, "HTTP/1.1"), want: 414},
	// The line never ends: the server must answer once it has 8 KiB.
	{name: "9 KiB of request line and no end", raw: "GET " + longTarget, want: 414, unfinished: true},
}

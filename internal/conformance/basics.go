package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// basics are the requests every chapter answers.
var basics = []Behaviour{
	{Name: "get-root", Since: 1, Check: checkGetRoot,
		Doc: "`GET /` answers 200 with a text body, Content-Type and an exact Content-Length"},
	{Name: "head-root", Since: 1, Check: checkHeadRoot,
		Doc: "`HEAD /` answers with the same headers as `GET /` and no body"},
	{Name: "not-found", Since: 1, Check: checkNotFound,
		Doc: "an unknown path answers 404"},
	{Name: "http-1.0", Since: 1, Check: checkHTTP10,
		Doc: "an HTTP/1.0 request (no Host) is answered, then the connection is closed"},
	{Name: "absolute-form-target", Since: 1, Check: checkAbsoluteForm,
		Doc: "an absolute-form target (`GET http://host/ HTTP/1.1`) is routed by its path, whatever the Host header says"},
	{Name: "connection-close-honoured", Since: 1, Check: checkConnectionClose,
		Doc: "a request with `Connection: close` gets `Connection: close` back, then the server closes"},
}

// fetch sends one request with `Connection: close` and reads the
// response; it checks that the server then closes without sending
// anything more, which also proves the Content-Length was exact.
func fetch(ctx context.Context, addr, method, target string) (*response, error) {
	return fetchWith(ctx, addr, request(method, target, "HTTP/1.1", "Connection: close"))
}

// fetchWith sends raw and reads the response. When the response says
// `Connection: close`, as it must when the request did, it checks that
// the server then closes without sending anything more.
func fetchWith(ctx context.Context, addr, raw string) (*response, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer c.close()
	r, err := c.exchange(raw)
	if err != nil {
		return nil, err
	}
	if r.announcesClose() || strings.Contains(raw, "\r\nConnection: close\r\n") {
		if err := c.expectCloseAfter(r); err != nil {
			return r, err
		}
	}
	return r, nil
}

func checkGetRoot(ctx context.Context, t Target) error {
	r, err := fetchWith(ctx, t.Addr, get("/"))
	if err != nil {
		return err
	}
	switch {
	case r.Status != 200:
		return fmt.Errorf("got status %d, want 200", r.Status)
	case !strings.HasPrefix(r.get("Content-Type"), "text/"):
		return fmt.Errorf("the Content-Type is %q, want text/…", r.get("Content-Type"))
	case len(r.Body) == 0 || !utf8.Valid(r.Body):
		return fmt.Errorf("body %q: want a short text greeting", trim(r.Body))
	}
	return nil
}

func checkHeadRoot(ctx context.Context, t Target) error {
	g, err := fetch(ctx, t.Addr, "GET", "/")
	if err != nil {
		return fmt.Errorf("GET /: %w", err)
	}
	// fetch checks that nothing follows the HEAD response's head before
	// the server closes: no body bytes.
	h, err := fetch(ctx, t.Addr, "HEAD", "/")
	if err != nil {
		return fmt.Errorf("HEAD /: %w", err)
	}
	var diffs []error
	if h.Status != g.Status {
		diffs = append(diffs, fmt.Errorf("status %d, GET's is %d", h.Status, g.Status))
	}
	for _, name := range []string{"Content-Type", "Content-Length"} {
		if h.get(name) != g.get(name) {
			diffs = append(diffs, fmt.Errorf("%s %q, GET's is %q", name, h.get(name), g.get(name)))
		}
	}
	if err := errors.Join(diffs...); err != nil {
		return fmt.Errorf("HEAD /: %w", err)
	}
	return nil
}

func checkNotFound(ctx context.Context, t Target) error {
	for _, path := range []string{"/no/such/page", "/index.html"} {
		if _, err := expectStatus(ctx, t.Addr, get(path), 404); err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
	}
	return nil
}

func checkHTTP10(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	// HTTP/1.0 has no Host header and no persistent connections unless
	// the client asks: the server answers and closes.
	if err := c.send("GET / HTTP/1.0\r\n\r\n"); err != nil {
		return err
	}
	r, err := c.read("GET")
	if err != nil {
		return err
	}
	if r.Status != 200 {
		return fmt.Errorf("got status %d, want 200", r.Status)
	}
	return c.expectCloseAfter(r)
}

func checkAbsoluteForm(ctx context.Context, t Target) error {
	for _, tc := range []struct {
		target string
		want   int
	}{
		{"http://test/", 200},
		{"http://test/no/such/page", 404},
		// RFC 9112 §3.2.2: the target's authority wins, and a Host that
		// differs is ignored (it must still be there, and valid).
		{"http://elsewhere:8080/", 200},
	} {
		if _, err := expectStatus(ctx, t.Addr, get(tc.target), tc.want); err != nil {
			return fmt.Errorf("GET %s: %w", tc.target, err)
		}
	}
	return nil
}

func checkConnectionClose(ctx context.Context, t Target) error {
	r, err := fetch(ctx, t.Addr, "GET", "/")
	if err != nil {
		return err
	}
	if r.Status != 200 {
		return fmt.Errorf("got status %d, want 200", r.Status)
	}
	return nil
}

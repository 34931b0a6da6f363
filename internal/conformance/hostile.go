package conformance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// hostileClients: what clients do that a server must survive, without
// dying, hanging, spinning or leaking a descriptor.
var hostileClients = []Behaviour{
	{Name: "garbage-400", Since: 1, Check: checkGarbage,
		Doc: "garbage (random bytes, NULs, a TLS hello) gets 400 and a close, and the server keeps serving"},
	{Name: "reset-mid-head", Since: 1, Check: checkResetMidHead,
		Doc: "a client that resets the connection halfway through its request head leaves the server serving"},
	{Name: "reset-mid-response", Since: 1, Check: checkResetMidResponse,
		Doc: "a client that resets the connection while the response arrives leaves the server serving"},
	{Name: "half-close", Since: 1, Check: checkHalfClose,
		Doc: "a client that shuts down its sending side after its request still gets the whole response; halfway through its head, it gets 400; after only empty lines, no answer"},
	{Name: "silent-client", Since: 1, Check: checkSilentClient,
		Doc: "a client that connects and closes (or resets) without a word leaves the server serving"},
	{Name: "byte-at-a-time", Since: 1, Check: checkByteAtATime,
		Doc: "a request head sent one byte at a time is answered"},
	{Name: "many-clients", Since: 1, Check: checkManyClients,
		Doc: "100 clients connecting at once are all answered"},
	{Name: "no-fd-leak", Since: 1, Check: checkNoFDLeak,
		Doc: "after all of the above, the server holds no more descriptors than before"},
	{Name: "idle-no-spin", Since: 1, Check: checkIdleNoSpin,
		Doc: "a client stalled halfway through its head costs the server no CPU while it waits"},
}

// garbage is what gets sent to a server that is not expecting it. Each
// case ends in a blank line, so that the server has a whole "head" to
// refuse and cannot be waiting for more.
var garbage = func() []refusal {
	random := make([]byte, 1024)
	rng := rand.New(rand.NewPCG(1, 2)) // fixed: the same bytes every run
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	// The start of a TLS ClientHello: what an https:// URL sends to an
	// http server.
	tlsHello := "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + strings.Repeat("\x5a", 32)
	return []refusal{
		{name: "random bytes", raw: string(random) + "\r\n\r\n", want: 400},
		{name: "NULs", raw: strings.Repeat("\x00", 1024) + "\r\n\r\n", want: 400},
		{name: "TLS hello", raw: tlsHello + "\r\n\r\n", want: 400},
		{name: "one long word", raw: strings.Repeat("GET", 1000) + "\r\n\r\n", want: 400},
	}
}()

func checkGarbage(ctx context.Context, t Target) error {
	if err := refusals(garbage)(ctx, t); err != nil {
		return err
	}
	return stillServes(ctx, t.Addr)
}

// halfHead is the first half of a request head; completeHead is the rest.
const (
	halfHead     = "GET / HTTP/1.1\r\nHost: te"
	completeHead = "st\r\nConnection: close\r\n\r\n"
)

func checkResetMidHead(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	err = c.send(halfHead)
	c.reset()
	if err != nil {
		return err
	}
	return stillServes(ctx, t.Addr)
}

func checkResetMidResponse(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	err = c.send(get("/"))
	if err == nil {
		err = c.expectData()
	}
	if err == nil {
		// One byte proves the response has started.
		_, err = c.r.ReadByte()
	}
	c.reset()
	if err != nil {
		return fmt.Errorf("waiting for the response to start: %w", err)
	}
	return stillServes(ctx, t.Addr)
}

func checkHalfClose(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.send(get("/")); err != nil {
		return err
	}
	// FIN after the request: "I have nothing more to say", not "goodbye".
	if err := c.tcp.CloseWrite(); err != nil {
		return fmt.Errorf("shutdown(SHUT_WR): %w", err)
	}
	r, err := c.read("GET")
	if err != nil {
		return fmt.Errorf("after the client shut down its sending side: %w", err)
	}
	if r.Status != 200 {
		return fmt.Errorf("got status %d, want 200", r.Status)
	}
	if err := refusals(cutShortHeads)(ctx, t); err != nil {
		return err
	}
	// Empty lines and a FIN are no request (RFC 9112 §2.2 says to
	// ignore empty lines before one): nothing to answer, only a close.
	c, err = dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.send("\r\n\r\n"); err != nil {
		return err
	}
	if err := c.tcp.CloseWrite(); err != nil {
		return fmt.Errorf("shutdown(SHUT_WR): %w", err)
	}
	if err := c.expectClosed(); err != nil {
		return fmt.Errorf("empty lines, then a FIN: %w", err)
	}
	return nil
}

// cutShortHeads are requests whose client shuts down its sending side
// before the blank line: the head can never be whole.
var cutShortHeads = []refusal{
	{name: "GET cut short", raw: halfHead, want: 400, cutShort: true},
	// The answer to HEAD has no body, even when the server could not
	// read the request to its end.
	{name: "HEAD cut short, answered without a body", raw: "HEAD / HTTP/1.1\r\nHost: te", want: 400, cutShort: true},
}

func checkSilentClient(ctx context.Context, t Target) error {
	for _, leave := range []func(*conn){(*conn).close, (*conn).reset} {
		c, err := dial(ctx, t.Addr)
		if err != nil {
			return err
		}
		leave(c)
	}
	return stillServes(ctx, t.Addr)
}

// byteInterval paces the byte-at-a-time client, so that its bytes arrive
// in separate segments and the server reads them one by one.
const byteInterval = time.Millisecond

func checkByteAtATime(ctx context.Context, t Target) error {
	c, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer c.close()
	raw := get("/")
	tick := time.NewTicker(byteInterval)
	defer tick.Stop()
	for i := range len(raw) {
		if err := c.send(raw[i : i+1]); err != nil {
			return fmt.Errorf("byte %d: %w", i, err)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r, err := c.read("GET")
	if err != nil {
		return err
	}
	if r.Status != 200 {
		return fmt.Errorf("got status %d, want 200", r.Status)
	}
	return nil
}

func checkManyClients(ctx context.Context, t Target) error {
	n := 100
	if t.Short {
		n = 30
	}
	return allAnswered(ctx, t.Addr, n)
}

// allAnswered has n clients send GET / at once and checks that every one
// gets 200.
func allAnswered(ctx context.Context, addr string, n int) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = expectStatus(ctx, addr, get("/"), 200)
		}()
	}
	wg.Wait()
	return countFailures(errs, n, "clients")
}

// countFailures reports how many of n operations failed, and the first
// failure.
func countFailures(errs []error, n int, what string) error {
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			if first == nil {
				first = err
			}
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d %s failed; the first: %w", failed, n, what, first)
	}
	return nil
}

// hostileRound does, once each, the things a client can do that make a
// server open, abandon or half-close a connection: what no-fd-leak
// checks the server cleans up after. How each went is for its own
// behaviour to report; here only what it leaves behind matters.
func hostileRound(ctx context.Context, t Target) {
	for _, step := range []func(context.Context, Target) error{
		checkGarbage,
		refusals(requestBodies),
		checkHeadLimit,
		checkResetMidHead,
		checkResetMidResponse,
		checkHalfClose,
		checkSilentClient,
		checkResetMidBytes,
		func(ctx context.Context, t Target) error { return allAnswered(ctx, t.Addr, 20) },
	} {
		_ = step(ctx, t)
	}
}

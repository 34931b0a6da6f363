package conformance

import (
	"context"
	"fmt"
	"time"
)

// Behaviours returns the suite, in the order it runs.
func Behaviours() []Behaviour {
	return []Behaviour{
		{"get-root", 1, "`GET /` answers 200 with a text body", checkGetRoot},
		{"not-found", 1, "an unknown path answers 404", checkNotFound},
		{"stalled-client-does-not-block", 2, "a client that stalls mid-request does not delay another client", checkStalledClient},
	}
}

func checkGetRoot(ctx context.Context, t Target) error {
	r, err := get(ctx, t.Addr, request("GET", "/", "HTTP/1.1"))
	if err != nil {
		return err
	}
	if r.Status != 200 || len(r.Body) == 0 {
		return fmt.Errorf("got status %d with %d body bytes, want 200 and a greeting", r.Status, len(r.Body))
	}
	return nil
}

func checkNotFound(ctx context.Context, t Target) error {
	r, err := get(ctx, t.Addr, request("GET", "/no/such/page", "HTTP/1.1"))
	if err != nil {
		return err
	}
	if r.Status != 404 {
		return fmt.Errorf("got status %d, want 404", r.Status)
	}
	return nil
}

// checkStalledClient: A sends half a request and stops; B's whole
// request must still be answered promptly.
func checkStalledClient(ctx context.Context, t Target) error {
	a, err := dial(ctx, t.Addr)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Write([]byte("GET / HTTP/1.1\r\nHost: te")); err != nil {
		return err
	}
	bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := get(bctx, t.Addr, request("GET", "/", "HTTP/1.1")); err != nil {
		return fmt.Errorf("while another client stalled mid-request: %w", err)
	}
	return nil
}

package idle

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// server accepts connections and hands them to the test; with answer, it
// answers each request head with a 200 (closing when close is set).
func server(t *testing.T, answer, close bool) (addr string, conns chan net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns = make(chan net.Conn, 1000)
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			if answer {
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				h := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				if close {
					h += "Connection: close\r\n"
				}
				c.Write([]byte(h + "\r\nok"))
			}
			conns <- c
		}
	}()
	return l.Addr().String(), conns
}

func TestOpenHoldsConnections(t *testing.T) {
	addr, conns := server(t, false, false)
	s, err := Open(context.Background(), addr, 200, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if s.Len() != 200 {
		t.Fatalf("Len = %d, want 200", s.Len())
	}
	if n := s.StillOpen(); n != 200 {
		t.Errorf("StillOpen = %d, want 200", n)
	}
	// The server closes ten: StillOpen sees each end of file at once.
	for range 10 {
		(<-conns).Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.StillOpen() != 190 {
		if time.Now().After(deadline) {
			t.Fatalf("StillOpen = %d 5 s after the server closed 10 of 200, want 190", s.StillOpen())
		}
		time.Sleep(10 * time.Millisecond) // the FINs cross loopback
	}
}

func TestOpenWithRequestReadsTheAnswer(t *testing.T) {
	addr, _ := server(t, true, false)
	s, err := Open(context.Background(), addr, 50, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	// The answer was read whole: nothing is left to peek at.
	if n := s.StillOpen(); n != 50 {
		t.Errorf("StillOpen = %d, want 50: an answer left unread looks like a closed connection", n)
	}
}

// A server that closes after its answer cannot hold idle connections
// with a request each: Open says so instead of counting closed ones.
func TestOpenWithRequestRefusesAServerThatCloses(t *testing.T) {
	addr, _ := server(t, true, true)
	_, err := Open(context.Background(), addr, 5, true)
	if err == nil || !strings.Contains(err.Error(), "closes after an answer") {
		t.Errorf("Open = %v, want the error saying the server closes", err)
	}
}

func TestOpenFailsWhenNobodyListens(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if _, err := Open(context.Background(), addr, 10, false); err == nil {
		t.Error("Open succeeded with nothing listening")
	}
}

// Command gnet is the gnet peer: an event-loop library for Go, the nearest
// thing on the shelf to what the chapters build (epoll, a loop per core,
// buffers reused). It is a TCP library, not an HTTP server, so this peer
// parses just enough HTTP/1.1 for GET / (keep-alive and pipelining; 404
// for other paths): the routes the scenarios use. The driver runs it with
// one loop and GOMAXPROCS=1, for the single-core comparison.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/eventloops-from-scratch/eventloops/bench/internal/peer"
	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	addr, status := peer.Flags("gnet", args, stderr)
	if status != 0 {
		return status
	}
	s := &server{stdout: stdout}
	s.tick()
	err := gnet.Run(s, "tcp://"+addr, gnet.WithMulticore(false), gnet.WithTicker(true), gnet.WithReuseAddr(true))
	fmt.Fprintln(stderr, "gnet:", err)
	return 1
}

type server struct {
	gnet.BuiltinEventEngine
	stdout io.Writer
	date   atomic.Pointer[string] // the Date header, refreshed each second
}

// OnBoot prints the bound address: gnet does not return it, so read it
// from a duplicate of the listening descriptor.
func (s *server) OnBoot(eng gnet.Engine) gnet.Action {
	fd, err := eng.Dup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnet: dup:", err)
		return gnet.Shutdown
	}
	defer unix.Close(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnet: getsockname:", err)
		return gnet.Shutdown
	}
	if in4, ok := sa.(*unix.SockaddrInet4); ok {
		peer.Announce(s.stdout, net.JoinHostPort(net.IP(in4.Addr[:]).String(), strconv.Itoa(in4.Port)))
	} else if in6, ok := sa.(*unix.SockaddrInet6); ok {
		peer.Announce(s.stdout, net.JoinHostPort(net.IP(in6.Addr[:]).String(), strconv.Itoa(in6.Port)))
	}
	return gnet.None
}

func (s *server) OnTick() (time.Duration, gnet.Action) {
	s.tick()
	return time.Second, gnet.None
}

func (s *server) tick() {
	d := time.Now().UTC().Format(time.RFC1123)
	d = d[:len(d)-3] + "GMT"
	s.date.Store(&d)
}

const maxHead = 8 << 10

// OnTraffic answers every complete request head in what has arrived, in
// order (pipelining), and leaves a partial head for the next read.
func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	used := 0
	var out []byte
	action := gnet.None
	for {
		end := bytes.Index(buf[used:], []byte("\r\n\r\n"))
		if end < 0 {
			if len(buf)-used > maxHead {
				out = s.respond(out, 431, "head too large\n", true)
				action = gnet.Close
			}
			break
		}
		head := buf[used : used+end]
		used += end + 4
		status, body, closing := 200, peer.Greeting("gnet"), false
		line, rest, _ := bytes.Cut(head, []byte("\r\n"))
		parts := bytes.Split(line, []byte(" "))
		switch {
		case len(parts) != 3 || !bytes.HasPrefix(parts[2], []byte("HTTP/1.")):
			status, body, closing = 400, "bad request line\n", true
		case string(parts[0]) != "GET" && string(parts[0]) != "HEAD":
			status, body, closing = 405, "GET or HEAD\n", true
		case string(parts[1]) != "/":
			status, body = 404, "404 Not Found\n"
		}
		if string(parts[len(parts)-1]) == "HTTP/1.0" || bytes.Contains(bytes.ToLower(rest), []byte("connection: close")) {
			closing = true
		}
		out = s.respond(out, status, body, closing)
		if closing {
			action = gnet.Close
			break
		}
	}
	c.Discard(used)
	if len(out) > 0 {
		c.Write(out)
	}
	return action
}

func (s *server) respond(out []byte, status int, body string, closing bool) []byte {
	out = fmt.Appendf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n",
		status, statusText[status], *s.date.Load(), len(body))
	if closing {
		out = append(out, "Connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	return append(out, body...)
}

var statusText = map[int]string{200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Request Header Fields Too Large"}

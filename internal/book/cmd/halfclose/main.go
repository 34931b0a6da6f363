// Command halfclose is the client that book/02-poll.md uses to show a
// half-close: it connects to HOST PORT, sends what it reads from its
// standard input, then shuts down its sending side (shutdown(SHUT_WR):
// the server gets end of stream, and can still answer), and copies what
// the server sends to its standard output until the server closes.
//
//	printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' | go run ./internal/book/cmd/halfclose 127.0.0.1 8080
//
// It is `nc -N HOST PORT` (OpenBSD netcat), for systems without it.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: halfclose HOST PORT < request")
		os.Exit(2)
	}
	if err := run(net.JoinHostPort(os.Args[1], os.Args[2])); err != nil {
		fmt.Fprintln(os.Stderr, "halfclose:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	tcp := conn.(*net.TCPConn)
	if _, err := io.Copy(tcp, os.Stdin); err != nil {
		return fmt.Errorf("sending: %w", err)
	}
	if err := tcp.CloseWrite(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if _, err := io.Copy(os.Stdout, tcp); err != nil {
		return fmt.Errorf("receiving: %w", err)
	}
	return nil
}

package book

import "testing"

func TestMaskVolatile(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		same       bool
	}{
		{"Date header", "Date: Sun, 22 Nov 2026 20:54:51 GMT\n", "Date: Mon, 23 Nov 2026 08:00:00 GMT\n", true},
		{"Date in strace's cut-short string",
			`write(4, "HTTP/1.1 200 OK\r\nDate: Sun, 22 N"..., 182) = 182` + "\n",
			`write(4, "HTTP/1.1 200 OK\r\nDate: Mon, 23 N"..., 182) = 182` + "\n", true},
		{"duration", "accept(3) = fd 4, blocked 1.503s\n", "accept(3) = fd 4, blocked 21ms\n", true},
		{"compound duration", "took 2m3.5s\n", "took 850µs\n", true},
		{"curl's timeout", "curl: (28) Operation timed out after 2001 milliseconds\n", "curl: (28) Operation timed out after 2004 milliseconds\n", true},
		{"strace pid", "[pid 10683] close(4) = 0\n", "[pid  9] close(4) = 0\n", true},
		{"client port", "from 127.0.0.1:53290\n", "from 127.0.0.1:41002\n", true},
		{"client port in strace", "sin_port=htons(56884)\n", "sin_port=htons(34826)\n", true},
		{"column widths", "LISTEN 5      4096       127.0.0.1:8080   \n", "LISTEN 5 4096 127.0.0.1:8080\n", true},
		{"the server's port is not volatile", "127.0.0.1:8080\n", "127.0.0.1:8081\n", false},
		{"the server's port in strace", "htons(8080)\n", "htons(8081)\n", false},
		{"the size of curl's request (its version is in it)", "read(4) = 79 bytes, blocked 0s\n", "read(4) = 78 bytes, blocked 0s\n", true},
		{"the size of curl's request in strace",
			`[pid 7] read(4, "GET / HTTP/1.1\r\nHost: 127.0.0.1:"..., 8192) = 78` + "\n",
			`[pid 8] read(4, "GET / HTTP/1.1\r\nHost: 127.0.0.1:"..., 8192) = 80` + "\n", true},
		{"curl's version", "User-Agent: curl/7.88.1\n", "User-Agent: curl/8.10.1\n", true},
		{"a response's size", "write(4) = 182 bytes\n", "write(4) = 183 bytes\n", false},
		{"the end of a stream", `read(4, "", 4096) = 0` + "\n", `read(4, "x", 4096) = 1` + "\n", false},
		{"a status", "HTTP/1.1 200 OK\n", "HTTP/1.1 404 Not Found\n", false},
		{"a file descriptor", "close(4)\n", "close(5)\n", false},
		{"a queue length", "LISTEN 5 4096\n", "LISTEN 4 4096\n", false},
		{"a line more", "a\n", "a\nb\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ma, mb := maskVolatile(tc.a), maskVolatile(tc.b)
			if (ma == mb) != tc.same {
				t.Errorf("masked:\n%q\n%q\nequal = %v, want %v", ma, mb, ma == mb, tc.same)
			}
		})
	}
}

package main

import (
	"strconv"
	"strings"
)

// maxBytes caps /bytes?n=N at 64 MiB.
const maxBytes = 64 << 20

// region: route

// route answers a well-formed request. stream is how many body bytes
// follow the response that the connection must produce itself, as the
// socket accepts them (the /bytes route), rather than hold in memory.
func route(req *request) (r response, stream int64) {
	switch req.Path {
	case "/":
		r = textResponse(200, "Hello from 03-eventloop: handlers on a loop.\n")
	case "/bytes":
		n, ok := queryNumber(req.Query, "n")
		if !ok || n > maxBytes {
			r = errorResponse(badRequest("/bytes wants ?n= a number from 0 to %d", maxBytes))
			break
		}
		r = response{Status: 200, ContentType: "application/octet-stream", ContentLength: n}
		stream = n
	default:
		r = textResponse(404, "404 Not Found: "+req.Path+"\n")
	}
	if req.Method == "HEAD" {
		r.Head, stream = true, 0
	}
	return r, stream
}

// endregion: route

// queryNumber returns the value of key in a raw query string if it is a
// plain decimal number: digits only, no sign, no percent-encoding.
func queryNumber(rawQuery, key string) (int64, bool) {
	for _, pair := range strings.Split(rawQuery, "&") {
		value, ok := strings.CutPrefix(pair, key+"=")
		if !ok {
			continue
		}
		if value == "" || len(value) > 18 || strings.Trim(value, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(value, 10, 64)
		return n, err == nil
	}
	return 0, false
}

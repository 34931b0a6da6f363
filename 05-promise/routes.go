package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	// maxBytes caps /bytes?n=N at 64 MiB.
	maxBytes = 64 << 20
	// maxSleep caps /sleep?ms=N at 10 seconds.
	maxSleep = 10 * time.Second
)

// region: route

// route answers a well-formed request. stream is how many body bytes
// follow the response that the connection must produce itself, as the
// socket accepts them (the /bytes route), rather than hold in memory.
// delay is how long the answer must wait (the /sleep route): a timer's
// business, never the loop's.
func route(req *request) (r response, stream int64, delay time.Duration) {
	switch req.Path {
	case "/":
		r = textResponse(200, "Hello from 05-promise: callbacks composed with promises.\n")
	case "/sleep":
		ms, ok := queryNumber(req.Query, "ms")
		if !ok || ms > maxSleep.Milliseconds() {
			r = errorResponse(badRequest("/sleep wants ?ms= a number from 0 to %d", maxSleep.Milliseconds()))
			break
		}
		delay = time.Duration(ms) * time.Millisecond
		r = textResponse(200, fmt.Sprintf("slept %d ms\n", ms))
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
	return r, stream, delay
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

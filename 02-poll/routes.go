package main

import (
	"net/url"
	"strconv"
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
		r = textResponse(200, "Hello from 02-poll: many clients, one thread.\n")
	case "/bytes":
		n, err := strconv.ParseInt(queryValue(req.Query, "n"), 10, 64)
		if err != nil || n < 0 || n > maxBytes {
			return errorResponse(badRequest("/bytes wants ?n= a number from 0 to %d", maxBytes)), 0
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

// queryValue returns the first value of key in a raw query string, or ""
// if the query is malformed or has no such key.
func queryValue(rawQuery, key string) string {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return ""
	}
	return q.Get(key)
}

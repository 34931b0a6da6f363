package main

import (
	"fmt"
	"time"
)

// region: slow

// slow answers GET /slow when -slow-handler is set: a mistake made on
// purpose. It sleeps on the loop's goroutine, as a handler that reads a
// file synchronously or computes for a long time would, and for as long
// as it sleeps the loop serves no one else.
func (s *server) slow(req *request) response {
	s.tracef("slow handler: sleeping %v on the loop", s.slowHandler)
	time.Sleep(s.slowHandler)
	r := textResponse(200, fmt.Sprintf("slept %v on the loop\n", s.slowHandler))
	r.Head = req.Method == "HEAD"
	return r
}

// endregion: slow

package main

// region: route

// route answers a well-formed request.
func route(req *request) response {
	var r response
	switch req.Path {
	case "/":
		r = textResponse(200, "Hello from 01-blocking: one client at a time.\n")
	default:
		r = textResponse(404, "404 Not Found: "+req.Path+"\n")
	}
	r.Head = req.Method == "HEAD"
	return r
}

// endregion: route

package main

// maxFreeBuffers bounds the pool: 64 buffers of 8 KiB.
const maxFreeBuffers = 64

// bufferPool keeps the read buffers that connections gave back, for the
// next connection that receives bytes. The loop is one goroutine, so a
// slice does: no sync.Pool, no lock.
type bufferPool struct{ free [][]byte }

func (p *bufferPool) get() []byte {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return make([]byte, 0, maxHeadBytes)
}

func (p *bufferPool) put(b []byte) {
	if len(p.free) < maxFreeBuffers {
		p.free = append(p.free, b[:0])
	}
}

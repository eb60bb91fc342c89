package relay

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// maxBatch bounds the bytes held back to send together.
const maxBatch = 256 << 10

// batchConn wraps a websocket's network connection so that the connection's
// writer can send many messages with one system call: between hold and
// release, frames are collected (up to maxBatch) instead of written one by
// one. Outside that window writes go straight through, so control frames
// from other goroutines (pongs, close) are never delayed for long. Every
// network write has a deadline of timeout: a peer that stops reading makes
// the write fail instead of blocking.
type batchConn struct {
	net.Conn
	timeout time.Duration

	mu      sync.Mutex
	buf     []byte
	holding bool
}

func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holding {
		if len(b.buf)+len(p) > maxBatch {
			if err := b.flushLocked(); err != nil {
				return 0, err
			}
		}
		if len(p) <= maxBatch {
			b.buf = append(b.buf, p...)
			return len(p), nil
		}
	}
	if err := b.flushLocked(); err != nil {
		return 0, err
	}
	b.Conn.SetWriteDeadline(time.Now().Add(b.timeout))
	n, err := b.Conn.Write(p)
	b.Conn.SetWriteDeadline(time.Time{})
	return n, err
}

func (b *batchConn) hold() {
	b.mu.Lock()
	b.holding = true
	b.mu.Unlock()
}

// release sends what was held.
func (b *batchConn) release() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.holding = false
	return b.flushLocked()
}

func (b *batchConn) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	b.Conn.SetWriteDeadline(time.Now().Add(b.timeout))
	_, err := b.Conn.Write(b.buf)
	b.Conn.SetWriteDeadline(time.Time{})
	if cap(b.buf) > 2*maxBatch {
		b.buf = nil
	} else {
		b.buf = b.buf[:0]
	}
	return err
}

// batchingWriter hands the websocket library a batchConn when it hijacks
// the HTTP connection.
type batchingWriter struct {
	http.ResponseWriter
	timeout time.Duration
	conn    *batchConn
}

func (w *batchingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if brw == nil || brw.Writer == nil || brw.Reader == nil {
		conn.Close()
		return nil, nil, errors.New("hijack returned no buffers")
	}
	w.conn = &batchConn{Conn: conn, timeout: w.timeout}
	// Nothing is buffered in the writer after a hijack; point it at the
	// batching connection.
	brw.Writer.Reset(w.conn)
	return w.conn, brw, nil
}

func (w *batchingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

package blob

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
)

// A reader that returns data in awkward pieces, then an error.
type choppy struct {
	data []byte
	step int
	err  error
}

func (c *choppy) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, c.err
	}
	n := min(len(p), c.step, len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestCopyHashed(t *testing.T) {
	for _, size := range []int{0, 1, copyBufSize - 1, copyBufSize, copyBufSize + 1, 5*copyBufSize + 12345} {
		data := make([]byte, size)
		rand.Read(data)
		want := sha256.Sum256(data)
		for _, step := range []int{7, 4096, 1 << 20} {
			var out bytes.Buffer
			sum, n, err := copyHashed(&out, &choppy{data: data, step: step, err: io.EOF}, 0, nil)
			if err != nil || n != int64(size) || !bytes.Equal(sum, want[:]) || !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("size %d step %d: n=%d err=%v hash ok=%v", size, step, n, err, bytes.Equal(sum, want[:]))
			}
		}
	}
	data := make([]byte, 3*copyBufSize)
	if _, _, err := copyHashed(io.Discard, bytes.NewReader(data), 2*copyBufSize, nil); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, _, err := copyHashed(io.Discard, &choppy{data: data, step: 1000, err: io.ErrUnexpectedEOF}, 0, nil); !errors.Is(err, ErrTruncated) {
		t.Fatalf("cut short: %v", err)
	}
	boom := errors.New("connection reset")
	if _, _, err := copyHashed(io.Discard, &choppy{data: data, step: 1000, err: boom}, 0, nil); !errors.Is(err, boom) {
		t.Fatalf("read error: %v", err)
	}
}

func BenchmarkCopyHashed(b *testing.B) {
	data := make([]byte, 64<<20)
	rand.Read(data)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		copyHashed(io.Discard, bytes.NewReader(data), 0, nil)
	}
}

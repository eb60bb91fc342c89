package cm

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/agi-nostr/agi-nostr/internal/powoc/arith"
)

// progressEvery is how many bytes pass between progress reports and
// cancellation checks.
const progressEvery = 1 << 16

// Encode codes every byte of r with m into w, reporting the bytes done so
// far to progress (which may be nil). It returns the number of bytes read
// and of code bytes written.
func Encode(ctx context.Context, m *Model, r io.Reader, w io.Writer, progress func(int64)) (in, out int64, err error) {
	enc := arith.NewEncoder(w)
	br := bufio.NewReaderSize(r, 1<<16)
	buf := make([]byte, progressEvery)
	for {
		n, rerr := io.ReadFull(br, buf)
		for _, c := range buf[:n] {
			for i := 7; i >= 0; i-- {
				bit := int(c>>uint(i)) & 1
				enc.Encode(bit, m.P())
				m.Update(bit)
			}
		}
		in += int64(n)
		if progress != nil {
			progress(in)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return in, enc.Len(), fmt.Errorf("read data: %w", rerr)
		}
		if err := ctx.Err(); err != nil {
			return in, enc.Len(), err
		}
	}
	if err := enc.Close(); err != nil {
		return in, enc.Len(), fmt.Errorf("write code: %w", err)
	}
	return in, enc.Len(), nil
}

// ErrCode reports a code that does not decode as the claim says.
var ErrCode = errors.New("code does not decode")

// Decode decodes n bytes from a code of codeLen bytes read from r, writing
// them to w. It fails unless the code is exactly what Encode writes for
// those bytes (see arith.Decoder.Finish).
func Decode(ctx context.Context, m *Model, r io.Reader, codeLen, n int64, w io.Writer, progress func(int64)) error {
	dec := arith.NewDecoder(r, codeLen)
	buf := make([]byte, progressEvery)
	var done int64
	for done < n {
		k := int64(len(buf))
		if n-done < k {
			k = n - done
		}
		chunk := buf[:k]
		for j := range chunk {
			c := 0
			for i := 0; i < 8; i++ {
				bit := dec.Decode(m.P())
				m.Update(bit)
				c = c<<1 | bit
			}
			chunk[j] = byte(c)
		}
		if err := dec.Err(); err != nil {
			return fmt.Errorf("%w: %w", ErrCode, err)
		}
		if _, err := w.Write(chunk); err != nil {
			return fmt.Errorf("write decoded data: %w", err)
		}
		done += k
		if progress != nil {
			progress(done)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := dec.Finish(); err != nil {
		return fmt.Errorf("%w: %w", ErrCode, err)
	}
	return nil
}

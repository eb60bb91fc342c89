// Package arith is the binary arithmetic coder of the PoWoC reference
// evaluator. It codes one bit at a time under a probability given by the
// model, with 32-bit integer arithmetic only, so the same model and data give
// the same bytes on every machine.
//
// The coder keeps an interval [x1, x2] of 32-bit values. A bit with
// probability p (of a one, in 1/65536 units) splits the interval at
//
//	xmid = x1 + floor((x2 - x1) * p / 65536)
//
// and keeps [x1, xmid] for a one and [xmid+1, x2] for a zero. Whenever the
// leading bytes of x1 and x2 agree, that byte is final and is written out.
// At the end the encoder writes the fewest bytes (0 to 4) whose value,
// padded with zero bytes, lies in [x1, x2]; the decoder pads the code with
// zero bytes the same way. Because every byte and the ending are determined
// by the coded bits, a decoder can check that a code is exactly the one the
// encoder writes (Decoder.Finish): a claim cannot carry altered, extra or
// missing bytes that happen to decode.
package arith

import (
	"errors"
	"fmt"
	"io"
)

// ProbBits is the precision of the probabilities the coder takes.
const ProbBits = 16

// ProbOne is the probability 1.0 in coder units; probabilities of a one are
// clamped to [1, ProbOne-1].
const ProbOne = 1 << ProbBits

const bufSize = 64 << 10

// Encoder writes a code to an io.Writer.
type Encoder struct {
	x1, x2 uint32
	buf    []byte
	w      io.Writer
	n      int64 // bytes handed to w
	err    error
}

// NewEncoder returns an encoder writing to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{x1: 0, x2: 0xffffffff, w: w, buf: make([]byte, 0, bufSize)}
}

// Encode codes bit (0 or 1) where p is the probability of a one in
// 1/65536 units.
func (e *Encoder) Encode(bit int, p int) {
	p = clampProb(p)
	xmid := e.x1 + uint32((uint64(e.x2-e.x1)*uint64(p))>>ProbBits)
	if bit != 0 {
		e.x2 = xmid
	} else {
		e.x1 = xmid + 1
	}
	for (e.x1^e.x2)&0xff000000 == 0 {
		e.buf = append(e.buf, byte(e.x2>>24))
		e.x1 <<= 8
		e.x2 = e.x2<<8 | 255
	}
	if len(e.buf) >= bufSize-8 {
		e.flush()
	}
}

func (e *Encoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		var k int
		k, e.err = e.w.Write(e.buf)
		e.n += int64(k)
	}
	e.buf = e.buf[:0]
}

// Close writes the ending and flushes. It returns the first write error.
func (e *Encoder) Close() error {
	n, v := ending(e.x1, e.x2)
	for i := 0; i < n; i++ {
		e.buf = append(e.buf, byte(v>>(24-8*i)))
	}
	e.flush()
	return e.err
}

// Len is the number of code bytes produced so far.
func (e *Encoder) Len() int64 { return e.n + int64(len(e.buf)) }

// ending returns the shortest big-endian prefix v of n bytes such that v
// followed by zero bytes lies in [x1, x2].
func ending(x1, x2 uint32) (n int, v uint32) {
	if x1 == 0 {
		return 0, 0
	}
	for n = 1; n < 4; n++ {
		shift := uint(32 - 8*n)
		r := (uint64(x1) + (1 << shift) - 1) >> shift << shift // x1 rounded up
		if r <= uint64(x2) {
			return n, uint32(r)
		}
	}
	return 4, x1
}

// Decoder reads a code of known length produced by Encoder.
type Decoder struct {
	x1, x2, x uint32
	r         io.Reader
	buf       []byte
	bi        int
	size      int64 // length of the code
	pos       int64 // bytes shifted into x so far, counting the initial four
	bad       int64 // 1 + offset of the first byte unlike the encoder's, or 0
	err       error
}

// NewDecoder starts decoding a code of size bytes read from r. It reads at
// most size bytes.
func NewDecoder(r io.Reader, size int64) *Decoder {
	d := &Decoder{x1: 0, x2: 0xffffffff, r: r, size: size}
	for i := 0; i < 4; i++ {
		d.x = d.x<<8 | uint32(d.next())
	}
	return d
}

func (d *Decoder) next() byte {
	var b byte
	if d.pos < d.size {
		if d.bi == len(d.buf) {
			d.fill()
		}
		if d.bi < len(d.buf) {
			b = d.buf[d.bi]
			d.bi++
		}
	}
	d.pos++
	return b
}

func (d *Decoder) fill() {
	if d.err != nil {
		d.buf, d.bi = d.buf[:0], 0
		return
	}
	want := d.size - d.pos
	if want > bufSize {
		want = bufSize
	}
	if d.buf == nil {
		d.buf = make([]byte, bufSize)
	}
	n, err := io.ReadAtLeast(d.r, d.buf[:want], 1)
	d.buf, d.bi = d.buf[:n], 0
	if n == 0 {
		if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("%w: code ends after %d of %d bytes", ErrTruncated, d.pos, d.size)
		}
		d.err = err
	}
}

// Decode returns the next bit given the same probability the encoder used.
func (d *Decoder) Decode(p int) int {
	p = clampProb(p)
	xmid := d.x1 + uint32((uint64(d.x2-d.x1)*uint64(p))>>ProbBits)
	var bit int
	if d.x <= xmid {
		bit = 1
		d.x2 = xmid
	} else {
		d.x1 = xmid + 1
	}
	for (d.x1^d.x2)&0xff000000 == 0 {
		// The encoder writes the common leading byte of x1 and x2 here.
		if (d.x^d.x1)&0xff000000 != 0 && d.bad == 0 {
			d.bad = d.pos - 3
		}
		d.x1 <<= 8
		d.x2 = d.x2<<8 | 255
		d.x = d.x<<8 | uint32(d.next())
	}
	return bit
}

// Err returns the first read error, if any.
func (d *Decoder) Err() error { return d.err }

// ErrTruncated reports a code that ends before its declared length.
var ErrTruncated = errors.New("code truncated")

// ErrNotCanonical reports a code that is not byte for byte the code the
// encoder writes for the decoded bits: a byte was altered, or the code is
// longer or shorter than the encoder's.
var ErrNotCanonical = errors.New("code is not canonical")

// Finish checks, after the last bit was decoded, that the code was read
// without error and is exactly the encoder's.
func (d *Decoder) Finish() error {
	if d.err != nil {
		return d.err
	}
	if d.bad != 0 {
		return fmt.Errorf("%w: byte %d is not the one the encoder writes", ErrNotCanonical, d.bad-1)
	}
	emitted := d.pos - 4 // bytes the encoder wrote before its ending
	n, v := ending(d.x1, d.x2)
	if want := emitted + int64(n); d.size != want {
		return fmt.Errorf("%w: %d bytes where the encoder writes %d", ErrNotCanonical, d.size, want)
	}
	// The ending bytes are the first n bytes of x, already read.
	for i := 0; i < n; i++ {
		if byte(d.x>>(24-8*i)) != byte(v>>(24-8*i)) {
			return fmt.Errorf("%w: ending byte %d differs", ErrNotCanonical, emitted+int64(i))
		}
	}
	return nil
}

func clampProb(p int) int {
	if p < 1 {
		return 1
	}
	if p > ProbOne-1 {
		return ProbOne - 1
	}
	return p
}

package delta

import (
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// BlockElems is the number of elements whose bytes are shuffled together
// (the last block of a tensor is shorter).
const BlockElems = 1 << 16

// Element transforms of a dense delta (the byte after the reference index).
const (
	// TransformXOR stores out XOR ref, per element.
	TransformXOR byte = 0
	// TransformDiff stores zigzag(out - ref) of the elements' bit patterns
	// read as unsigned little-endian integers, modulo 2^(8·width).
	TransformDiff byte = 1
)

// shuffle writes the byte planes of n elements of width w: every element's
// byte 0, then every byte 1, and so on. Bytes of the same significance
// (sign and exponent bytes, high mantissa bytes) end up together, which is
// what lets a general-purpose compressor find the redundancy in floats.
func shuffle(dst, src []byte, w int) {
	if w == 1 {
		copy(dst, src)
		return
	}
	n := len(src) / w
	for p := range w {
		plane := dst[p*n : (p+1)*n]
		for i := range plane {
			plane[i] = src[i*w+p]
		}
	}
}

// unshuffle inverts shuffle.
func unshuffle(dst, src []byte, w int) {
	if w == 1 {
		copy(dst, src)
		return
	}
	n := len(src) / w
	for p := range w {
		plane := src[p*n : (p+1)*n]
		for i, b := range plane {
			dst[i*w+p] = b
		}
	}
}

// forward computes d = transform(out, ref) in place in out (elements of
// width w).
func forward(out, ref []byte, w int, transform byte) {
	if transform == TransformXOR {
		for i := range out {
			out[i] ^= ref[i]
		}
		return
	}
	switch w {
	case 1:
		for i := range out {
			d := int8(out[i] - ref[i])
			out[i] = byte(d<<1) ^ byte(d>>7)
		}
	case 2:
		for i := 0; i < len(out); i += 2 {
			o := uint16(out[i]) | uint16(out[i+1])<<8
			r := uint16(ref[i]) | uint16(ref[i+1])<<8
			d := int16(o - r)
			z := uint16(d<<1) ^ uint16(d>>15)
			out[i], out[i+1] = byte(z), byte(z>>8)
		}
	case 4:
		for i := 0; i < len(out); i += 4 {
			o := le32(out[i:])
			r := le32(ref[i:])
			d := int32(o - r)
			put32(out[i:], uint32(d<<1)^uint32(d>>31))
		}
	case 8:
		for i := 0; i < len(out); i += 8 {
			o := le64(out[i:])
			r := le64(ref[i:])
			d := int64(o - r)
			put64(out[i:], uint64(d<<1)^uint64(d>>63))
		}
	}
}

// inverse computes out = inverse(d, ref) in place in d.
func inverse(d, ref []byte, w int, transform byte) {
	if transform == TransformXOR {
		for i := range d {
			d[i] ^= ref[i]
		}
		return
	}
	switch w {
	case 1:
		for i := range d {
			z := d[i]
			d[i] = ref[i] + (z>>1 ^ -(z & 1))
		}
	case 2:
		for i := 0; i < len(d); i += 2 {
			z := uint16(d[i]) | uint16(d[i+1])<<8
			r := uint16(ref[i]) | uint16(ref[i+1])<<8
			o := r + (z>>1 ^ -(z & 1))
			d[i], d[i+1] = byte(o), byte(o>>8)
		}
	case 4:
		for i := 0; i < len(d); i += 4 {
			z := le32(d[i:])
			put32(d[i:], le32(ref[i:])+(z>>1^-(z&1)))
		}
	case 8:
		for i := 0; i < len(d); i += 8 {
			z := le64(d[i:])
			put64(d[i:], le64(ref[i:])+(z>>1^-(z&1)))
		}
	}
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func le64(b []byte) uint64 { return uint64(le32(b)) | uint64(le32(b[4:]))<<32 }

func put64(b []byte, v uint64) { put32(b, uint32(v)); put32(b[4:], uint32(v>>32)) }

// Compression: one zstd frame per payload. The options are fixed so that
// the same input always gives the same bytes (and so the same delta object
// id) on every machine: one encoder goroutine, an 8 MiB window, and
// entropy coding of literals even in blocks without matches (without it,
// the compressor stores float bytes raw; see docs/FORMAT.md).
const windowSize = 8 << 20

var encOptions = []zstd.EOption{
	zstd.WithEncoderLevel(zstd.SpeedDefault),
	zstd.WithEncoderConcurrency(1),
	zstd.WithWindowSize(windowSize),
	zstd.WithAllLitEntropyCompression(true),
	zstd.WithEncoderCRC(false),
	zstd.WithZeroFrames(true),
}

var decOptions = []zstd.DOption{
	zstd.WithDecoderConcurrency(1),
	zstd.WithDecoderMaxWindow(windowSize),
	zstd.WithDecoderMaxMemory(1 << 30),
	zstd.WithDecoderLowmem(true),
}

// newEncoder makes a compressor with the fixed options. An Encode call
// keeps one and resets it for every frame, so its window buffers are
// allocated once per call, not once per tensor.
func newEncoder() (*zstd.Encoder, error) {
	return zstd.NewWriter(nil, encOptions...)
}

var decPool sync.Pool

func newDecoder(r io.Reader) (*zstd.Decoder, error) {
	if d, ok := decPool.Get().(*zstd.Decoder); ok {
		if err := d.Reset(r); err != nil {
			return nil, err
		}
		return d, nil
	}
	return zstd.NewReader(r, decOptions...)
}

func releaseDecoder(d *zstd.Decoder) {
	if d.Reset(nil) == nil {
		decPool.Put(d)
	} else {
		d.Close()
	}
}

// blockWriter shuffles and compresses a stream of elements block by block
// into one zstd frame, with an encoder it borrows.
type blockWriter struct {
	enc  *zstd.Encoder
	w    int
	tmp  []byte
	done bool
}

func newBlockWriter(enc *zstd.Encoder, dst io.Writer, w int, tmp []byte) *blockWriter {
	enc.Reset(dst)
	if cap(tmp) < BlockElems*w {
		tmp = make([]byte, BlockElems*w)
	}
	return &blockWriter{enc: enc, w: w, tmp: tmp[:BlockElems*w]}
}

// writeBlock takes one block of whole elements (BlockElems of them, or
// fewer for the last block of a tensor).
func (b *blockWriter) writeBlock(p []byte) error {
	t := b.tmp[:len(p)]
	shuffle(t, p, b.w)
	_, err := b.enc.Write(t)
	return err
}

func (b *blockWriter) close() error {
	if b.done {
		return nil
	}
	b.done = true
	return b.enc.Close()
}

// blockReader decompresses and unshuffles blocks.
type blockReader struct {
	dec *zstd.Decoder
	w   int
	tmp []byte
}

func newBlockReader(src io.Reader, w int) (*blockReader, error) {
	dec, err := newDecoder(src)
	if err != nil {
		return nil, err
	}
	return &blockReader{dec: dec, w: w, tmp: make([]byte, BlockElems*w)}, nil
}

// readBlock fills p (whole elements) with the next block.
func (b *blockReader) readBlock(p []byte) error {
	t := b.tmp[:len(p)]
	if _, err := io.ReadFull(b.dec, t); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: compressed data ends early", ErrCorrupt)
		}
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	unshuffle(p, t, b.w)
	return nil
}

// finish checks that the frame holds nothing more.
func (b *blockReader) finish() error {
	var one [1]byte
	n, err := b.dec.Read(one[:])
	releaseDecoder(b.dec)
	b.dec = nil
	if n > 0 {
		return fmt.Errorf("%w: compressed data longer than the tensor", ErrCorrupt)
	}
	if err != io.EOF {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return nil
}

func (b *blockReader) abort() {
	if b.dec != nil {
		releaseDecoder(b.dec)
		b.dec = nil
	}
}

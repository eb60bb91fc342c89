package delta

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// preamble is the fixed part of a delta and the output's header.
type preamble struct {
	refID, outID     merkle.ID
	refSize, outSize uint64
	// header is the output file's first bytes: the length prefix and the
	// JSON header, verbatim.
	header       []byte
	hdr          *safetensors.Header
	headerStored uint64
}

func corruptf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, a...)...)
}

// eofCorrupt turns a short read into a corrupt-delta error.
func eofCorrupt(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return corruptf("ends inside %s", what)
	}
	return fmt.Errorf("read delta: %s: %w", what, err)
}

// countReader counts the bytes read through it.
type countReader struct {
	r *bufio.Reader
	n uint64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += uint64(n)
	return n, err
}

func (c *countReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

func (c *countReader) u8(what string) (byte, error) {
	b, err := c.ReadByte()
	if err != nil {
		return 0, eofCorrupt(err, what)
	}
	return b, nil
}

func (c *countReader) u32(what string) (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return 0, eofCorrupt(err, what)
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

func (c *countReader) u64(what string) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return 0, eofCorrupt(err, what)
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// readBounded reads n bytes, growing the buffer only as bytes arrive, so a
// corrupt length cannot allocate more than the input holds.
func readBounded(r io.Reader, n uint64, what string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(n, 1<<20)))
	got, err := io.CopyN(&buf, r, int64(min(n, math.MaxInt64)))
	if err != nil {
		if err == io.EOF {
			return nil, corruptf("ends inside %s (%d of %d bytes)", what, got, n)
		}
		return nil, fmt.Errorf("read delta: %s: %w", what, err)
	}
	return buf.Bytes(), nil
}

func readPreamble(c *countReader) (*preamble, error) {
	var magic [8]byte
	if _, err := io.ReadFull(c, magic[:]); err != nil {
		return nil, eofCorrupt(err, "the magic")
	}
	if magic != Magic {
		return nil, corruptf("not a delta object (bad magic)")
	}
	v, err := c.u8("the version")
	if err != nil {
		return nil, err
	}
	if v != Version {
		return nil, corruptf("format version %d, this build reads %d", v, Version)
	}
	p := &preamble{}
	if _, err := io.ReadFull(c, p.refID[:]); err != nil {
		return nil, eofCorrupt(err, "the reference id")
	}
	if p.refSize, err = c.u64("the reference size"); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(c, p.outID[:]); err != nil {
		return nil, eofCorrupt(err, "the output id")
	}
	if p.outSize, err = c.u64("the output size"); err != nil {
		return nil, err
	}
	hlen, err := c.u64("the header length")
	if err != nil {
		return nil, err
	}
	if hlen < 8 || hlen > safetensors.MaxHeaderSize+8 {
		return nil, corruptf("header length %d", hlen)
	}
	clen, err := c.u64("the compressed header length")
	if err != nil {
		return nil, err
	}
	if clen > hlen+hlen/8+1024 {
		return nil, corruptf("compressed header length %d for a %d-byte header", clen, hlen)
	}
	p.headerStored = clen
	dec, err := newDecoder(io.LimitReader(c, int64(clen)))
	if err != nil {
		return nil, err
	}
	hb, err := readBounded(dec, hlen, "the header")
	if err == nil {
		var one [1]byte
		if n, rerr := dec.Read(one[:]); n > 0 || rerr != io.EOF {
			err = corruptf("header frame longer than its declared length")
		}
	}
	releaseDecoder(dec)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		return nil, corruptf("header: %v", err)
	}
	// Whatever the frame did not use of its declared length is corrupt.
	if c.n != 8+1+32+8+32+8+8+8+clen {
		return nil, corruptf("compressed header is not %d bytes", clen)
	}
	p.header = hb
	h, err := safetensors.DecodeHeader(hb)
	if err != nil {
		return nil, corruptf("output header: %v", err)
	}
	if h.DataStart() != hlen {
		return nil, corruptf("output header declares %d bytes, the delta holds %d", h.DataStart(), hlen)
	}
	if h.FileSize() != p.outSize {
		return nil, corruptf("output header describes %d bytes, the delta says %d", h.FileSize(), p.outSize)
	}
	if len(h.Tensors) > MaxTensors {
		return nil, corruptf("%d tensors", len(h.Tensors))
	}
	p.hdr = h
	count, err := c.u32("the tensor count")
	if err != nil {
		return nil, err
	}
	if int(count) != len(h.Tensors) {
		return nil, corruptf("%d tensor records for %d tensors", count, len(h.Tensors))
	}
	return p, nil
}

// term is a decoded low-rank update.
type term struct {
	tensormath.LowRank
	code byte
}

// readTerms reads the update list of a lowrank record for a rows×cols
// tensor, taking at most avail bytes.
func readTerms(c io.Reader, rows, cols int, avail uint64) ([]term, uint64, error) {
	var hdr [1]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return nil, 0, eofCorrupt(err, "a low-rank record")
	}
	n := int(hdr[0])
	if n == 0 || n > MaxTerms {
		return nil, 0, corruptf("%d low-rank updates", n)
	}
	used := uint64(1)
	terms := make([]term, n)
	for i := range terms {
		var th [9]byte
		if avail-used < 9 {
			return nil, 0, corruptf("low-rank update %d overruns its record", i)
		}
		if _, err := io.ReadFull(c, th[:]); err != nil {
			return nil, 0, eofCorrupt(err, "a low-rank update")
		}
		used += 9
		rank := binary.LittleEndian.Uint32(th[0:])
		code := th[4]
		scale := math.Float32frombits(binary.LittleEndian.Uint32(th[5:]))
		dt, ok := factorDtype(code)
		if !ok {
			return nil, 0, corruptf("factor dtype code %d", code)
		}
		if rank == 0 || rank > MaxRank {
			return nil, 0, corruptf("rank %d", rank)
		}
		vals := uint64(rank) * (uint64(rows) + uint64(cols))
		if vals > MaxFactorValues {
			return nil, 0, corruptf("rank-%d update of a %dx%d tensor exceeds %d factor values", rank, rows, cols, MaxFactorValues)
		}
		w := uint64(tensormath.Width(dt))
		if vals*w > avail-used {
			return nil, 0, corruptf("rank-%d factors need %d bytes, the record has %d", rank, vals*w, avail-used)
		}
		raw, err := readBounded(c, vals*w, "low-rank factors")
		if err != nil {
			return nil, 0, err
		}
		used += vals * w
		r := int(rank)
		t := term{code: code, LowRank: tensormath.LowRank{Rows: rows, Cols: cols, Rank: r, Scale: scale,
			P: make([]float32, rows*r), Q: make([]float32, r*cols)}}
		np := uint64(rows*r) * w
		tensormath.Decode(t.P, raw[:np], dt)
		tensormath.Decode(t.Q, raw[np:], dt)
		terms[i] = t
	}
	return terms, used, nil
}

// matrixShape returns a 2-D tensor's rows and columns, or false.
func matrixShape(ti safetensors.TensorInfo) (int, int, bool) {
	if len(ti.Shape) != 2 || ti.Shape[0] == 0 || ti.Shape[1] == 0 || ti.Shape[0] > 1<<31 || ti.Shape[1] > 1<<31 {
		return 0, 0, false
	}
	return int(ti.Shape[0]), int(ti.Shape[1]), true
}

// compatible reports whether a reference tensor can stand in for an output
// tensor: same dtype and shape.
func compatible(out, ref safetensors.TensorInfo) bool {
	return out.Dtype == ref.Dtype && slices.Equal(out.Shape, ref.Shape)
}

// Inspect reads a delta's structure, per tensor, without a reference.
func Inspect(r io.Reader) (*Stat, error) {
	c := &countReader{r: bufio.NewReaderSize(r, 1<<16)}
	p, err := readPreamble(c)
	if err != nil {
		return nil, err
	}
	st := &Stat{RefID: p.refID, RefSize: p.refSize, OutID: p.outID, OutSize: p.outSize, HeaderStored: p.headerStored}
	for _, t := range p.hdr.Tensors {
		start := c.n
		kind, err := c.u8("a tensor record")
		if err != nil {
			return nil, err
		}
		l, err := c.u64("a record length")
		if err != nil {
			return nil, err
		}
		ts := TensorStat{Name: t.Name, Dtype: t.Dtype, Shape: t.Shape, Size: t.Size(), Kind: Kind(kind), RefIndex: -1}
		body := io.LimitReader(c, int64(min(l, math.MaxInt64)))
		var used uint64
		switch Kind(kind) {
		case KindRef, KindDense, KindLowRank:
			var b [4]byte
			if l < 4 {
				return nil, corruptf("tensor %q: record of %d bytes", t.Name, l)
			}
			if _, err := io.ReadFull(body, b[:]); err != nil {
				return nil, eofCorrupt(err, "a reference index")
			}
			used = 4
			ts.RefIndex = int(binary.LittleEndian.Uint32(b[:]))
			if Kind(kind) == KindRef && l != 4 {
				return nil, corruptf("tensor %q: ref record of %d bytes", t.Name, l)
			}
			if Kind(kind) == KindDense {
				x, err := readByte(body, "a transform")
				if err != nil {
					return nil, err
				}
				used++
				ts.Transform = x
			}
			if Kind(kind) == KindLowRank {
				rows, cols, ok := matrixShape(t)
				if !ok {
					return nil, corruptf("tensor %q: low-rank record for shape %v", t.Name, t.Shape)
				}
				terms, n, err := readTerms(body, rows, cols, l-used)
				if err != nil {
					return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
				}
				used += n
				for _, tm := range terms {
					ts.Ranks = append(ts.Ranks, tm.Rank)
				}
				if l == used {
					return nil, corruptf("tensor %q: no residual flag", t.Name)
				}
				f, err := readByte(body, "a residual flag")
				if err != nil {
					return nil, err
				}
				used++
				ts.Residual = f == 1
			}
		case KindRaw:
			x, err := readByte(body, "a raw codec")
			if err != nil {
				return nil, err
			}
			used = 1
			ts.Codec = x
		default:
			return nil, corruptf("tensor %q: unknown kind %d", t.Name, kind)
		}
		if _, err := io.CopyN(io.Discard, body, int64(l-used)); err != nil {
			return nil, eofCorrupt(err, "a tensor record")
		}
		ts.Stored = c.n - start
		st.Tensors = append(st.Tensors, ts)
	}
	if _, err := c.ReadByte(); err != io.EOF {
		return nil, corruptf("trailing bytes after the last tensor")
	}
	st.Size = c.n
	return st, nil
}

func readByte(r io.Reader, what string) (byte, error) {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, eofCorrupt(err, what)
	}
	return b[0], nil
}

// LowRankOf reads the low-rank records of a delta: for each tensor stored
// as updates of the reference without a residual, the updates, by the
// output tensor's name. Such a tensor is exactly reference + updates, so a
// merge or rebase can carry the factors instead of the values.
func LowRankOf(r io.Reader) (*Stat, map[string][]Term, error) {
	c := &countReader{r: bufio.NewReaderSize(r, 1<<16)}
	p, err := readPreamble(c)
	if err != nil {
		return nil, nil, err
	}
	st := &Stat{RefID: p.refID, RefSize: p.refSize, OutID: p.outID, OutSize: p.outSize, HeaderStored: p.headerStored}
	out := map[string][]Term{}
	for _, t := range p.hdr.Tensors {
		kind, err := c.u8("a tensor record")
		if err != nil {
			return nil, nil, err
		}
		l, err := c.u64("a record length")
		if err != nil {
			return nil, nil, err
		}
		body := &io.LimitedReader{R: c, N: int64(min(l, math.MaxInt64))}
		if Kind(kind) == KindLowRank {
			rows, cols, ok := matrixShape(t)
			if !ok || l < 4 {
				return nil, nil, corruptf("tensor %q: low-rank record for shape %v", t.Name, t.Shape)
			}
			var b [4]byte
			if _, err := io.ReadFull(body, b[:]); err != nil {
				return nil, nil, eofCorrupt(err, "a reference index")
			}
			terms, _, err := readTerms(body, rows, cols, l-4)
			if err != nil {
				return nil, nil, fmt.Errorf("tensor %q: %w", t.Name, err)
			}
			flag, err := readByte(body, "a residual flag")
			if err != nil {
				return nil, nil, err
			}
			if flag == 0 {
				for _, tm := range terms {
					dt, _ := factorDtype(tm.code)
					out[t.Name] = append(out[t.Name], Term{Update: tm.LowRank, Dtype: dt})
				}
			}
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return nil, nil, eofCorrupt(err, "a tensor record")
		}
		if body.N != 0 {
			return nil, nil, corruptf("tensor %q: record ends early", t.Name)
		}
	}
	return st, out, nil
}

package delta

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/klauspost/compress/zstd"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// Term is a low-rank update offered to the encoder for one tensor, with
// the dtype its factors are stored in (F32, F16 or BF16; every value of P
// and Q must be exact in it).
type Term struct {
	Update tensormath.LowRank
	Dtype  safetensors.Dtype
}

// Options tune Encode.
type Options struct {
	// LowRank offers low-rank updates by output tensor name (from a PEFT
	// adapter, or kept from a merge or rebase). A tensor whose bytes are
	// exactly reference + updates is stored as the factors.
	LowRank map[string][]Term
	// TempDir holds candidate encodings too large for memory ("" for the
	// system's temporary directory).
	TempDir string
	// Progress, when set, is told how many bytes of the output file have
	// been encoded.
	Progress func(done uint64)
}

// File is a safetensors file to encode: random access, size, object id.
type File = Reference

// spillLimit is how much of a candidate encoding stays in memory before it
// moves to a temporary file.
const spillLimit = 32 << 20

// spill is a write buffer that moves to a temporary file when it grows.
type spill struct {
	dir string
	mem bytes.Buffer
	// free takes mem back for the next candidate, so that encoding many
	// tensors does not leave a trail of buffers for the collector.
	free *[]bytes.Buffer
	f    *os.File
	bw   *bufio.Writer
	n    int64
}

func (s *spill) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	if s.f == nil && s.mem.Len()+len(p) <= spillLimit {
		return s.mem.Write(p)
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "delta-*")
		if err != nil {
			return 0, err
		}
		s.f = f
		s.bw = bufio.NewWriterSize(f, 1<<20)
		if _, err := s.bw.Write(s.mem.Bytes()); err != nil {
			return 0, err
		}
		s.mem = bytes.Buffer{}
	}
	return s.bw.Write(p)
}

func (s *spill) writeTo(w io.Writer) error {
	if s.f == nil {
		_, err := w.Write(s.mem.Bytes())
		return err
	}
	if err := s.bw.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

func (s *spill) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
	if s.free != nil && s.mem.Cap() > 0 {
		s.mem.Reset()
		*s.free = append(*s.free, s.mem)
		s.mem = bytes.Buffer{}
	}
}

// encoder holds one Encode call's state.
type encoder struct {
	out, ref *refFile
	opts     *Options
	a, b     []byte
	done     uint64
	free     []bytes.Buffer
	// sample buffers of chooseTransform
	sa, sb, sd []byte
	// the compressor every frame of this call goes through, and its
	// shuffle buffer
	zenc *zstd.Encoder
	ztmp []byte
}

// Encode writes the delta of out against ref to w and returns its
// structure. Both files must be valid safetensors files; out's bytes are
// reproduced exactly by Materialize(delta, ref).
func Encode(w io.Writer, out, ref File, opts *Options) (*Stat, error) {
	if opts == nil {
		opts = &Options{}
	}
	of, err := openRef(out)
	if err != nil {
		return nil, fmt.Errorf("encode: file: %w", err)
	}
	rf, err := openRef(ref)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if len(of.hdr.Tensors) > MaxTensors {
		return nil, fmt.Errorf("encode: %d tensors, at most %d", len(of.hdr.Tensors), MaxTensors)
	}
	for name, terms := range opts.LowRank {
		for _, t := range terms {
			if err := checkTerm(t); err != nil {
				return nil, fmt.Errorf("encode: update of %q: %w", name, err)
			}
		}
	}
	e := &encoder{out: of, ref: rf, opts: opts}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}

	header := make([]byte, of.hdr.DataStart())
	if _, err := out.R.ReadAt(header, 0); err != nil {
		return nil, fmt.Errorf("encode: read header: %w", err)
	}
	if e.zenc, err = newEncoder(); err != nil {
		return nil, err
	}
	var zh bytes.Buffer
	e.zenc.Reset(&zh)
	if _, err := e.zenc.Write(header); err != nil {
		return nil, err
	}
	if err := e.zenc.Close(); err != nil {
		return nil, err
	}

	var pre []byte
	pre = append(pre, Magic[:]...)
	pre = append(pre, Version)
	pre = append(pre, ref.ID[:]...)
	pre = binary.LittleEndian.AppendUint64(pre, uint64(ref.Size))
	pre = append(pre, out.ID[:]...)
	pre = binary.LittleEndian.AppendUint64(pre, uint64(out.Size))
	pre = binary.LittleEndian.AppendUint64(pre, uint64(len(header)))
	pre = binary.LittleEndian.AppendUint64(pre, uint64(zh.Len()))
	pre = append(pre, zh.Bytes()...)
	pre = binary.LittleEndian.AppendUint32(pre, uint32(len(of.hdr.Tensors)))
	if _, err := cw.Write(pre); err != nil {
		return nil, err
	}
	st := &Stat{RefID: ref.ID, RefSize: uint64(ref.Size), OutID: out.ID, OutSize: uint64(out.Size), HeaderStored: uint64(zh.Len())}
	for _, t := range of.hdr.Tensors {
		start := cw.n
		ts, err := e.tensor(cw, t)
		if err != nil {
			return nil, fmt.Errorf("encode tensor %q: %w", t.Name, err)
		}
		ts.Stored = cw.n - start
		st.Tensors = append(st.Tensors, ts)
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	st.Size = cw.n
	return st, nil
}

func checkTerm(t Term) error {
	if _, ok := factorCode(t.Dtype); !ok {
		return fmt.Errorf("factor dtype %s", t.Dtype)
	}
	u := t.Update
	if err := u.Check(); err != nil {
		return err
	}
	if u.Rank > MaxRank || uint64(u.Rank)*(uint64(u.Rows)+uint64(u.Cols)) > MaxFactorValues {
		return fmt.Errorf("rank %d of a %dx%d matrix is too large", u.Rank, u.Rows, u.Cols)
	}
	for _, v := range [][]float32{u.P, u.Q} {
		if !exactIn(v, t.Dtype) {
			return fmt.Errorf("factor values are not exact in %s", t.Dtype)
		}
	}
	return nil
}

// exactIn reports whether every value survives narrowing to dt (NaNs
// excepted: they are stored canonical).
func exactIn(v []float32, dt safetensors.Dtype) bool {
	w := tensormath.Width(dt)
	buf := make([]byte, w*min(len(v), 4096))
	back := make([]float32, min(len(v), 4096))
	for len(v) > 0 {
		n := min(len(v), 4096)
		tensormath.Encode(buf[:n*w], v[:n], dt)
		tensormath.Decode(back[:n], buf[:n*w], dt)
		for i := range n {
			if back[i] != v[i] && v[i] == v[i] {
				return false
			}
		}
		v = v[n:]
	}
	return true
}

type countWriter struct {
	w io.Writer
	n uint64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += uint64(n)
	return n, err
}

func (e *encoder) bufs(n int) ([]byte, []byte) {
	if cap(e.a) < n {
		e.a = make([]byte, n)
		e.b = make([]byte, n)
	}
	return e.a[:n], e.b[:n]
}

// candidate is one encoding of a tensor's record body.
type candidate struct {
	kind Kind
	body *spill
	// head is written before body
	head []byte
	ts   TensorStat
}

func (c *candidate) size() int64 { return int64(len(c.head)) + c.body.n }

func (e *encoder) blockWriter(dst io.Writer, w int) *blockWriter {
	bw := newBlockWriter(e.zenc, dst, w, e.ztmp)
	e.ztmp = bw.tmp
	return bw
}

func (e *encoder) newSpill() *spill {
	s := &spill{dir: e.opts.TempDir, free: &e.free}
	if n := len(e.free); n > 0 {
		s.mem = e.free[n-1]
		e.free = e.free[:n-1]
	}
	return s
}

func (e *encoder) tensor(w io.Writer, t safetensors.TensorInfo) (TensorStat, error) {
	defer func() {
		e.done += t.Size()
		if e.opts.Progress != nil {
			e.opts.Progress(e.done)
		}
	}()
	ts := TensorStat{Name: t.Name, Dtype: t.Dtype, Shape: t.Shape, Size: t.Size(), RefIndex: -1}
	idx := -1
	if i, ok := e.ref.index(t.Name); ok && compatible(t, e.ref.hdr.Tensors[i]) {
		idx = i
	}
	if idx >= 0 {
		rt := e.ref.hdr.Tensors[idx]
		ts.RefIndex, ts.RefName = idx, rt.Name
		same, err := e.equal(t, rt)
		if err != nil {
			return ts, err
		}
		if same {
			ts.Kind = KindRef
			return ts, writeRecord(w, KindRef, binary.LittleEndian.AppendUint32(nil, uint32(idx)), nil)
		}
	}
	var cands []*candidate
	defer func() {
		for _, c := range cands {
			c.body.close()
		}
	}()
	if idx >= 0 {
		if terms := e.opts.LowRank[t.Name]; len(terms) > 0 {
			c, exact, err := e.lowRank(t, idx, terms)
			if err != nil {
				return ts, err
			}
			if c != nil {
				cands = append(cands, c)
				if exact {
					return e.emit(w, c, ts)
				}
			}
		}
		c, err := e.dense(t, idx)
		if err != nil {
			return ts, err
		}
		cands = append(cands, c)
	} else {
		c, err := e.rawZstd(t)
		if err != nil {
			return ts, err
		}
		cands = append(cands, c)
	}
	best := slices.MinFunc(cands, func(a, b *candidate) int { return int(a.size() - b.size()) })
	if best.size() >= int64(t.Size())+1 {
		// Nothing beats the tensor's own bytes.
		ts.Kind, ts.Codec = KindRaw, RawStored
		ts.RefIndex, ts.RefName = -1, ""
		if err := writeHead(w, KindRaw, uint64(t.Size())+1); err != nil {
			return ts, err
		}
		if _, err := w.Write([]byte{RawStored}); err != nil {
			return ts, err
		}
		return ts, e.copyTensor(w, e.out, t)
	}
	return e.emit(w, best, ts)
}

func (e *encoder) emit(w io.Writer, c *candidate, ts TensorStat) (TensorStat, error) {
	c.ts.Name, c.ts.Dtype, c.ts.Shape, c.ts.Size = ts.Name, ts.Dtype, ts.Shape, ts.Size
	if c.kind == KindRaw {
		c.ts.RefIndex, c.ts.RefName = -1, ""
	} else {
		c.ts.RefIndex, c.ts.RefName = ts.RefIndex, ts.RefName
	}
	c.ts.Kind = c.kind
	if err := writeHead(w, c.kind, uint64(c.size())); err != nil {
		return c.ts, err
	}
	if _, err := w.Write(c.head); err != nil {
		return c.ts, err
	}
	return c.ts, c.body.writeTo(w)
}

func writeHead(w io.Writer, k Kind, l uint64) error {
	var h [9]byte
	h[0] = byte(k)
	binary.LittleEndian.PutUint64(h[1:], l)
	_, err := w.Write(h[:])
	return err
}

func writeRecord(w io.Writer, k Kind, head, body []byte) error {
	if err := writeHead(w, k, uint64(len(head)+len(body))); err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

func (f *refFile) index(name string) (int, bool) {
	for i, t := range f.hdr.Tensors {
		if t.Name == name {
			return i, true
		}
	}
	return -1, false
}

// equal compares a tensor of the output with one of the reference.
func (e *encoder) equal(t, rt safetensors.TensorInfo) (bool, error) {
	size := t.Size()
	bb := uint64(BlockElems * elemWidth(t.Dtype))
	a, b := e.bufs(int(bb))
	for off := uint64(0); off < size; off += bb {
		n := min(bb, size-off)
		if err := e.out.readAt(a[:n], t, off); err != nil {
			return false, err
		}
		if err := e.ref.readAt(b[:n], rt, off); err != nil {
			return false, err
		}
		if !equalBytes(a[:n], b[:n]) {
			return false, nil
		}
	}
	return true, nil
}

func (e *encoder) copyTensor(w io.Writer, f *refFile, t safetensors.TensorInfo) error {
	_, err := io.Copy(w, io.NewSectionReader(f.R, int64(f.hdr.DataStart()+t.Begin), int64(t.Size())))
	return err
}

// sampleElems is how many elements of a changed tensor are compressed both
// ways to choose the dense transform.
const sampleElems = 4 * BlockElems

// chooseTransform compresses a sample of the tensor with each transform and
// keeps the one that compresses better (XOR on ties).
func (e *encoder) chooseTransform(t, rt safetensors.TensorInfo) (byte, error) {
	w := elemWidth(t.Dtype)
	n := min(t.Size(), uint64(sampleElems*w))
	if uint64(cap(e.sa)) < n {
		e.sa, e.sb, e.sd = make([]byte, n), make([]byte, n), make([]byte, n)
	}
	a, b := e.sa[:n], e.sb[:n]
	if err := e.out.readAt(a, t, 0); err != nil {
		return 0, err
	}
	if err := e.ref.readAt(b, rt, 0); err != nil {
		return 0, err
	}
	best, bestSize := TransformXOR, int64(math.MaxInt64)
	for _, x := range []byte{TransformXOR, TransformDiff} {
		d := e.sd[:n]
		copy(d, a)
		forward(d, b, w, x)
		var cw countWriter
		cw.w = io.Discard
		bw := e.blockWriter(&cw, w)
		bb := BlockElems * w
		for off := 0; off < len(d); off += bb {
			if err := bw.writeBlock(d[off:min(len(d), off+bb)]); err != nil {
				return 0, err
			}
		}
		if err := bw.close(); err != nil {
			return 0, err
		}
		if int64(cw.n) < bestSize {
			best, bestSize = x, int64(cw.n)
		}
	}
	return best, nil
}

func (e *encoder) dense(t safetensors.TensorInfo, idx int) (*candidate, error) {
	rt := e.ref.hdr.Tensors[idx]
	x, err := e.chooseTransform(t, rt)
	if err != nil {
		return nil, err
	}
	w := elemWidth(t.Dtype)
	c := &candidate{kind: KindDense, body: e.newSpill()}
	c.head = binary.LittleEndian.AppendUint32(nil, uint32(idx))
	c.head = append(c.head, x)
	c.ts.Transform = x
	bw := e.blockWriter(c.body, w)
	defer bw.close()
	size := t.Size()
	bb := uint64(BlockElems * w)
	a, b := e.bufs(int(bb))
	for off := uint64(0); off < size; off += bb {
		n := min(bb, size-off)
		if err := e.out.readAt(a[:n], t, off); err != nil {
			return nil, err
		}
		if err := e.ref.readAt(b[:n], rt, off); err != nil {
			return nil, err
		}
		forward(a[:n], b[:n], w, x)
		if err := bw.writeBlock(a[:n]); err != nil {
			return nil, err
		}
	}
	return c, bw.close()
}

func (e *encoder) rawZstd(t safetensors.TensorInfo) (*candidate, error) {
	w := elemWidth(t.Dtype)
	c := &candidate{kind: KindRaw, body: e.newSpill(), head: []byte{RawZstd}}
	c.ts.Codec = RawZstd
	bw := e.blockWriter(c.body, w)
	defer bw.close()
	size := t.Size()
	bb := uint64(BlockElems * w)
	a, _ := e.bufs(int(bb))
	for off := uint64(0); off < size; off += bb {
		n := min(bb, size-off)
		if err := e.out.readAt(a[:n], t, off); err != nil {
			return nil, err
		}
		if err := bw.writeBlock(a[:n]); err != nil {
			return nil, err
		}
	}
	return c, bw.close()
}

// lowRank tries the offered updates: it materializes reference + updates
// and compares with the tensor. exact reports a match without residual.
// It returns nil when the updates do not fit the tensor.
func (e *encoder) lowRank(t safetensors.TensorInfo, idx int, terms []Term) (*candidate, bool, error) {
	rows, cols, ok := matrixShape(t)
	if !ok || !tensormath.IsFloat(t.Dtype) || len(terms) > MaxTerms {
		return nil, false, nil
	}
	for _, tm := range terms {
		if tm.Update.Rows != rows || tm.Update.Cols != cols {
			return nil, false, fmt.Errorf("%w: a %dx%d update for a %dx%d tensor", tensormath.ErrShape, tm.Update.Rows, tm.Update.Cols, rows, cols)
		}
	}
	rt := e.ref.hdr.Tensors[idx]
	c := &candidate{kind: KindLowRank, body: e.newSpill()}
	c.head = binary.LittleEndian.AppendUint32(nil, uint32(idx))
	c.head = append(c.head, byte(len(terms)))
	ups := make([]tensormath.LowRank, len(terms))
	for i, tm := range terms {
		code, _ := factorCode(tm.Dtype)
		c.head = binary.LittleEndian.AppendUint32(c.head, uint32(tm.Update.Rank))
		c.head = append(c.head, code)
		c.head = binary.LittleEndian.AppendUint32(c.head, math.Float32bits(tm.Update.Scale))
		fw := tensormath.Width(tm.Dtype)
		buf := make([]byte, (len(tm.Update.P)+len(tm.Update.Q))*fw)
		tensormath.Encode(buf[:len(tm.Update.P)*fw], tm.Update.P, tm.Dtype)
		tensormath.Encode(buf[len(tm.Update.P)*fw:], tm.Update.Q, tm.Dtype)
		c.head = append(c.head, buf...)
		// Materialize with the stored (canonical) values, as the reader will.
		u := tm.Update
		u.P = make([]float32, len(u.P))
		u.Q = make([]float32, len(u.Q))
		tensormath.Decode(u.P, buf[:len(u.P)*fw], tm.Dtype)
		tensormath.Decode(u.Q, buf[len(u.P)*fw:], tm.Dtype)
		ups[i] = u
		c.ts.Ranks = append(c.ts.Ranks, tm.Update.Rank)
	}
	w := tensormath.Width(t.Dtype)
	res := e.newSpill()
	kept := false
	defer func() {
		if !kept {
			res.close()
		}
	}()
	bw := e.blockWriter(res, w)
	defer bw.close()
	ev := tensormath.NewEvaluator(rows, cols, ups)
	a, b := e.bufs(BlockElems * w)
	total := uint64(rows) * uint64(cols)
	exact := true
	for el := uint64(0); el < total; el += BlockElems {
		n := min(BlockElems, total-el)
		nb := int(n) * w
		if err := e.ref.readAt(a[:nb], rt, el*uint64(w)); err != nil {
			return nil, false, err
		}
		ev.Apply(a[:nb], t.Dtype, el)
		if err := e.out.readAt(b[:nb], t, el*uint64(w)); err != nil {
			return nil, false, err
		}
		if exact && !equalBytes(a[:nb], b[:nb]) {
			exact = false
		}
		forward(a[:nb], b[:nb], w, TransformXOR)
		if err := bw.writeBlock(a[:nb]); err != nil {
			return nil, false, err
		}
	}
	if err := bw.close(); err != nil {
		return nil, false, err
	}
	if exact {
		c.head = append(c.head, 0)
		return c, true, nil
	}
	c.head = append(c.head, 1)
	c.body.close()
	c.body = res
	kept = true
	c.ts.Residual = true
	return c, false, nil
}

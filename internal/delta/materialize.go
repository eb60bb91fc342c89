package delta

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// Reference is the file a delta was made against: random access to its
// bytes, its size and its object id (which the caller vouches for, e.g.
// because the bytes come from a content-addressed store).
type Reference struct {
	R    io.ReaderAt
	Size int64
	ID   merkle.ID
}

// refFile is a parsed reference.
type refFile struct {
	Reference
	hdr *safetensors.Header
}

func openRef(ref Reference) (*refFile, error) {
	if ref.Size < 0 {
		return nil, fmt.Errorf("reference size %d", ref.Size)
	}
	h, err := safetensors.ReadHeader(io.NewSectionReader(ref.R, 0, ref.Size))
	if err != nil {
		return nil, fmt.Errorf("reference %s: %w", ref.ID, err)
	}
	if err := h.CheckFileSize(uint64(ref.Size)); err != nil {
		return nil, fmt.Errorf("reference %s: %w", ref.ID, err)
	}
	return &refFile{Reference: ref, hdr: h}, nil
}

// readAt reads len(p) bytes of a tensor's data starting off bytes into it.
func (f *refFile) readAt(p []byte, t safetensors.TensorInfo, off uint64) error {
	pos := f.hdr.DataStart() + t.Begin + off
	if _, err := f.R.ReadAt(p, int64(pos)); err != nil {
		return fmt.Errorf("read reference tensor %q: %w", t.Name, err)
	}
	return nil
}

// Materialize rebuilds the file a delta describes from the reference it was
// made against, writing it to dst. The bytes written are checked against
// the object id the delta records: on ErrMismatch (or any error) what was
// written must be discarded. It returns the delta's structure.
func Materialize(dst io.Writer, delta io.Reader, ref Reference) (*Stat, error) {
	c := &countReader{r: bufio.NewReaderSize(delta, 1<<16)}
	p, err := readPreamble(c)
	if err != nil {
		return nil, err
	}
	if p.refID != ref.ID {
		return nil, fmt.Errorf("%w: the delta was made against %s, not %s", ErrWrongBase, merkle.ID(p.refID), ref.ID)
	}
	if p.refSize != uint64(ref.Size) {
		return nil, fmt.Errorf("%w: the delta's reference has %d bytes, this one %d", ErrWrongBase, p.refSize, ref.Size)
	}
	rf, err := openRef(ref)
	if err != nil {
		return nil, err
	}
	h := merkle.New()
	// 4 MiB writes let the hasher spread leaves over the cores (it keeps
	// the last leaf of each write back, so 1 MiB would stay just under its
	// parallel threshold).
	bw := bufio.NewWriterSize(io.MultiWriter(dst, h), 4<<20)
	if _, err := bw.Write(p.header); err != nil {
		return nil, err
	}
	st := &Stat{RefID: p.refID, RefSize: p.refSize, OutID: p.outID, OutSize: p.outSize, HeaderStored: p.headerStored}
	m := &materializer{c: c, ref: rf, w: bw}
	for _, t := range p.hdr.Tensors {
		start := c.n
		ts, err := m.tensor(t)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
		}
		ts.Stored = c.n - start
		st.Tensors = append(st.Tensors, ts)
	}
	if _, err := c.ReadByte(); err != io.EOF {
		return nil, corruptf("trailing bytes after the last tensor")
	}
	st.Size = c.n
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if h.Size() != p.outSize || h.ID() != p.outID {
		return nil, fmt.Errorf("%w: got %s (%d bytes), want %s (%d bytes)", ErrMismatch, h.ID(), h.Size(), merkle.ID(p.outID), p.outSize)
	}
	return st, nil
}

type materializer struct {
	c   *countReader
	ref *refFile
	w   io.Writer
	// scratch buffers, one block each
	a, b []byte
	f    []float32
	acc  []float32
}

func (m *materializer) bufs(n int) ([]byte, []byte) {
	if cap(m.a) < n {
		m.a = make([]byte, n)
		m.b = make([]byte, n)
	}
	return m.a[:n], m.b[:n]
}

// refTensor reads a reference index and checks the tensor it names fits.
func (m *materializer) refTensor(body io.Reader, t safetensors.TensorInfo) (safetensors.TensorInfo, error) {
	var b [4]byte
	if _, err := io.ReadFull(body, b[:]); err != nil {
		return safetensors.TensorInfo{}, eofCorrupt(err, "a reference index")
	}
	idx := binary.LittleEndian.Uint32(b[:])
	if int(idx) >= len(m.ref.hdr.Tensors) {
		return safetensors.TensorInfo{}, fmt.Errorf("%w: reference tensor #%d, the reference has %d", ErrWrongBase, idx, len(m.ref.hdr.Tensors))
	}
	rt := m.ref.hdr.Tensors[idx]
	if !compatible(t, rt) {
		return rt, fmt.Errorf("%w: reference tensor %q is %s%v, the delta needs %s%v", ErrWrongBase, rt.Name, rt.Dtype, rt.Shape, t.Dtype, t.Shape)
	}
	return rt, nil
}

func (m *materializer) tensor(t safetensors.TensorInfo) (TensorStat, error) {
	ts := TensorStat{Name: t.Name, Dtype: t.Dtype, Shape: t.Shape, Size: t.Size(), RefIndex: -1}
	kind, err := m.c.u8("a tensor record")
	if err != nil {
		return ts, err
	}
	ts.Kind = Kind(kind)
	l, err := m.c.u64("a record length")
	if err != nil {
		return ts, err
	}
	lim := &io.LimitedReader{R: m.c, N: int64(min(l, math.MaxInt64))}
	size := t.Size()
	w := elemWidth(t.Dtype)
	blockBytes := uint64(BlockElems * w)
	switch ts.Kind {
	case KindRef:
		if l != 4 {
			return ts, corruptf("ref record of %d bytes", l)
		}
		rt, err := m.refTensor(lim, t)
		if err != nil {
			return ts, err
		}
		ts.RefIndex, ts.RefName = m.refIndex(rt), rt.Name
		a, _ := m.bufs(int(blockBytes))
		for off := uint64(0); off < size; off += blockBytes {
			n := min(blockBytes, size-off)
			if err := m.ref.readAt(a[:n], rt, off); err != nil {
				return ts, err
			}
			if _, err := m.w.Write(a[:n]); err != nil {
				return ts, err
			}
		}
	case KindDense:
		rt, err := m.refTensor(lim, t)
		if err != nil {
			return ts, err
		}
		ts.RefIndex, ts.RefName = m.refIndex(rt), rt.Name
		x, err := readByte(lim, "a transform")
		if err != nil {
			return ts, err
		}
		if x != TransformXOR && x != TransformDiff {
			return ts, corruptf("transform %d", x)
		}
		ts.Transform = x
		br, err := newBlockReader(lim, w)
		if err != nil {
			return ts, err
		}
		defer br.abort()
		a, b := m.bufs(int(blockBytes))
		for off := uint64(0); off < size; off += blockBytes {
			n := min(blockBytes, size-off)
			if err := br.readBlock(a[:n]); err != nil {
				return ts, err
			}
			if err := m.ref.readAt(b[:n], rt, off); err != nil {
				return ts, err
			}
			inverse(a[:n], b[:n], w, x)
			if _, err := m.w.Write(a[:n]); err != nil {
				return ts, err
			}
		}
		if err := br.finish(); err != nil {
			return ts, err
		}
	case KindLowRank:
		if err := m.lowRank(t, lim, l, &ts); err != nil {
			return ts, err
		}
	case KindRaw:
		x, err := readByte(lim, "a raw codec")
		if err != nil {
			return ts, err
		}
		ts.Codec = x
		switch x {
		case RawStored:
			if l-1 != size {
				return ts, corruptf("stored tensor of %d bytes in a record of %d", size, l)
			}
			if _, err := io.CopyN(m.w, lim, int64(size)); err != nil {
				return ts, eofCorrupt(err, "a stored tensor")
			}
		case RawZstd:
			br, err := newBlockReader(lim, w)
			if err != nil {
				return ts, err
			}
			defer br.abort()
			a, _ := m.bufs(int(blockBytes))
			for off := uint64(0); off < size; off += blockBytes {
				n := min(blockBytes, size-off)
				if err := br.readBlock(a[:n]); err != nil {
					return ts, err
				}
				if _, err := m.w.Write(a[:n]); err != nil {
					return ts, err
				}
			}
			if err := br.finish(); err != nil {
				return ts, err
			}
		default:
			return ts, corruptf("raw codec %d", x)
		}
	default:
		return ts, corruptf("unknown kind %d", kind)
	}
	if lim.N != 0 {
		return ts, corruptf("%d unused bytes in the record", lim.N)
	}
	return ts, nil
}

func (m *materializer) refIndex(rt safetensors.TensorInfo) int {
	for i, t := range m.ref.hdr.Tensors {
		if t.Name == rt.Name {
			return i
		}
	}
	return -1
}

// lowRank materializes ref + Σ updates (+ residual) block by block.
func (m *materializer) lowRank(t safetensors.TensorInfo, lim *io.LimitedReader, l uint64, ts *TensorStat) error {
	rows, cols, ok := matrixShape(t)
	if !ok || !tensormath.IsFloat(t.Dtype) {
		return corruptf("low-rank record for %s%v", t.Dtype, t.Shape)
	}
	if l < 4 {
		return corruptf("low-rank record of %d bytes", l)
	}
	rt, err := m.refTensor(lim, t)
	if err != nil {
		return err
	}
	ts.RefIndex, ts.RefName = m.refIndex(rt), rt.Name
	terms, _, err := readTerms(lim, rows, cols, l-4)
	if err != nil {
		return err
	}
	ups := make([]tensormath.LowRank, len(terms))
	for i, tm := range terms {
		ups[i] = tm.LowRank
		ts.Ranks = append(ts.Ranks, tm.Rank)
	}
	flag, err := readByte(lim, "a residual flag")
	if err != nil {
		return err
	}
	if flag > 1 {
		return corruptf("residual flag %d", flag)
	}
	ts.Residual = flag == 1
	w := tensormath.Width(t.Dtype)
	var br *blockReader
	if ts.Residual {
		if br, err = newBlockReader(lim, w); err != nil {
			return err
		}
		defer br.abort()
	}
	ev := tensormath.NewEvaluator(rows, cols, ups)
	a, b := m.bufs(BlockElems * w)
	total := uint64(rows) * uint64(cols)
	for e := uint64(0); e < total; e += BlockElems {
		n := min(BlockElems, total-e)
		nb := int(n) * w
		if err := m.ref.readAt(a[:nb], rt, e*uint64(w)); err != nil {
			return err
		}
		ev.Apply(a[:nb], t.Dtype, e)
		if br != nil {
			if err := br.readBlock(b[:nb]); err != nil {
				return err
			}
			forward(a[:nb], b[:nb], w, TransformXOR)
		}
		if _, err := m.w.Write(a[:nb]); err != nil {
			return err
		}
	}
	if br != nil {
		return br.finish()
	}
	return nil
}

// equalBytes is bytes.Equal, named for what the encoder asks.
func equalBytes(a, b []byte) bool { return bytes.Equal(a, b) }

package object

import (
	"context"
	"fmt"
	"io"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// segmentSize is how much of the input one read brings in; several are in
// flight so reading overlaps hashing.
const segmentSize = 8 << 20

// segment is a piece of the input at offset off.
type segment struct {
	off uint64
	buf []byte
}

// readSegments reads [0, total) of src in pieces of segSize bytes, in order,
// from a fixed set of depth buffers that the consumer hands back through the
// returned channel. Bytes at or past size read as zeros (padding). The
// output closes after the last piece or on error.
func readSegments(ctx context.Context, g *group, src io.ReaderAt, size, total uint64, segSize, depth int) (<-chan segment, chan<- []byte) {
	out := make(chan segment, depth)
	free := make(chan []byte, depth)
	for range depth {
		free <- make([]byte, segSize)
	}
	g.Go(func() error {
		defer close(out)
		for off := uint64(0); off < total; {
			buf, _, err := recv(ctx, free)
			if err != nil {
				return err
			}
			n := min(uint64(segSize), total-off)
			buf = buf[:n]
			if err := readPadded(src, buf, off, size); err != nil {
				return err
			}
			if err := send(ctx, out, segment{off, buf}); err != nil {
				return err
			}
			off += n
		}
		return nil
	})
	return out, free
}

// readPadded fills buf with src[off:] up to size and zeros beyond.
func readPadded(src io.ReaderAt, buf []byte, off, size uint64) error {
	var n uint64
	if off < size {
		n = min(uint64(len(buf)), size-off)
		if got, err := src.ReadAt(buf[:n], int64(off)); uint64(got) != n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read input at %d: %w", off, err)
		}
	}
	clear(buf[n:])
	return nil
}

// Sum computes the object id of the first size bytes of src, reading ahead
// while the leaves are hashed on every core.
func Sum(ctx context.Context, src io.ReaderAt, size uint64, p progress.Reporter) (merkle.ID, error) {
	if p == nil {
		p = progress.Nop
	}
	p.Start("hash", int64(size))
	defer p.Finish()
	g, ctx := newGroup(ctx)
	segs, free := readSegments(ctx, g, src, size, size, segmentSize, 3)
	h := merkle.New()
	g.Go(func() error {
		for {
			s, ok, err := recv(ctx, segs)
			if !ok {
				return err
			}
			h.Write(s.buf)
			p.Add(int64(len(s.buf)))
			free <- s.buf[:cap(s.buf)]
		}
	})
	if err := g.Wait(); err != nil {
		return merkle.ID{}, err
	}
	return h.ID(), nil
}

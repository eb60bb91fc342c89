package object

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/klauspost/reedsolomon"
	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// SplitOptions parameterise Split.
type SplitOptions struct {
	// K of N shards rebuild the object.
	K, N int
	// BlockSize is each shard's share of a stripe; 0 picks
	// DefaultBlockSizeFor(N).
	BlockSize uint64
	// Recipients (x-only public keys, hex) make the object private: it is
	// encrypted and its data key wrapped to each. None: a public object.
	Recipients []string
	// ChunkSize is the plaintext per encrypted chunk; 0 picks
	// objcrypt.DefaultChunkSize. Private objects only.
	ChunkSize uint64
	// Rand supplies keys, salts and nonces; nil means crypto/rand.
	Rand io.Reader
	// Progress receives the "hash" and "encode" stages; nil for none.
	Progress progress.Reporter
	// Expect, when set, is the manifest an earlier Split of the same bytes
	// with the same options produced (for a private object, with Rand
	// giving the same stream). The split then makes one pass instead of
	// two: it takes the ids and shard hashes from Expect rather than
	// computing them, after checking that its coding and encryption
	// parameters match. Nothing checks the shards it writes against those
	// hashes, so whoever receives them must, as a Blossom server checks an
	// upload against its name. It lets a shard stream to where it goes
	// once its name is known, without a copy on disk.
	Expect *Manifest
	// ID, when set, is the object id the bytes should have; the split
	// fails with ErrWrongID if they have another, and never commits a
	// shard then. For a public object it lets the split read the bytes
	// once instead of twice: shard headers (which carry the id) are written
	// while the id is still being computed, and every shard is aborted
	// rather than committed if it comes out different.
	ID *merkle.ID
}

// SplitResult describes a split object.
type SplitResult struct {
	Manifest *Manifest
	// ObjectID and Size name the file (for a public object, the same as
	// Manifest.ID and Manifest.Size).
	ObjectID merkle.ID
	Size     uint64
	// DataKey is the private object's key, for the caller's own records.
	DataKey *objcrypt.DataKey
}

// Split reads size bytes of src and writes the n shards of the object to
// sink. It makes two passes over src: the first computes the ids (which
// every shard header carries), the second encrypts if needed, erasure-codes
// and writes the shards. Memory is a few stripes, whatever the size.
// On error no shard has been committed unless the error came from the sink
// while committing.
func Split(ctx context.Context, src io.ReaderAt, size uint64, opts SplitOptions, sink ShardSink) (*SplitResult, error) {
	if opts.Rand == nil {
		opts.Rand = cryptorand.Reader
	}
	if opts.Progress == nil {
		opts.Progress = progress.Nop
	}
	if opts.BlockSize == 0 {
		opts.BlockSize = DefaultBlockSizeFor(opts.N)
	}
	if err := CheckCoding(opts.K, opts.N, opts.BlockSize); err != nil {
		return nil, err
	}
	s := &splitter{src: src, size: size, opts: opts, m: &Manifest{K: opts.K, N: opts.N, BlockSize: opts.BlockSize}}
	if len(opts.Recipients) > 0 {
		if err := s.prepareEncryption(); err != nil {
			return nil, err
		}
	} else {
		s.m.Size = size
	}
	if s.m.Size > MaxSize {
		return nil, fmt.Errorf("object of %d bytes exceeds the %d-byte limit", size, uint64(MaxSize))
	}

	if opts.Expect != nil {
		return s.splitExpected(ctx, sink)
	}
	var err error
	switch {
	case s.cc == nil && opts.ID != nil:
		// Hashed during the encoding.
		s.objectID, s.m.ID = *opts.ID, *opts.ID
		s.checkID = true
	case s.cc == nil:
		s.objectID, err = Sum(ctx, src, size, opts.Progress)
		s.m.ID = s.objectID
	default:
		err = s.hashPrivate(ctx)
		if err == nil && opts.ID != nil && *opts.ID != s.objectID {
			err = fmt.Errorf("%w: %s, not %s", ErrWrongID, s.objectID, *opts.ID)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.encode(ctx, sink); err != nil {
		return nil, err
	}
	res := &SplitResult{Manifest: s.m, ObjectID: s.objectID, Size: size}
	if s.cc != nil {
		if err := s.finishEncryption(); err != nil {
			return nil, err
		}
		res.DataKey = &s.key
	}
	if err := s.m.Validate(); err != nil {
		return nil, fmt.Errorf("split produced an invalid manifest: %w", err)
	}
	return res, nil
}

// splitExpected is Split's single pass when the manifest is known.
func (s *splitter) splitExpected(ctx context.Context, sink ShardSink) (*SplitResult, error) {
	want := s.opts.Expect
	if err := want.Validate(); err != nil {
		return nil, fmt.Errorf("expected manifest: %w", err)
	}
	if want.K != s.m.K || want.N != s.m.N || want.BlockSize != s.m.BlockSize || want.Size != s.m.Size {
		return nil, fmt.Errorf("expected manifest has k=%d n=%d block %d size %d, the split k=%d n=%d block %d size %d",
			want.K, want.N, want.BlockSize, want.Size, s.m.K, s.m.N, s.m.BlockSize, s.m.Size)
	}
	res := &SplitResult{Manifest: want, Size: s.size}
	if (want.Encryption == nil) != (s.cc == nil) {
		return nil, errors.New("expected manifest and split disagree on encryption")
	}
	if s.cc != nil {
		e, w := s.m.Encryption, want.Encryption
		if e.ChunkSize != w.ChunkSize || e.Salt != w.Salt || e.EphemeralKey != w.EphemeralKey {
			return nil, errors.New("expected manifest was split with other keys (a different random stream)")
		}
		id, size, err := objcrypt.OpenObject(s.key, w.Salt, w.Sealed, want.ID, want.Size)
		if err != nil || size != s.size {
			return nil, errors.New("expected manifest's sealed object id does not open with this split's key")
		}
		res.ObjectID = id
		res.DataKey = &s.key
	} else {
		res.ObjectID = want.ID
	}
	s.m.ID = want.ID
	s.m.Encryption = want.Encryption
	s.expect = want.Shards
	if err := s.encode(ctx, sink); err != nil {
		return nil, err
	}
	return res, nil
}

type splitter struct {
	src  io.ReaderAt
	size uint64
	opts SplitOptions
	m    *Manifest

	// private objects
	key       objcrypt.DataKey
	ephemeral string
	cc        *objcrypt.ChunkCipher
	padded    uint64 // plaintext length encrypted: size padded
	chunks    uint64

	objectID merkle.ID
	// expect, when set, are the shard hashes: encode takes them instead of
	// hashing.
	expect []Hash
	// checkID makes encode compute the (public) object id as it goes and
	// commit nothing unless it is objectID.
	checkID bool
}

func (s *splitter) prepareEncryption() error {
	e := &Encryption{ChunkSize: s.opts.ChunkSize}
	if e.ChunkSize == 0 {
		e.ChunkSize = objcrypt.DefaultChunkSize
	}
	if len(s.opts.Recipients) > objcrypt.MaxRecipients {
		return fmt.Errorf("%d recipients: at most %d", len(s.opts.Recipients), objcrypt.MaxRecipients)
	}
	for _, r := range s.opts.Recipients {
		if !nostr.IsValidPublicKey(r) {
			return fmt.Errorf("recipient %q is not a valid public key (64 lowercase hex digits)", r)
		}
	}
	var err error
	if s.key, err = objcrypt.NewDataKey(s.opts.Rand); err != nil {
		return err
	}
	if _, err := io.ReadFull(s.opts.Rand, e.Salt[:]); err != nil {
		return fmt.Errorf("draw salt: %w", err)
	}
	if s.ephemeral, e.EphemeralKey, err = objcrypt.NewEphemeralKey(s.opts.Rand); err != nil {
		return err
	}
	if s.cc, err = objcrypt.NewChunkCipher(s.key, e.Salt, e.ChunkSize); err != nil {
		return err
	}
	s.padded = objcrypt.PaddedSize(s.size)
	s.chunks = objcrypt.Chunks(s.padded, e.ChunkSize)
	ct, ok := objcrypt.CiphertextSize(s.padded, e.ChunkSize)
	if !ok {
		return fmt.Errorf("object of %d bytes is too large", s.size)
	}
	s.m.Size = ct
	s.m.Encryption = e
	return nil
}

func (s *splitter) finishEncryption() error {
	e := s.m.Encryption
	var err error
	if e.Sealed, err = objcrypt.SealObject(s.key, e.Salt, s.objectID, s.size, s.m.ID, s.m.Size); err != nil {
		return err
	}
	e.Keys, err = objcrypt.Wrap(s.key, s.ephemeral, s.opts.Recipients, s.opts.Rand)
	return err
}

// hashPrivate is the first pass for a private object: the merkle id of the
// plaintext and of its encryption, computed side by side.
func (s *splitter) hashPrivate(ctx context.Context) error {
	p := s.opts.Progress
	p.Start("hash", int64(s.size))
	defer p.Finish()
	e := s.cc.ChunkSize()
	perSeg := max(1, segmentSize/e)
	g, ctx := newGroup(ctx)
	segs, free := readSegments(ctx, g, s.src, s.size, s.padded, int(perSeg*e), 3)
	plain, stored := merkle.New(), merkle.New()
	ct := make([]byte, perSeg*(e+objcrypt.TagSize))
	g.Go(func() error {
		// An empty object still has one (empty, final) chunk.
		if s.padded == 0 {
			stored.Write(s.cc.Seal(ct[:0], nil, 0, true))
			return nil
		}
		for {
			seg, ok, err := recv(ctx, segs)
			if !ok {
				return err
			}
			first := seg.off / e
			n := (uint64(len(seg.buf)) + e - 1) / e
			done := make(chan struct{})
			go func() {
				if seg.off < s.size {
					plain.Write(seg.buf[:min(uint64(len(seg.buf)), s.size-seg.off)])
				}
				close(done)
			}()
			forEach(int(n), func(_, lo, hi int) error {
				for i := uint64(lo); i < uint64(hi); i++ {
					c := first + i
					pt := seg.buf[i*e : min((i+1)*e, uint64(len(seg.buf)))]
					s.cc.Seal(ct[i*(e+objcrypt.TagSize):i*(e+objcrypt.TagSize)], pt, c, c == s.chunks-1)
				}
				return nil
			})
			stored.Write(ct[:uint64(len(seg.buf))+n*objcrypt.TagSize])
			<-done
			p.Add(int64(min(uint64(len(seg.buf)), s.size-min(s.size, seg.off))))
			free <- seg.buf[:cap(seg.buf)]
		}
	})
	if err := g.Wait(); err != nil {
		return err
	}
	s.objectID = plain.ID()
	s.m.ID = stored.ID()
	if plain.Size() != s.size || stored.Size() != s.m.Size {
		return fmt.Errorf("internal error: hashed %d/%d bytes, want %d/%d", plain.Size(), stored.Size(), s.size, s.m.Size)
	}
	return nil
}

// stripe is one stripe's buffers: shard i's block is shards[i], and the k
// data blocks are contiguous, so buf[:k·block] is the stored bytes.
type stripe struct {
	index   uint64
	off     uint64 // stored offset
	block   uint64
	data    uint64 // stored bytes in this stripe
	buf     []byte
	shards  [][]byte
	pending atomic.Int32
}

func newStripes(depth, n int, blockSize uint64) chan *stripe {
	free := make(chan *stripe, depth)
	for range depth {
		free <- &stripe{buf: make([]byte, uint64(n)*blockSize), shards: make([][]byte, n)}
	}
	return free
}

// at prepares st for stripe s of layout l.
func (st *stripe) at(l Layout, s uint64) {
	st.index = s
	st.off, st.block, st.data = l.Stripe(s)
	for i := range st.shards {
		st.shards[i] = st.buf[uint64(i)*st.block : uint64(i+1)*st.block]
	}
}

// pipelineDepth is the number of stripes in flight: one being filled, one
// coded, one written.
const pipelineDepth = 3

// encode is the second pass: fill each stripe with stored bytes, add parity,
// and let one lane per shard hash and write its block.
func (s *splitter) encode(ctx context.Context, sink ShardSink) error {
	l := s.m.Layout()
	p := s.opts.Progress
	p.Start("encode", int64(l.Size))
	defer p.Finish()

	var enc reedsolomon.Encoder
	if l.N > l.K {
		var err error
		if enc, err = reedsolomon.New(l.K, l.N-l.K); err != nil {
			return fmt.Errorf("reed-solomon: %w", err)
		}
	}
	writers := make([]ShardWriter, l.N)
	abort := func() {
		for _, w := range writers {
			if w != nil {
				w.Abort()
			}
		}
	}
	for i := range writers {
		w, err := sink.Create(i)
		if err != nil {
			abort()
			return fmt.Errorf("create shard %d: %w", i, err)
		}
		writers[i] = w
	}

	g, ctx := newGroup(ctx)
	free := newStripes(pipelineDepth, l.N, l.BlockSize)
	filled := make(chan *stripe, pipelineDepth)
	// A lane hashes and writes two shards: their blocks have the same
	// length, so sha256x2 hashes them together.
	lanes := make([]chan *stripe, (l.N+1)/2)
	for i := range lanes {
		lanes[i] = make(chan *stripe, pipelineDepth)
	}
	s.m.Shards = make([]Hash, l.N)
	if s.expect != nil {
		copy(s.m.Shards, s.expect)
	}

	// release hands a stripe back once its last consumer is done with it.
	release := func(st *stripe) {
		if st.pending.Add(-1) == 0 {
			p.Add(int64(st.data))
			free <- st
		}
	}

	// With checkID, one more lane hashes each stripe's stored bytes, in
	// order, into the object id.
	var idLane chan *stripe
	var idHash *merkle.Hasher
	consumers := len(lanes)
	if s.checkID {
		idLane = make(chan *stripe, pipelineDepth)
		idHash = merkle.New()
		consumers++
		g.Go(func() error {
			for {
				st, ok, err := recv(ctx, idLane)
				if !ok {
					return err
				}
				idHash.Write(st.buf[:st.data])
				release(st)
			}
		})
	}

	// Fill.
	g.Go(func() error {
		defer close(filled)
		var fill func(*stripe) error
		if s.cc == nil {
			fill = s.fillPublic
		} else {
			fill = s.newPrivateFiller()
		}
		for i := range l.Stripes() {
			st, _, err := recv(ctx, free)
			if err != nil {
				return err
			}
			st.at(l, i)
			if err := fill(st); err != nil {
				return err
			}
			if err := send(ctx, filled, st); err != nil {
				return err
			}
		}
		return nil
	})
	// Code, then hand the stripe to every lane.
	g.Go(func() error {
		defer func() {
			for _, ch := range lanes {
				close(ch)
			}
			if idLane != nil {
				close(idLane)
			}
		}()
		for {
			st, ok, err := recv(ctx, filled)
			if !ok {
				return err
			}
			if enc != nil {
				if err := enc.Encode(st.shards); err != nil {
					return fmt.Errorf("reed-solomon stripe %d: %w", st.index, err)
				}
			}
			st.pending.Store(int32(consumers))
			if idLane != nil {
				if err := send(ctx, idLane, st); err != nil {
					return err
				}
			}
			for _, ch := range lanes {
				if err := send(ctx, ch, st); err != nil {
					return err
				}
			}
		}
	})
	// Lanes: shards 2j and 2j+1 (the last alone when n is odd): the
	// header, then the shard's block of every stripe.
	for j := range lanes {
		g.Go(func() error {
			h := newShardHasher(2*j, l.N)
			hash := s.expect == nil
			hdrs := make([][]byte, len(h.index))
			for x, i := range h.index {
				hdr := s.m.ShardHeader(i).Marshal()
				hdrs[x] = hdr[:]
			}
			if hash {
				h.write(hdrs...)
			}
			for x, i := range h.index {
				if _, err := writers[i].Write(hdrs[x]); err != nil {
					return fmt.Errorf("write shard %d: %w", i, err)
				}
			}
			blocks := make([][]byte, len(h.index))
			for {
				st, ok, err := recv(ctx, lanes[j])
				if !ok {
					if err == nil && hash {
						h.sum(s.m.Shards)
					}
					return err
				}
				for x, i := range h.index {
					blocks[x] = st.shards[i]
				}
				if hash {
					h.write(blocks...)
				}
				for x, i := range h.index {
					if _, err := writers[i].Write(blocks[x]); err != nil {
						return fmt.Errorf("write shard %d: %w", i, err)
					}
				}
				release(st)
			}
		})
	}
	if err := g.Wait(); err != nil {
		abort()
		return err
	}
	if s.checkID {
		if got := idHash.ID(); got != s.objectID || idHash.Size() != s.size {
			abort()
			return fmt.Errorf("%w: %s, not %s", ErrWrongID, got, s.objectID)
		}
	}
	for i, w := range writers {
		if err := w.Commit(s.m.Shards[i]); err != nil {
			for _, w := range writers[i+1:] {
				w.Abort()
			}
			return fmt.Errorf("commit shard %d: %w", i, err)
		}
	}
	return nil
}

func (s *splitter) fillPublic(st *stripe) error {
	data := st.buf[:uint64(len(st.shards[0]))*uint64(s.m.K)]
	if err := readPadded(s.src, data[:st.data], st.off, s.size); err != nil {
		return err
	}
	clear(data[st.data:])
	return nil
}

// newPrivateFiller returns a function that fills a stripe with the
// encryption of the plaintext it covers. Chunks are sealed in parallel,
// straight into the stripe when they lie inside it; a chunk that straddles
// two stripes is sealed once for each (a few chunks per stripe at most).
func (s *splitter) newPrivateFiller() func(*stripe) error {
	e := s.cc.ChunkSize()
	span := e + objcrypt.TagSize
	w := workers()
	pts := make([][]byte, w)
	tmps := make([][]byte, w)
	for i := range pts {
		pts[i] = make([]byte, e)
		tmps[i] = make([]byte, 0, span)
	}
	return func(st *stripe) error {
		data := st.buf[:uint64(len(st.shards[0]))*uint64(s.m.K)]
		first := st.off / span
		last := (st.off + st.data - 1) / span
		err := forEach(int(last-first+1), func(wi, lo, hi int) error {
			for c := first + uint64(lo); c < first+uint64(hi); c++ {
				plen := min(e, s.padded-c*e)
				pt := pts[wi][:plen]
				if err := readPadded(s.src, pt, c*e, s.size); err != nil {
					return err
				}
				start, end := c*span, c*span+plen+objcrypt.TagSize
				final := c == s.chunks-1
				if start >= st.off && end <= st.off+st.data {
					s.cc.Seal(data[start-st.off:start-st.off], pt, c, final)
					continue
				}
				ct := s.cc.Seal(tmps[wi][:0], pt, c, final)
				lo, hi := max(start, st.off), min(end, st.off+st.data)
				copy(data[lo-st.off:hi-st.off], ct[lo-start:hi-start])
			}
			return nil
		})
		clear(data[st.data:])
		return err
	}
}

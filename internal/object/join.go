package object

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/klauspost/reedsolomon"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// JoinOptions parameterise Join.
type JoinOptions struct {
	// Key is a private object's data key (see Manifest.DataKey).
	Key *objcrypt.DataKey
	// Progress receives the "join" stage (and "verify" when a shard turns
	// out corrupt); nil for none.
	Progress progress.Reporter
	// VerifyShards hashes every shard used as it is read and checks it
	// against the manifest, so that a corrupt shard is known by its hash
	// without reading it again (a shard streamed from a server, say). The
	// output is checked against the object id either way.
	VerifyShards bool
}

// JoinResult describes a rebuilt object.
type JoinResult struct {
	ObjectID merkle.ID
	Size     uint64
	// Used are the shards the object was rebuilt from.
	Used []int
	// Bad are the shards found missing or corrupt on the way.
	Bad []ShardProblem
}

// Join rebuilds the object of manifest m from any k of its shards and
// writes its bytes to dst at offsets [0, size). dst should start empty.
//
// Data shards are preferred (no decoding needed). Every byte written is
// checked: the object id of the output must equal the manifest's (public)
// or the sealed one (private), and private chunks are authenticated. Shard
// hashes are checked only when that fails: the shards used are then hashed,
// the corrupt ones are set aside as missing, and the join starts over with
// others. When fewer than k usable shards remain, the error is a
// *NotEnoughShardsError naming the missing and corrupt ones.
func Join(ctx context.Context, m *Manifest, src ShardSource, dst io.WriterAt, opts JoinOptions) (*JoinResult, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if opts.Progress == nil {
		opts.Progress = progress.Nop
	}
	wantID, wantSize, err := m.Object(opts.Key)
	if err != nil {
		return nil, err
	}
	j := &joiner{m: m, l: m.Layout(), dst: dst, p: opts.Progress, size: wantSize, verify: opts.VerifyShards}
	if m.Encryption != nil {
		if j.cc, err = objcrypt.NewChunkCipher(*opts.Key, m.Encryption.Salt, m.Encryption.ChunkSize); err != nil {
			return nil, err
		}
		j.padded, _ = objcrypt.PlaintextSize(m.Size, m.Encryption.ChunkSize)
		if wantSize > j.padded || objcrypt.PaddedSize(wantSize) != j.padded {
			return nil, fmt.Errorf("sealed object size %d does not pad to the %d bytes stored", wantSize, j.padded)
		}
	}
	if j.l.N > j.l.K {
		if j.enc, err = reedsolomon.New(j.l.K, j.l.N-j.l.K); err != nil {
			return nil, fmt.Errorf("reed-solomon: %w", err)
		}
	}

	bad := map[int]ShardProblem{}
	for {
		set, err := openShards(m, src, bad)
		if err != nil {
			return nil, err
		}
		id, derr := j.decode(ctx, set)
		set.close()
		if derr == nil && id != wantID {
			derr = fmt.Errorf("rebuilt object has id %s, the manifest names %s", id, wantID)
		}
		if derr == nil {
			return &JoinResult{ObjectID: id, Size: wantSize, Used: set.indices(), Bad: problems(bad)}, nil
		}
		var oe *outputError
		if errors.As(derr, &oe) || ctx.Err() != nil {
			return nil, derr
		}
		var se *shardReadError
		if errors.As(derr, &se) {
			bad[se.index] = ShardProblem{Index: se.index, Hash: m.Shards[se.index], Reason: ReasonTruncated}
			continue
		}
		var ce *corruptShardsError
		if errors.As(derr, &ce) {
			for _, i := range ce.indices {
				bad[i] = ShardProblem{Index: i, Hash: m.Shards[i], Reason: ReasonCorrupt}
			}
			continue
		}
		// Something decoded wrong: find which shard lied (already known
		// when the shards were hashed as they were read: none).
		var found []ShardProblem
		if !j.verify {
			found, err = verifyShards(ctx, m, src, set.indices(), j.p)
			if err != nil {
				return nil, err
			}
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("shards %s match the manifest but do not rebuild its object (the manifest is inconsistent): %w", indexList(set.indices()), derr)
		}
		for _, p := range found {
			bad[p.Index] = p
		}
	}
}

// outputError marks a failure to write the output, which no other choice of
// shards can fix.
type outputError struct{ err error }

func (e *outputError) Error() string { return "write output: " + e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// shardReadError is a shard that ended early or could not be read.
type shardReadError struct {
	index int
	err   error
}

func (e *shardReadError) Error() string { return fmt.Sprintf("read shard %d: %v", e.index, e.err) }

// corruptShardsError names shards whose bytes did not hash to the manifest's
// sha256.
type corruptShardsError struct{ indices []int }

func (e *corruptShardsError) Error() string {
	return fmt.Sprintf("shards %s do not match their sha256 in the manifest", indexList(e.indices))
}

// shardSet is k opened shards, positioned after their headers.
type shardSet struct {
	readers map[int]io.ReadCloser
}

func (s *shardSet) indices() []int {
	out := make([]int, 0, len(s.readers))
	for i := range s.readers {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

func (s *shardSet) close() {
	for _, r := range s.readers {
		r.Close()
	}
}

// openShards opens k usable shards, data shards first, recording the
// missing ones and those whose header is wrong in bad.
func openShards(m *Manifest, src ShardSource, bad map[int]ShardProblem) (*shardSet, error) {
	set := &shardSet{readers: map[int]io.ReadCloser{}}
	want := make([]byte, 0, HeaderSize)
	got := make([]byte, HeaderSize)
	for i := 0; i < m.N && len(set.readers) < m.K; i++ {
		if _, ok := bad[i]; ok {
			continue
		}
		problem := func(reason string) { bad[i] = ShardProblem{Index: i, Hash: m.Shards[i], Reason: reason} }
		r, err := src.Open(i, m.Shards[i])
		if errors.Is(err, fs.ErrNotExist) {
			problem(ReasonMissing)
			continue
		}
		if err != nil {
			problem(fmt.Sprintf("unreadable (%v)", err))
			continue
		}
		if _, err := io.ReadFull(r, got); err != nil {
			r.Close()
			problem(ReasonTruncated)
			continue
		}
		hdr := m.ShardHeader(i).Marshal()
		if !bytes.Equal(got, append(want[:0], hdr[:]...)) {
			r.Close()
			// A blob with the right hash but the wrong header means the
			// manifest, not the shard, is wrong.
			if ok, _ := shardMatches(src, i, m.Shards[i], progress.Nop); ok {
				set.close()
				return nil, fmt.Errorf("shard %d matches its hash but not the header the manifest implies: the manifest is inconsistent", i)
			}
			problem(ReasonHeader)
			continue
		}
		set.readers[i] = r
	}
	if len(set.readers) < m.K {
		set.close()
		usable := set.indices()
		// Shards after the last one tried were never looked at; say so
		// rather than call them missing.
		return nil, &NotEnoughShardsError{K: m.K, N: m.N, Usable: usable, Bad: problems(bad)}
	}
	return set, nil
}

// verifyShards hashes whole shards and reports those that do not match the
// manifest.
func verifyShards(ctx context.Context, m *Manifest, src ShardSource, indices []int, p progress.Reporter) ([]ShardProblem, error) {
	p.Start("verify", int64(len(indices))*int64(m.Layout().ShardSize()))
	defer p.Finish()
	results := make([]*ShardProblem, len(indices))
	err := forEach(len(indices), func(_, lo, hi int) error {
		for k := lo; k < hi; k++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			i := indices[k]
			ok, err := shardMatches(src, i, m.Shards[i], p)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				results[k] = &ShardProblem{Index: i, Hash: m.Shards[i], Reason: ReasonMissing}
			case err != nil:
				results[k] = &ShardProblem{Index: i, Hash: m.Shards[i], Reason: fmt.Sprintf("unreadable (%v)", err)}
			case !ok:
				results[k] = &ShardProblem{Index: i, Hash: m.Shards[i], Reason: ReasonCorrupt}
			}
		}
		return nil
	})
	var out []ShardProblem
	for _, r := range results {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, err
}

// shardMatches hashes one shard blob.
func shardMatches(src ShardSource, i int, want Hash, p progress.Reporter) (bool, error) {
	r, err := src.Open(i, want)
	if err != nil {
		return false, err
	}
	defer r.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		n, err := r.Read(buf)
		h.Write(buf[:n])
		p.Add(int64(n))
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, err
		}
	}
	var got Hash
	h.Sum(got[:0])
	return got == want, nil
}

type joiner struct {
	m    *Manifest
	l    Layout
	dst  io.WriterAt
	p    progress.Reporter
	enc  reedsolomon.Encoder
	size uint64 // object bytes to write
	// verify hashes the shards used as they are read.
	verify bool

	// private objects
	cc     *objcrypt.ChunkCipher
	padded uint64
}

// piece is plaintext to write at off.
type piece struct {
	off     uint64
	buf     []byte
	release func()
}

// decode runs one attempt with the shards of set and returns the object id
// of what it wrote.
func (j *joiner) decode(ctx context.Context, set *shardSet) (merkle.ID, error) {
	l := j.l
	j.p.Start("join", int64(j.size))
	defer j.p.Finish()
	g, ctx := newGroup(ctx)
	free := newStripes(pipelineDepth, l.N, l.BlockSize)
	filled := make(chan *stripe, pipelineDepth)
	pieces := make(chan piece, pipelineDepth)
	used := set.indices()
	needDecode := used[len(used)-1] >= l.K // a parity shard stands in for a data shard

	// A stripe goes back to free once its bytes are out and, when shards
	// are verified, every lane has hashed its blocks.
	var lanes []chan *stripe
	sums := make([]Hash, l.N)
	if j.verify {
		lanes = make([]chan *stripe, (len(used)+1)/2)
		for x := range lanes {
			lanes[x] = make(chan *stripe, pipelineDepth)
		}
	}
	release := func(st *stripe) {
		if st.pending.Add(-1) == 0 {
			free <- st
		}
	}
	// Lanes: the used shards two by two (their blocks have the same
	// length), each from the header it was checked to have.
	for x := range lanes {
		g.Go(func() error {
			h := newShardHasher(2*x, len(used))
			var idx []int
			for _, u := range h.index {
				idx = append(idx, used[u])
			}
			h.index = idx
			hdrs := make([][]byte, len(idx))
			for y, i := range idx {
				hdr := j.m.ShardHeader(i).Marshal()
				hdrs[y] = hdr[:]
			}
			h.write(hdrs...)
			blocks := make([][]byte, len(idx))
			for {
				st, ok, err := recv(ctx, lanes[x])
				if !ok {
					if err == nil {
						h.sum(sums)
					}
					return err
				}
				for y, i := range idx {
					blocks[y] = st.shards[i]
				}
				h.write(blocks...)
				release(st)
			}
		})
	}

	// Read the used shards' blocks and rebuild missing data blocks.
	g.Go(func() error {
		defer close(filled)
		defer func() {
			for _, ch := range lanes {
				close(ch)
			}
		}()
		for s := range l.Stripes() {
			st, _, err := recv(ctx, free)
			if err != nil {
				return err
			}
			st.at(l, s)
			err = forEach(len(used), func(_, lo, hi int) error {
				for _, i := range used[lo:hi] {
					if _, err := io.ReadFull(set.readers[i], st.shards[i]); err != nil {
						return &shardReadError{index: i, err: err}
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			st.pending.Store(int32(1 + len(lanes)))
			// The lanes hash the blocks as read; decoding below only fills
			// the blocks of shards not used.
			for _, ch := range lanes {
				if err := send(ctx, ch, st); err != nil {
					return err
				}
			}
			if needDecode {
				for i := range st.shards {
					if _, ok := set.readers[i]; !ok {
						st.shards[i] = st.shards[i][:0]
					}
				}
				if err := j.enc.ReconstructData(st.shards); err != nil {
					return fmt.Errorf("reed-solomon stripe %d: %w", s, err)
				}
			}
			if err := send(ctx, filled, st); err != nil {
				return err
			}
		}
		return nil
	})
	// Turn stored bytes into object bytes.
	var contentErr error
	g.Go(func() error {
		defer close(pieces)
		if j.cc == nil {
			for {
				st, ok, err := recv(ctx, filled)
				if !ok {
					return err
				}
				if err := send(ctx, pieces, piece{st.off, st.buf[:st.data], func() { release(st) }}); err != nil {
					return err
				}
			}
		}
		err := j.decrypt(ctx, filled, release, pieces)
		if err == nil || !j.verify || ctx.Err() != nil {
			return err
		}
		// Bytes that do not decrypt come from a corrupt shard or a wrong
		// manifest: read on so the lanes finish hashing, which tells
		// which.
		contentErr = err
		for {
			st, ok, err := recv(ctx, filled)
			if !ok {
				return err
			}
			release(st)
		}
	})
	// Write and hash.
	h := merkle.New()
	g.Go(func() error {
		for {
			pc, ok, err := recv(ctx, pieces)
			if !ok {
				return err
			}
			if _, err := j.dst.WriteAt(pc.buf, int64(pc.off)); err != nil {
				return &outputError{err}
			}
			h.Write(pc.buf)
			j.p.Add(int64(len(pc.buf)))
			pc.release()
		}
	})
	if err := g.Wait(); err != nil {
		return merkle.ID{}, err
	}
	if j.verify {
		var corrupt []int
		for _, i := range used {
			if sums[i] != j.m.Shards[i] {
				corrupt = append(corrupt, i)
			}
		}
		if len(corrupt) > 0 {
			return merkle.ID{}, &corruptShardsError{corrupt}
		}
	}
	if contentErr != nil {
		return merkle.ID{}, contentErr
	}
	if h.Size() != j.size {
		return merkle.ID{}, fmt.Errorf("rebuilt %d bytes, want %d", h.Size(), j.size)
	}
	return h.ID(), nil
}

// decrypt authenticates and decrypts the stored stream stripe by stripe.
// Chunks inside a stripe are opened in parallel; a chunk split between two
// stripes is put together in a carry buffer first.
func (j *joiner) decrypt(ctx context.Context, filled <-chan *stripe, release func(*stripe), pieces chan<- piece) error {
	e := j.cc.ChunkSize()
	span := e + objcrypt.TagSize
	chunks := objcrypt.Chunks(j.padded, e)
	spanOf := func(c uint64) uint64 { return min(e, j.padded-c*e) + objcrypt.TagSize }
	outs := make(chan []byte, pipelineDepth)
	for range pipelineDepth {
		outs <- make([]byte, j.l.StripeData()+e)
	}
	carry := make([]byte, 0, span)
	var next uint64 // next chunk to open
	var offs []uint64
	for {
		st, ok, err := recv(ctx, filled)
		if !ok {
			if err == nil && (next != chunks || len(carry) != 0) {
				err = fmt.Errorf("stored stream ends inside chunk %d of %d", next, chunks)
			}
			return err
		}
		out, _, err := recv(ctx, outs)
		if err != nil {
			return err
		}
		plainOff := next * e
		var pos uint64
		seg := st.buf[:st.data]
		if len(carry) > 0 {
			take := min(spanOf(next)-uint64(len(carry)), uint64(len(seg)))
			carry = append(carry, seg[:take]...)
			seg = seg[take:]
			if uint64(len(carry)) == spanOf(next) {
				pt, err := j.cc.Open(out[:0], carry, next, next == chunks-1)
				if err != nil {
					return err
				}
				pos += uint64(len(pt))
				next++
				carry = carry[:0]
			}
		}
		offs = offs[:0]
		var o uint64
		for c := next; c < chunks && o+spanOf(c) <= uint64(len(seg)); c++ {
			offs = append(offs, o)
			o += spanOf(c)
		}
		first := next
		err = forEach(len(offs), func(_, lo, hi int) error {
			for i := lo; i < hi; i++ {
				c := first + uint64(i)
				dst := out[pos+uint64(i)*e : pos+uint64(i)*e]
				if _, err := j.cc.Open(dst, seg[offs[i]:offs[i]+spanOf(c)], c, c == chunks-1); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := uint64(len(offs)); n > 0 {
			next += n
			pos += o - n*objcrypt.TagSize
		}
		carry = append(carry, seg[o:]...)
		release(st)

		// Keep the object's bytes; the padding after them must be zeros.
		plain := out[:pos]
		if plainOff+pos > j.size {
			cut := max(j.size, plainOff) - plainOff
			if !allZero(plain[cut:]) {
				return errors.New("padding after the object is not zero")
			}
			plain = plain[:cut]
		}
		if err := send(ctx, pieces, piece{plainOff, plain, func() { outs <- out }}); err != nil {
			return err
		}
	}
}

var zeros = make([]byte, 64<<10)

func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if !bytes.Equal(b[:n], zeros[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

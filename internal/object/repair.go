package object

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"

	"github.com/klauspost/reedsolomon"

	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// RepairResult describes a repair.
type RepairResult struct {
	// Bad are the shards found missing or corrupt.
	Bad []ShardProblem
	// Repaired are the shards regenerated (all of Bad on success).
	Repaired []int
}

// Check hashes every shard of m and reports the missing and corrupt ones,
// changing nothing.
func Check(ctx context.Context, m *Manifest, src ShardSource, p progress.Reporter) ([]ShardProblem, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if p == nil {
		p = progress.Nop
	}
	all := make([]int, m.N)
	for i := range all {
		all[i] = i
	}
	return verifyShards(ctx, m, src, all, p)
}

// Repair checks every shard of m against its hash and regenerates the
// missing and corrupt ones from k good shards, byte-identical to the
// originals (each is checked against its manifest hash before it is
// committed to sink). It needs no data key: it works on the stored stream.
func Repair(ctx context.Context, m *Manifest, src ShardSource, sink ShardSink, p progress.Reporter) (*RepairResult, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if p == nil {
		p = progress.Nop
	}
	l := m.Layout()
	bad, err := Check(ctx, m, src, p)
	if err != nil {
		return nil, err
	}
	res := &RepairResult{Bad: bad}
	if len(bad) == 0 {
		return res, nil
	}
	isBad := make([]bool, l.N)
	for _, b := range bad {
		isBad[b.Index] = true
	}
	var good []int
	for i := range l.N {
		if !isBad[i] {
			good = append(good, i)
		}
	}
	if len(good) < l.K {
		return nil, &NotEnoughShardsError{K: l.K, N: l.N, Usable: good, Bad: bad}
	}
	used := good[:l.K]
	readers := make(map[int]io.ReadCloser, l.K)
	defer func() {
		for _, r := range readers {
			r.Close()
		}
	}()
	hdr := make([]byte, HeaderSize)
	for _, i := range used {
		r, err := src.Open(i, m.Shards[i])
		if err != nil {
			return nil, fmt.Errorf("reopen shard %d: %w", i, err)
		}
		readers[i] = r
		if _, err := io.ReadFull(r, hdr); err != nil {
			return nil, &shardReadError{index: i, err: err}
		}
	}
	enc, err := reedsolomon.New(l.K, l.N-l.K) // l.N > l.K: some shard is bad and k are good
	if err != nil {
		return nil, fmt.Errorf("reed-solomon: %w", err)
	}

	targets := make([]int, 0, len(bad))
	for _, b := range bad {
		targets = append(targets, b.Index)
	}
	writers := make(map[int]ShardWriter, len(targets))
	sums := make(map[int]hash.Hash, len(targets))
	abort := func() {
		for _, w := range writers {
			w.Abort()
		}
	}
	for _, i := range targets {
		w, err := sink.Create(i)
		if err != nil {
			abort()
			return nil, fmt.Errorf("create shard %d: %w", i, err)
		}
		writers[i] = w
		sums[i] = sha256.New()
		h := m.ShardHeader(i).Marshal()
		if err := writeBoth(w, sums[i], h[:]); err != nil {
			abort()
			return nil, fmt.Errorf("write shard %d: %w", i, err)
		}
	}
	required := make([]bool, l.N)
	for _, i := range targets {
		required[i] = true
	}

	p.Start("repair", int64(l.Size))
	err = func() error {
		defer p.Finish()
		st := <-newStripes(1, l.N, l.BlockSize)
		for s := range l.Stripes() {
			if err := ctx.Err(); err != nil {
				return err
			}
			st.at(l, s)
			err := forEach(len(used), func(_, lo, hi int) error {
				for _, i := range used[lo:hi] {
					if _, err := io.ReadFull(readers[i], st.shards[i]); err != nil {
						return &shardReadError{index: i, err: err}
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			for i := range st.shards {
				if _, ok := readers[i]; !ok {
					st.shards[i] = st.shards[i][:0]
				}
			}
			if err := enc.ReconstructSome(st.shards, required); err != nil {
				return fmt.Errorf("reed-solomon stripe %d: %w", s, err)
			}
			for _, i := range targets {
				if err := writeBoth(writers[i], sums[i], st.shards[i]); err != nil {
					return fmt.Errorf("write shard %d: %w", i, err)
				}
			}
			p.Add(int64(st.data))
		}
		return nil
	}()
	if err != nil {
		abort()
		return nil, err
	}
	for _, i := range targets {
		var got Hash
		sums[i].Sum(got[:0])
		if got != m.Shards[i] {
			abort()
			return nil, fmt.Errorf("regenerated shard %d does not match its manifest hash: the manifest is inconsistent with shards %s", i, indexList(used))
		}
	}
	for _, i := range targets {
		if err := writers[i].Commit(m.Shards[i]); err != nil {
			delete(writers, i)
			abort()
			return res, fmt.Errorf("commit shard %d: %w", i, err)
		}
		delete(writers, i)
		res.Repaired = append(res.Repaired, i)
	}
	return res, nil
}

func writeBoth(w io.Writer, h hash.Hash, b []byte) error {
	h.Write(b)
	_, err := w.Write(b)
	return err
}

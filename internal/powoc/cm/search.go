package cm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
)

// SearchOptions control Search.
type SearchOptions struct {
	Runtime     Runtime // memory sizes while evaluating candidates
	MaxContexts int     // most contexts a candidate may have (speed bound)
	Rounds      int     // passes over all moves, at most
	// Progress is told after each candidate: how many were evaluated and
	// the best code length so far.
	Progress func(evaluated int, best int64)
}

// DefaultMaxContexts bounds the contexts Search may choose, which bounds
// the cost of coding a byte: the reference architecture's count.
const DefaultMaxContexts = 8

// Search fits the architecture to sample: starting from start, it tries
// each move (add a context, drop one, change a rate) in a fixed order and
// keeps every move that shortens the sample's code, for up to Rounds passes
// or until a pass keeps nothing. It returns the best configuration and its
// code length. The result depends only on its inputs.
func Search(ctx context.Context, start Config, sample []byte, opt SearchOptions) (Config, int64, error) {
	if opt.MaxContexts <= 0 {
		opt.MaxContexts = DefaultMaxContexts
	}
	if opt.Rounds <= 0 {
		opt.Rounds = 2
	}
	evaluated := 0
	eval := func(c Config) (int64, error) {
		m, err := New(c, opt.Runtime, nil)
		if err != nil {
			return 0, err
		}
		_, n, err := Encode(ctx, m, bytes.NewReader(sample), io.Discard, nil)
		evaluated++
		return n, err
	}
	best := start
	best.Contexts = slices.Clone(start.Contexts)
	bestLen, err := eval(best)
	if err != nil {
		return best, 0, fmt.Errorf("search: %w", err)
	}
	report := func() {
		if opt.Progress != nil {
			opt.Progress(evaluated, bestLen)
		}
	}
	report()
	for round := 0; round < opt.Rounds; round++ {
		improved := false
		for _, move := range moves(best, opt.MaxContexts) {
			cand := move(best)
			if cand.Validate() != nil || len(cand.Contexts) > opt.MaxContexts {
				continue
			}
			if sameConfig(cand, best) {
				continue
			}
			n, err := eval(cand)
			if err != nil {
				return best, bestLen, fmt.Errorf("search: %w", err)
			}
			if n < bestLen {
				best, bestLen, improved = cand, n, true
			}
			report()
		}
		if !improved {
			break
		}
	}
	return best, bestLen, nil
}

// moves lists the candidate changes to c, in a fixed order. A move that no
// longer applies when its turn comes (the context it drops is gone) makes
// no change, and Search skips configurations that break its bounds.
func moves(c Config, maxContexts int) []func(Config) Config {
	var out []func(Config) Config
	// Swap a context for one not used, then add or drop one.
	for _, have := range c.Contexts {
		for k := Context(1); k < numContextKinds; k++ {
			if slices.Contains(c.Contexts, k) {
				continue
			}
			out = append(out, func(c Config) Config {
				cs := slices.Clone(c.Contexts)
				if i := slices.Index(cs, have); i >= 0 && !slices.Contains(cs, k) {
					cs[i] = k
				}
				c.Contexts = cs
				return c
			})
		}
	}
	for k := Context(1); k < numContextKinds; k++ {
		if slices.Contains(c.Contexts, k) {
			out = append(out, func(c Config) Config {
				if len(c.Contexts) > 1 {
					c.Contexts = slices.DeleteFunc(slices.Clone(c.Contexts), func(x Context) bool { return x == k })
				}
				return c
			})
		} else if len(c.Contexts) < maxContexts {
			out = append(out, func(c Config) Config {
				if !slices.Contains(c.Contexts, k) {
					c.Contexts = append(slices.Clone(c.Contexts), k)
				}
				return c
			})
		}
	}
	for _, d := range []int32{-1, 1} {
		out = append(out, func(c Config) Config { c.MixerRate += d; return c })
	}
	for _, d := range []int{-1, 1} {
		out = append(out, func(c Config) Config { c.MatchMin += d; return c })
	}
	for _, d := range []int{-1, 1} {
		out = append(out, func(c Config) Config { c.APMRate = uint(int(c.APMRate) + d); return c })
	}
	for _, l := range []uint32{255, 1023} {
		if l != c.SMLimit {
			out = append(out, func(c Config) Config { c.SMLimit = l; return c })
		}
	}
	return out
}

func sameConfig(a, b Config) bool {
	return slices.Equal(a.Contexts, b.Contexts) && a.MatchMin == b.MatchMin && a.FastMin == b.FastMin &&
		a.MixerRate == b.MixerRate && a.SMLimit == b.SMLimit && a.APMRate == b.APMRate
}

// Sample reads n bytes for Search from the concatenation of the inputs (of
// the given sizes) as blocks of up to 64 KiB spread evenly over it, so the
// sample sees all of the training data rather than its beginning.
func Sample(inputs []io.ReaderAt, sizes []int64, n int64) ([]byte, error) {
	var total int64
	for _, s := range sizes {
		total += s
	}
	const block = 64 << 10
	if n >= total {
		// The whole data, in order.
		out := make([]byte, 0, n)
		for i, r := range inputs {
			buf := make([]byte, sizes[i])
			if _, err := r.ReadAt(buf, 0); err != nil && err != io.EOF {
				return nil, fmt.Errorf("sample training data: %w", err)
			}
			out = append(out, buf...)
		}
		return out, nil
	}
	blocks := (n + block - 1) / block
	out := make([]byte, 0, n)
	for b := int64(0); b < blocks; b++ {
		size := min(block, n-int64(len(out)))
		// Block b starts at b/blocks of the way through the data.
		off := b * (total - size) / max(blocks-1, 1)
		if blocks == 1 {
			off = 0
		}
		for size > 0 {
			// Find the input holding off and read what it has of the block.
			i, rel := 0, off
			for rel >= sizes[i] {
				rel -= sizes[i]
				i++
			}
			k := min(size, sizes[i]-rel)
			buf := make([]byte, k)
			if _, err := inputs[i].ReadAt(buf, rel); err != nil && err != io.EOF {
				return nil, fmt.Errorf("sample training data: %w", err)
			}
			out = append(out, buf...)
			off += k
			size -= k
		}
	}
	return out, nil
}

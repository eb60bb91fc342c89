package modelmerge

import (
	"fmt"
	"io"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// Rebase writes to w the changes head made to old re-applied to newBase:
//
//   - a tensor head did not change takes newBase's bytes, one newBase did
//     not change takes head's;
//   - a float tensor both changed in value becomes newBase + (head − old),
//     elementwise: f32(n + f32(h − o)), rounded to its dtype;
//   - when head holds the tensor as exact low-rank updates of old's
//     tensor (head.LowRank), the result is newBase's tensor plus the same
//     updates: LoRA factors stay factors (Result.LowRank, relative to
//     newBase);
//   - other changes on both sides conflict, as in Merge; prefer 0 lets
//     newBase win them, 1 head, -1 stops.
func Rebase(w io.Writer, old, head, newBase Version, prefer int) (*Result, error) {
	return RebaseOnto(w, old, head, newBase, nil, prefer)
}

// RebaseOnto is Rebase where head.LowRank holds updates of another file
// than old (an older base), whose counterpart on the new line is
// lowRankBase: a tensor both sides changed becomes lowRankBase's tensor
// plus the updates, and Result.LowRank is relative to lowRankBase. Updates
// offered for tensors taken as they are may not be exact; an encoder
// checks them before it uses them.
func RebaseOnto(w io.Writer, old, head, newBase Version, lowRankBase *Version, prefer int) (*Result, error) {
	if prefer < -1 || prefer > 1 {
		return nil, fmt.Errorf("prefer %d", prefer)
	}
	o, err := open(old, "old base")
	if err != nil {
		return nil, err
	}
	h, err := open(head, "head")
	if err != nil {
		return nil, err
	}
	n, err := open(newBase, "new base")
	if err != nil {
		return nil, err
	}
	lb := n
	if lowRankBase != nil {
		if lb, err = open(*lowRankBase, "low-rank base"); err != nil {
			return nil, err
		}
	}
	sides := []*file{n, h}
	p := &plan{actions: map[string]*action{}}
	res := &Result{How: map[string]How{}, From: map[string]int{}, LowRank: map[string][]delta.Term{}}
	p.metadata, p.conflicts, p.resolved = mergeMetadata(o, sides, prefer)
	for _, name := range names(o, n, h) {
		ot, ook := o.tensor(name)
		cn, err := describe(o, n, name)
		if err != nil {
			return nil, err
		}
		ch, err := describe(o, h, name)
		if err != nil {
			return nil, err
		}
		takeN := func() {
			if cn.present {
				p.actions[name] = &action{name: name, info: cn.t, how: Taken, src: n, srcT: cn.t}
				res.How[name], res.From[name] = Taken, 0
			}
		}
		takeH := func() {
			if ch.present {
				p.actions[name] = &action{name: name, info: ch.t, how: Taken, src: h, srcT: ch.t}
				res.How[name], res.From[name] = Taken, 1
				// Unchanged upstream, so the updates most likely still
				// hold on the new line (the encoder checks).
				if ook && sameSig(ot, ch.t) && canLowRank(ch.t, head.LowRank[name]) {
					res.LowRank[name] = head.LowRank[name]
				}
			}
		}
		switch {
		case !ch.changed:
			takeN()
			continue
		case !cn.changed:
			takeH()
			continue
		}
		valueOnly := ook && tensormath.IsFloat(ot.Dtype) && cn.present && ch.present && sameSig(ot, cn.t) && sameSig(ot, ch.t)
		if !valueOnly {
			same := cn.present == ch.present
			if same && cn.present {
				if same, err = equalTensors(n, cn.t, h, ch.t); err != nil {
					return nil, err
				}
			}
			if same {
				takeN()
				continue
			}
			c := Conflict{Name: name, Reason: conflictReason(ot, ook, []change{cn, ch}, []int{0, 1})}
			switch prefer {
			case -1:
				p.conflicts = append(p.conflicts, c)
			case 0:
				p.resolved = append(p.resolved, c)
				takeN()
			case 1:
				p.resolved = append(p.resolved, c)
				takeH()
			}
			continue
		}
		if lr := head.LowRank[name]; canLowRank(ot, lr) && hasSig(lb, name, ot) {
			bt, _ := lb.tensor(name)
			p.actions[name] = &action{name: name, info: ot, how: LowRank, base: lb, baseT: bt, terms: updates(lr)}
			res.How[name] = LowRank
			res.LowRank[name] = lr
			continue
		}
		a := &action{name: name, info: ot, how: Combined}
		a.combine = func(w io.Writer) error {
			return combineBlocks(w, ot, o, []*file{n, h}, func(out, ov []float32, xv [][]float32) {
				nv, hv := xv[0], xv[1]
				for j := range out {
					out[j] = float32(nv[j] + float32(hv[j]-ov[j]))
				}
			})
		}
		p.actions[name] = a
		res.How[name] = Combined
	}
	if len(p.conflicts) > 0 {
		return nil, &ConflictError{Conflicts: p.conflicts}
	}
	res.Resolved = p.resolved
	if err := write(w, p, []*file{h, n, o}); err != nil {
		return nil, err
	}
	return res, nil
}

func hasSig(f *file, name string, t safetensors.TensorInfo) bool {
	ft, ok := f.tensor(name)
	return ok && sameSig(ft, t)
}

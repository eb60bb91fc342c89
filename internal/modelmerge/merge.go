package modelmerge

import (
	"fmt"
	"io"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

func (o *Options) normalize(sides int) error {
	if o.Method == "" {
		o.Method = TaskArithmetic
	}
	if o.Method != TaskArithmetic && o.Method != TIES {
		return fmt.Errorf("unknown merge method %q (task-arithmetic or ties)", o.Method)
	}
	if o.Weights == nil {
		o.Weights = make([]float32, sides)
		for i := range o.Weights {
			o.Weights[i] = 1
		}
	}
	if len(o.Weights) != sides {
		return fmt.Errorf("%d weights for %d sides", len(o.Weights), sides)
	}
	for _, w := range o.Weights {
		if w != w || w > 1e30 || w < -1e30 {
			return fmt.Errorf("weight %v", w)
		}
	}
	if o.Density == 0 {
		o.Density = 0.2
	}
	if !(o.Density > 0 && o.Density <= 1) {
		return fmt.Errorf("density %v must be in (0, 1]", o.Density)
	}
	if o.Lambda == 0 {
		o.Lambda = 1
	}
	if o.Prefer < -1 || o.Prefer >= sides {
		return fmt.Errorf("side %d cannot win conflicts: there are %d sides", o.Prefer, sides)
	}
	return nil
}

// Merge writes to w the merge of sides, fine-tunes of ancestor:
//
//   - a tensor no side changed keeps the ancestor's bytes;
//   - a float tensor whose values (not dtype or shape) changed is
//     combined: task arithmetic gives ancestor + Σ wᵢ·(sideᵢ − ancestor)
//     (tensormath.TaskArithmetic), TIES gives tensormath.TIES; when one
//     side alone changed it and its weight is 1, task arithmetic takes
//     that side's bytes as they are;
//   - with task arithmetic, when every side that changed a tensor holds it
//     as exact low-rank updates of the ancestor's tensor (Version.LowRank),
//     the result is the ancestor plus all those updates, each scale
//     multiplied by its side's weight (float32), evaluated as a delta's
//     low-rank record is: the merge of LoRA fine-tunes is their factors;
//   - any other change (integer tensors, new dtype or shape, added or
//     removed tensors) is taken from the one side that made it, or from
//     any side when all made the same; differing changes conflict.
//
// Metadata merges key by key the same way. On conflicts it writes nothing
// and returns a *ConflictError (unless opts.Prefer names a side).
func Merge(w io.Writer, ancestor Version, sides []Version, opts Options) (*Result, error) {
	if len(sides) < 2 {
		return nil, fmt.Errorf("merge needs at least two sides, got %d", len(sides))
	}
	if err := opts.normalize(len(sides)); err != nil {
		return nil, err
	}
	anc, err := open(ancestor, "ancestor")
	if err != nil {
		return nil, err
	}
	fs := make([]*file, len(sides))
	for i, s := range sides {
		if fs[i], err = open(s, fmt.Sprintf("side %d", i+1)); err != nil {
			return nil, err
		}
	}
	p := &plan{actions: map[string]*action{}}
	res := &Result{How: map[string]How{}, From: map[string]int{}, LowRank: map[string][]delta.Term{}}
	p.metadata, p.conflicts, p.resolved = mergeMetadata(anc, fs, opts.Prefer)
	for _, name := range names(append([]*file{anc}, fs...)...) {
		at, aok := anc.tensor(name)
		var changed []int
		chs := make([]change, len(fs))
		for i, f := range fs {
			c, err := describe(anc, f, name)
			if err != nil {
				return nil, err
			}
			chs[i] = c
			if c.changed {
				changed = append(changed, i)
			}
		}
		take := func(j int) {
			c := chs[j]
			if !c.present {
				return // removed
			}
			p.actions[name] = &action{name: name, info: c.t, how: Taken, src: fs[j], srcT: c.t}
			res.How[name], res.From[name] = Taken, j
			if aok && sameSig(at, c.t) && canLowRank(c.t, sides[j].LowRank[name]) {
				res.LowRank[name] = sides[j].LowRank[name]
			}
		}
		if len(changed) == 0 {
			if aok {
				p.actions[name] = &action{name: name, info: at, how: Kept, src: anc, srcT: at}
				res.How[name] = Kept
			}
			continue
		}
		valueOnly := aok && tensormath.IsFloat(at.Dtype)
		for _, j := range changed {
			if !chs[j].present || !sameSig(at, chs[j].t) {
				valueOnly = false
			}
		}
		if !valueOnly || len(changed) == 1 && opts.Method == TaskArithmetic && opts.Weights[changed[0]] == 1 {
			if len(changed) == 1 {
				take(changed[0])
				continue
			}
			same := true
			for _, j := range changed[1:] {
				a, b := chs[changed[0]], chs[j]
				if a.present != b.present {
					same = false
					break
				}
				if a.present {
					eq, err := equalTensors(fs[changed[0]], a.t, fs[j], b.t)
					if err != nil {
						return nil, err
					}
					if !eq {
						same = false
						break
					}
				}
			}
			if same {
				take(changed[0])
				continue
			}
			c := Conflict{Name: name, Reason: conflictReason(at, aok, chs, changed)}
			if opts.Prefer < 0 {
				p.conflicts = append(p.conflicts, c)
				continue
			}
			p.resolved = append(p.resolved, c)
			take(opts.Prefer)
			continue
		}
		// Float values changed: combine.
		if opts.Method == TaskArithmetic {
			var terms []delta.Term
			all := true
			for _, j := range changed {
				lr := sides[j].LowRank[name]
				if !canLowRank(at, lr) {
					all = false
					break
				}
				terms = append(terms, scaledTerms(lr, opts.Weights[j])...)
			}
			if all && len(terms) <= delta.MaxTerms {
				p.actions[name] = &action{name: name, info: at, how: LowRank, base: anc, baseT: at, terms: updates(terms)}
				res.How[name] = LowRank
				res.LowRank[name] = terms
				continue
			}
		}
		a := &action{name: name, info: at, how: Combined}
		xs := make([]*file, len(fs))
		copy(xs, fs)
		weights := opts.Weights
		switch opts.Method {
		case TaskArithmetic:
			a.combine = func(w io.Writer) error {
				return combineBlocks(w, at, anc, xs, func(out, base []float32, xv [][]float32) {
					tensormath.TaskArithmetic(out, base, xv, weights)
				})
			}
		case TIES:
			density, lambda := opts.Density, opts.Lambda
			a.combine = func(w io.Writer) error {
				return combineWhole(w, at, anc, xs, func(out, base []float32, xv [][]float32) error {
					return tensormath.TIES(out, base, xv, weights, density, lambda)
				})
			}
		}
		p.actions[name] = a
		res.How[name] = Combined
	}
	if len(p.conflicts) > 0 {
		return nil, &ConflictError{Conflicts: p.conflicts}
	}
	res.Resolved = p.resolved
	if err := write(w, p, append(fs, anc)); err != nil {
		return nil, err
	}
	return res, nil
}

func conflictReason(at safetensors.TensorInfo, aok bool, chs []change, changed []int) string {
	var parts []string
	for _, j := range changed {
		c := chs[j]
		switch {
		case !c.present:
			parts = append(parts, fmt.Sprintf("side %d removed it", j+1))
		case !aok:
			parts = append(parts, fmt.Sprintf("side %d added it as %s%v", j+1, c.t.Dtype, c.t.Shape))
		case !sameSig(at, c.t):
			parts = append(parts, fmt.Sprintf("side %d made it %s%v", j+1, c.t.Dtype, c.t.Shape))
		default:
			parts = append(parts, fmt.Sprintf("side %d changed its %s values", j+1, c.t.Dtype))
		}
	}
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += ", "
		}
		s += p
	}
	if aok && !tensormath.IsFloat(at.Dtype) {
		s += " (no arithmetic on " + at.Dtype.String() + ")"
	}
	return s
}

// combineBlocks writes an elementwise combination of float tensors of the
// same dtype and shape, block by block.
func combineBlocks(w io.Writer, t safetensors.TensorInfo, base *file, xs []*file, fn func(out, base []float32, xs [][]float32)) error {
	bt, _ := base.tensor(t.Name)
	dt := t.Dtype
	wd := tensormath.Width(dt)
	total := int64(t.Elements())
	bsec := base.section(bt)
	xsecs := make([]*io.SectionReader, len(xs))
	for i, x := range xs {
		xt, _ := x.tensor(t.Name)
		xsecs[i] = x.section(xt)
	}
	raw := make([]byte, blockElems*wd)
	bv := make([]float32, blockElems)
	out := make([]float32, blockElems)
	xv := make([][]float32, len(xs))
	for i := range xv {
		xv[i] = make([]float32, blockElems)
	}
	for e := int64(0); e < total; e += blockElems {
		n := int(min(blockElems, total-e))
		b := raw[:n*wd]
		if _, err := bsec.ReadAt(b, e*int64(wd)); err != nil {
			return err
		}
		tensormath.Decode(bv[:n], b, dt)
		cur := make([][]float32, len(xs))
		for i, s := range xsecs {
			if _, err := s.ReadAt(b, e*int64(wd)); err != nil {
				return err
			}
			tensormath.Decode(xv[i][:n], b, dt)
			cur[i] = xv[i][:n]
		}
		fn(out[:n], bv[:n], cur)
		tensormath.Encode(b, out[:n], dt)
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// maxWholeElems bounds the tensors TIES loads whole (it ranks magnitudes
// over the whole tensor).
const maxWholeElems = 1 << 31

// combineWhole writes a combination that needs whole tensors in memory.
func combineWhole(w io.Writer, t safetensors.TensorInfo, base *file, xs []*file, fn func(out, base []float32, xs [][]float32) error) error {
	n := t.Elements()
	if n > maxWholeElems {
		return fmt.Errorf("%d elements is too large to merge whole", n)
	}
	read := func(f *file) ([]float32, error) {
		ft, _ := f.tensor(t.Name)
		raw := make([]byte, ft.Size())
		if _, err := f.section(ft).ReadAt(raw, 0); err != nil {
			return nil, err
		}
		v := make([]float32, n)
		tensormath.Decode(v, raw, t.Dtype)
		return v, nil
	}
	bv, err := read(base)
	if err != nil {
		return err
	}
	xv := make([][]float32, len(xs))
	for i, x := range xs {
		if xv[i], err = read(x); err != nil {
			return err
		}
	}
	out := make([]float32, n)
	if err := fn(out, bv, xv); err != nil {
		return err
	}
	raw := make([]byte, t.Size())
	tensormath.Encode(raw, out, t.Dtype)
	_, err = w.Write(raw)
	return err
}

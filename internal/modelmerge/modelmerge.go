// Package modelmerge merges safetensors files tensor by tensor: fine-tunes
// of a common ancestor combined by task arithmetic or TIES, and a
// fine-tune's changes re-applied to a newer base (rebase). Tensors stored
// as exact low-rank updates of the ancestor stay low-rank: the merge or
// rebase of a LoRA fine-tune is again a set of factors.
//
// The rules per tensor follow git's three-way merge. A tensor no side
// changed keeps the ancestor's bytes; a tensor one side changed takes that
// side's change (its bytes, or the weighted change, see Merge); float
// tensors changed on several sides are combined numerically; anything else
// changed on several sides (an integer tensor, a new shape, a tensor
// removed on one side and changed on the other) is a conflict, which
// stops the merge unless a side is named to win conflicts.
package modelmerge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// Version is one input file.
type Version struct {
	R    io.ReaderAt
	Size int64
	// LowRank lists the tensors that are exactly the ancestor's tensor
	// plus these updates (from a delta made against the ancestor's file),
	// by name. Nil when unknown.
	LowRank map[string][]delta.Term
}

// Method is how changed float tensors are combined.
type Method string

// The merge methods.
const (
	TaskArithmetic Method = "task-arithmetic"
	TIES           Method = "ties"
)

// Options tune Merge.
type Options struct {
	Method Method
	// Weights, one per side (default 1 each).
	Weights []float32
	// Density is the fraction of each task vector TIES keeps (default 0.2).
	Density float32
	// Lambda scales TIES's merged task vector (default 1).
	Lambda float32
	// Prefer, when non-negative, is the side whose version wins conflicts
	// (git's -X ours / -X theirs); -1 stops on conflicts.
	Prefer int
}

// Conflict is one tensor or metadata key changed incompatibly.
type Conflict struct {
	Name   string
	Reason string
}

// ConflictError lists the conflicts that stopped a merge.
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d conflicting tensor(s) or metadata key(s):", len(e.Conflicts))
	for _, c := range e.Conflicts {
		fmt.Fprintf(&b, "\n\t%s: %s", c.Name, c.Reason)
	}
	return b.String()
}

// How says how an output tensor was produced.
type How string

// The ways an output tensor is produced.
const (
	Kept     How = "kept"     // the ancestor's bytes
	Taken    How = "taken"    // one side's bytes
	Combined How = "combined" // a numeric combination of the sides
	LowRank  How = "lowrank"  // ancestor (or new base) + low-rank updates
)

// Result describes a merged file.
type Result struct {
	// How each output tensor was produced, by name.
	How map[string]How
	// From names the side (index) a Taken tensor came from.
	From map[string]int
	// LowRank lists output tensors that are exactly the reference tensor
	// (the ancestor for Merge, the new base for Rebase) plus these
	// updates: store them as factors.
	LowRank map[string][]delta.Term
	// Resolved lists conflicts settled by Options.Prefer.
	Resolved []Conflict
}

// file is a parsed input.
type file struct {
	Version
	h *safetensors.Header
}

func open(v Version, what string) (*file, error) {
	h, err := safetensors.ReadHeader(io.NewSectionReader(v.R, 0, v.Size))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := h.CheckFileSize(uint64(v.Size)); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &file{Version: v, h: h}, nil
}

func (f *file) tensor(name string) (safetensors.TensorInfo, bool) {
	if f == nil {
		return safetensors.TensorInfo{}, false
	}
	return f.h.Tensor(name)
}

func (f *file) section(t safetensors.TensorInfo) *io.SectionReader {
	return io.NewSectionReader(f.R, int64(f.h.DataStart()+t.Begin), int64(t.Size()))
}

// sameSig reports whether two tensors have the same dtype and shape.
func sameSig(a, b safetensors.TensorInfo) bool {
	return a.Dtype == b.Dtype && slices.Equal(a.Shape, b.Shape)
}

// equalTensors compares two tensors' bytes.
func equalTensors(a *file, ta safetensors.TensorInfo, b *file, tb safetensors.TensorInfo) (bool, error) {
	if !sameSig(ta, tb) {
		return false, nil
	}
	const chunk = 1 << 20
	ba := make([]byte, chunk)
	bb := make([]byte, chunk)
	ra, rb := a.section(ta), b.section(tb)
	for off := int64(0); off < int64(ta.Size()); off += chunk {
		n := min(chunk, int64(ta.Size())-off)
		if _, err := ra.ReadAt(ba[:n], off); err != nil {
			return false, err
		}
		if _, err := rb.ReadAt(bb[:n], off); err != nil {
			return false, err
		}
		if !bytes.Equal(ba[:n], bb[:n]) {
			return false, nil
		}
	}
	return true, nil
}

// action is how to produce one output tensor.
type action struct {
	name string
	info safetensors.TensorInfo // dtype and shape of the output
	how  How
	src  *file // Kept/Taken: where the bytes come from
	srcT safetensors.TensorInfo
	// Combined / LowRank:
	base  *file
	baseT safetensors.TensorInfo
	terms []tensormath.LowRank
	// combine writes a Combined tensor.
	combine func(w io.Writer) error
}

// plan is the output file: its tensors and metadata, each tensor's action.
type plan struct {
	actions   map[string]*action
	deleted   map[string]bool
	metadata  map[string]string
	conflicts []Conflict
	resolved  []Conflict
}

// change describes one version's tensor relative to the ancestor's.
type change struct {
	present bool
	t       safetensors.TensorInfo
	changed bool // bytes, dtype, shape or presence differ from the ancestor's
}

func describe(anc *file, v *file, name string) (change, error) {
	at, aok := anc.tensor(name)
	vt, vok := v.tensor(name)
	c := change{present: vok, t: vt}
	switch {
	case aok != vok:
		c.changed = true
	case !aok:
	case !sameSig(at, vt):
		c.changed = true
	default:
		eq, err := equalTensors(anc, at, v, vt)
		if err != nil {
			return c, err
		}
		c.changed = !eq
	}
	return c, nil
}

// mergeMetadata merges the metadata maps key by key, three-way.
func mergeMetadata(anc *file, sides []*file, prefer int) (map[string]string, []Conflict, []Conflict) {
	keys := map[string]bool{}
	for k := range anc.h.Metadata {
		keys[k] = true
	}
	for _, s := range sides {
		for k := range s.h.Metadata {
			keys[k] = true
		}
	}
	var out map[string]string
	if anc.h.Metadata != nil {
		out = map[string]string{}
	}
	for _, s := range sides {
		if s.h.Metadata != nil && out == nil {
			out = map[string]string{}
		}
	}
	var conflicts, resolved []Conflict
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		av, aok := anc.h.Metadata[k]
		var val string
		var ok, set bool
		var differ bool
		for _, s := range sides {
			sv, sok := s.h.Metadata[k]
			if sok == aok && sv == av {
				continue // unchanged on this side
			}
			if !set {
				val, ok, set = sv, sok, true
			} else if sv != val || sok != ok {
				differ = true
			}
		}
		if !set {
			val, ok = av, aok
		}
		if differ {
			c := Conflict{Name: "__metadata__." + k, Reason: "changed differently on several sides"}
			if prefer < 0 {
				conflicts = append(conflicts, c)
				continue
			}
			val, ok = sides[prefer].h.Metadata[k]
			resolved = append(resolved, c)
		}
		if ok {
			out[k] = val
		}
	}
	return out, conflicts, resolved
}

// names lists every tensor name of the files.
func names(fs ...*file) []string {
	set := map[string]bool{}
	for _, f := range fs {
		for _, t := range f.h.Tensors {
			set[t.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// chooseHeader picks the header bytes of the output: a version whose
// tensors (names, dtypes, shapes) and metadata are exactly the output's
// lends its header verbatim, keeping its order and formatting; otherwise
// the canonical layout is written.
func chooseHeader(p *plan, prefs []*file) (*safetensors.Header, []byte, *file, error) {
	for _, f := range prefs {
		if len(f.h.Tensors) != len(p.actions) || !maps.Equal(f.h.Metadata, p.metadata) || (f.h.Metadata == nil) != (p.metadata == nil) {
			continue
		}
		same := true
		for _, t := range f.h.Tensors {
			a := p.actions[t.Name]
			if a == nil || !sameSig(a.info, t) {
				same = false
				break
			}
		}
		if same {
			hb := make([]byte, f.h.DataStart())
			if _, err := f.R.ReadAt(hb, 0); err != nil {
				return nil, nil, nil, err
			}
			return f.h, hb, f, nil
		}
	}
	infos := make([]safetensors.TensorInfo, 0, len(p.actions))
	for _, n := range slices.Sorted(maps.Keys(p.actions)) {
		a := p.actions[n]
		infos = append(infos, safetensors.TensorInfo{Name: n, Dtype: a.info.Dtype, Shape: a.info.Shape})
	}
	h, err := safetensors.Layout(infos, p.metadata)
	if err != nil {
		return nil, nil, nil, err
	}
	return h, h.Encode(), nil, nil
}

// write produces the output file.
func write(w io.Writer, p *plan, prefs []*file) error {
	h, hb, _, err := chooseHeader(p, prefs)
	if err != nil {
		return err
	}
	if _, err := w.Write(hb); err != nil {
		return err
	}
	for _, t := range h.Tensors {
		a := p.actions[t.Name]
		switch a.how {
		case Kept, Taken:
			if _, err := io.Copy(w, a.src.section(a.srcT)); err != nil {
				return fmt.Errorf("tensor %s: %w", t.Name, err)
			}
		case LowRank:
			if err := writeLowRank(w, a); err != nil {
				return fmt.Errorf("tensor %s: %w", t.Name, err)
			}
		case Combined:
			if err := a.combine(w); err != nil {
				return fmt.Errorf("tensor %s: %w", t.Name, err)
			}
		}
	}
	return nil
}

const blockElems = 1 << 16

// writeLowRank writes base + updates block by block.
func writeLowRank(w io.Writer, a *action) error {
	rows, cols := int(a.info.Shape[0]), int(a.info.Shape[1])
	ev := tensormath.NewEvaluator(rows, cols, a.terms)
	dt := a.info.Dtype
	wd := tensormath.Width(dt)
	sec := a.base.section(a.baseT)
	buf := make([]byte, blockElems*wd)
	total := uint64(rows) * uint64(cols)
	for e := uint64(0); e < total; e += blockElems {
		n := int(min(blockElems, total-e))
		b := buf[:n*wd]
		if _, err := io.ReadFull(sec, b); err != nil {
			return err
		}
		ev.Apply(b, dt, e)
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// lowRankTerms returns the updates of terms scaled by weight: the float32
// product of weight and each scale.
func scaledTerms(terms []delta.Term, weight float32) []delta.Term {
	out := make([]delta.Term, len(terms))
	for i, t := range terms {
		t.Update.Scale = float32(weight * t.Update.Scale)
		out[i] = t
	}
	return out
}

func updates(terms []delta.Term) []tensormath.LowRank {
	out := make([]tensormath.LowRank, len(terms))
	for i, t := range terms {
		out[i] = t.Update
	}
	return out
}

// canLowRank reports whether terms fit a tensor as updates.
func canLowRank(t safetensors.TensorInfo, terms []delta.Term) bool {
	if len(terms) == 0 || len(terms) > delta.MaxTerms || !tensormath.IsFloat(t.Dtype) || len(t.Shape) != 2 {
		return false
	}
	for _, tm := range terms {
		if uint64(tm.Update.Rows) != t.Shape[0] || uint64(tm.Update.Cols) != t.Shape[1] {
			return false
		}
	}
	return true
}

// ErrInput is wrapped when an input is not a usable safetensors file.
var ErrInput = errors.New("bad input")

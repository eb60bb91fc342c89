package check

import (
	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// explicitCopy marks a CopyLoc written as `copy x` in the source (Instr.B).
const explicitCopy = 1

// Local variable states for the flow check.
const (
	unset uint8 = iota // never assigned, or moved out on every path
	held               // holds a value on every path
	maybe              // holds a value on some paths
)

// flowCheck runs a dataflow analysis over a compiled function's bytecode:
// a variable must hold a value where it is moved, copied or borrowed; a
// value without `drop` must not be overwritten, and must not still be held
// when the function returns. (Aborting paths need nothing.)
func (g *gen) flowCheck(live []bitset) {
	code := g.code
	n := g.nlocals
	if n == 0 || len(code) == 0 {
		return
	}
	checked := false
	for _, m := range g.meta {
		if m.user {
			checked = true
			break
		}
	}
	if !checked {
		return
	}
	states := make([][]uint8, len(code))
	entry := make([]uint8, n)
	for _, s := range g.params {
		entry[s] = held
	}
	// temporaries are never checked: mark them held so joins stay quiet
	for i, m := range g.meta {
		if !m.user {
			entry[i] = held
		}
	}
	states[0] = entry
	work := []int{0}
	inWork := make([]bool, len(code))
	inWork[0] = true
	reported := map[int]bool{}
	report := func(pc int, format string, args ...any) {
		if reported[pc] {
			return
		}
		reported[pc] = true
		p := g.pos[pc]
		g.c.errorf(g.fn.mod.file, syntax.Pos{Line: p.Line, Col: p.Col}, format, args...)
	}
	propagate := func(to int, st []uint8) {
		if to >= len(code) {
			return
		}
		cur := states[to]
		if cur == nil {
			states[to] = append([]uint8(nil), st...)
		} else {
			changed := false
			for i := range cur {
				if cur[i] != st[i] && cur[i] != maybe {
					cur[i] = maybe
					changed = true
				}
			}
			if !changed {
				return
			}
		}
		if !inWork[to] {
			inWork[to] = true
			work = append(work, to)
		}
	}
	st := make([]uint8, n)
	for len(work) > 0 {
		pc := work[len(work)-1]
		work = work[:len(work)-1]
		inWork[pc] = false
		copy(st, states[pc])
		in := code[pc]
		a := int(in.A)
		switch in.Op {
		case vm.OpMoveLoc, vm.OpCopyLoc, vm.OpBorrowLoc:
			if g.meta[a].user && st[a] != held {
				what := "moved"
				if st[a] == unset {
					what = "moved or not assigned"
				}
				if in.Op == vm.OpMoveLoc || st[a] == unset {
					report(pc, "invalid use of local '%s': its value may have been %s", g.meta[a].name, what)
				} else {
					report(pc, "invalid use of local '%s': its value may have been moved", g.meta[a].name)
				}
			}
			// the last use of a variable moves it, even when its type has copy
			if in.Op == vm.OpMoveLoc || (in.Op == vm.OpCopyLoc && in.B != explicitCopy && !live[pc].has(a)) {
				st[a] = unset
			}
		case vm.OpStLoc:
			if g.meta[a].user && st[a] != unset && !g.meta[a].drop {
				report(pc, "invalid assignment to local '%s': its current value has no 'drop' ability and is not consumed", g.meta[a].name)
			}
			st[a] = held
		case vm.OpRet:
			for i, m := range g.meta {
				if m.user && !m.drop && st[i] != unset {
					report(pc, "local '%s' still holds a value without the 'drop' ability when the function returns; consume it (unpack, move, or pass it on)", m.name)
					break
				}
			}
			continue
		case vm.OpAbort:
			continue
		case vm.OpBr:
			propagate(a, st)
			continue
		case vm.OpBrTrue, vm.OpBrFalse:
			propagate(a, st)
		}
		propagate(pc+1, st)
	}
}

// bitset is a set of local slots.
type bitset []uint64

func newBitset(n int) bitset       { return make(bitset, (n+63)/64) }
func (b bitset) has(i int) bool    { return b[i/64]&(1<<(uint(i)%64)) != 0 }
func (b bitset) add(i int)         { b[i/64] |= 1 << (uint(i) % 64) }
func (b bitset) remove(i int)      { b[i/64] &^= 1 << (uint(i) % 64) }
func (b bitset) copyFrom(o bitset) { copy(b, o) }

// union adds o to b and reports whether b changed.
func (b bitset) union(o bitset) bool {
	changed := false
	for i := range b {
		if n := b[i] | o[i]; n != b[i] {
			b[i] = n
			changed = true
		}
	}
	return changed
}

// liveness computes, for each instruction, the locals read after it
// (live-out), by backward dataflow over the bytecode.
func (g *gen) liveness() []bitset {
	code := g.code
	n := g.nlocals
	out := make([]bitset, len(code))
	in := make([]bitset, len(code))
	for i := range code {
		out[i] = newBitset(n)
		in[i] = newBitset(n)
	}
	preds := make([][]int, len(code))
	for pc, ins := range code {
		for _, s := range successors(code, pc, ins) {
			preds[s] = append(preds[s], pc)
		}
	}
	work := make([]int, 0, len(code))
	inWork := make([]bool, len(code))
	for pc := len(code) - 1; pc >= 0; pc-- {
		work = append(work, pc)
		inWork[pc] = true
	}
	tmp := newBitset(n)
	for len(work) > 0 {
		pc := work[len(work)-1]
		work = work[:len(work)-1]
		inWork[pc] = false
		ins := code[pc]
		for _, s := range successors(code, pc, ins) {
			out[pc].union(in[s])
		}
		tmp.copyFrom(out[pc])
		switch ins.Op {
		case vm.OpStLoc:
			tmp.remove(int(ins.A))
		case vm.OpCopyLoc, vm.OpMoveLoc, vm.OpBorrowLoc:
			tmp.add(int(ins.A))
		}
		if in[pc].union(tmp) {
			for _, p := range preds[pc] {
				if !inWork[p] {
					inWork[p] = true
					work = append(work, p)
				}
			}
		}
	}
	return out
}

func successors(code []vm.Instr, pc int, ins vm.Instr) []int {
	switch ins.Op {
	case vm.OpRet, vm.OpAbort:
		return nil
	case vm.OpBr:
		return []int{int(ins.A)}
	case vm.OpBrTrue, vm.OpBrFalse:
		if pc+1 < len(code) {
			return []int{int(ins.A), pc + 1}
		}
		return []int{int(ins.A)}
	}
	if pc+1 < len(code) {
		return []int{pc + 1}
	}
	return nil
}

// elideCopies turns the last copy of a variable that is never borrowed into
// a move, so copyable vectors and structs are not duplicated needlessly.
func (g *gen) elideCopies(live []bitset) {
	borrowed := newBitset(g.nlocals)
	for _, ins := range g.code {
		if ins.Op == vm.OpBorrowLoc {
			borrowed.add(int(ins.A))
		}
	}
	for pc, ins := range g.code {
		if ins.Op == vm.OpCopyLoc && !borrowed.has(int(ins.A)) && !live[pc].has(int(ins.A)) {
			g.code[pc].Op = vm.OpMoveLoc
		}
	}
}

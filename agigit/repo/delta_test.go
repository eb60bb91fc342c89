package repo

import (
	"slices"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

func TestDeltaClause(t *testing.T) {
	id := merkle.SumBytes([]byte("delta"))
	commit := strings.Repeat("ab", 32)
	good := []string{DeltaTag, id.String(), "5", commit, "model.safetensors"}
	d, n, err := parseDelta(good)
	if err != nil || n != 5 || d.ID != id || d.Size != 5 || d.RefCommit != commit || d.RefPath != "model.safetensors" {
		t.Fatalf("%+v %d %v", d, n, err)
	}
	if !slices.Equal(d.extra(), good) {
		t.Fatalf("round trip %v", d.extra())
	}
	for _, bad := range [][]string{
		{DeltaTag, id.String(), "5", commit},
		{DeltaTag, strings.ToUpper(id.String()), "5", commit, "m"},
		{DeltaTag, id.String(), "05", commit, "m"},
		{DeltaTag, id.String(), "5", "abc", "m"},
		{DeltaTag, id.String(), "5", commit, "../m"},
		{DeltaTag, id.String(), "5", commit, "m", SegmentsTag, "4096", "00"},
	} {
		if _, _, err := parseDelta(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
		// A commit carrying it is rejected whole.
		if _, err := parseFileTag(append([]string{"m.safetensors", id.String(), "9", "100644"}, bad...)); err == nil {
			t.Errorf("file tag with %v accepted", bad)
		}
	}
	// The delta object's own segments.
	segSize := uint64(MinSegmentSize)
	h := newSegmentHasher(segSize)
	h.Write(make([]byte, 3*MinSegmentSize+7))
	did, roots := h.finish()
	ex := append([]string{DeltaTag, did.String(), "12295", commit, "m"}, segmentExtra(segSize, roots)...)
	d, n, err = parseDelta(ex)
	if err != nil || n != len(ex) || len(d.Segments) != 2+4 {
		t.Fatalf("segmented delta: %v %d %v", d, n, err)
	}
	f := FileEntry{Path: "m", ID: id, Size: 9, Mode: ModeFile, Extra: ex}
	src, segs, err := f.StoredObjects()
	if err != nil || src != did || len(segs) != 4 {
		t.Fatalf("stored objects %v %d %v", src, len(segs), err)
	}
}

// FuzzParseDelta: any clause parses or fails without panicking, and what
// parses writes back the same.
func FuzzParseDelta(f *testing.F) {
	id := merkle.SumBytes([]byte("delta")).String()
	f.Add(strings.Join([]string{DeltaTag, id, "5", strings.Repeat("ab", 32), "model.safetensors"}, "\x1f"))
	f.Add(strings.Join([]string{DeltaTag, id, "5", strings.Repeat("ab", 32), "m", SegmentsTag, "4096", id}, "\x1f"))
	f.Fuzz(func(t *testing.T, s string) {
		extra := strings.Split(s, "\x1f")
		d, n, err := parseDelta(extra)
		if err != nil {
			return
		}
		if n > len(extra) || !slices.Equal(d.extra(), extra[:n]) {
			t.Fatalf("round trip: %v -> %v", extra[:n], d.extra())
		}
	})
}

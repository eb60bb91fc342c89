package state

import (
	"errors"
	"testing"
)

func TestVersionedReads(t *testing.T) {
	s := NewStore(0)
	var a Address
	a[31] = 1
	k := ResourceKey(a, "0x1::m::R")
	if err := s.Apply(0, []Write{{Key: k, Value: []byte{1}}}); err != nil {
		t.Fatal(err)
	}
	s.Apply(1, nil)
	s.Apply(2, []Write{{Key: k, Value: []byte{2}}})
	s.Apply(3, []Write{{Key: k, Delete: true}})
	for v, want := range map[uint64][]byte{0: {1}, 1: {1}, 2: {2}, 3: nil} {
		got, ok, err := s.Get(k, v)
		if err != nil || ok != (want != nil) || string(got) != string(want) {
			t.Errorf("version %d: %v %v %v, want %v", v, got, ok, err, want)
		}
	}
	if _, _, err := s.Get(k, 4); !errors.Is(err, ErrFuture) {
		t.Errorf("future read: %v", err)
	}
	if err := s.Apply(3, nil); err == nil {
		t.Error("applied a version twice")
	}
	res, _ := s.Resources(a, 2)
	if len(res) != 1 || res[0].Tag != "0x1::m::R" {
		t.Errorf("resources at 2: %+v", res)
	}
	if res, _ := s.Resources(a, 3); len(res) != 0 {
		t.Errorf("resources after deletion: %+v", res)
	}
	// An empty value is a value, not a deletion.
	s.Apply(4, []Write{{Key: k, Value: []byte{}}})
	if _, ok, _ := s.Get(k, 4); !ok {
		t.Error("empty value read as absent")
	}
}

func TestPruning(t *testing.T) {
	s := NewStore(10)
	var a Address
	k := ResourceKey(a, "0x1::m::R")
	for v := uint64(0); v < 3000; v++ {
		s.ApplyBatch(v, [][]Write{{{Key: k, Value: []byte{byte(v)}}}})
	}
	if _, _, err := s.Get(k, 100); !errors.Is(err, ErrPruned) {
		t.Fatalf("old read: %v", err)
	}
	got, ok, err := s.Get(k, 2995)
	if err != nil || !ok || got[0] != byte(2995%256) {
		t.Fatalf("recent read: %v %v %v", got, ok, err)
	}
	if n := len(s.items[k]); n > 10+pruneEvery+1 {
		t.Fatalf("history of %d entries kept", n)
	}
	// The value visible at the oldest retained version is still there.
	if _, ok, err := s.Get(k, s.Oldest()); err != nil || !ok {
		t.Fatalf("read at oldest version %d: %v %v", s.Oldest(), ok, err)
	}
}

func TestOverlay(t *testing.T) {
	s := NewStore(0)
	var a Address
	k1, k2 := ResourceKey(a, "0x1::m::A"), TableItemKey(a, []byte{7})
	s.Apply(0, []Write{{Key: k1, Value: []byte{1}}, {Key: k2, Value: []byte{2}}})
	o := NewOverlay(s.At(0))
	o.Apply([]Write{{Key: k1, Delete: true}, {Key: k2, Value: []byte{3}}})
	if _, ok := o.Get(k1); ok {
		t.Error("deleted key visible")
	}
	if v, _ := o.Get(k2); v[0] != 3 {
		t.Error("overlay write not visible")
	}
	if v, _, _ := s.Get(k2, 0); v[0] != 2 {
		t.Error("overlay wrote through")
	}
	if _, err := ParseKey([]byte(k2)); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]byte{{}, append([]byte{1}, make([]byte, 32)...), append([]byte{9}, make([]byte, 33)...)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("parsed %x", bad)
		}
	}
}

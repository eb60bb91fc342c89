package exec_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// TestMoveRange checks the native 0x1::vector::move_range (which
// vector::append, insert, remove and trim use) against slice operations,
// over random vectors and ranges, including out-of-range arguments.
func TestMoveRange(t *testing.T) {
	p := program(t)
	f := p.VM.Lookup(vm.AddressFromU64(1), "vector", "move_range")
	if f == nil {
		t.Fatal("no vector::move_range")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func(n, base int) []vm.Value {
		out := make([]vm.Value, n)
		for i := range out {
			out[i] = vm.U64(uint64(base + i))
		}
		return out
	}
	nums := func(v vm.Value) []uint64 {
		var out []uint64
		for _, e := range v.AsVector().Elems {
			out = append(out, e.N)
		}
		return out
	}
	for i := 0; i < 2000; i++ {
		nf, nt := rng.IntN(12), rng.IntN(12)
		from, to := vm.VectorOf(vec(nf, 100)), vm.VectorOf(vec(nt, 200))
		if rng.IntN(2) == 0 { // spare capacity, so growth happens in place
			to.AsVector().Elems = slices.Grow(to.AsVector().Elems, 8)
		}
		rp, length, ip := rng.IntN(nf+2), rng.IntN(nf+2), rng.IntN(nt+2)
		wantFrom, wantTo := nums(from), nums(to)
		ok := rp <= nf && length <= nf-rp && ip <= nt
		if ok {
			moved := slices.Clone(wantFrom[rp : rp+length])
			wantFrom = slices.Delete(wantFrom, rp, rp+length)
			wantTo = slices.Insert(wantTo, ip, moved...)
		}
		s := p.VM.NewSession(nil, 1<<40, nil)
		_, err := s.Call(f, []*vm.Type{vm.TU64}, []vm.Value{vm.RefTo(&from), vm.U64(uint64(rp)), vm.U64(uint64(length)),
			vm.RefTo(&to), vm.U64(uint64(ip))})
		if (err == nil) != ok {
			t.Fatalf("move_range(%d of %d, %d, %d into %d of %d): error %v", rp, nf, length, ip, nt, nt, err)
		}
		if gotFrom, gotTo := nums(from), nums(to); !slices.Equal(gotFrom, wantFrom) || !slices.Equal(gotTo, wantTo) {
			t.Fatalf("move_range(%d, %d, %d): from %v to %v, want %v %v", rp, length, ip, gotFrom, gotTo, wantFrom, wantTo)
		}
	}
}

package merkle

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"testing"
)

// pattern is the byte sequence of the shared test vectors in docs/FORMAT.md:
// byte i is (7*i + 3) mod 251.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((i*7 + 3) % 251)
	}
	return b
}

// Vectors computed by an independent implementation (a few lines of Python
// over hashlib), listed in docs/FORMAT.md and checked by the Move tests too.
var vectors = []struct {
	name string
	data []byte
	id   string
}{
	{"empty", nil, "c0e50f0d90d6e2fea1e6f53d4f758ed5fc9035a399a8eb215c29c6ff3ea05425"},
	{"abc", []byte("abc"), "5c170547d40533fb44a0c4874b2977285d519c9e8129f7733c364d97cf2cabd6"},
	{"pattern 4095", pattern(4095), "d1141cc562f9282a17df06085004ccd30fd54d0d30b023ae53f97d63164b1891"},
	{"pattern 4096", pattern(4096), "fb2921f7cf2f73ed7deae467f999c0632fcdaf77042d3c4328683945429a9096"},
	{"pattern 4097", pattern(4097), "1d8d250332581d6b854959cb9b64b539931b5436269cd52bec21664ebeb4b548"},
	{"pattern 12288", pattern(12288), "7d3b73959f78616c86d6198a91df0c35a74f9181e74d6b69789b4cd1cd11474b"},
	{"pattern 20481", pattern(20481), "7319b65f164a51c3a1b4297f9ac8a89426ade90f6cdec04b688a0f3c3625e847"},
	{"pattern 1000000", pattern(1000000), "b29a79a69930c7c16bcabfdd208fedabc08ccbb9e9036416ac325738022ac570"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		if got := SumBytes(v.data).String(); got != v.id {
			t.Errorf("%s: id %s, want %s", v.name, got, v.id)
		}
		tree, err := BuildTree(bytes.NewReader(v.data))
		if err != nil {
			t.Fatal(err)
		}
		if got := tree.ID().String(); got != v.id {
			t.Errorf("%s: tree id %s, want %s", v.name, got, v.id)
		}
	}
}

// TestStreamingMatchesReference feeds objects of many sizes in random write
// sizes and compares with the recursive RFC 6962 definition.
func TestStreamingMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, LeafSize - 1, LeafSize, LeafSize + 1, 2 * LeafSize, 3 * LeafSize, 3*LeafSize + 5, 64 * LeafSize, 65*LeafSize - 1}
	for range 40 {
		sizes = append(sizes, rng.IntN(70*LeafSize))
	}
	for _, n := range sizes {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		var leaves []Hash
		for i := 0; i < n || i == 0; i += LeafSize {
			leaves = append(leaves, LeafHash(data[i:min(i+LeafSize, n)]))
		}
		want := IDFromRoot(uint64(n), subtreeRoot(leaves))

		h := New()
		for rest := data; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(3*LeafSize))
			h.Write(rest[:k])
			rest = rest[k:]
		}
		if h.ID() != want {
			t.Fatalf("size %d: streaming id differs from reference", n)
		}
		if uint64(len(leaves)) != LeafCount(uint64(n)) {
			t.Fatalf("size %d: LeafCount %d, want %d", n, LeafCount(uint64(n)), len(leaves))
		}
	}
}

// TestParallelWrites checks that large writes, hashed on several goroutines,
// give the same ids as leaf-by-leaf hashing, across batch boundaries and
// with a partial leaf pending before the write.
func TestParallelWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, (maxBatchLeaves+3*ParallelLeaves)*LeafSize+777)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, n := range []int{ParallelLeaves * LeafSize, ParallelLeaves*LeafSize + 1, maxBatchLeaves * LeafSize, (maxBatchLeaves + 1) * LeafSize, len(data)} {
		one := New()
		one.SetWorkers(1)
		one.Write(data[:n])
		want := one.ID()
		for _, workers := range []int{2, 3, 8} {
			for _, head := range []int{0, 1, LeafSize - 1, LeafSize, 3*LeafSize + 5} {
				h := New()
				h.SetWorkers(workers)
				h.Write(data[:head])
				h.Write(data[head:n])
				if got := h.ID(); got != want {
					t.Fatalf("size %d, %d workers, first write %d: id %s, want %s", n, workers, head, got, want)
				}
			}
		}
	}
}

func TestProofs(t *testing.T) {
	for _, n := range []int{0, 1, LeafSize, LeafSize + 1, 5*LeafSize + 7, 8 * LeafSize, 13*LeafSize - 2} {
		data := pattern(n)
		tree, err := BuildTree(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		id := tree.ID()
		for i := range uint64(len(tree.Leaves)) {
			path, err := tree.Prove(i)
			if err != nil {
				t.Fatal(err)
			}
			chunk := data[i*LeafSize : min((i+1)*LeafSize, uint64(n))]
			if err := Verify(id, uint64(n), i, chunk, path); err != nil {
				t.Fatalf("size %d leaf %d: %v", n, i, err)
			}
			if len(chunk) > 0 {
				bad := bytes.Clone(chunk)
				bad[0] ^= 1
				if err := Verify(id, uint64(n), i, bad, path); err == nil {
					t.Fatalf("size %d leaf %d: altered chunk verified", n, i)
				}
			}
			if len(path) > 0 {
				if err := Verify(id, uint64(n), i, chunk, path[:len(path)-1]); err == nil {
					t.Fatalf("size %d leaf %d: short path verified", n, i)
				}
				if err := Verify(id, uint64(n), i, chunk, append(path, Hash{})); err == nil {
					t.Fatalf("size %d leaf %d: long path verified", n, i)
				}
			}
			if err := Verify(id, uint64(n)+1, i, chunk, path); err == nil {
				t.Fatalf("size %d leaf %d: wrong size verified", n, i)
			}
		}
		if _, err := tree.Prove(uint64(len(tree.Leaves))); err == nil {
			t.Fatalf("size %d: proof past the last leaf", n)
		}
	}
}

func TestParseID(t *testing.T) {
	id := SumBytes([]byte("abc"))
	got, err := ParseID(id.String())
	if err != nil || got != id {
		t.Fatalf("round trip: %v %v", got, err)
	}
	for _, bad := range []string{"", "abc", id.String()[:63] + "g", id.String() + "00"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) succeeded", bad)
		}
	}
}

func BenchmarkHasher(b *testing.B) {
	data := pattern(16 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		h := New()
		h.Write(data)
		_ = h.ID()
	}
}

// BenchmarkHasherOneWorker hashes every leaf on the calling goroutine.
func BenchmarkHasherOneWorker(b *testing.B) {
	data := pattern(16 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		h := New()
		h.SetWorkers(1)
		h.Write(data)
		_ = h.ID()
	}
}

// BenchmarkSHA256 is the baseline: plain sha256 over the same bytes.
func BenchmarkSHA256(b *testing.B) {
	data := pattern(16 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_ = sha256.Sum256(data)
	}
}

// BenchmarkHasherMiBWrites feeds the Hasher 1 MiB at a time, as io.Copy-style
// callers do; it should match BenchmarkHasher (one large Write) on several cores.
func BenchmarkHasherMiBWrites(b *testing.B) {
	data := pattern(16 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		h := New()
		for p := data; len(p) > 0; p = p[1<<20:] {
			h.Write(p[:1<<20])
		}
		_ = h.ID()
	}
}

package sha256x2

import (
	"crypto/sha256"
	"math/rand/v2"
	"testing"
)

func pairs(t *testing.T) map[string]func() *Pair {
	m := map[string]func() *Pair{"generic": func() *Pair { return newPair(false) }}
	if useAsm {
		m["interleaved"] = func() *Pair { return newPair(true) }
	} else {
		t.Log("no SHA extensions here: only the generic code is tested")
	}
	return m
}

// TestMatchesSHA256 compares both messages' digests with crypto/sha256 for
// every length up to a few blocks and some large ones, written in random
// pieces.
func TestMatchesSHA256(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{}
	for n := 0; n <= 300; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 4095, 4096, 4097, 65536+13, 1<<20)
	for name, mk := range pairs(t) {
		t.Run(name, func(t *testing.T) {
			p := mk()
			for _, n := range lengths {
				a, b := make([]byte, n), make([]byte, n)
				for i := range a {
					a[i], b[i] = byte(rng.Uint32()), byte(rng.Uint32())
				}
				p.Reset()
				for off := 0; off < n; {
					step := min(n-off, rng.IntN(200))
					if rng.IntN(4) == 0 {
						step = min(n-off, rng.IntN(1<<16))
					}
					p.Write(a[off:off+step], b[off:off+step])
					off += step
				}
				ga, gb := p.Sum()
				if ga != sha256.Sum256(a) || gb != sha256.Sum256(b) {
					t.Fatalf("length %d: digests differ from crypto/sha256", n)
				}
				// Sum does not disturb the state.
				p.Write([]byte{1}, []byte{2})
				ga, gb = p.Sum()
				if ga != sha256.Sum256(append(a, 1)) || gb != sha256.Sum256(append(b, 2)) {
					t.Fatalf("length %d+1 after Sum: digests differ", n)
				}
				if sa, sb := Sum256(a, b); sa != sha256.Sum256(a) || sb != sha256.Sum256(b) {
					t.Fatalf("Sum256 of length %d differs", n)
				}
			}
		})
	}
}

func TestUnequalWritesPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("writes of different lengths did not panic")
		}
	}()
	New().Write(make([]byte, 3), make([]byte, 4))
}

func FuzzPair(f *testing.F) {
	f.Add([]byte("abc"), []byte("xyz"), uint16(1))
	f.Add(make([]byte, 200), make([]byte, 130), uint16(63))
	f.Fuzz(func(t *testing.T, a, b []byte, step uint16) {
		n := min(len(a), len(b))
		a, b = a[:n], b[:n]
		s := max(1, int(step))
		for name, mk := range pairs(t) {
			p := mk()
			for off := 0; off < n; off += s {
				end := min(n, off+s)
				p.Write(a[off:end], b[off:end])
			}
			ga, gb := p.Sum()
			if ga != sha256.Sum256(a) || gb != sha256.Sum256(b) {
				t.Fatalf("%s: digests of %d bytes differ from crypto/sha256", name, n)
			}
		}
	})
}

// BenchmarkPair hashes two 1 MiB messages; BenchmarkSHA256 one with
// crypto/sha256. Bytes are counted over both messages.
func BenchmarkPair(b *testing.B) {
	a, c := make([]byte, 1<<20), make([]byte, 1<<20)
	p := New()
	b.SetBytes(2 << 20)
	for b.Loop() {
		p.Reset()
		p.Write(a, c)
		p.Sum()
	}
}

func BenchmarkSHA256(b *testing.B) {
	a := make([]byte, 1<<20)
	b.SetBytes(1 << 20)
	for b.Loop() {
		sha256.Sum256(a)
	}
}

package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

func TestGeneratePrimePair(t *testing.T) {
	pp, err := GeneratePrimePair(DefaultPrimeBits)
	if err != nil {
		t.Fatal(err)
	}
	if pp.P1.Cmp(pp.P2) >= 0 {
		t.Fatal("p1 >= p2")
	}
	if !pp.P1.ProbablyPrime(20) || !pp.P2.ProbablyPrime(20) {
		t.Fatal("not prime")
	}
	x := pp.Product()
	if BitLen(x) != 2*DefaultPrimeBits {
		t.Fatalf("x has %d bits", BitLen(x))
	}
	if err := CheckCommitment(x, DefaultMinXBits); err != nil {
		t.Fatal(err)
	}
	p1, p2 := pp.Bytes()
	got, err := CheckReveal(x, p1, p2)
	if err != nil || got.P1.Cmp(pp.P1) != 0 || got.P2.Cmp(pp.P2) != 0 {
		t.Fatalf("reveal: %v", err)
	}
	if _, err := CheckReveal(x, p2, p1); !errors.Is(err, ErrNotOrdered) {
		t.Fatalf("swapped pair: %v", err)
	}
	other, _ := GeneratePrimePair(64)
	o1, o2 := other.Bytes()
	if _, err := CheckReveal(x, o1, o2); !errors.Is(err, ErrWrongFactors) {
		t.Fatalf("other pair: %v", err)
	}
	if _, err := GeneratePrimePair(8); err == nil {
		t.Fatal("8-bit primes accepted")
	}
	if _, err := GeneratePrimePair(MaxXBytes*4 + 1); err == nil {
		t.Fatal("oversized primes accepted")
	}
}

func TestParsePrimePair(t *testing.T) {
	cases := []struct {
		p1, p2 []byte
		want   error
	}{
		{[]byte{2}, []byte{3}, nil},
		{[]byte{1}, []byte{3}, ErrPrimeTooSmall},
		{[]byte{0, 2}, []byte{3}, ErrNotCanonical},
		{[]byte{2}, []byte{0, 3}, ErrNotCanonical},
		{nil, []byte{3}, ErrNotCanonical},
		{[]byte{3}, []byte{3}, ErrNotOrdered},
		{[]byte{1, 0}, []byte{0xff}, ErrNotOrdered},
	}
	for i, c := range cases {
		_, err := ParsePrimePair(c.p1, c.p2)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("case %d: got %v, want %v", i, err, c.want)
		}
	}
	// An overlong prime fails as on chain: after the encoding, size and
	// order checks, as factors that cannot multiply to any x.
	long := append([]byte{1}, make([]byte, MaxXBytes)...)
	if _, err := ParsePrimePair([]byte{2}, long); !errors.Is(err, ErrWrongFactors) {
		t.Errorf("overlong prime: %v", err)
	}
	if _, err := ParsePrimePair([]byte{1}, long); !errors.Is(err, ErrPrimeTooSmall) {
		t.Errorf("p1 = 1 with an overlong p2: %v", err)
	}
	if _, err := ParsePrimePair(long, []byte{2}); !errors.Is(err, ErrNotOrdered) {
		t.Errorf("overlong p1 above p2: %v", err)
	}
}

func TestCheckCommitment(t *testing.T) {
	x := append([]byte{0x80}, make([]byte, 255)...) // exactly 2048 bits
	if err := CheckCommitment(x, 2048); err != nil {
		t.Fatal(err)
	}
	if err := CheckCommitment(x[:255], 2048); !errors.Is(err, ErrXTooSmall) {
		t.Fatalf("2040 bits: %v", err)
	}
	if err := CheckCommitment(append([]byte{0}, x...), 2048); !errors.Is(err, ErrNotCanonical) {
		t.Fatalf("leading zero: %v", err)
	}
	if err := CheckCommitment(append([]byte{1}, make([]byte, MaxXBytes)...), 2048); !errors.Is(err, ErrXTooLong) {
		t.Fatalf("too long: %v", err)
	}
	if BitLen(nil) != 0 || BitLen([]byte{1}) != 1 || BitLen([]byte{1, 0}) != 9 {
		t.Fatal("BitLen")
	}
}

func TestDeriveKeyDistinct(t *testing.T) {
	a := PrimePair{big.NewInt(2), big.NewInt(3)}
	b := PrimePair{big.NewInt(2), big.NewInt(5)}
	seen := map[Key]bool{}
	for _, k := range []Key{DeriveKey(1, a), DeriveKey(2, a), DeriveKey(1, b)} {
		if seen[k] {
			t.Fatal("key collision")
		}
		seen[k] = true
	}
	// The length prefixes keep (0x0102, 0x03) and (0x01, 0x0203) apart.
	if deriveKey(1, []byte{1, 2}, []byte{3}) == deriveKey(1, []byte{1}, []byte{2, 3}) {
		t.Fatal("ambiguous encoding")
	}
}

func TestXORLeaf(t *testing.T) {
	key := Key(sha256.Sum256([]byte("k")))
	src := pattern(LeafSize)
	dst := make([]byte, len(src))
	XORLeaf(key, 3, dst, src)
	back := append([]byte(nil), dst...)
	XORLeaf(key, 3, back, back) // in place
	if !bytes.Equal(back, src) {
		t.Fatal("round trip failed")
	}
	ks := KeystreamBlock(key, 3, 127)
	if dst[LeafSize-1] != src[LeafSize-1]^ks[31] {
		t.Fatal("last byte does not use block 127")
	}
	other := make([]byte, len(src))
	XORLeaf(key, 4, other, src)
	if bytes.Equal(other, dst) {
		t.Fatal("leaf index not bound")
	}
}

func randomObject(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestSealRoundTrip(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	key := Key(sha256.Sum256([]byte("seal")))
	for _, n := range []int{0, 1, 31, 32, 33, LeafSize - 1, LeafSize, LeafSize + 1, 5*LeafSize + 77} {
		obj := randomObject(r, n)
		var c bytes.Buffer
		var last uint64
		s, err := Seal(ctx, key, bytes.NewReader(obj), &c, func(done uint64) { last = done })
		if err != nil {
			t.Fatal(err)
		}
		if s.Size != uint64(n) || uint64(c.Len()) != s.Size || (n > 0 && last != s.Size) {
			t.Fatalf("n=%d: size %d, written %d, progress %d", n, s.Size, c.Len(), last)
		}
		if s.PlainID != merkle.SumBytes(obj) || s.CipherID != merkle.SumBytes(c.Bytes()) {
			t.Fatalf("n=%d: ids wrong", n)
		}
		if n >= 32 && bytes.Equal(c.Bytes(), obj) {
			t.Fatalf("n=%d: ciphertext equals plaintext", n)
		}
		var p bytes.Buffer
		back, err := Seal(ctx, key, bytes.NewReader(c.Bytes()), &p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.Bytes(), obj) || back.CipherID != s.PlainID {
			t.Fatalf("n=%d: decryption failed", n)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestSealErrors(t *testing.T) {
	key := Key{}
	if _, err := Seal(context.Background(), key, bytes.NewReader(pattern(10)), failingWriter{}, nil); err == nil {
		t.Fatal("write error lost")
	}
	if _, err := Seal(context.Background(), key, failingReader{}, io.Discard, nil); err == nil {
		t.Fatal("read error lost")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Seal(ctx, key, bytes.NewReader(pattern(10)), io.Discard, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// order simulates one delivery: the object, the pair and the ciphertext.
type order struct {
	object []byte
	tree   *merkle.Tree
	terms  Terms
}

func newOrder(t *testing.T, object []byte, encryptWith *Key, tamper func([]byte)) (*order, []byte) {
	t.Helper()
	pp := PrimePair{big.NewInt(1000003), big.NewInt(1000033)}
	key := DeriveKey(9, pp)
	enc := key
	if encryptWith != nil {
		enc = *encryptWith
	}
	var c bytes.Buffer
	if _, err := Seal(context.Background(), enc, bytes.NewReader(object), &c, nil); err != nil {
		t.Fatal(err)
	}
	cipher := c.Bytes()
	if tamper != nil {
		tamper(cipher)
	}
	tree, err := merkle.BuildTree(bytes.NewReader(object))
	if err != nil {
		t.Fatal(err)
	}
	return &order{object: object, tree: tree, terms: Terms{
		ObjectID: tree.ID(), CipherID: merkle.SumBytes(cipher), Size: uint64(len(object)), Key: key,
	}}, cipher
}

func TestBuildDispute(t *testing.T) {
	ctx := context.Background()
	obj := pattern(7*LeafSize + 100)

	o, cipher := newOrder(t, obj, nil, nil)
	if _, err := BuildDispute(ctx, o.terms, o.tree, bytes.NewReader(cipher)); !errors.Is(err, ErrNoMismatch) {
		t.Fatalf("honest delivery: %v", err)
	}

	for _, leaf := range []int{0, 3, 7} {
		o, cipher := newOrder(t, obj, nil, func(c []byte) { c[leaf*LeafSize+len(c)%LeafSize/2] ^= 0x80 })
		p, err := BuildDispute(ctx, o.terms, o.tree, bytes.NewReader(cipher))
		if err != nil {
			t.Fatalf("tampered leaf %d: %v", leaf, err)
		}
		if p.Index != uint64(leaf) {
			t.Fatalf("tampered leaf %d: proof for leaf %d", leaf, p.Index)
		}
		if err := VerifyDispute(o.terms, p); err != nil {
			t.Fatal(err)
		}
		// An honest leaf of the same delivery proves nothing.
		q := *p
		if leaf != 0 {
			q.Index = 0
			q.CipherChunk = cipher[:LeafSize]
			ct, _ := merkle.BuildTree(bytes.NewReader(cipher))
			q.CipherPath, _ = ct.Prove(0)
			q.PlainLeaf = o.tree.Leaves[0]
			q.PlainPath, _ = o.tree.Prove(0)
			if err := VerifyDispute(o.terms, &q); !errors.Is(err, ErrDeliveryCorrect) {
				t.Fatalf("honest leaf: %v", err)
			}
		}
	}

	wrong := Key(sha256.Sum256([]byte("another key")))
	o, cipher = newOrder(t, obj, &wrong, nil)
	p, err := BuildDispute(ctx, o.terms, o.tree, bytes.NewReader(cipher))
	if err != nil || p.Index != 0 {
		t.Fatalf("wrong key: %v", err)
	}

	// The ciphertext must be the committed one, and the tree the ordered object's.
	o, cipher = newOrder(t, obj, nil, nil)
	cipher[0] ^= 1
	if _, err := BuildDispute(ctx, o.terms, o.tree, bytes.NewReader(cipher)); err == nil || errors.Is(err, ErrNoMismatch) {
		t.Fatalf("uncommitted ciphertext: %v", err)
	}
	otherTree, _ := merkle.BuildTree(bytes.NewReader(pattern(10)))
	if _, err := BuildDispute(ctx, o.terms, otherTree, bytes.NewReader(cipher)); err == nil {
		t.Fatal("wrong object tree accepted")
	}
	if _, err := BuildDispute(ctx, o.terms, o.tree, bytes.NewReader(cipher[:100])); err == nil {
		t.Fatal("truncated ciphertext accepted")
	}
}

func TestVerifyDisputeRejects(t *testing.T) {
	obj := pattern(3 * LeafSize)
	o, cipher := newOrder(t, obj, nil, func(c []byte) { c[LeafSize] ^= 1 })
	p, err := BuildDispute(context.Background(), o.terms, o.tree, bytes.NewReader(cipher))
	if err != nil {
		t.Fatal(err)
	}
	mutations := map[string]func(*Proof){
		"index out of range":  func(p *Proof) { p.Index = 3 },
		"other index":         func(p *Proof) { p.Index = 2 },
		"chunk byte":          func(p *Proof) { p.CipherChunk[9] ^= 1 },
		"short chunk":         func(p *Proof) { p.CipherChunk = p.CipherChunk[:100] },
		"cipher path short":   func(p *Proof) { p.CipherPath = p.CipherPath[:1] },
		"cipher path long":    func(p *Proof) { p.CipherPath = append(p.CipherPath, merkle.Hash{}) },
		"plain leaf":          func(p *Proof) { p.PlainLeaf[0] ^= 1 },
		"plain path sibling":  func(p *Proof) { p.PlainPath[0][0] ^= 1 },
		"plain path too long": func(p *Proof) { p.PlainPath = append(p.PlainPath, merkle.Hash{}) },
	}
	for name, m := range mutations {
		q := *p
		q.CipherChunk = append([]byte(nil), p.CipherChunk...)
		q.CipherPath = append([]merkle.Hash(nil), p.CipherPath...)
		q.PlainPath = append([]merkle.Hash(nil), p.PlainPath...)
		m(&q)
		if err := VerifyDispute(o.terms, &q); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLeafHashes(t *testing.T) {
	obj := pattern(5*LeafSize + 1)
	tree, _ := merkle.BuildTree(bytes.NewReader(obj))
	enc := EncodeLeafHashes(tree.Leaves)
	got, err := DecodeLeafHashes(enc, tree.ID(), tree.Size)
	if err != nil || got.ID() != tree.ID() {
		t.Fatalf("decode: %v", err)
	}
	if _, err := DecodeLeafHashes(enc[:len(enc)-32], tree.ID(), tree.Size); err == nil {
		t.Fatal("missing leaf accepted")
	}
	if _, err := DecodeLeafHashes(enc[:len(enc)-1], tree.ID(), tree.Size); err == nil {
		t.Fatal("ragged input accepted")
	}
	enc[40] ^= 1
	if _, err := DecodeLeafHashes(enc, tree.ID(), tree.Size); err == nil {
		t.Fatal("altered leaf accepted")
	}
}

func TestCheckCiphertext(t *testing.T) {
	ctx := context.Background()
	obj := pattern(2*LeafSize + 3)
	o, cipher := newOrder(t, obj, nil, nil)
	if err := CheckCiphertext(ctx, o.terms.CipherID, o.terms.Size, bytes.NewReader(cipher)); err != nil {
		t.Fatal(err)
	}
	if err := CheckCiphertext(ctx, o.terms.CipherID, o.terms.Size, bytes.NewReader(cipher[:10])); err == nil {
		t.Fatal("short ciphertext accepted")
	}
	if err := CheckCiphertext(ctx, o.terms.CipherID, o.terms.Size, bytes.NewReader(append(cipher, 0))); err == nil {
		t.Fatal("long ciphertext accepted")
	}
	if err := CheckCiphertext(ctx, o.terms.ObjectID, o.terms.Size, bytes.NewReader(cipher)); err == nil {
		t.Fatal("wrong id accepted")
	}
	if err := CheckCiphertext(ctx, o.terms.CipherID, o.terms.Size, failingReader{}); err == nil {
		t.Fatal("read error lost")
	}
}

// Fuzz targets: every decoder of bytes that arrive from another party.

func FuzzDecodeLeafHashes(f *testing.F) {
	tree, _ := merkle.BuildTree(bytes.NewReader(pattern(3 * LeafSize)))
	f.Add(EncodeLeafHashes(tree.Leaves), tree.Size)
	f.Add([]byte{1, 2, 3}, uint64(0))
	f.Add([]byte{}, uint64(1)<<63)
	f.Fuzz(func(t *testing.T, b []byte, size uint64) {
		got, err := DecodeLeafHashes(b, tree.ID(), size)
		if err == nil && (got.ID() != tree.ID() || !bytes.Equal(EncodeLeafHashes(got.Leaves), b)) {
			t.Fatal("accepted leaf hashes of another object")
		}
	})
}

func FuzzParsePrimePair(f *testing.F) {
	f.Add([]byte{2}, []byte{3}, []byte{6})
	f.Add([]byte{0, 2}, []byte{3}, []byte{6})
	f.Add([]byte{1}, []byte{7}, []byte{7})
	f.Fuzz(func(t *testing.T, p1, p2, x []byte) {
		pp, err := CheckReveal(x, p1, p2)
		if err != nil {
			return
		}
		a, b := pp.Bytes()
		if !bytes.Equal(a, p1) || !bytes.Equal(b, p2) || !bytes.Equal(pp.Product(), x) || pp.P1.Cmp(big.NewInt(1)) <= 0 || pp.P1.Cmp(pp.P2) >= 0 {
			t.Fatalf("accepted a bad reveal: %x %x %x", p1, p2, x)
		}
	})
}

func FuzzVerifyDispute(f *testing.F) {
	obj := pattern(2*LeafSize + 9)
	tree, _ := merkle.BuildTree(bytes.NewReader(obj))
	key := Key(sha256.Sum256([]byte("fuzz")))
	cipher := make([]byte, len(obj))
	for i := 0; i*LeafSize < len(obj); i++ {
		hi := min((i+1)*LeafSize, len(obj))
		XORLeaf(key, uint64(i), cipher[i*LeafSize:hi], obj[i*LeafSize:hi])
	}
	cipher[LeafSize+1] ^= 4
	terms := Terms{ObjectID: tree.ID(), CipherID: merkle.SumBytes(cipher), Size: uint64(len(obj)), Key: key}
	valid, err := BuildDispute(context.Background(), terms, tree, bytes.NewReader(cipher))
	if err != nil {
		f.Fatal(err)
	}
	join := func(hs []merkle.Hash) []byte { return EncodeLeafHashes(hs) }
	f.Add(valid.Index, valid.CipherChunk, join(valid.CipherPath), valid.PlainLeaf[:], join(valid.PlainPath))
	f.Add(uint64(0), cipher[:LeafSize], []byte{}, tree.Leaves[0][:], []byte{})
	f.Fuzz(func(t *testing.T, index uint64, chunk, cpath, leaf, ppath []byte) {
		split := func(b []byte) []merkle.Hash {
			hs := make([]merkle.Hash, len(b)/32)
			for i := range hs {
				copy(hs[i][:], b[i*32:])
			}
			return hs
		}
		p := &Proof{Index: index, CipherChunk: chunk, CipherPath: split(cpath), PlainPath: split(ppath)}
		copy(p.PlainLeaf[:], leaf)
		if VerifyDispute(terms, p) == nil && index != 1 {
			// Only leaf 1 was tampered with: a win anywhere else would be a forgery.
			t.Fatalf("dispute accepted for honest leaf %d", index)
		}
	})
}

// Benchmarks: sealing costs one sha256 compression per 32 bytes of keystream,
// plus the Merkle hashing of both sides; the baseline is plain sha256 over the
// same bytes, measured in the same run.

func BenchmarkSeal(b *testing.B) {
	obj := pattern(4 << 20)
	key := Key(sha256.Sum256([]byte("bench")))
	ctx := context.Background()
	var seal, base time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := Seal(ctx, key, bytes.NewReader(obj), io.Discard, nil); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		sha256.Sum256(obj)
		seal, base = seal+t1.Sub(t0), base+time.Since(t1)
	}
	mb := float64(len(obj)) * float64(b.N) / 1e6
	b.ReportMetric(mb/seal.Seconds(), "seal_MB/s")
	b.ReportMetric(mb/base.Seconds(), "sha256_MB/s")
	b.ReportMetric(seal.Seconds()/base.Seconds(), "x_sha256")
}

func BenchmarkXORLeaf(b *testing.B) {
	src := pattern(LeafSize)
	dst := make([]byte, LeafSize)
	key := Key(sha256.Sum256([]byte("bench")))
	b.SetBytes(LeafSize)
	for b.Loop() {
		XORLeaf(key, 1, dst, src)
	}
}

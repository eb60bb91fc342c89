package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// The shared vectors live in testdata/vectors.json. The Move package checks
// the same values: move/tests/vectors_tests.move is generated from the file,
// and TestVectorsMoveInSync fails when the two drift apart. Regenerate both
// after a deliberate change with:
//
//	go test ./internal/delivery -run TestVectors -update
var update = flag.Bool("update", false, "rewrite testdata/vectors.json and move/tests/vectors_tests.move")

const (
	vectorsPath  = "testdata/vectors.json"
	movePath     = "../../move/tests/vectors_tests.move"
	moveDataPath = "../../move/tests/vector_data.move"
)

type hexBytes []byte

func (h hexBytes) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }
func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	*h = v
	return err
}

type productVector struct {
	A hexBytes `json:"a"`
	B hexBytes `json:"b"`
	X hexBytes `json:"x"`
}

type keyVector struct {
	OrderID uint64   `json:"order_id"`
	P1      hexBytes `json:"p1"`
	P2      hexBytes `json:"p2"`
	X       hexBytes `json:"x"`
	Key     hexBytes `json:"key"`
}

type streamVector struct {
	Key   hexBytes `json:"key"`
	Leaf  uint64   `json:"leaf"`
	Block uint32   `json:"block"`
	Out   hexBytes `json:"out"`
}

// leafVector: the plaintext is pattern(plain_len).
type leafVector struct {
	Key      hexBytes `json:"key"`
	Leaf     uint64   `json:"leaf"`
	PlainLen int      `json:"plain_len"`
	Cipher   hexBytes `json:"cipher"`
}

type proofVector struct {
	Index    uint64     `json:"index"`
	Siblings []hexBytes `json:"siblings"`
}

// merkleVector: the object is pattern(size), or "abc" when abc is set.
type merkleVector struct {
	Size   uint64        `json:"size"`
	ABC    bool          `json:"abc,omitempty"`
	ID     hexBytes      `json:"id"`
	Proofs []proofVector `json:"proofs"`
}

type disputeVector struct {
	Name        string     `json:"name"`
	ObjectID    hexBytes   `json:"object_id"`
	CipherID    hexBytes   `json:"cipher_id"`
	Size        uint64     `json:"size"`
	Key         hexBytes   `json:"key"`
	Index       uint64     `json:"index"`
	CipherChunk hexBytes   `json:"cipher_chunk"`
	CipherPath  []hexBytes `json:"cipher_path"`
	PlainLeaf   hexBytes   `json:"plain_leaf"`
	PlainPath   []hexBytes `json:"plain_path"`
	Expect      string     `json:"expect"`
}

// marketVector holds the inputs the Move market tests need besides the
// disputes: the pair the dispute vectors were encrypted under (for order
// disputeOrderID, the first order of a fresh market) and a smaller pair whose
// x has 1024 bits, the market's lowest allowed minimum.
type marketVector struct {
	OrderID uint64   `json:"order_id"`
	P1      hexBytes `json:"p1"`
	P2      hexBytes `json:"p2"`
	X       hexBytes `json:"x"`
	SmallP1 hexBytes `json:"small_p1"`
	SmallP2 hexBytes `json:"small_p2"`
	SmallX  hexBytes `json:"small_x"`
}

// disputeOrderID is the order the dispute vectors belong to.
const disputeOrderID = 1

type vectorFile struct {
	Comment   []string        `json:"comment"`
	Market    marketVector    `json:"market"`
	Products  []productVector `json:"products"`
	Keys      []keyVector     `json:"keys"`
	Keystream []streamVector  `json:"keystream"`
	Leaves    []leafVector    `json:"leaves"`
	Merkle    []merkleVector  `json:"merkle"`
	Disputes  []disputeVector `json:"disputes"`
}

// pattern is docs/FORMAT.md's test input: byte i is (7·i + 3) mod 251.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((7*i + 3) % 251)
	}
	return b
}

// seededPrime derives a prime of bits bits from a label, so that the vectors
// are a pure function of the code and regenerate identically.
func seededPrime(label string, bits int) *big.Int {
	buf := make([]byte, bits/8)
	for i := 0; i*32 < len(buf); i++ {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", label, i)))
		copy(buf[i*32:], h[:])
	}
	n := new(big.Int).SetBytes(buf)
	n.SetBit(n, bits-1, 1)
	n.SetBit(n, bits-2, 1)
	n.SetBit(n, 0, 1)
	for !n.ProbablyPrime(32) {
		n.Add(n, big.NewInt(2))
	}
	return n
}

func mersenne(p uint) *big.Int {
	m := new(big.Int).Lsh(big.NewInt(1), p)
	return m.Sub(m, big.NewInt(1))
}

func allOnes(n int) []byte { return bytes.Repeat([]byte{0xff}, n) }

func hashes(hs []merkle.Hash) []hexBytes {
	out := make([]hexBytes, len(hs))
	for i, h := range hs {
		out[i] = append(hexBytes(nil), h[:]...)
	}
	return out
}

func generateVectors(t *testing.T) *vectorFile {
	t.Helper()
	v := &vectorFile{Comment: []string{
		"Shared test vectors of the delivery protocol (docs/PROTOCOL.md, docs/FORMAT.md).",
		"Checked by internal/delivery (Go) and move/tests/vectors_tests.move (Move, generated from this file).",
		"Byte strings are hex. pattern(n) is the n-byte string whose byte i is (7*i + 3) mod 251.",
		"Regenerate with: go test ./internal/delivery -run TestVectors -update",
	}}

	// Limb multiplication: carries through every limb, lengths that are and
	// are not multiples of 8, the smallest pair and a realistic 2048-bit x.
	big1024a, big1024b := seededPrime("vector/p1024/a", 1024), seededPrime("vector/p1024/b", 1024)
	if big1024a.Cmp(big1024b) > 0 {
		big1024a, big1024b = big1024b, big1024a
	}
	pairs := [][2][]byte{
		{{2}, {3}},
		{{0x01, 0x00}, {0xff}},
		{allOnes(8), allOnes(8)},
		{allOnes(1), allOnes(64)},
		{allOnes(63), allOnes(65)},
		{allOnes(128), allOnes(128)},
		{mersenne(61).Bytes(), mersenne(89).Bytes()},
		{mersenne(107).Bytes(), mersenne(127).Bytes()},
		{{0x01, 0, 0, 0, 0, 0, 0, 0, 0}, {0x01, 0, 0, 0, 0, 0, 0, 0, 1}},
		{big1024a.Bytes(), big1024b.Bytes()},
	}
	for _, p := range pairs {
		x := new(big.Int).Mul(new(big.Int).SetBytes(p[0]), new(big.Int).SetBytes(p[1])).Bytes()
		v.Products = append(v.Products, productVector{A: p[0], B: p[1], X: x})
	}

	keyPairs := []struct {
		order uint64
		pp    PrimePair
	}{
		{0, PrimePair{big.NewInt(2), big.NewInt(3)}},
		{1, PrimePair{mersenne(61), mersenne(89)}},
		{42, PrimePair{big1024a, big1024b}},
		{1<<64 - 1, PrimePair{big1024a, big1024b}},
	}
	for _, kp := range keyPairs {
		p1, p2 := kp.pp.Bytes()
		k := DeriveKey(kp.order, kp.pp)
		v.Keys = append(v.Keys, keyVector{OrderID: kp.order, P1: p1, P2: p2, X: kp.pp.Product(), Key: k[:]})
	}

	key := DeriveKey(42, PrimePair{big1024a, big1024b})
	for _, s := range []struct {
		leaf  uint64
		block uint32
	}{{0, 0}, {0, 1}, {0, 127}, {1, 0}, {244, 63}, {1<<64 - 1, 1<<32 - 1}} {
		out := KeystreamBlock(key, s.leaf, s.block)
		v.Keystream = append(v.Keystream, streamVector{Key: key[:], Leaf: s.leaf, Block: s.block, Out: out[:]})
	}

	for _, l := range []struct {
		leaf uint64
		n    int
	}{{0, 4096}, {7, 100}, {1 << 40, 33}, {3, 0}} {
		c := make([]byte, l.n)
		XORLeaf(key, l.leaf, c, pattern(l.n))
		v.Leaves = append(v.Leaves, leafVector{Key: key[:], Leaf: l.leaf, PlainLen: l.n, Cipher: c})
	}

	for _, m := range []struct {
		size    int
		abc     bool
		indices []uint64
	}{
		{0, false, []uint64{0}},
		{3, true, []uint64{0}},
		{4095, false, []uint64{0}},
		{4096, false, []uint64{0}},
		{4097, false, []uint64{0, 1}},
		{12288, false, []uint64{0, 1, 2}},
		{20481, false, []uint64{0, 3, 4}},
		{1000000, false, []uint64{0, 100, 243, 244}},
	} {
		data := pattern(m.size)
		if m.abc {
			data = []byte("abc")
		}
		tree, err := merkle.BuildTree(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		id := tree.ID()
		mv := merkleVector{Size: uint64(m.size), ABC: m.abc, ID: id[:]}
		for _, i := range m.indices {
			path, err := tree.Prove(i)
			if err != nil {
				t.Fatal(err)
			}
			mv.Proofs = append(mv.Proofs, proofVector{Index: i, Siblings: hashes(path)})
		}
		v.Merkle = append(v.Merkle, mv)
	}

	v.Disputes = disputeVectors(t)
	dp := disputePair()
	small := PrimePair{seededPrime("vector/p512/a", 512), seededPrime("vector/p512/b", 512)}
	if small.P1.Cmp(small.P2) > 0 {
		small.P1, small.P2 = small.P2, small.P1
	}
	v.Market = marketVector{OrderID: disputeOrderID, P1: dp.P1.Bytes(), P2: dp.P2.Bytes(), X: dp.Product(),
		SmallP1: small.P1.Bytes(), SmallP2: small.P2.Bytes(), SmallX: small.Product()}
	return v
}

// disputeVectors builds one order's worth of delivery and the four outcomes
// a dispute can have, each classified as the market classifies it.
func disputeVectors(t *testing.T) []disputeVector {
	t.Helper()
	ctx := context.Background()
	const size = 10000 // leaves of 4096, 4096 and 1808 bytes
	object := pattern(size)
	pp := disputePair()
	key := DeriveKey(disputeOrderID, pp)
	objTree, err := merkle.BuildTree(bytes.NewReader(object))
	if err != nil {
		t.Fatal(err)
	}

	seal := func(k Key) []byte {
		var c bytes.Buffer
		if _, err := Seal(ctx, k, bytes.NewReader(object), &c, nil); err != nil {
			t.Fatal(err)
		}
		return c.Bytes()
	}
	honest := seal(key)
	tampered := append([]byte(nil), honest...)
	tampered[LeafSize+5] ^= 0x40 // one bit of leaf 1
	wrongKey := seal(DeriveKey(disputeOrderID+1, pp))

	build := func(name string, cipher []byte, index uint64, expect string, mutate func(*Proof)) disputeVector {
		ct, err := merkle.BuildTree(bytes.NewReader(cipher))
		if err != nil {
			t.Fatal(err)
		}
		cpath, _ := ct.Prove(index)
		ppath, _ := objTree.Prove(index)
		lo := index * LeafSize
		hi := min(lo+LeafSize, uint64(len(cipher)))
		p := &Proof{Index: index, CipherChunk: append([]byte(nil), cipher[lo:hi]...), CipherPath: cpath,
			PlainLeaf: objTree.Leaves[index], PlainPath: ppath}
		if mutate != nil {
			mutate(p)
		}
		oid, cid := objTree.ID(), ct.ID()
		return disputeVector{Name: name, ObjectID: oid[:], CipherID: cid[:], Size: size, Key: key[:],
			Index: p.Index, CipherChunk: p.CipherChunk, CipherPath: hashes(p.CipherPath),
			PlainLeaf: p.PlainLeaf[:], PlainPath: hashes(p.PlainPath), Expect: expect}
	}
	return []disputeVector{
		build("tampered leaf 1", tampered, 1, "valid", nil),
		build("ciphertext under another key, short last leaf", wrongKey, 2, "valid", nil),
		build("honest delivery", honest, 1, "delivery_correct", nil),
		build("chunk changed after commitment", honest, 0, "bad_cipher_proof", func(p *Proof) { p.CipherChunk[0] ^= 1 }),
		build("object leaf not in the object", tampered, 1, "bad_plain_proof", func(p *Proof) { p.PlainLeaf[31] ^= 1 }),
		build("plain path of another leaf", tampered, 1, "bad_plain_proof", func(p *Proof) { p.PlainPath, _ = objTree.Prove(0) }),
		build("honest delivery, short last leaf", honest, 2, "delivery_correct", nil),
		build("leaf index past the end", tampered, 1, "bad_cipher_proof", func(p *Proof) { p.Index = 3 }),
	}
}

func disputePair() PrimePair {
	pp := PrimePair{seededPrime("vector/dispute/a", 1024), seededPrime("vector/dispute/b", 1024)}
	if pp.P1.Cmp(pp.P2) > 0 {
		pp.P1, pp.P2 = pp.P2, pp.P1
	}
	return pp
}

func loadVectors(t *testing.T) *vectorFile {
	t.Helper()
	b, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("parse %s: %v", vectorsPath, err)
	}
	return &v
}

func encodeVectors(t *testing.T, v *vectorFile) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestVectorsRegenerate checks that the code still produces the stored
// vectors (a change to any construction shows up here), or rewrites them
// with -update.
func TestVectorsRegenerate(t *testing.T) {
	fresh := encodeVectors(t, generateVectors(t))
	if *update {
		if err := os.WriteFile(vectorsPath, fresh, 0o644); err != nil {
			t.Fatal(err)
		}
		fresh := generateVectors(t)
		if err := os.WriteFile(movePath, moveVectors(t, fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(moveDataPath, moveVectorData(t, fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	stored, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, fresh) {
		t.Fatalf("%s differs from what the code computes; if the change is deliberate run with -update", vectorsPath)
	}
}

// TestVectorsIndependent checks the stored values against independent
// computations (math/big, a from-scratch sha256 construction), not the code
// under test, so the vectors are right and not merely stable.
func TestVectorsIndependent(t *testing.T) {
	v := loadVectors(t)
	for i, p := range v.Products {
		x := new(big.Int).Mul(new(big.Int).SetBytes(p.A), new(big.Int).SetBytes(p.B))
		if !bytes.Equal(x.Bytes(), p.X) {
			t.Errorf("product %d wrong", i)
		}
	}
	for i, k := range v.Keys {
		var pre []byte
		pre = append(pre, 3)
		pre = append(pre, big.NewInt(0).SetUint64(k.OrderID).FillBytes(make([]byte, 8))...)
		pre = append(pre, byte(len(k.P1)>>8), byte(len(k.P1)))
		pre = append(pre, k.P1...)
		pre = append(pre, byte(len(k.P2)>>8), byte(len(k.P2)))
		pre = append(pre, k.P2...)
		if h := sha256.Sum256(pre); !bytes.Equal(h[:], k.Key) {
			t.Errorf("key %d wrong", i)
		}
		x := new(big.Int).Mul(new(big.Int).SetBytes(k.P1), new(big.Int).SetBytes(k.P2))
		if !bytes.Equal(x.Bytes(), k.X) || !new(big.Int).SetBytes(k.P1).ProbablyPrime(20) || !new(big.Int).SetBytes(k.P2).ProbablyPrime(20) {
			t.Errorf("key %d: x or primes wrong", i)
		}
	}
	for i, s := range v.Keystream {
		pre := []byte{4}
		pre = append(pre, s.Key...)
		pre = append(pre, new(big.Int).SetUint64(s.Leaf).FillBytes(make([]byte, 8))...)
		pre = append(pre, new(big.Int).SetUint64(uint64(s.Block)).FillBytes(make([]byte, 4))...)
		if h := sha256.Sum256(pre); !bytes.Equal(h[:], s.Out) {
			t.Errorf("keystream %d wrong", i)
		}
	}
	for i, l := range v.Leaves {
		plain := pattern(l.PlainLen)
		var ks []byte
		for j := uint32(0); len(ks) < len(plain); j++ {
			var k Key
			copy(k[:], l.Key)
			b := KeystreamBlock(k, l.Leaf, j)
			ks = append(ks, b[:]...)
		}
		for n := range plain {
			if plain[n]^ks[n] != l.Cipher[n] {
				t.Fatalf("leaf vector %d: byte %d wrong", i, n)
			}
		}
		if len(l.Cipher) != l.PlainLen {
			t.Errorf("leaf vector %d: length %d", i, len(l.Cipher))
		}
	}
	for _, m := range v.Merkle {
		data := pattern(int(m.Size))
		if m.ABC {
			data = []byte("abc")
		}
		var id merkle.ID
		copy(id[:], m.ID)
		if merkle.SumBytes(data) != id {
			t.Errorf("merkle size %d: id wrong", m.Size)
		}
		for _, p := range m.Proofs {
			lo := p.Index * LeafSize
			hi := min(lo+LeafSize, uint64(len(data)))
			if err := merkle.Verify(id, m.Size, p.Index, data[lo:hi], toHashes(p.Siblings)); err != nil {
				t.Errorf("merkle size %d leaf %d: %v", m.Size, p.Index, err)
			}
		}
	}
	mv := v.Market
	for _, p := range [][3]hexBytes{{mv.P1, mv.P2, mv.X}, {mv.SmallP1, mv.SmallP2, mv.SmallX}} {
		a, b := new(big.Int).SetBytes(p[0]), new(big.Int).SetBytes(p[1])
		if a.Cmp(b) >= 0 || !a.ProbablyPrime(20) || !b.ProbablyPrime(20) || !bytes.Equal(new(big.Int).Mul(a, b).Bytes(), p[2]) {
			t.Errorf("market pair %x... wrong", p[0][:4])
		}
	}
	if BitLen(mv.X) != 2048 || BitLen(mv.SmallX) != 1024 {
		t.Errorf("market x sizes %d, %d bits", BitLen(mv.X), BitLen(mv.SmallX))
	}
	for _, d := range v.Disputes {
		pp, _ := ParsePrimePair(mv.P1, mv.P2)
		if k := DeriveKey(mv.OrderID, pp); !bytes.Equal(k[:], d.Key) {
			t.Errorf("dispute %q: key is not order %d's", d.Name, mv.OrderID)
		}
		err := VerifyDispute(d.terms(), d.proof())
		if got := outcome(err); got != d.Expect {
			t.Errorf("dispute %q: got %s (%v), want %s", d.Name, got, err, d.Expect)
		}
	}
}

// TestVectorsFormatIDs ties the Merkle vectors to the table in docs/FORMAT.md.
func TestVectorsFormatIDs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range loadVectors(t).Merkle {
		if !strings.Contains(string(doc), hex.EncodeToString(m.ID)) {
			t.Errorf("id of size %d is not in docs/FORMAT.md", m.Size)
		}
	}
}

func toHashes(hs []hexBytes) []merkle.Hash {
	out := make([]merkle.Hash, len(hs))
	for i, h := range hs {
		copy(out[i][:], h)
	}
	return out
}

func (d disputeVector) terms() Terms {
	var t Terms
	copy(t.ObjectID[:], d.ObjectID)
	copy(t.CipherID[:], d.CipherID)
	copy(t.Key[:], d.Key)
	t.Size = d.Size
	return t
}

func (d disputeVector) proof() *Proof {
	p := &Proof{Index: d.Index, CipherChunk: d.CipherChunk, CipherPath: toHashes(d.CipherPath), PlainPath: toHashes(d.PlainPath)}
	copy(p.PlainLeaf[:], d.PlainLeaf)
	return p
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "valid"
	case errors.Is(err, ErrDeliveryCorrect):
		return "delivery_correct"
	case errors.Is(err, ErrBadCipherProof):
		return "bad_cipher_proof"
	case errors.Is(err, ErrBadPlainProof):
		return "bad_plain_proof"
	}
	return "error: " + err.Error()
}

// TestVectorsMoveInSync checks that the Move test module is exactly what the
// stored vectors generate, so the Move suite checks these very values.
func TestVectorsMoveInSync(t *testing.T) {
	if *update {
		t.Skip("rewritten by TestVectorsRegenerate")
	}
	want := moveVectors(t, loadVectors(t))
	got, err := os.ReadFile(movePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run: go test ./internal/delivery -run TestVectors -update", filepath.Clean(movePath))
	}
	want = moveVectorData(t, loadVectors(t))
	if got, err = os.ReadFile(moveDataPath); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run: go test ./internal/delivery -run TestVectors -update", filepath.Clean(moveDataPath))
	}
}

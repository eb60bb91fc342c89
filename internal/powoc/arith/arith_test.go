package arith

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// probs returns a deterministic sequence of probabilities that covers the
// extremes the models produce.
func probs(n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int, n)
	for i := range out {
		switch r.IntN(4) {
		case 0:
			out[i] = 1 + r.IntN(64)
		case 1:
			out[i] = ProbOne - 1 - r.IntN(64)
		default:
			out[i] = r.IntN(ProbOne + 10)
		}
	}
	return out
}

// bitsFor draws bits that mostly follow the probabilities, as real data
// does, with surprises mixed in.
func bitsFor(ps []int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([]int, len(ps))
	for i, p := range ps {
		if r.IntN(ProbOne) < p {
			out[i] = 1
		}
	}
	return out
}

func encode(t testing.TB, bits, ps []int) []byte {
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	for i, b := range bits {
		e.Encode(b, ps[i])
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if int64(buf.Len()) != e.Len() {
		t.Fatalf("Len() = %d, wrote %d", e.Len(), buf.Len())
	}
	return buf.Bytes()
}

func decode(code []byte, size int64, ps []int) ([]int, error) {
	d := NewDecoder(bytes.NewReader(code), size)
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = d.Decode(p)
	}
	return out, d.Finish()
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 8, 100, 10000, 200000} {
		for seed := uint64(0); seed < 4; seed++ {
			ps := probs(n, seed)
			bits := bitsFor(ps, seed)
			code := encode(t, bits, ps)
			got, err := decode(code, int64(len(code)), ps)
			if err != nil {
				t.Fatalf("n=%d seed=%d: %v", n, seed, err)
			}
			for i := range bits {
				if got[i] != bits[i] {
					t.Fatalf("n=%d seed=%d: bit %d decoded as %d", n, seed, i, got[i])
				}
			}
		}
	}
}

func TestCodeLengthNearEntropy(t *testing.T) {
	// Bits drawn with p = 0.1 cost about 0.469 bits each.
	const n = 400000
	ps := make([]int, n)
	for i := range ps {
		ps[i] = ProbOne / 10
	}
	bits := bitsFor(ps, 9)
	code := encode(t, bits, ps)
	perBit := float64(len(code)) * 8 / n
	if perBit < 0.46 || perBit > 0.48 {
		t.Fatalf("%.4f bits per bit, want about 0.469", perBit)
	}
}

func TestEmptyCode(t *testing.T) {
	if code := encode(t, nil, nil); len(code) != 0 {
		t.Fatalf("empty input coded as %x", code)
	}
	// Decoding zero bits from extra bytes is not canonical.
	if _, err := decode([]byte{0}, 1, nil); !errors.Is(err, ErrNotCanonical) {
		t.Fatalf("extra byte: %v", err)
	}
}

func TestRejectsAlteredCodes(t *testing.T) {
	ps := probs(20000, 5)
	bits := bitsFor(ps, 5)
	code := encode(t, bits, ps)
	if len(code) < 10 {
		t.Fatal("code too short for the test")
	}
	same := func(got []int) bool {
		for i := range bits {
			if got[i] != bits[i] {
				return false
			}
		}
		return true
	}
	check := func(name string, c []byte, size int64) {
		t.Helper()
		got, err := decode(c, size, ps)
		if err == nil && same(got) {
			t.Fatalf("%s: altered code decoded to the same bits without error", name)
		}
	}
	check("truncated by one", code[:len(code)-1], int64(len(code)-1))
	check("extra zero byte", append(append([]byte{}, code...), 0), int64(len(code)+1))
	check("extra byte", append(append([]byte{}, code...), 0x5a), int64(len(code)+1))
	for _, i := range []int{0, 1, len(code) / 2, len(code) - 2, len(code) - 1} {
		for _, flip := range []byte{1, 0x80, 0xff} {
			c := append([]byte{}, code...)
			c[i] ^= flip
			check("flipped byte", c, int64(len(c)))
		}
	}
	// A reader shorter than the declared size is a truncation.
	d := NewDecoder(bytes.NewReader(code[:len(code)/2]), int64(len(code)))
	for _, p := range ps {
		d.Decode(p)
	}
	if err := d.Finish(); !errors.Is(err, ErrTruncated) {
		t.Fatalf("short reader: %v", err)
	}
}

// FuzzDecoder decodes arbitrary bytes. Whatever decodes without error must be
// exactly the code the encoder writes for the decoded bits.
func FuzzDecoder(f *testing.F) {
	ps := probs(64, 3)
	f.Add(encode(f, bitsFor(ps, 3), ps), uint64(3))
	f.Add([]byte{}, uint64(0))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff}, uint64(1))
	f.Fuzz(func(t *testing.T, code []byte, seed uint64) {
		ps := probs(64, seed)
		got, err := decode(code, int64(len(code)), ps)
		if err != nil {
			return
		}
		again := encode(t, got, ps)
		if !bytes.Equal(again, code) {
			t.Fatalf("accepted %x but the encoder writes %x", code, again)
		}
	})
}

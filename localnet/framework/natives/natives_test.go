package natives

import (
	"crypto/sha3"
	"encoding/binary"
	"encoding/hex"
	"testing"

	aptos "github.com/aptos-labs/aptos-go-sdk"
)

func addr(t *testing.T, s string) Address {
	t.Helper()
	var a aptos.AccountAddress
	if err := a.ParseStringRelaxed(s); err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return Address(a)
}

// The derivations must agree with the official Go SDK and with values
// computed independently (Python hashlib) that the Move tests also pin.
func TestDerivationsMatchSDK(t *testing.T) {
	cafe := addr(t, "0xcafe")
	sdk := aptos.AccountAddress(cafe)
	for _, seed := range [][]byte{nil, []byte("market"), []byte("0x1::coin_native_tests::MyCoin"), {0, 1, 2}} {
		if got, want := ResourceAccountAddress(cafe, seed), Address(sdk.ResourceAccount(seed)); got != want {
			t.Errorf("resource account %q: %x, sdk %x", seed, got, want)
		}
		if got, want := NamedObjectAddress(cafe, seed), Address(sdk.NamedObjectAddress(seed)); got != want {
			t.Errorf("named object %q: %x, sdk %x", seed, got, want)
		}
	}
	apt := aptos.AccountAddress(addr(t, "0xa"))
	if got, want := UserDerivedAddress(cafe, Address(apt)), Address(sdk.ObjectAddressFromObject(&apt)); got != want {
		t.Errorf("user derived: %x, sdk %x", got, want)
	}
	fixed := map[string]Address{
		"resource(0xcafe,\"\")":     ResourceAccountAddress(cafe, nil),
		"resource(0xcafe,market)":   ResourceAccountAddress(cafe, []byte("market")),
		"named(0xcafe,market)":      NamedObjectAddress(cafe, []byte("market")),
		"derived(0xcafe,0xa)":       UserDerivedAddress(cafe, Address(apt)),
		"guid(0xcafe,0)":            GUIDObjectAddress(cafe, 0),
		"named(0xa,MyCoin)":         NamedObjectAddress(Address(apt), []byte("0x1::coin_native_tests::MyCoin")),
		"derived(0xa11ce,0xa) (PS)": UserDerivedAddress(addr(t, "0xa11ce"), Address(apt)),
	}
	want := map[string]string{
		"resource(0xcafe,\"\")":     "c3bb8488ab1a5815a9d543d7e41b0e0df46a7396f89b22821f07a4362f75ddc5",
		"resource(0xcafe,market)":   "f11f9b45d16c619859c53f7b1f28494556e3bebe8c3f2246a67380a2bf8524fc",
		"named(0xcafe,market)":      "1d284900a07965750a03507f8a7091e1be15a6facb1c1ae512a0b733e0e25fcc",
		"derived(0xcafe,0xa)":       "e0185f4b5f826f407f026920e7335961c4836248ad87accf8e758748498dc398",
		"guid(0xcafe,0)":            "662e50418ce5f35a6ca8b79e287c94129071aa3fbd2ab95137f7cbad136f092b",
		"named(0xa,MyCoin)":         "4de646b195e8d3a58ce664c7814e5e3fdc3c30d9c0ae313473e4fc9a24ab493e",
		"derived(0xa11ce,0xa) (PS)": "8a15d4d5fa379efc57556b795a01552b1cfcce89f427fb4d88cf8b4afaf0f6e1",
	}
	for name, got := range fixed {
		if hex.EncodeToString(got[:]) != want[name] {
			t.Errorf("%s = %x, want %s", name, got, want[name])
		}
	}
}

func TestAUIDAddress(t *testing.T) {
	hash := make([]byte, 32)
	hash[0] = 7
	pre := append(append([]byte{}, hash...), binary.LittleEndian.AppendUint64(nil, 1)...)
	want := sha3.Sum256(append(pre, 0xFB))
	if got := AUIDAddress(hash, 1); got != want {
		t.Fatalf("AUID = %x, want %x", got, want)
	}
	if AUIDAddress(hash, 1) == AUIDAddress(hash, 2) {
		t.Fatal("consecutive AUIDs collide")
	}
}

// Table handles of a unit test (session hash of 32 zero bytes), computed
// with Python's hashlib.sha3_256 over zeros ++ big-endian u32 n.
func TestTableHandle(t *testing.T) {
	zero := make([]byte, 32)
	for n, want := range []string{
		"372d46c3ada9f897c74d349bbfe0e450c798167c9f580f8daf85def57e96c3ea",
		"aa7e76d8194eeb4571b217b83f9af4e7f2d2804c647c7fbdad1c887f7c5e01a2",
	} {
		if got := TableHandle(zero, uint32(n)); hex.EncodeToString(got[:]) != want {
			t.Errorf("table handle %d = %x, want %s", n, got, want)
		}
	}
}

func TestDigests(t *testing.T) {
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		{"keccak256('')", Keccak256(nil), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"keccak256(testing)", Keccak256([]byte("testing")), "5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02"},
		{"sha2_512(abc)", SHA2_512([]byte("abc")), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
		{"sha3_512(abc)", SHA3_512([]byte("abc")), "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"},
		{"ripemd160(abc)", RIPEMD160([]byte("abc")), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
		{"blake2b_256(abc)", Blake2b256([]byte("abc")), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"},
	}
	for _, c := range cases {
		if hex.EncodeToString(c.got) != c.want {
			t.Errorf("%s = %x, want %s", c.name, c.got, c.want)
		}
	}
}

func TestSipHash(t *testing.T) {
	// Reference vectors of SipHash-2-4 (key 00..0f) do not apply: Aptos uses
	// zero keys. These values were computed with an independent implementation.
	for _, c := range []struct {
		in   []byte
		want uint64
	}{
		{nil, 0x1e924b9d737700d7},
		{[]byte("abc"), 4596069200710135518},
		{[]byte{1, 0, 0, 0, 0, 0, 0, 0}, 9224715256000962398},
		{[]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, 15012323659178644323},
	} {
		if got := SipHash24(c.in); got != c.want {
			t.Errorf("sip(%x) = %d, want %d", c.in, got, c.want)
		}
	}
}

package movevalue

import (
	"encoding/json"
	"testing"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
)

var (
	stringLayout = &Layout{Kind: Struct, Tag: "0x1::string::String", Fields: []Field{{"bytes", VectorOf(LU8)}}}
	optionU64    = &Layout{Kind: Struct, Tag: "0x1::option::Option<u64>", Fields: []Field{{"vec", VectorOf(LU64)}}}
	optionEnum   = &Layout{Kind: Enum, Tag: "0x1::option::Option<u8>", Variants: []Variant{
		{Name: "None"}, {Name: "Some", Fields: []Field{{"0", LU8}}}}}
	objectLayout = &Layout{Kind: Struct, Tag: "0x1::object::Object<0x1::fungible_asset::Metadata>", Fields: []Field{{"inner", LAddress}}}
	orderLayout  = &Layout{Kind: Struct, Tag: "0xcafe::market::Order", Fields: []Field{
		{"owner", LAddress},
		{"amount", LU64},
		{"flags", LU8},
		{"root", VectorOf(LU8)},
		{"name", stringLayout},
		{"tip", optionU64},
		{"relays", VectorOf(LAddress)},
		{"big", LU128},
		{"huge", LU256},
		{"ok", LBool},
		{"small", LU16},
		{"mid", LU32},
	}}
	stateEnum = &Layout{Kind: Enum, Tag: "0xcafe::market::State", Variants: []Variant{
		{Name: "Open"}, {Name: "Taken", Fields: []Field{{"relay", LAddress}, {"at", LU64}}}}}
)

func TestJSONShapes(t *testing.T) {
	ser := &bcs.Serializer{}
	var owner aptos.AccountAddress
	owner[31] = 0xab
	owner[30] = 0x01
	ser.FixedBytes(owner[:])
	ser.U64(18446744073709551615)
	ser.U8(7)
	ser.WriteBytes([]byte{0xde, 0xad})
	ser.WriteString("héllo")
	ser.Uleb128(1)
	ser.U64(5)
	ser.Uleb128(2)
	ser.FixedBytes(aptos.AccountOne[:])
	ser.FixedBytes(make([]byte, 32))
	for i := 0; i < 16; i++ {
		ser.U8(0xff)
	}
	huge := make([]byte, 32)
	huge[0] = 1
	ser.FixedBytes(huge)
	ser.Bool(true)
	ser.U16(65535)
	ser.U32(4000000000)
	got, err := JSON(nil, orderLayout, ser.ToBytes())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"amount":"18446744073709551615","big":"340282366920938463463374607431768211455","flags":7,` +
		`"huge":"1","mid":4000000000,"name":"héllo","ok":true,"owner":"0x1ab","relays":["0x1","0x0"],` +
		`"root":"0xdead","small":65535,"tip":{"vec":["5"]}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// mixedEnum's one variant declares its fields out of key order, with an
// upper-case name that sorts before "__variant__".
var mixedEnum = &Layout{Kind: Enum, Tag: "0xcafe::m::E", Variants: []Variant{{Name: "V", Fields: []Field{
	{Name: "A", Layout: LU8}, {Name: "z", Layout: LU64},
	{Name: "b", Layout: &Layout{Kind: Struct, Tag: "0xcafe::m::S", Fields: []Field{{Name: "y", Layout: LU8}, {Name: "Z", Layout: LU64}}}},
}}}}

func TestJSONEnumsAndOptions(t *testing.T) {
	cases := []struct {
		l    *Layout
		b    []byte
		want string
	}{
		{optionEnum, []byte{0}, `{"vec":[]}`},
		{optionEnum, []byte{1, 5}, `{"vec":"0x05"}`},
		{stateEnum, []byte{0}, `{"__variant__":"Open"}`},
		{stateEnum, append(append([]byte{1}, aptos.AccountOne[:]...), 3, 0, 0, 0, 0, 0, 0, 0), `{"__variant__":"Taken","at":"3","relay":"0x1"}`},
		{objectLayout, aptos.AccountOne[:], `{"inner":"0x1"}`},
		{stringLayout, []byte{2, 0xff, 0xfe}, `"Unparsable utf-8 0xfffe"`},
		{VectorOf(VectorOf(LU8)), []byte{2, 1, 9, 0}, `["0x09","0x"]`},
		// keys in byte order, "__variant__" among them, nested objects too
		{mixedEnum, []byte{0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0}, `{"A":1,"__variant__":"V","b":{"Z":"4","y":3},"z":"2"}`},
		{mixedEnum, []byte{0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0}, `{"A":1,"__variant__":"V","b":{"Z":"4","y":3},"z":"2"}`},
	}
	for _, c := range cases {
		got, err := JSON(nil, c.l, c.b)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s, %v; want %s", c.l.Tag, got, err, c.want)
		}
	}
	for _, bad := range [][]byte{{}, {2}, {0, 0}, {1}} {
		if _, err := JSON(nil, optionEnum, bad); err == nil {
			t.Errorf("accepted %x", bad)
		}
	}
	if _, err := JSON(nil, LBool, []byte{2}); err == nil {
		t.Error("accepted bool 2")
	}
	if _, err := JSON(nil, VectorOf(LU64), []byte{0xff, 0xff, 0xff, 0xff, 0x07}); err == nil {
		t.Error("accepted a vector longer than its bytes")
	}
}

func TestEncodeJSONRoundTrip(t *testing.T) {
	cases := []struct {
		l    *Layout
		in   string
		want string // JSON after the round trip
	}{
		{LU64, `"123"`, `"123"`},
		{LU64, `123`, `"123"`},
		{LU8, `255`, `255`},
		{LAddress, `"0x1"`, `"0x1"`},
		{VectorOf(LU8), `"0x0102"`, `"0x0102"`},
		{VectorOf(LU8), `[1,2]`, `"0x0102"`},
		{stringLayout, `"abc"`, `"abc"`},
		{optionU64, `{"vec":["9"]}`, `{"vec":["9"]}`},
		{optionU64, `[]`, `{"vec":[]}`},
		{optionEnum, `{"vec":[7]}`, `{"vec":"0x07"}`},
		{objectLayout, `"0xa"`, `{"inner":"0xa"}`},
		{stateEnum, `{"__variant__":"Taken","relay":"0x2","at":"4"}`, `{"__variant__":"Taken","at":"4","relay":"0x2"}`},
	}
	for _, c := range cases {
		b, err := EncodeJSON(c.l, json.RawMessage(c.in))
		if err != nil {
			t.Errorf("encode %s: %v", c.in, err)
			continue
		}
		got, err := JSON(nil, c.l, b)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		l  *Layout
		in string
	}{{LU8, `256`}, {LU64, `-1`}, {LU64, `"x"`}, {LAddress, `"0xzz"`}, {LBool, `1`}, {stateEnum, `{"__variant__":"Gone"}`}} {
		if _, err := EncodeJSON(c.l, json.RawMessage(c.in)); err == nil {
			t.Errorf("accepted %s", c.in)
		}
	}
}

func TestTypeStrings(t *testing.T) {
	st, canon, err := ParseStructTag("0x0000000000000000000000000000000000000000000000000000000000000001::coin::CoinStore<0x1::aptos_coin::AptosCoin>")
	if err != nil {
		t.Fatal(err)
	}
	if canon != "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>" || st.Module != "coin" {
		t.Fatalf("canonical %q", canon)
	}
	_, canon, err = ParseStructTag("0xcafe::m::Pair<u64, vector<0x1::string::String>>")
	if err != nil || canon != "0xcafe::m::Pair<u64, vector<0x1::string::String>>" {
		t.Fatalf("canonical %q, %v", canon, err)
	}
	if _, _, err := ParseStructTag("u64"); err == nil {
		t.Fatal("accepted a primitive as a struct tag")
	}
}

func FuzzJSON(f *testing.F) {
	f.Add(0, []byte{1, 2, 3})
	f.Add(1, []byte{1, 5})
	f.Add(2, append([]byte{1}, make([]byte, 40)...))
	layouts := []*Layout{orderLayout, optionEnum, stateEnum, stringLayout, VectorOf(VectorOf(LU64)), LU256}
	f.Fuzz(func(t *testing.T, which int, b []byte) {
		l := layouts[uint(which)%uint(len(layouts))]
		out, err := JSON(nil, l, b)
		if err == nil && !json.Valid(out) {
			t.Fatalf("invalid JSON %s", out)
		}
	})
}

func FuzzEncodeJSON(f *testing.F) {
	f.Add(0, `{"vec":["1"]}`)
	f.Add(1, `{"__variant__":"Taken","relay":"0x2","at":"4"}`)
	f.Add(2, `"0x0102"`)
	layouts := []*Layout{optionU64, stateEnum, VectorOf(LU8), orderLayout, optionEnum}
	f.Fuzz(func(t *testing.T, which int, in string) {
		l := layouts[uint(which)%uint(len(layouts))]
		b, err := EncodeJSON(l, json.RawMessage(in))
		if err != nil {
			return
		}
		if _, err := JSON(nil, l, b); err != nil {
			t.Fatalf("encoded %s to bytes that do not decode: %v", in, err)
		}
	})
}

func FuzzParseStructTag(f *testing.F) {
	f.Add("0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>")
	f.Add("0xcafe::m::P<u8, vector<vector<u64>>>")
	f.Add(" ")
	f.Add("0x1::m::S<")
	f.Fuzz(func(t *testing.T, s string) {
		ParseStructTag(s)
		ParseTypeTag(s)
	})
}

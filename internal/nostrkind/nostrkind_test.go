package nostrkind

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClassOf(t *testing.T) {
	cases := []struct {
		kind int
		want Class
	}{
		{0, Replaceable}, {1, Regular}, {2, Regular}, {3, Replaceable}, {4, Regular},
		{Deletion, Regular}, {44, Regular}, {45, Regular}, {999, Regular}, {1000, Regular},
		{Commit, Regular}, {Manifest, Regular}, {9999, Regular},
		{10000, Replaceable}, {BlossomServerList, Replaceable}, {19999, Replaceable},
		{20000, Ephemeral}, {ClientAuth, Ephemeral}, {BlossomAuth, Ephemeral}, {29999, Ephemeral},
		{30000, Addressable}, {RepoAnnouncement, Addressable}, {RepoState, Addressable}, {39999, Addressable},
		{40000, Regular}, {MaxKind, Regular},
	}
	for _, c := range cases {
		if got := ClassOf(c.kind); got != c.want {
			t.Errorf("ClassOf(%d) = %v, want %v", c.kind, got, c.want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	pk := "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
	good := map[string]Address{
		"30617:" + pk + ":my-model": {30617, pk, "my-model"},
		"30617:" + pk + ":a:b:c":    {30617, pk, "a:b:c"},
		"10063:" + pk + ":":         {10063, pk, ""},
		"0:" + pk + ":":             {0, pk, ""},
		"30618:" + pk + ":":         {30618, pk, ""},
	}
	for s, want := range good {
		got, ok := ParseAddress(s)
		if !ok || got != want {
			t.Errorf("ParseAddress(%q) = %v, %v; want %v", s, got, ok, want)
		}
		if got.String() != s {
			t.Errorf("Address.String() = %q, want %q", got.String(), s)
		}
	}
	bad := []string{
		"", "30617", "30617:" + pk, "1:" + pk + ":x", "3617:" + pk + ":x", "20000:" + pk + ":",
		"030617:" + pk + ":x", "+30617:" + pk + ":x", "30617:" + pk[:63] + ":x",
		"30617:" + "79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798" + ":x",
		"70000:" + pk + ":x", "-1:" + pk + ":x",
	}
	for _, s := range bad {
		if a, ok := ParseAddress(s); ok {
			t.Errorf("ParseAddress(%q) = %v, want failure", s, a)
		}
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"30617:79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798:model", "0::", "1:x:y", ":::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseAddress(s)
		if ok && a.String() != s {
			t.Fatalf("ParseAddress(%q) round-trips to %q", s, a.String())
		}
	})
}

func TestExpiration(t *testing.T) {
	for _, c := range []struct {
		tags    [][]string
		at      int64
		ok, bad bool
	}{
		{nil, 0, false, false},
		{[][]string{{"t", "x"}, {"expiration"}}, 0, false, false},
		{[][]string{{"expiration", "1700000000"}}, 1700000000, true, false},
		{[][]string{{"expiration", "1700000000"}, {"expiration", "5"}}, 1700000000, true, false},
		{[][]string{{"expiration", ""}}, 0, true, true},
		{[][]string{{"expiration", "-5"}}, 0, true, true},
		{[][]string{{"expiration", "1e9"}}, 0, true, true},
		{[][]string{{"expiration", " 17"}}, 0, true, true},
		{[][]string{{"expiration", "9999999999999999999999"}}, 0, true, true},
	} {
		at, ok, err := Expiration(c.tags)
		if at != c.at || ok != c.ok || (err != nil) != c.bad {
			t.Errorf("%q: %d %v %v", c.tags, at, ok, err)
		}
	}
}

func TestSearchText(t *testing.T) {
	text := SearchText("weights", [][]string{{"d", "tiny-llama"}, {"p", "deadbeef"}, {"description", "fine-tuned"}, {"t"}})
	if text != "weights tiny-llama fine-tuned" {
		t.Fatalf("text %q", text)
	}
	long := SearchText(strings.Repeat("é", MaxSearchText), [][]string{})
	if len(long) > MaxSearchText || !utf8.ValidString(long) {
		t.Fatalf("long text: %d bytes, valid %v", len(long), utf8.ValidString(long))
	}
	for _, c := range []struct {
		q, text string
		want    bool
	}{
		{"llama", "Tiny Llama 1B", true},
		{"tiny LLAMA", "tiny-llama weights", true},
		{"llama move", "tiny llama", false},
		{"", "anything", false},
		{"!!", "anything", false},
	} {
		if got := SearchMatches(c.q, c.text); got != c.want {
			t.Errorf("SearchMatches(%q, %q) = %v", c.q, c.text, got)
		}
	}
}

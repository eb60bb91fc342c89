package repo

import (
	"strings"
	"testing"

	"github.com/nbd-wtf/go-nostr/nip19"
)

func TestNaddrRoundTrip(t *testing.T) {
	pk := "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
	c := Coordinate{Kind: KindRepoAnnouncement, Pubkey: pk, Name: "llama-ft"}
	relays := []string{"ws://127.0.0.1:7447", "wss://relay.example.com"}
	s, err := EncodeNaddr(c, relays)
	if err != nil {
		t.Fatal(err)
	}
	// Interoperable with go-nostr's encoder.
	ref, err := nip19.EncodeEntity(pk, KindRepoAnnouncement, "llama-ft", relays)
	if err != nil || ref != s {
		t.Fatalf("ours %s, go-nostr %s (%v)", s, ref, err)
	}
	n, err := DecodeNaddr("nostr:" + s)
	if err != nil {
		t.Fatal(err)
	}
	if n.Coordinate != c || len(n.Relays) != 2 || n.Relays[1] != relays[1] {
		t.Fatalf("decoded %+v", n)
	}
	b, err := ParseBaseSpec(s + ":" + strings.Repeat("ab", 32))
	if err != nil || b.Address != c.String() || b.Commit != strings.Repeat("ab", 32) {
		t.Fatalf("base %+v %v", b, err)
	}
	if _, err := ParseBaseSpec(s + ":abc"); err == nil {
		t.Fatal("short base commit accepted")
	}
	// Another kind is refused.
	other, _ := nip19.EncodeEntity(pk, 30023, "post", nil)
	if _, err := DecodeNaddr(other); err == nil {
		t.Fatal("kind 30023 accepted")
	}
	if _, err := DecodeNaddr("npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"); err == nil {
		t.Fatal("npub accepted")
	}
}

func TestParseCoordinate(t *testing.T) {
	pk := strings.Repeat("0", 63) + "1"
	for _, bad := range []string{"", "30617", "30617:" + pk, "1:" + pk + ":x", "30617:zz:x", "30617:" + pk + ":a/b"} {
		if _, err := ParseCoordinate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzDecodeNaddr(f *testing.F) {
	pk := "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
	s, _ := EncodeNaddr(Coordinate{Kind: KindRepoAnnouncement, Pubkey: pk, Name: "m"}, []string{"ws://h:1"})
	f.Add(s)
	f.Add("naddr1qqqqqqqq")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := DecodeNaddr(s)
		if err != nil {
			return
		}
		again, err := EncodeNaddr(n.Coordinate, n.Relays)
		if err != nil {
			return // relay hints dropped as invalid can't change validity of the rest
		}
		m, err := DecodeNaddr(again)
		if err != nil || m.Coordinate != n.Coordinate {
			t.Fatalf("re-encoding changed %+v to %+v (%v)", n, m, err)
		}
	})
}

package policy

import (
	"strconv"
	"testing"
	"time"

	"github.com/nbd-wtf/go-nostr"
	"github.com/nbd-wtf/go-nostr/nip19"
)

func TestRateLimiter(t *testing.T) {
	l := NewRateLimiter(2, 3)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if !l.Allow("a") {
			t.Fatalf("burst token %d refused", i)
		}
	}
	if l.Allow("a") {
		t.Fatal("fourth token within the burst allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(500 * time.Millisecond) // one token back at 2/s
	if !l.Allow("a") || l.Allow("a") {
		t.Fatal("refill is not 2 tokens per second")
	}
	now = now.Add(time.Hour) // idle keys are forgotten and start full
	l.Allow("c")
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets kept after an hour idle, want 1", len(l.buckets))
	}
	var off *RateLimiter = NewRateLimiter(0, 10)
	if !off.Allow("x") {
		t.Fatal("a disabled limiter refuses")
	}
}

func TestParseKeys(t *testing.T) {
	pk, _ := nostr.GetPublicKey(nostr.GeneratePrivateKey())
	npub, _ := nip19.EncodePublicKey(pk)
	set, err := ParseKeys(npub + ", " + pk + " " + "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 2 || !set.Contains(pk) || !set.Contains("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789") {
		t.Fatalf("set %v", set.Sorted())
	}
	for _, bad := range []string{"npub1xyz", "abc", pk + "00", "nsec1abc"} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
	if empty, _ := ParseKeys(""); !empty.Allows(pk) {
		t.Fatal("empty set does not admit everyone")
	}
}

func TestAccess(t *testing.T) {
	w, other := "w", "o"
	a := &Access{Writers: KeySet{w: {}}, ProtectedKinds: map[int]bool{4: true}}
	mine := &nostr.Event{Kind: 1, PubKey: w}
	theirs := &nostr.Event{Kind: 1, PubKey: other}
	if a.CheckWrite(mine, nil) != nil {
		t.Fatal("writer's own event refused")
	}
	if rej := a.CheckWrite(theirs, nil); rej == nil || rej.Prefix != AuthRequired {
		t.Fatalf("stranger's event: %v", rej)
	}
	if a.CheckWrite(theirs, []string{w}) != nil {
		t.Fatal("writer republishing another's event refused")
	}
	if rej := a.CheckWrite(theirs, []string{other}); rej == nil || rej.Prefix != Restricted {
		t.Fatalf("authenticated stranger: %v", rej)
	}
	dm := &nostr.Event{Kind: 4, PubKey: w, Tags: nostr.Tags{{"p", "r"}}}
	if rej := a.CheckWrite(dm, nil); rej == nil || rej.Prefix != AuthRequired {
		t.Fatalf("unauthenticated protected write: %v", rej)
	}
	if !a.Visible(dm, []string{"r"}) || !a.Visible(dm, []string{w}) || a.Visible(dm, []string{other}) || a.Visible(dm, nil) {
		t.Fatal("protected visibility wrong")
	}
	if rej := a.CheckFilter(&nostr.Filter{Kinds: []int{1, 4}}, nil); rej == nil {
		t.Fatal("unauthenticated filter on a protected kind passed")
	}
	if rej := a.CheckFilter(&nostr.Filter{}, nil); rej != nil {
		t.Fatal("open filter refused")
	}
}

func TestCheckEvent(t *testing.T) {
	l := DefaultLimits()
	l.MaxContentChars = 3
	l.MaxTagValueBytes = 4
	sk := nostr.GeneratePrivateKey()
	mk := func(e nostr.Event) *nostr.Event { e.CreatedAt = nostr.Now(); e.Sign(sk); return &e }
	if rej := l.CheckEvent(mk(nostr.Event{Kind: 1, Content: "äöü", Tags: nostr.Tags{{"t", "abcd"}, {"alt", "long values are fine when not indexed"}}}), time.Now()); rej != nil {
		t.Fatalf("valid event: %v", rej)
	}
	if rej := l.CheckEvent(mk(nostr.Event{Kind: 1, Tags: nostr.Tags{{"expiration", strconv.FormatInt(time.Now().Unix()+60, 10)}}}), time.Now()); rej != nil {
		t.Fatalf("event expiring in a minute: %v", rej)
	}
	for name, e := range map[string]*nostr.Event{
		"content too long":      mk(nostr.Event{Kind: 1, Content: "abcd"}),
		"indexed value long":    mk(nostr.Event{Kind: 1, Tags: nostr.Tags{{"t", "abcde"}}}),
		"empty tag":             mk(nostr.Event{Kind: 1, Tags: nostr.Tags{{}}}),
		"NUL in tag":            mk(nostr.Event{Kind: 1, Tags: nostr.Tags{{"t", "a\x00"}}}),
		"invalid UTF-8":         mk(nostr.Event{Kind: 1, Content: "\xff"}),
		"kind out of range":     {ID: "x", Kind: 70000},
		"uppercase signature":   func() *nostr.Event { e := mk(nostr.Event{Kind: 1}); e.Sig = "A" + e.Sig[1:]; return e }(),
		"expired":               mk(nostr.Event{Kind: 1, Tags: nostr.Tags{{"expiration", strconv.FormatInt(time.Now().Unix()-1, 10)}}}),
		"expiration not a time": mk(nostr.Event{Kind: 1, Tags: nostr.Tags{{"expiration", "soon"}}}),
	} {
		if rej := l.CheckEvent(e, time.Now()); rej == nil || rej.Prefix != Invalid {
			t.Errorf("%s: %v", name, rej)
		}
	}
}

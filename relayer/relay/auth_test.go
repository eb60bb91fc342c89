package relay

import (
	"testing"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

var timeZero = time.Unix(0, 0)

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"wss://Relay.Example.com/":       "relay.example.com",
		"wss://relay.example.com:443":    "relay.example.com",
		"ws://relay.example.com:80/":     "relay.example.com",
		"ws://127.0.0.1:7447":            "127.0.0.1:7447",
		"relay.example.com":              "relay.example.com",
		"https://relay.example.com:8443": "relay.example.com:8443",
		"ws://[::1]:7447":                "[::1]:7447",
		"":                               "",
		"wss://":                         "",
	} {
		if got := hostOf(in); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckAuth(t *testing.T) {
	sk := nostr.GeneratePrivateKey()
	now := time.Now()
	mk := func(kind int, at time.Time, tags ...nostr.Tag) *nostr.Event {
		e := &nostr.Event{Kind: kind, CreatedAt: nostr.Timestamp(at.Unix()), Tags: tags}
		e.Sign(sk)
		return e
	}
	good := mk(nostrkind.ClientAuth, now, nostr.Tag{"relay", "wss://relay.example.com/"}, nostr.Tag{"challenge", "c1"})
	if rej := checkAuth(good, "c1", "relay.example.com", now); rej != nil {
		t.Fatalf("good AUTH refused: %v", rej)
	}
	tampered := *good
	tampered.Tags = nostr.Tags{{"relay", "wss://relay.example.com/"}, {"challenge", "c2"}}
	for name, e := range map[string]*nostr.Event{
		"wrong challenge": good,
		"stale":           mk(nostrkind.ClientAuth, now.Add(-time.Hour), nostr.Tag{"relay", "wss://relay.example.com"}, nostr.Tag{"challenge", "c2"}),
		"other relay":     mk(nostrkind.ClientAuth, now, nostr.Tag{"relay", "wss://evil.example.com"}, nostr.Tag{"challenge", "c2"}),
		"no relay":        mk(nostrkind.ClientAuth, now, nostr.Tag{"challenge", "c2"}),
		"wrong kind":      mk(1, now, nostr.Tag{"relay", "wss://relay.example.com"}, nostr.Tag{"challenge", "c2"}),
		"tampered":        &tampered,
	} {
		if rej := checkAuth(e, "c2", "relay.example.com", now); rej == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

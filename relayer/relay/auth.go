package relay

import (
	"net/url"
	"strings"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
)

// authWindow is how far an AUTH event's created_at may be from now
// (NIP-42 suggests about ten minutes).
const authWindow = 10 * time.Minute

// checkAuth validates a NIP-42 authentication event against the
// connection's challenge and the relay's URL (host and port; the scheme may
// differ behind TLS-terminating proxies).
func checkAuth(evt *nostr.Event, challenge, relayHost string, now time.Time) *policy.Rejection {
	if evt.Kind != nostrkind.ClientAuth {
		return policy.Reject(policy.Invalid, "AUTH needs a kind %d event", nostrkind.ClientAuth)
	}
	if !policy.IsLowerHex(evt.ID, 64) || !policy.IsLowerHex(evt.PubKey, 64) || !policy.IsLowerHex(evt.Sig, 128) {
		return policy.Reject(policy.Invalid, "malformed id, pubkey or sig")
	}
	t := evt.CreatedAt.Time()
	if t.Before(now.Add(-authWindow)) || t.After(now.Add(authWindow)) {
		return policy.Reject(policy.Invalid, "created_at is more than %s from now", authWindow)
	}
	if tag := evt.Tags.Find("challenge"); len(tag) < 2 || tag[1] != challenge {
		return policy.Reject(policy.Invalid, "challenge tag does not match this connection's challenge")
	}
	tag := evt.Tags.Find("relay")
	if len(tag) < 2 {
		return policy.Reject(policy.Invalid, "no relay tag")
	}
	if h := hostOf(tag[1]); h == "" || h != relayHost {
		return policy.Reject(policy.Invalid, "relay tag %q does not name this relay (%s)", truncate(tag[1], 100), relayHost)
	}
	if !evt.CheckID() {
		return policy.Reject(policy.Invalid, "id does not match the event")
	}
	if ok, _ := evt.CheckSignature(); !ok {
		return policy.Reject(policy.Invalid, "bad signature")
	}
	return nil
}

// hostOf returns the lowercase host[:port] of a relay URL, dropping the
// scheme's default port, so "wss://Relay.example.com:443/" and
// "relay.example.com" compare equal.
func hostOf(raw string) string {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "wss://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	switch {
	case port == "":
	case port == "443" && (u.Scheme == "wss" || u.Scheme == "https"):
	case port == "80" && (u.Scheme == "ws" || u.Scheme == "http"):
	default:
		host += ":" + port
	}
	if strings.Contains(u.Hostname(), ":") { // IPv6 literal
		host = "[" + strings.ToLower(u.Hostname()) + "]"
		if port != "" && !(port == "443" && (u.Scheme == "wss" || u.Scheme == "https")) && !(port == "80" && (u.Scheme == "ws" || u.Scheme == "http")) {
			host += ":" + port
		}
	}
	return host
}

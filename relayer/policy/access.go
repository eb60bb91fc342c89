package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

// Access decides who may publish events, read protected kinds and upload
// blobs.
type Access struct {
	// Writers, when not empty, admits only events whose author, or the
	// connection's authenticated key, is listed.
	Writers KeySet
	// AuthWrites makes every EVENT wait for NIP-42 authentication.
	AuthWrites bool
	// ProtectedKinds are readable only by an authenticated author of the
	// event or a key it tags with "p", and writable only after
	// authentication (NIP-42's direct-message case).
	ProtectedKinds map[int]bool
	// Uploaders, when not empty, admits only these keys to upload blobs;
	// empty admits any key that signs a valid authorization.
	Uploaders KeySet
}

// ParseKinds reads a comma- or space-separated list of kind numbers.
func ParseKinds(list string) (map[int]bool, error) {
	kinds := map[int]bool{}
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		k, err := strconv.Atoi(f)
		if err != nil || k < 0 || k > nostrkind.MaxKind {
			return nil, fmt.Errorf("kind %q: want a number in 0..%d", f, nostrkind.MaxKind)
		}
		kinds[k] = true
	}
	return kinds, nil
}

// CheckWrite decides whether an event may be stored or relayed, given the
// keys the connection has authenticated as.
func (a *Access) CheckWrite(evt *nostr.Event, authed []string) *Rejection {
	if (a.AuthWrites || a.ProtectedKinds[evt.Kind]) && len(authed) == 0 {
		return Reject(AuthRequired, "authenticate (NIP-42) before publishing")
	}
	if len(a.Writers) == 0 || a.Writers.Contains(evt.PubKey) {
		return nil
	}
	for _, pk := range authed {
		if a.Writers.Contains(pk) {
			return nil
		}
	}
	if len(authed) == 0 {
		return Reject(AuthRequired, "this relay accepts events from its writers only; authenticate as one")
	}
	return Reject(Restricted, "neither the author nor the authenticated key is a writer on this relay")
}

// CheckProtected applies NIP-70: an event tagged ["-"] is accepted only
// from a connection authenticated as its author.
func CheckProtected(evt *nostr.Event, authed []string) *Rejection {
	protected := false
	for _, t := range evt.Tags {
		if len(t) == 1 && t[0] == "-" {
			protected = true
			break
		}
	}
	switch {
	case !protected || slices.Contains(authed, evt.PubKey):
		return nil
	case len(authed) == 0:
		return Reject(AuthRequired, "this event may only be published by its author (NIP-70)")
	}
	return Reject(Restricted, "this event may only be published by its author (NIP-70)")
}

// CheckFilter refuses a filter that explicitly asks for protected kinds on
// an unauthenticated connection, so the client learns to authenticate.
// Filters without kinds pass; Visible hides what they may not see.
func (a *Access) CheckFilter(f *nostr.Filter, authed []string) *Rejection {
	if len(a.ProtectedKinds) == 0 || len(authed) > 0 {
		return nil
	}
	for _, k := range f.Kinds {
		if a.ProtectedKinds[k] {
			return Reject(AuthRequired, "kind %d is served to authenticated readers only", k)
		}
	}
	return nil
}

// Visible reports whether a reader authenticated as authed may receive evt.
func (a *Access) Visible(evt *nostr.Event, authed []string) bool {
	if !a.ProtectedKinds[evt.Kind] {
		return true
	}
	if slices.Contains(authed, evt.PubKey) {
		return true
	}
	for _, t := range evt.Tags {
		if len(t) >= 2 && t[0] == "p" && slices.Contains(authed, t[1]) {
			return true
		}
	}
	return false
}

// SortedKinds lists a kind set in order.
func SortedKinds(kinds map[int]bool) []int {
	out := make([]int, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

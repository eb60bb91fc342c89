package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nbd-wtf/go-nostr/nip19"
)

// KeySet is a set of hex pubkeys. An empty set admits every key.
type KeySet map[string]struct{}

// ParseKeys reads a comma- or space-separated list of pubkeys, each either
// npub1... (NIP-19) or 64 hex digits.
func ParseKeys(list string) (KeySet, error) {
	set := KeySet{}
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		pk, err := ParseKey(f)
		if err != nil {
			return nil, err
		}
		set[pk] = struct{}{}
	}
	return set, nil
}

// ParseKey reads one pubkey as npub1... or hex and returns lowercase hex.
func ParseKey(s string) (string, error) {
	if strings.HasPrefix(s, "npub1") {
		prefix, v, err := nip19.Decode(s)
		if err != nil || prefix != "npub" {
			return "", fmt.Errorf("pubkey %q: not a valid npub", s)
		}
		pk, ok := v.(string)
		if !ok || !IsLowerHex(pk, 64) {
			return "", fmt.Errorf("pubkey %q: not a valid npub", s)
		}
		return pk, nil
	}
	lower := strings.ToLower(s)
	if !IsLowerHex(lower, 64) {
		return "", fmt.Errorf("pubkey %q: want npub1... or 64 hex digits", s)
	}
	return lower, nil
}

// Allows reports whether pk is in the set, or the set is empty.
func (s KeySet) Allows(pk string) bool {
	if len(s) == 0 {
		return true
	}
	_, ok := s[pk]
	return ok
}

// Contains reports whether pk is in the set (false for an empty set).
func (s KeySet) Contains(pk string) bool {
	_, ok := s[pk]
	return ok
}

// Sorted lists the keys in order.
func (s KeySet) Sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

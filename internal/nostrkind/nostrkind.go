// Package nostrkind names the Nostr event kinds the project reads and writes
// and classifies kinds by how relays keep them (NIP-01).
//
// The project's own kinds are documented in docs/NOSTR.md.
package nostrkind

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Standard kinds used by the project.
const (
	// Metadata is a user's profile (NIP-01), replaceable.
	Metadata = 0
	// Deletion is a deletion request (NIP-09), regular.
	Deletion = 5
	// ClientAuth is the NIP-42 authentication event; it is sent with AUTH,
	// never published or stored.
	ClientAuth = 22242
	// BlossomAuth authorizes a Blossom request (BUD-11: upload, get, list,
	// delete); it travels in an HTTP Authorization header, never stored.
	BlossomAuth = 24242
	// BlossomServerList is a user's list of Blossom servers (BUD-03),
	// replaceable.
	BlossomServerList = 10063
	// RelayList is a user's relay list (NIP-65), replaceable.
	RelayList = 10002
)

// The project's repository kinds. 30617 and 30618 follow NIP-34; 3617 and
// 3618 are the project's own (docs/NOSTR.md).
const (
	// RepoAnnouncement announces a model repository (NIP-34), addressable by
	// its "d" tag.
	RepoAnnouncement = 30617
	// RepoState carries a repository's refs (NIP-34), addressable by the same
	// "d" tag as its announcement.
	RepoState = 30618
	// Commit is one commit of a model repository: its file tree, parents,
	// fork base and message. Regular: a commit never changes.
	Commit = 3617
	// Manifest holds the canonical manifest of one stored object: how its
	// shards rebuild it. Regular.
	Manifest = 3618
)

// Class is how a relay keeps events of a kind (NIP-01).
type Class int

const (
	// Regular events are all stored.
	Regular Class = iota
	// Replaceable events keep only the latest per (pubkey, kind).
	Replaceable
	// Ephemeral events are relayed to listeners and never stored.
	Ephemeral
	// Addressable events keep only the latest per (pubkey, kind, "d" tag).
	Addressable
)

func (c Class) String() string {
	switch c {
	case Regular:
		return "regular"
	case Replaceable:
		return "replaceable"
	case Ephemeral:
		return "ephemeral"
	case Addressable:
		return "addressable"
	}
	return "unknown"
}

// MaxKind is the largest valid kind (NIP-01: 0..65535).
const MaxKind = 65535

// ClassOf classifies a kind. Kinds NIP-01 leaves unassigned below 10000
// (45..999) are regular, and kinds of 40000 and above are regular as well,
// which is what relays commonly do.
func ClassOf(kind int) Class {
	switch {
	case kind == 0 || kind == 3 || (kind >= 10000 && kind < 20000):
		return Replaceable
	case kind >= 20000 && kind < 30000:
		return Ephemeral
	case kind >= 30000 && kind < 40000:
		return Addressable
	}
	return Regular
}

// Address is the coordinate of a replaceable or addressable event,
// "<kind>:<pubkey>:<d>" as in NIP-01 "a" tags; D is empty for replaceable
// kinds.
type Address struct {
	Kind   int
	PubKey string
	D      string
}

func (a Address) String() string {
	return strconv.Itoa(a.Kind) + ":" + a.PubKey + ":" + a.D
}

// ParseAddress parses "<kind>:<pubkey>:<d>". The kind must be replaceable
// or addressable and the pubkey 64 lowercase hex digits; d may contain
// colons.
func ParseAddress(s string) (Address, bool) {
	k, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Address{}, false
	}
	pk, d, ok := strings.Cut(rest, ":")
	if !ok {
		return Address{}, false
	}
	kind, err := strconv.Atoi(k)
	if err != nil || kind < 0 || kind > MaxKind || strconv.Itoa(kind) != k {
		return Address{}, false
	}
	if !isLowerHex64(pk) {
		return Address{}, false
	}
	switch ClassOf(kind) {
	case Replaceable, Addressable:
	default:
		return Address{}, false
	}
	return Address{Kind: kind, PubKey: pk, D: d}, true
}

func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ErrBadExpiration is Expiration's error for a tag that is not a unix
// timestamp.
var ErrBadExpiration = errors.New("expiration tag is not a unix timestamp")

// Expiration reads an event's NIP-40 expiration: the first "expiration"
// tag's value, a unix timestamp in decimal seconds. ok is false when there
// is no such tag.
func Expiration[T ~[]string](tags []T) (at int64, ok bool, err error) {
	for _, t := range tags {
		if len(t) < 2 || t[0] != "expiration" {
			continue
		}
		v := t[1]
		if v == "" || len(v) > 18 || strings.TrimLeft(v, "0123456789") != "" {
			return 0, true, ErrBadExpiration
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, true, ErrBadExpiration
		}
		return n, true, nil
	}
	return 0, false, nil
}

// SearchTags are the tags whose values NIP-50 search looks at besides the
// content: names, descriptions and topics (a repository announcement keeps
// its name and description there, not in its content).
var SearchTags = []string{"d", "name", "description", "t", "title", "summary", "alt"}

// MaxSearchText bounds the text indexed for one event.
const MaxSearchText = 64 << 10

// SearchText is what NIP-50 search indexes of an event: its content and
// the values of SearchTags, cut at MaxSearchText bytes on a character
// boundary.
func SearchText[T ~[]string](content string, tags []T) string {
	var b strings.Builder
	b.WriteString(content)
	for _, t := range tags {
		if len(t) >= 2 && slices.Contains(SearchTags, t[0]) {
			b.WriteByte(' ')
			b.WriteString(t[1])
		}
	}
	text := b.String()
	if len(text) > MaxSearchText {
		cut := MaxSearchText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return strings.ToValidUTF8(strings.ReplaceAll(text, "\x00", ""), "")
}

// SearchWords splits text into lowercase words of letters and digits, the
// way search terms are compared in live subscriptions.
func SearchWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// SearchMatches reports whether every word of query is a word of text. It
// decides which new events a live search subscription receives; stored
// events are found by the relay's full-text index, which reads the same
// words.
func SearchMatches(query, text string) bool {
	words := SearchWords(query)
	if len(words) == 0 {
		return false
	}
	have := make(map[string]bool)
	for _, w := range SearchWords(text) {
		have[w] = true
	}
	for _, w := range words {
		if !have[w] {
			return false
		}
	}
	return true
}

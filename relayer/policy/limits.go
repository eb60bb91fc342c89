package policy

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

// Limits bound what one client may send. Zero means "no limit" only where a
// field says so.
type Limits struct {
	// MaxMessageBytes is the largest websocket message the relay decodes.
	MaxMessageBytes int
	// MaxEventTags is the largest number of tags in an event.
	MaxEventTags int
	// MaxContentChars is the longest content, in unicode characters (as
	// NIP-11's max_content_length counts).
	MaxContentChars int
	// MaxTagValueBytes is the longest value of an indexed (single-letter)
	// tag; longer values could not be indexed.
	MaxTagValueBytes int
	// MaxSubscriptions is the number of open subscriptions per connection.
	MaxSubscriptions int
	// MaxFilters is the number of filters in one REQ or COUNT.
	MaxFilters int
	// MaxFilterValues is the number of values (ids, authors, kinds and tag
	// values together) in one filter.
	MaxFilterValues int
	// MaxSubIDLength is the longest subscription id (NIP-01 says 64).
	MaxSubIDLength int
	// MaxLimit clamps a filter's limit; DefaultLimit applies when a filter
	// has none.
	MaxLimit     int
	DefaultLimit int
	// CreatedAtPast and CreatedAtFuture bound created_at around now; zero
	// means unbounded.
	CreatedAtPast   time.Duration
	CreatedAtFuture time.Duration
}

// DefaultLimits are sized for model metadata: a commit lists its whole file
// tree in tags (about 150 bytes per file), so a 2 MiB message and 20000 tags
// hold commits of some ten thousand files, far above social-media relays.
func DefaultLimits() Limits {
	return Limits{
		MaxMessageBytes:  2 << 20,
		MaxEventTags:     20000,
		MaxContentChars:  2 << 20,
		MaxTagValueBytes: 1024,
		MaxSubscriptions: 64,
		MaxFilters:       16,
		MaxFilterValues:  1000,
		MaxSubIDLength:   64,
		MaxLimit:         5000,
		DefaultLimit:     500,
		CreatedAtFuture:  15 * time.Minute,
	}
}

// IsLowerHex reports whether s is exactly n lowercase hex digits.
func IsLowerHex(s string, n int) bool {
	if len(s) != n {
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

// IsIndexedTagName reports whether a tag name is one relays index: a
// single ASCII letter (NIP-01).
func IsIndexedTagName(name string) bool {
	if len(name) != 1 {
		return false
	}
	c := name[0]
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// CheckEvent validates the shape of an event before its id and signature
// are checked: field formats, sizes, tags and timestamps. It does not look
// at who sent it.
func (l Limits) CheckEvent(evt *nostr.Event, now time.Time) *Rejection {
	if !IsLowerHex(evt.ID, 64) {
		return Reject(Invalid, "id must be 64 lowercase hex digits")
	}
	if !IsLowerHex(evt.PubKey, 64) {
		return Reject(Invalid, "pubkey must be 64 lowercase hex digits")
	}
	if !IsLowerHex(evt.Sig, 128) {
		return Reject(Invalid, "sig must be 128 lowercase hex digits")
	}
	if evt.Kind < 0 || evt.Kind > nostrkind.MaxKind {
		return Reject(Invalid, "kind %d is outside 0..%d", evt.Kind, nostrkind.MaxKind)
	}
	if evt.CreatedAt < 0 {
		return Reject(Invalid, "created_at is negative")
	}
	if l.CreatedAtFuture > 0 && evt.CreatedAt.Time().After(now.Add(l.CreatedAtFuture)) {
		return Reject(Invalid, "created_at is more than %s in the future", l.CreatedAtFuture)
	}
	if l.CreatedAtPast > 0 && evt.CreatedAt.Time().Before(now.Add(-l.CreatedAtPast)) {
		return Reject(Invalid, "created_at is more than %s in the past", l.CreatedAtPast)
	}
	// NIP-40: an expired event is not taken.
	if at, ok, err := nostrkind.Expiration(evt.Tags); err != nil {
		return Reject(Invalid, "%v", err)
	} else if ok && at <= now.Unix() {
		return Reject(Invalid, "event has expired")
	}
	if l.MaxEventTags > 0 && len(evt.Tags) > l.MaxEventTags {
		return Reject(Invalid, "%d tags, the limit is %d", len(evt.Tags), l.MaxEventTags)
	}
	if !utf8.ValidString(evt.Content) {
		return Reject(Invalid, "content is not valid UTF-8")
	}
	if l.MaxContentChars > 0 && len(evt.Content) > l.MaxContentChars &&
		utf8.RuneCountInString(evt.Content) > l.MaxContentChars {
		return Reject(Invalid, "content is longer than %d characters", l.MaxContentChars)
	}
	for i, tag := range evt.Tags {
		if len(tag) == 0 {
			return Reject(Invalid, "tag %d is empty", i)
		}
		for _, s := range tag {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				return Reject(Invalid, "tag %d is not valid UTF-8 text", i)
			}
		}
		if len(tag) >= 2 && IsIndexedTagName(tag[0]) && l.MaxTagValueBytes > 0 && len(tag[1]) > l.MaxTagValueBytes {
			return Reject(Invalid, "tag %d (%q) has a value longer than %d bytes", i, tag[0], l.MaxTagValueBytes)
		}
	}
	return nil
}

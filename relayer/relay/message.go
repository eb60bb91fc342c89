package relay

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nbd-wtf/go-nostr"
	"github.com/tidwall/gjson"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
)

// Client message types (NIP-01, NIP-42, NIP-45).
const (
	typeEvent = "EVENT"
	typeReq   = "REQ"
	typeCount = "COUNT"
	typeClose = "CLOSE"
	typeAuth  = "AUTH"
)

// message is one decoded client message.
type message struct {
	Type    string
	Event   *nostr.Event   // EVENT, AUTH
	SubID   string         // REQ, COUNT, CLOSE
	Filters []nostr.Filter // REQ, COUNT
}

// parseError is a message the relay refuses to act on. For EVENT messages
// whose id could be read, EventID lets the relay answer with OK false;
// SubID does the same for REQ and COUNT (CLOSED); otherwise a NOTICE goes
// out.
type parseError struct {
	Type    string
	EventID string
	SubID   string
	Reason  *policy.Rejection
}

// parseMessage decodes a client message strictly: valid JSON, the right
// shape for its type, and exact field types in events and filters. It never
// panics on any input.
func parseMessage(data []byte, lim *policy.Limits) (*message, *parseError) {
	if !gjson.ValidBytes(data) {
		return nil, &parseError{Reason: policy.Reject(policy.Invalid, "message is not valid JSON")}
	}
	root := gjson.ParseBytes(data)
	if !root.IsArray() {
		return nil, &parseError{Reason: policy.Reject(policy.Invalid, "message is not a JSON array")}
	}
	arr := root.Array()
	if len(arr) == 0 || arr[0].Type != gjson.String {
		return nil, &parseError{Reason: policy.Reject(policy.Invalid, "message does not start with a type string")}
	}
	m := &message{Type: arr[0].Str}
	switch m.Type {
	case typeEvent, typeAuth:
		if len(arr) != 2 || !arr[1].IsObject() {
			if m.Type == typeAuth {
				return nil, &parseError{Type: m.Type, Reason: policy.Reject(policy.Invalid, "AUTH takes one signed event")}
			}
			return nil, &parseError{Type: m.Type, Reason: policy.Reject(policy.Invalid, "EVENT takes one event object")}
		}
		evt, rej := parseEvent(arr[1])
		if rej != nil {
			return nil, &parseError{Type: m.Type, EventID: readableID(arr[1]), Reason: rej}
		}
		m.Event = evt
	case typeReq, typeCount:
		if len(arr) < 2 || arr[1].Type != gjson.String {
			return nil, &parseError{Type: m.Type, Reason: policy.Reject(policy.Invalid, "%s needs a subscription id string", m.Type)}
		}
		m.SubID = arr[1].Str
		if rej := checkSubID(m.SubID, lim); rej != nil {
			return nil, &parseError{Type: m.Type, Reason: rej}
		}
		if len(arr) < 3 {
			return nil, &parseError{Type: m.Type, SubID: m.SubID, Reason: policy.Reject(policy.Invalid, "%s needs at least one filter", m.Type)}
		}
		if lim.MaxFilters > 0 && len(arr)-2 > lim.MaxFilters {
			return nil, &parseError{Type: m.Type, SubID: m.SubID, Reason: policy.Reject(policy.Blocked, "%d filters, the limit is %d", len(arr)-2, lim.MaxFilters)}
		}
		for i, fj := range arr[2:] {
			f, rej := parseFilter(fj, lim)
			if rej != nil {
				rej.Msg = "filter " + strconv.Itoa(i) + ": " + rej.Msg
				return nil, &parseError{Type: m.Type, SubID: m.SubID, Reason: rej}
			}
			m.Filters = append(m.Filters, f)
		}
	case typeClose:
		if len(arr) != 2 || arr[1].Type != gjson.String {
			return nil, &parseError{Type: m.Type, Reason: policy.Reject(policy.Invalid, "CLOSE takes one subscription id string")}
		}
		m.SubID = arr[1].Str
	default:
		return nil, &parseError{Type: m.Type, Reason: policy.Reject(policy.Unsupported, "unknown message type %q", truncate(m.Type, 32))}
	}
	return m, nil
}

func checkSubID(id string, lim *policy.Limits) *policy.Rejection {
	if id == "" {
		return policy.Reject(policy.Invalid, "empty subscription id")
	}
	if !utf8.ValidString(id) {
		return policy.Reject(policy.Invalid, "subscription id is not valid UTF-8")
	}
	if lim.MaxSubIDLength > 0 && len(id) > lim.MaxSubIDLength {
		return policy.Reject(policy.Invalid, "subscription id longer than %d", lim.MaxSubIDLength)
	}
	return nil
}

// readableID returns the "id" of a malformed event when it is a plausible
// event id, so the client still gets an OK for it.
func readableID(obj gjson.Result) string {
	id := obj.Get("id")
	if id.Type == gjson.String && policy.IsLowerHex(id.Str, 64) {
		return id.Str
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// parseEvent reads an event object with exact field types. Unknown fields
// are ignored; every NIP-01 field is required.
func parseEvent(obj gjson.Result) (*nostr.Event, *policy.Rejection) {
	evt := &nostr.Event{}
	var have [7]bool
	var rej *policy.Rejection
	obj.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			evt.ID, rej = str(v, "id")
			have[0] = true
		case "pubkey":
			evt.PubKey, rej = str(v, "pubkey")
			have[1] = true
		case "created_at":
			var n int64
			n, rej = integer(v, "created_at")
			evt.CreatedAt = nostr.Timestamp(n)
			have[2] = true
		case "kind":
			var n int64
			n, rej = integer(v, "kind")
			if rej == nil && (n < 0 || n > nostrkind.MaxKind) {
				rej = policy.Reject(policy.Invalid, "kind %d is outside 0..%d", n, nostrkind.MaxKind)
			}
			evt.Kind = int(n)
			have[3] = true
		case "tags":
			evt.Tags, rej = tags(v)
			have[4] = true
		case "content":
			evt.Content, rej = str(v, "content")
			have[5] = true
		case "sig":
			evt.Sig, rej = str(v, "sig")
			have[6] = true
		}
		return rej == nil
	})
	if rej != nil {
		return nil, rej
	}
	for i, name := range [...]string{"id", "pubkey", "created_at", "kind", "tags", "content", "sig"} {
		if !have[i] {
			return nil, policy.Reject(policy.Invalid, "event has no %q field", name)
		}
	}
	return evt, nil
}

// maxSearchBytes bounds a NIP-50 search query.
const maxSearchBytes = 512

func str(v gjson.Result, field string) (string, *policy.Rejection) {
	if v.Type != gjson.String {
		return "", policy.Reject(policy.Invalid, "%s must be a string", field)
	}
	return v.Str, nil
}

// integer accepts a JSON number written as an integer (no fraction or
// exponent) that fits in int64.
func integer(v gjson.Result, field string) (int64, *policy.Rejection) {
	if v.Type != gjson.Number {
		return 0, policy.Reject(policy.Invalid, "%s must be an integer", field)
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if err != nil {
		return 0, policy.Reject(policy.Invalid, "%s must be an integer", field)
	}
	return n, nil
}

func tags(v gjson.Result) (nostr.Tags, *policy.Rejection) {
	if !v.IsArray() {
		return nil, policy.Reject(policy.Invalid, "tags must be an array of arrays of strings")
	}
	out := nostr.Tags{}
	var rej *policy.Rejection
	v.ForEach(func(_, t gjson.Result) bool {
		if !t.IsArray() {
			rej = policy.Reject(policy.Invalid, "tags must be an array of arrays of strings")
			return false
		}
		tag := nostr.Tag{}
		t.ForEach(func(_, s gjson.Result) bool {
			if s.Type != gjson.String {
				rej = policy.Reject(policy.Invalid, "tags must be an array of arrays of strings")
				return false
			}
			tag = append(tag, s.Str)
			return true
		})
		out = append(out, tag)
		return rej == nil
	})
	return out, rej
}

// parseFilter reads a NIP-01 filter. Unknown keys, search (NIP-50), wrong
// types and malformed ids or pubkeys are refused rather than ignored, so a
// client never silently gets more than it asked for.
func parseFilter(obj gjson.Result, lim *policy.Limits) (nostr.Filter, *policy.Rejection) {
	var f nostr.Filter
	if !obj.IsObject() {
		return f, policy.Reject(policy.Invalid, "a filter must be a JSON object")
	}
	values := 0
	var rej *policy.Rejection
	hexList := func(v gjson.Result, what string) []string {
		list, r := strList(v, what)
		if r != nil {
			rej = r
			return nil
		}
		for _, s := range list {
			if !policy.IsLowerHex(s, 64) {
				rej = policy.Reject(policy.Invalid, "%s must hold 64-character lowercase hex values", what)
				return nil
			}
		}
		values += len(list)
		return list
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		key := k.Str
		switch {
		case key == "ids":
			f.IDs = hexList(v, "ids")
		case key == "authors":
			f.Authors = hexList(v, "authors")
		case key == "kinds":
			if !v.IsArray() {
				rej = policy.Reject(policy.Invalid, "kinds must be an array of integers")
				return false
			}
			f.Kinds = []int{}
			v.ForEach(func(_, n gjson.Result) bool {
				var k int64
				k, rej = integer(n, "each kind")
				if rej == nil && (k < 0 || k > nostrkind.MaxKind) {
					rej = policy.Reject(policy.Invalid, "kind %d is outside 0..%d", k, nostrkind.MaxKind)
				}
				f.Kinds = append(f.Kinds, int(k))
				return rej == nil
			})
			values += len(f.Kinds)
		case key == "since" || key == "until":
			var n int64
			n, rej = integer(v, key)
			if rej == nil && n < 0 {
				rej = policy.Reject(policy.Invalid, "%s is negative", key)
			}
			ts := nostr.Timestamp(n)
			if key == "since" {
				f.Since = &ts
			} else {
				f.Until = &ts
			}
		case key == "limit":
			var n int64
			n, rej = integer(v, "limit")
			if rej == nil && n < 0 {
				rej = policy.Reject(policy.Invalid, "limit is negative")
			}
			if n > 1<<30 {
				n = 1 << 30
			}
			f.Limit = int(n)
			f.LimitZero = n == 0
		case key == "search":
			var q string
			if q, rej = str(v, "search"); rej == nil {
				if len(q) > maxSearchBytes || !utf8.ValidString(q) || strings.IndexByte(q, 0) >= 0 {
					rej = policy.Reject(policy.Invalid, "search must be UTF-8 text of at most %d bytes", maxSearchBytes)
				}
				f.Search = q
			}
		case strings.HasPrefix(key, "#") && policy.IsIndexedTagName(key[1:]):
			name := key[1:]
			var list []string
			if name == "e" || name == "p" {
				list = hexList(v, key)
			} else {
				list, rej = strList(v, key)
				values += len(list)
			}
			if rej == nil {
				if f.Tags == nil {
					f.Tags = nostr.TagMap{}
				}
				f.Tags[name] = list
			}
		default:
			rej = policy.Reject(policy.Unsupported, "unknown filter field %q (tag filters take one letter, like #e)", truncate(key, 32))
		}
		return rej == nil
	})
	if rej != nil {
		return nostr.Filter{}, rej
	}
	if lim.MaxFilterValues > 0 && values > lim.MaxFilterValues {
		return nostr.Filter{}, policy.Reject(policy.Blocked, "%d values in one filter, the limit is %d", values, lim.MaxFilterValues)
	}
	return f, nil
}

func strList(v gjson.Result, what string) ([]string, *policy.Rejection) {
	if !v.IsArray() {
		return nil, policy.Reject(policy.Invalid, "%s must be an array of strings", what)
	}
	list := []string{}
	ok := true
	v.ForEach(func(_, s gjson.Result) bool {
		// Values go to the database as text: valid UTF-8 without NUL.
		if s.Type != gjson.String || !utf8.ValidString(s.Str) || strings.IndexByte(s.Str, 0) >= 0 {
			ok = false
			return false
		}
		list = append(list, s.Str)
		return true
	})
	if !ok {
		return nil, policy.Reject(policy.Invalid, "%s must be an array of UTF-8 strings without NUL", what)
	}
	return list, nil
}

package blob

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
)

// Verbs of BUD-11 "t" tags.
const (
	VerbGet    = "get"
	VerbUpload = "upload"
	VerbList   = "list"
	VerbDelete = "delete"
)

// maxAuthHeader bounds the Authorization header before decoding it.
const maxAuthHeader = 16 << 10

// clockSkew tolerates client clocks slightly ahead of ours for created_at.
const clockSkew = 2 * time.Minute

// authError is a refusal of an authorization, with the HTTP status to send.
type authError struct {
	status int
	reason string
}

func (e *authError) Error() string { return e.reason }

func unauthorized(format string, args ...any) *authError {
	return &authError{http.StatusUnauthorized, fmt.Sprintf(format, args...)}
}

// ParseAuthorization decodes a BUD-11 "Authorization: Nostr <base64>"
// header into its event. It accepts base64url without padding (the BUD-11
// form) and standard base64 with padding (older clients). It checks the
// event's shape, id and signature, nothing else.
func ParseAuthorization(header string) (*nostr.Event, error) {
	if header == "" {
		return nil, unauthorized("missing Authorization header (BUD-11: Nostr <base64 kind %d event>)", nostrkind.BlossomAuth)
	}
	if len(header) > maxAuthHeader {
		return nil, unauthorized("Authorization header is too long")
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Nostr") {
		return nil, unauthorized("Authorization scheme must be Nostr")
	}
	token = strings.TrimSpace(token)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if raw, err = enc.DecodeString(token); err == nil {
			break
		}
	}
	if err != nil {
		return nil, unauthorized("Authorization token is not base64")
	}
	var evt nostr.Event
	if err := evt.UnmarshalJSON(raw); err != nil {
		return nil, unauthorized("Authorization token is not a Nostr event")
	}
	if !policy.IsLowerHex(evt.ID, 64) || !policy.IsLowerHex(evt.PubKey, 64) || !policy.IsLowerHex(evt.Sig, 128) {
		return nil, unauthorized("authorization event has a malformed id, pubkey or sig")
	}
	if !evt.CheckID() {
		return nil, unauthorized("authorization event id does not match its contents")
	}
	if ok, err := evt.CheckSignature(); err != nil || !ok {
		return nil, unauthorized("authorization event signature does not verify")
	}
	return &evt, nil
}

// checkToken applies BUD-11's validation to a parsed authorization: kind,
// created_at in the past, expiration in the future, the verb, server
// scoping (host is this server's domain) and, when sha is given, an x tag
// naming it. requireX makes the x tag mandatory.
func checkToken(evt *nostr.Event, verb, host string, sha string, requireX bool, now time.Time) error {
	if evt.Kind != nostrkind.BlossomAuth {
		return unauthorized("authorization must be a kind %d event", nostrkind.BlossomAuth)
	}
	if evt.CreatedAt.Time().After(now.Add(clockSkew)) {
		return unauthorized("authorization created_at is in the future")
	}
	exp := evt.Tags.Find("expiration")
	if len(exp) < 2 {
		return unauthorized("authorization has no expiration tag")
	}
	at, err := strconv.ParseInt(exp[1], 10, 64)
	if err != nil {
		return unauthorized("authorization expiration is not a unix time")
	}
	if at <= now.Unix() {
		return unauthorized("authorization expired")
	}
	verbOK := false
	for t := range evt.Tags.FindAll("t") {
		if len(t) >= 2 && t[1] == verb {
			verbOK = true
		}
	}
	if !verbOK {
		return unauthorized("authorization has no t tag %q", verb)
	}
	servers, serverOK := 0, false
	for t := range evt.Tags.FindAll("server") {
		servers++
		if len(t) >= 2 && strings.EqualFold(strings.TrimSpace(t[1]), host) {
			serverOK = true
		}
	}
	if servers > 0 && !serverOK {
		return &authError{http.StatusForbidden, "authorization is scoped to other servers"}
	}
	if sha == "" && !requireX {
		return nil
	}
	xs := 0
	for t := range evt.Tags.FindAll("x") {
		xs++
		if sha != "" && len(t) >= 2 && t[1] == sha {
			return nil
		}
	}
	if xs == 0 && requireX {
		return unauthorized("authorization has no x tag naming the blob")
	}
	if sha == "" {
		return nil // checked later, once the hash is known
	}
	return &authError{http.StatusForbidden, "authorization's x tags do not name blob " + sha}
}

// namesBlob reports whether an authorization has an x tag for sha.
func namesBlob(evt *nostr.Event, sha string) bool {
	for t := range evt.Tags.FindAll("x") {
		if len(t) >= 2 && t[1] == sha {
			return true
		}
	}
	return false
}

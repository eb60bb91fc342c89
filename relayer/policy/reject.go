// Package policy holds what the relayer accepts: size and count limits,
// rate limits, and who may write, upload and read.
package policy

import "fmt"

// Machine-readable prefixes of OK and CLOSED messages (NIP-01, NIP-42).
// The same words label the rejection metrics.
const (
	Invalid      = "invalid"
	Blocked      = "blocked"
	RateLimited  = "rate-limited"
	Restricted   = "restricted"
	AuthRequired = "auth-required"
	Duplicate    = "duplicate"
	Unsupported  = "unsupported"
	Error        = "error"
)

// Rejection is a refusal with a NIP-01 prefix; its Error() is the text sent
// to the client ("invalid: id does not match the event").
type Rejection struct {
	Prefix string
	Msg    string
}

func (r *Rejection) Error() string { return r.Prefix + ": " + r.Msg }

// Reject builds a Rejection.
func Reject(prefix, format string, args ...any) *Rejection {
	return &Rejection{Prefix: prefix, Msg: fmt.Sprintf(format, args...)}
}

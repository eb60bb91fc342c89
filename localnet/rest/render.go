package rest

import (
	"bytes"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
	"github.com/aptos-labs/aptos-go-sdk/crypto"

	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// U64 marshals as a decimal string, as the API shows every u64.
type U64 uint64

// MarshalJSON implements json.Marshaler.
func (u U64) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 22)
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(u), 10)
	return append(b, '"'), nil
}

func hexBytes(b []byte) string { return "0x" + hex.EncodeToString(b) }

func hash32(h [32]byte) string { return hexBytes(h[:]) }

func shortAddr(a [32]byte) string { return movevalue.ShortAddress(a) }

// renderer turns ledger records into API JSON. Layouts are cached by type
// string, since the program never changes while the node runs.
type renderer struct {
	insp    node.Inspector
	layouts sync.Map // string -> *movevalue.Layout (nil when unknown)
}

// feeStatementLayout is used when the framework does not declare the type.
var feeStatementLayout = &movevalue.Layout{Kind: movevalue.Struct, Tag: node.FeeStatementType, Fields: []movevalue.Field{
	{Name: "total_charge_gas_units", Layout: movevalue.LU64},
	{Name: "execution_gas_units", Layout: movevalue.LU64},
	{Name: "io_gas_units", Layout: movevalue.LU64},
	{Name: "storage_fee_octas", Layout: movevalue.LU64},
	{Name: "storage_fee_refund_octas", Layout: movevalue.LU64},
}}

// layout returns the layout of a type given in canonical text, or nil.
func (r *renderer) layout(typ string) *movevalue.Layout {
	if l, ok := r.layouts.Load(typ); ok {
		return l.(*movevalue.Layout)
	}
	var l *movevalue.Layout
	if tag, err := movevalue.ParseTypeTag(typ); err == nil {
		if got, err := r.insp.Layout(*tag); err == nil {
			l = got
		}
	}
	if l == nil && typ == node.FeeStatementType {
		l = feeStatementLayout
	}
	r.layouts.Store(typ, l)
	return l
}

// value renders BCS bytes of type typ; bytes it cannot decode are shown as
// hex so a response never fails on one odd value.
func (r *renderer) value(typ string, b []byte) json.RawMessage {
	if l := r.layout(typ); l != nil {
		if out, err := movevalue.JSON(nil, l, b); err == nil {
			return out
		}
	}
	out, _ := json.Marshal(hexBytes(b))
	return out
}

type resourceJSON struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// resource renders a resource. Clients decode resource data as an object,
// so bytes without a known layout come as {"bcs": "0x..."}.
func (r *renderer) resource(tag string, b []byte) resourceJSON {
	if l := r.layout(tag); l != nil {
		if out, err := movevalue.JSON(nil, l, b); err == nil {
			return resourceJSON{Type: tag, Data: out}
		}
	}
	out, _ := json.Marshal(map[string]string{"bcs": hexBytes(b)})
	return resourceJSON{Type: tag, Data: out}
}

type guidJSON struct {
	CreationNumber U64    `json:"creation_number"`
	AccountAddress string `json:"account_address"`
}

type eventJSON struct {
	Version        *U64            `json:"version,omitempty"`
	GUID           guidJSON        `json:"guid"`
	SequenceNumber U64             `json:"sequence_number"`
	Type           string          `json:"type"`
	Data           json.RawMessage `json:"data"`
}

func (r *renderer) event(e *ledger.Event) eventJSON {
	j := eventJSON{
		GUID:           guidJSON{CreationNumber: U64(e.CreationNumber), AccountAddress: shortAddr(e.Account)},
		SequenceNumber: U64(e.Sequence),
		Type:           e.Type,
		Data:           r.value(e.Type, e.Data),
	}
	if !e.HasHandle {
		j.GUID = guidJSON{AccountAddress: "0x0"}
		j.SequenceNumber = 0
	}
	return j
}

func (r *renderer) events(es []ledger.Event) []eventJSON {
	out := make([]eventJSON, len(es))
	for i := range es {
		out[i] = r.event(&es[i])
	}
	return out
}

// stateKeyHash is the sha3-256 of the state key's bytes. Aptos hashes its
// own StateKey encoding; this is the localnet's equivalent.
func stateKeyHash(k state.Key) string {
	h := stateKeyHashBytes(k)
	return hexBytes(h[:])
}

func stateKeyHashBytes(k state.Key) [32]byte { return sha3.Sum256([]byte(k)) }

// marshalNoEscape is json.Marshal without HTML escaping, as the API
// encodes its responses.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type keyValueJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

func anyKeyType(v crypto.AnyPublicKeyVariant) string {
	switch v {
	case crypto.AnyPublicKeyVariantEd25519:
		return "ed25519"
	case crypto.AnyPublicKeyVariantSecp256k1:
		return "secp256k1_ecdsa"
	}
	return "unknown"
}

func anySigType(v crypto.AnySignatureVariant) string {
	switch v {
	case crypto.AnySignatureVariantEd25519:
		return "ed25519"
	case crypto.AnySignatureVariantSecp256k1:
		return "secp256k1_ecdsa"
	}
	return "unknown"
}

func bcsHex(m bcs.Marshaler) string {
	b, err := bcs.Serialize(m)
	if err != nil {
		return "0x"
	}
	return hexBytes(b)
}

// accountSignature renders one account authenticator. outer selects the
// names used at the top level of a transaction ("single_sender") rather
// than inside multi-agent signatures ("single_key_signature").
func accountSignature(a *crypto.AccountAuthenticator, outer bool) map[string]any {
	switch v := a.Auth.(type) {
	case *crypto.Ed25519Authenticator:
		return map[string]any{"type": "ed25519_signature", "public_key": hexBytes(v.PubKey.Bytes()), "signature": hexBytes(v.Sig.Bytes())}
	case *crypto.MultiEd25519Authenticator:
		keys := make([]string, len(v.PubKey.PubKeys))
		for i, k := range v.PubKey.PubKeys {
			keys[i] = hexBytes(k.Bytes())
		}
		sigs := make([]string, len(v.Sig.Signatures))
		for i, s := range v.Sig.Signatures {
			sigs[i] = hexBytes(s.Bytes())
		}
		return map[string]any{"type": "multi_ed25519_signature", "public_keys": keys, "signatures": sigs,
			"threshold": v.PubKey.SignaturesRequired, "bitmap": hexBytes(v.Sig.Bitmap[:])}
	case *crypto.SingleKeyAuthenticator:
		typ := "single_key_signature"
		if outer {
			typ = "single_sender"
		}
		return map[string]any{"type": typ,
			"public_key": keyValueJSON{anyKeyType(v.PubKey.Variant), hexBytes(v.PubKey.PubKey.Bytes())},
			"signature":  keyValueJSON{anySigType(v.Sig.Variant), hexBytes(v.Sig.Signature.Bytes())}}
	case *crypto.MultiKeyAuthenticator:
		typ := "multi_key_signature"
		if outer {
			typ = "single_sender"
		}
		keys := make([]keyValueJSON, len(v.PubKey.PubKeys))
		for i, k := range v.PubKey.PubKeys {
			keys[i] = keyValueJSON{anyKeyType(k.Variant), hexBytes(k.PubKey.Bytes())}
		}
		sigs := make([]keyValueJSON, len(v.Sig.Signatures))
		for i, s := range v.Sig.Signatures {
			sigs[i] = keyValueJSON{anySigType(s.Variant), hexBytes(s.Signature.Bytes())}
		}
		return map[string]any{"type": typ, "public_keys": keys, "signatures": sigs,
			"signatures_required": v.PubKey.SignaturesRequired, "bitmap": bcsHex(&v.Sig.Bitmap)}
	case *crypto.NoAuthenticator:
		return map[string]any{"type": "no_account_signature"}
	}
	return map[string]any{"type": "unknown"}
}

func addrList(as []aptos.AccountAddress) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = shortAddr(a)
	}
	return out
}

func accountSignatures(as []crypto.AccountAuthenticator) []map[string]any {
	out := make([]map[string]any, len(as))
	for i := range as {
		out[i] = accountSignature(&as[i], false)
	}
	return out
}

// signature renders a transaction authenticator.
func signature(t *aptos.TransactionAuthenticator) (out map[string]any) {
	defer func() {
		if recover() != nil { // a key the SDK cannot print
			out = map[string]any{"type": "unknown"}
		}
	}()
	switch a := t.Auth.(type) {
	case *aptos.Ed25519TransactionAuthenticator:
		return accountSignature(a.Sender, true)
	case *aptos.MultiEd25519TransactionAuthenticator:
		return accountSignature(a.Sender, true)
	case *aptos.SingleSenderTransactionAuthenticator:
		return accountSignature(a.Sender, true)
	case *aptos.MultiAgentTransactionAuthenticator:
		return map[string]any{"type": "multi_agent_signature", "sender": accountSignature(a.Sender, false),
			"secondary_signer_addresses": addrList(a.SecondarySignerAddresses),
			"secondary_signers":          accountSignatures(a.SecondarySigners)}
	case *aptos.FeePayerTransactionAuthenticator:
		return map[string]any{"type": "fee_payer_signature", "sender": accountSignature(a.Sender, false),
			"secondary_signer_addresses": addrList(a.SecondarySignerAddresses),
			"secondary_signers":          accountSignatures(a.SecondarySigners),
			"fee_payer_address":          shortAddr(*a.FeePayer),
			"fee_payer_signer":           accountSignature(a.FeePayerAuthenticator, false)}
	}
	return map[string]any{"type": "unknown"}
}

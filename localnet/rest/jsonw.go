package rest

import (
	"encoding/hex"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
	"github.com/aptos-labs/aptos-go-sdk/crypto"

	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// Transactions, the API's largest and most requested bodies (every
// wait_by_hash returns one), are written straight into a byte slice rather
// than built as Go values for encoding/json: the bytes are the same as
// encoding/json with HTML escaping off would write (render_test.go holds
// that reference and compares), at a fraction of the cost.

// appendString appends s as encoding/json writes a string without HTML
// escaping: \b \f \n \r \t and other control characters escaped, invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendKey appends "key": (keys here are plain ASCII names).
func appendKey(dst []byte, key string) []byte {
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// appendU64 appends a u64 as the API shows it, a decimal string.
func appendU64(dst []byte, x uint64) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendUint(dst, x, 10)
	return append(dst, '"')
}

// appendHex appends "0x" and the hex of b as a JSON string.
func appendHex(dst []byte, b []byte) []byte {
	dst = append(dst, '"', '0', 'x')
	dst = hex.AppendEncode(dst, b)
	return append(dst, '"')
}

func appendAddr(dst []byte, a [32]byte) []byte {
	dst = append(dst, '"')
	dst = movevalue.AppendShortAddress(dst, a[:])
	return append(dst, '"')
}

// appendMarshal appends v as encoding/json writes it without HTML
// escaping, for the rare shapes not written by hand.
func appendMarshal(dst []byte, v any) []byte {
	b, err := marshalNoEscape(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

// appendValue appends BCS bytes of type typ as JSON; bytes it cannot
// decode are shown as hex so a response never fails on one odd value.
func (r *renderer) appendValue(dst []byte, typ string, b []byte) []byte {
	if l := r.layout(typ); l != nil {
		if out, err := movevalue.JSON(dst, l, b); err == nil {
			return out
		}
	}
	return appendHex(dst, b)
}

// appendResource appends {"type":tag,"data":...}; bytes without a known
// layout come as {"bcs": "0x..."}, since clients decode data as an object.
func (r *renderer) appendResource(dst []byte, tag string, b []byte) []byte {
	dst = append(dst, '{')
	dst = appendKey(dst, "type")
	dst = appendString(dst, tag)
	dst = append(dst, ',')
	dst = appendKey(dst, "data")
	if l := r.layout(tag); l != nil {
		if out, err := movevalue.JSON(dst, l, b); err == nil {
			return append(out, '}')
		}
	}
	dst = append(dst, `{"bcs":`...)
	dst = appendHex(dst, b)
	return append(dst, '}', '}')
}

func (r *renderer) appendEvent(dst []byte, e *ledger.Event) []byte {
	creation, seq, account := e.CreationNumber, e.Sequence, e.Account
	if !e.HasHandle {
		creation, seq, account = 0, 0, [32]byte{}
	}
	dst = append(dst, `{"guid":{"creation_number":`...)
	dst = appendU64(dst, creation)
	dst = append(dst, `,"account_address":`...)
	dst = appendAddr(dst, account)
	dst = append(dst, `},"sequence_number":`...)
	dst = appendU64(dst, seq)
	dst = append(dst, `,"type":`...)
	dst = appendString(dst, e.Type)
	dst = append(dst, `,"data":`...)
	dst = r.appendValue(dst, e.Type, e.Data)
	return append(dst, '}')
}

func (r *renderer) appendEvents(dst []byte, es []ledger.Event) []byte {
	dst = append(dst, '[')
	for i := range es {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.appendEvent(dst, &es[i])
	}
	return append(dst, ']')
}

func (r *renderer) appendChanges(dst []byte, ws []state.Write) []byte {
	dst = append(dst, '[')
	for i, w := range ws {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch w.Key.Kind() {
		case state.KindResource:
			if w.Delete {
				dst = append(dst, `{"type":"delete_resource","address":`...)
			} else {
				dst = append(dst, `{"type":"write_resource","address":`...)
			}
			dst = appendAddr(dst, w.Key.Address())
			dst = append(dst, `,"state_key_hash":`...)
			dst = appendStateKeyHash(dst, w.Key)
			if w.Delete {
				dst = append(dst, `,"resource":`...)
				dst = appendString(dst, w.Key.Tag())
			} else {
				dst = append(dst, `,"data":`...)
				dst = r.appendResource(dst, w.Key.Tag(), w.Value)
			}
			dst = append(dst, '}')
		case state.KindTableItem:
			if w.Delete {
				dst = append(dst, `{"type":"delete_table_item","state_key_hash":`...)
			} else {
				dst = append(dst, `{"type":"write_table_item","state_key_hash":`...)
			}
			dst = appendStateKeyHash(dst, w.Key)
			dst = append(dst, `,"handle":`...)
			dst = appendAddr(dst, w.Key.Address())
			dst = append(dst, `,"key":`...)
			dst = appendHex(dst, []byte(w.Key[33:]))
			if !w.Delete {
				dst = append(dst, `,"value":`...)
				dst = appendHex(dst, w.Value)
			}
			dst = append(dst, `,"data":null}`...)
		}
	}
	return append(dst, ']')
}

func appendStateKeyHash(dst []byte, k state.Key) []byte {
	h := stateKeyHashBytes(k)
	return appendHex(dst, h[:])
}

// appendInfo appends the fields every committed transaction carries, from
// "type" to "timestamp", without the braces.
func (r *renderer) appendInfo(dst []byte, t *ledger.Txn, typ string) []byte {
	dst = appendKey(dst, "type")
	dst = appendString(dst, typ)
	dst = append(dst, `,"version":`...)
	dst = appendU64(dst, t.Version)
	dst = append(dst, `,"hash":`...)
	dst = appendHex(dst, t.Hash[:])
	dst = append(dst, `,"state_change_hash":`...)
	dst = appendHex(dst, t.StateChangeHash[:])
	dst = append(dst, `,"event_root_hash":`...)
	dst = appendHex(dst, t.EventRootHash[:])
	dst = append(dst, `,"state_checkpoint_hash":null,"gas_used":`...)
	dst = appendU64(dst, t.GasUsed)
	dst = append(dst, `,"success":`...)
	dst = strconv.AppendBool(dst, t.Status.Success)
	dst = append(dst, `,"vm_status":`...)
	dst = appendString(dst, t.Status.Message)
	dst = append(dst, `,"accumulator_root_hash":`...)
	dst = appendHex(dst, t.AccumulatorRootHash[:])
	dst = append(dst, `,"changes":`...)
	dst = r.appendChanges(dst, t.Writes)
	dst = append(dst, `,"events":`...)
	dst = r.appendEvents(dst, t.Events)
	dst = append(dst, `,"timestamp":`...)
	return appendU64(dst, t.Timestamp)
}

// appendRequest appends the fields of the part of a user transaction its
// sender wrote, from "sender" to "replay_protection_nonce", without braces.
func (r *renderer) appendRequest(dst []byte, stx *aptos.SignedTransaction) []byte {
	raw := stx.Transaction
	dst = appendKey(dst, "sender")
	dst = appendAddr(dst, raw.Sender)
	dst = append(dst, `,"sequence_number":`...)
	dst = appendU64(dst, raw.SequenceNumber)
	dst = append(dst, `,"max_gas_amount":`...)
	dst = appendU64(dst, raw.MaxGasAmount)
	dst = append(dst, `,"gas_unit_price":`...)
	dst = appendU64(dst, raw.GasUnitPrice)
	dst = append(dst, `,"expiration_timestamp_secs":`...)
	dst = appendU64(dst, raw.ExpirationTimestampSeconds)
	dst = append(dst, `,"payload":`...)
	dst = r.appendPayload(dst, raw)
	dst = append(dst, `,"signature":`...)
	dst = appendSignature(dst, stx.Authenticator)
	return append(dst, `,"replay_protection_nonce":null`...)
}

// appendPayload appends a transaction payload: an entry function call with
// its arguments decoded by the function's parameter types (hex when they
// cannot be decoded).
func (r *renderer) appendPayload(dst []byte, raw *aptos.RawTransaction) []byte {
	var ef *aptos.EntryFunction
	switch p := raw.Payload.Payload.(type) {
	case *aptos.EntryFunction:
		ef = p
	case *aptos.TransactionInnerPayload:
		if v1, ok := p.Payload.(*aptos.TransactionInnerPayloadV1); ok {
			ef, _ = v1.Executable.Inner.(*aptos.EntryFunction)
		}
	}
	if ef == nil {
		return append(dst, `{"type":"unsupported_payload"}`...)
	}
	dst = append(dst, `{"type":"entry_function_payload","function":`...)
	dst = appendString(dst, movevalue.ShortAddress(ef.Module.Address)+"::"+ef.Module.Name+"::"+ef.Function)
	dst = append(dst, `,"type_arguments":[`...)
	for i := range ef.ArgTypes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, movevalue.TypeString(&ef.ArgTypes[i]))
	}
	dst = append(dst, `],"arguments":[`...)
	layouts, err := r.insp.ArgLayouts(ef)
	if err != nil || len(layouts) != len(ef.Args) {
		layouts = nil
	}
	for i, a := range ef.Args {
		if i > 0 {
			dst = append(dst, ',')
		}
		if layouts != nil {
			if out, err := movevalue.JSON(dst, layouts[i], a); err == nil {
				dst = out
				continue
			}
		}
		dst = appendHex(dst, a)
	}
	return append(dst, ']', '}')
}

// appendSignature appends a transaction authenticator. The common Ed25519
// one is written by hand; the others through their map form (whose keys
// encoding/json sorts).
func appendSignature(dst []byte, t *aptos.TransactionAuthenticator) []byte {
	if a, ok := t.Auth.(*aptos.Ed25519TransactionAuthenticator); ok && a.Sender != nil {
		if v, ok := a.Sender.Auth.(*crypto.Ed25519Authenticator); ok && v.PubKey != nil && v.Sig != nil {
			dst = append(dst, `{"public_key":`...)
			dst = appendHex(dst, v.PubKey.Bytes())
			dst = append(dst, `,"signature":`...)
			dst = appendHex(dst, v.Sig.Bytes())
			return append(dst, `,"type":"ed25519_signature"}`...)
		}
	}
	return appendMarshal(dst, signature(t))
}

// committed renders a committed transaction in its API shape.
func (r *renderer) committed(t *ledger.Txn) json.RawMessage {
	return r.appendCommitted(nil, t)
}

func (r *renderer) appendCommitted(dst []byte, t *ledger.Txn) []byte {
	dst = append(dst, '{')
	switch t.Kind {
	case ledger.KindUser:
		stx := &aptos.SignedTransaction{}
		if err := bcs.Deserialize(stx, t.Body); err != nil {
			dst = r.appendInfo(dst, t, "user_transaction")
			return append(dst, '}')
		}
		dst = r.appendInfo(dst, t, "user_transaction")
		dst = append(dst, ',')
		dst = r.appendRequest(dst, stx)
	case ledger.KindBlockMetadata:
		var m node.BlockMetadata
		_ = bcs.Deserialize(&m, t.Body)
		dst = r.appendInfo(dst, t, "block_metadata_transaction")
		dst = append(dst, `,"id":`...)
		dst = appendHex(dst, m.ID[:])
		dst = append(dst, `,"epoch":`...)
		dst = appendU64(dst, m.Epoch)
		dst = append(dst, `,"round":`...)
		dst = appendU64(dst, m.Round)
		dst = append(dst, `,"previous_block_votes_bitvec":[`...)
		for i, v := range m.VotesBitvec {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendUint(dst, uint64(v), 10)
		}
		dst = append(dst, `],"proposer":`...)
		dst = appendAddr(dst, m.Proposer)
		dst = append(dst, `,"failed_proposer_indices":[`...)
		for i, v := range m.FailedIndices {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendUint(dst, uint64(v), 10)
		}
		dst = append(dst, ']')
	default:
		dst = r.appendInfo(dst, t, "genesis_transaction")
		dst = append(dst, `,"payload":{"type":"write_set_payload","write_set":{"changes":`...)
		dst = r.appendChanges(dst, t.Writes)
		dst = append(dst, `,"events":`...)
		dst = r.appendEvents(dst, t.Events)
		dst = append(dst, `,"type":"direct_write_set"}}`...)
	}
	return append(dst, '}')
}

// pending renders a mempool transaction; typed adds "type" as by_hash does.
func (r *renderer) pending(p *node.Pending, typed bool) json.RawMessage {
	dst := make([]byte, 0, 1024)
	dst = append(dst, '{')
	if typed {
		dst = append(dst, `"type":"pending_transaction",`...)
	}
	dst = append(dst, `"hash":`...)
	dst = appendHex(dst, p.Hash[:])
	dst = append(dst, ',')
	dst = r.appendRequest(dst, p.Txn)
	return append(dst, '}')
}

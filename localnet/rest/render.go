package rest

import (
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
	h := sha3.Sum256([]byte(k))
	return hexBytes(h[:])
}

func (r *renderer) changes(ws []state.Write) []any {
	out := make([]any, 0, len(ws))
	for _, w := range ws {
		switch w.Key.Kind() {
		case state.KindResource:
			a := w.Key.Address()
			if w.Delete {
				out = append(out, struct {
					Type         string `json:"type"`
					Address      string `json:"address"`
					StateKeyHash string `json:"state_key_hash"`
					Resource     string `json:"resource"`
				}{"delete_resource", shortAddr(a), stateKeyHash(w.Key), w.Key.Tag()})
				continue
			}
			out = append(out, struct {
				Type         string       `json:"type"`
				Address      string       `json:"address"`
				StateKeyHash string       `json:"state_key_hash"`
				Data         resourceJSON `json:"data"`
			}{"write_resource", shortAddr(a), stateKeyHash(w.Key), r.resource(w.Key.Tag(), w.Value)})
		case state.KindTableItem:
			h := w.Key.Address()
			if w.Delete {
				out = append(out, struct {
					Type         string `json:"type"`
					StateKeyHash string `json:"state_key_hash"`
					Handle       string `json:"handle"`
					Key          string `json:"key"`
					Data         any    `json:"data"`
				}{"delete_table_item", stateKeyHash(w.Key), shortAddr(h), hexBytes(w.Key.TableKey()), nil})
				continue
			}
			out = append(out, struct {
				Type         string `json:"type"`
				StateKeyHash string `json:"state_key_hash"`
				Handle       string `json:"handle"`
				Key          string `json:"key"`
				Value        string `json:"value"`
				Data         any    `json:"data"`
			}{"write_table_item", stateKeyHash(w.Key), shortAddr(h), hexBytes(w.Key.TableKey()), hexBytes(w.Value), nil})
		}
	}
	return out
}

type entryPayloadJSON struct {
	Type          string            `json:"type"`
	Function      string            `json:"function"`
	TypeArguments []string          `json:"type_arguments"`
	Arguments     []json.RawMessage `json:"arguments"`
}

// entryPayload renders an entry function call, decoding its arguments by
// the function's parameter types (hex when they cannot be decoded).
func (r *renderer) entryPayload(ef *aptos.EntryFunction) entryPayloadJSON {
	j := entryPayloadJSON{
		Type:          "entry_function_payload",
		Function:      movevalue.ShortAddress(ef.Module.Address) + "::" + ef.Module.Name + "::" + ef.Function,
		TypeArguments: make([]string, len(ef.ArgTypes)),
		Arguments:     make([]json.RawMessage, len(ef.Args)),
	}
	for i := range ef.ArgTypes {
		j.TypeArguments[i] = movevalue.TypeString(&ef.ArgTypes[i])
	}
	layouts, err := r.insp.ArgLayouts(ef)
	if err != nil || len(layouts) != len(ef.Args) {
		layouts = nil
	}
	for i, a := range ef.Args {
		if layouts != nil {
			if out, err := movevalue.JSON(nil, layouts[i], a); err == nil {
				j.Arguments[i] = out
				continue
			}
		}
		j.Arguments[i], _ = json.Marshal(hexBytes(a))
	}
	return j
}

// payload renders a transaction payload.
func (r *renderer) payload(raw *aptos.RawTransaction) any {
	switch p := raw.Payload.Payload.(type) {
	case *aptos.EntryFunction:
		return r.entryPayload(p)
	case *aptos.TransactionInnerPayload:
		if v1, ok := p.Payload.(*aptos.TransactionInnerPayloadV1); ok {
			if ef, ok := v1.Executable.Inner.(*aptos.EntryFunction); ok {
				return r.entryPayload(ef)
			}
		}
	}
	return map[string]string{"type": "unsupported_payload"}
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

// userRequest is the part of a user transaction that its sender wrote.
type userRequest struct {
	Sender                  string  `json:"sender"`
	SequenceNumber          U64     `json:"sequence_number"`
	MaxGasAmount            U64     `json:"max_gas_amount"`
	GasUnitPrice            U64     `json:"gas_unit_price"`
	ExpirationTimestampSecs U64     `json:"expiration_timestamp_secs"`
	Payload                 any     `json:"payload"`
	Signature               any     `json:"signature"`
	ReplayProtectionNonce   *string `json:"replay_protection_nonce"`
}

func (r *renderer) request(stx *aptos.SignedTransaction) userRequest {
	raw := stx.Transaction
	return userRequest{
		Sender:                  shortAddr(raw.Sender),
		SequenceNumber:          U64(raw.SequenceNumber),
		MaxGasAmount:            U64(raw.MaxGasAmount),
		GasUnitPrice:            U64(raw.GasUnitPrice),
		ExpirationTimestampSecs: U64(raw.ExpirationTimestampSeconds),
		Payload:                 r.payload(raw),
		Signature:               signature(stx.Authenticator),
	}
}

type pendingJSON struct {
	Type string `json:"type,omitempty"`
	Hash string `json:"hash"`
	userRequest
}

// pending renders a mempool transaction; typed adds "type" as by_hash does.
func (r *renderer) pending(p *node.Pending, typed bool) pendingJSON {
	j := pendingJSON{Hash: hash32(p.Hash), userRequest: r.request(p.Txn)}
	if typed {
		j.Type = "pending_transaction"
	}
	return j
}

// txnInfo is the output part every committed transaction carries.
type txnInfo struct {
	Type                string      `json:"type"`
	Version             U64         `json:"version"`
	Hash                string      `json:"hash"`
	StateChangeHash     string      `json:"state_change_hash"`
	EventRootHash       string      `json:"event_root_hash"`
	StateCheckpointHash *string     `json:"state_checkpoint_hash"`
	GasUsed             U64         `json:"gas_used"`
	Success             bool        `json:"success"`
	VMStatus            string      `json:"vm_status"`
	AccumulatorRootHash string      `json:"accumulator_root_hash"`
	Changes             []any       `json:"changes"`
	Events              []eventJSON `json:"events"`
	Timestamp           U64         `json:"timestamp"`
}

func (r *renderer) info(t *ledger.Txn, typ string) txnInfo {
	return txnInfo{
		Type:                typ,
		Version:             U64(t.Version),
		Hash:                hash32(t.Hash),
		StateChangeHash:     hash32(t.StateChangeHash),
		EventRootHash:       hash32(t.EventRootHash),
		GasUsed:             U64(t.GasUsed),
		Success:             t.Status.Success,
		VMStatus:            t.Status.Message,
		AccumulatorRootHash: hash32(t.AccumulatorRootHash),
		Changes:             r.changes(t.Writes),
		Events:              r.events(t.Events),
		Timestamp:           U64(t.Timestamp),
	}
}

type userTxnJSON struct {
	txnInfo
	userRequest
}

type blockMetaJSON struct {
	txnInfo
	ID                       string   `json:"id"`
	Epoch                    U64      `json:"epoch"`
	Round                    U64      `json:"round"`
	PreviousBlockVotesBitvec []int    `json:"previous_block_votes_bitvec"`
	Proposer                 string   `json:"proposer"`
	FailedProposerIndices    []uint32 `json:"failed_proposer_indices"`
}

type genesisJSON struct {
	txnInfo
	Payload any `json:"payload"`
}

// committed renders a committed transaction in its API shape.
func (r *renderer) committed(t *ledger.Txn) any {
	switch t.Kind {
	case ledger.KindUser:
		stx := &aptos.SignedTransaction{}
		if err := bcs.Deserialize(stx, t.Body); err != nil {
			return r.info(t, "user_transaction")
		}
		return userTxnJSON{r.info(t, "user_transaction"), r.request(stx)}
	case ledger.KindBlockMetadata:
		var m node.BlockMetadata
		_ = bcs.Deserialize(&m, t.Body)
		votes := make([]int, len(m.VotesBitvec))
		for i, v := range m.VotesBitvec {
			votes[i] = int(v)
		}
		fails := m.FailedIndices
		if fails == nil {
			fails = []uint32{}
		}
		return blockMetaJSON{
			txnInfo: r.info(t, "block_metadata_transaction"),
			ID:      hash32(m.ID), Epoch: U64(m.Epoch), Round: U64(m.Round),
			PreviousBlockVotesBitvec: votes, Proposer: shortAddr(m.Proposer), FailedProposerIndices: fails,
		}
	default:
		j := genesisJSON{txnInfo: r.info(t, "genesis_transaction")}
		j.Payload = map[string]any{"type": "write_set_payload", "write_set": map[string]any{
			"type": "direct_write_set", "changes": j.Changes, "events": j.Events}}
		return j
	}
}

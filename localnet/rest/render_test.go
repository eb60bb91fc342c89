package rest

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
	"github.com/aptos-labs/aptos-go-sdk/crypto"

	_ "github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// The reference rendering: transactions built as Go values and encoded by
// encoding/json (HTML escaping off), as the API rendered them before they
// were written by hand. The hand-written bytes must be the same.

func (r *renderer) refChanges(ws []state.Write) []any {
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

type refEntryPayloadJSON struct {
	Type          string            `json:"type"`
	Function      string            `json:"function"`
	TypeArguments []string          `json:"type_arguments"`
	Arguments     []json.RawMessage `json:"arguments"`
}

// entryPayload renders an entry function call, decoding its arguments by
// the function's parameter types (hex when they cannot be decoded).
func (r *renderer) refEntryPayload(ef *aptos.EntryFunction) refEntryPayloadJSON {
	j := refEntryPayloadJSON{
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
func (r *renderer) refPayload(raw *aptos.RawTransaction) any {
	switch p := raw.Payload.Payload.(type) {
	case *aptos.EntryFunction:
		return r.refEntryPayload(p)
	case *aptos.TransactionInnerPayload:
		if v1, ok := p.Payload.(*aptos.TransactionInnerPayloadV1); ok {
			if ef, ok := v1.Executable.Inner.(*aptos.EntryFunction); ok {
				return r.refEntryPayload(ef)
			}
		}
	}
	return map[string]string{"type": "unsupported_payload"}
}

// refUserRequest is the part of a user transaction that its sender wrote.
type refUserRequest struct {
	Sender                  string  `json:"sender"`
	SequenceNumber          U64     `json:"sequence_number"`
	MaxGasAmount            U64     `json:"max_gas_amount"`
	GasUnitPrice            U64     `json:"gas_unit_price"`
	ExpirationTimestampSecs U64     `json:"expiration_timestamp_secs"`
	Payload                 any     `json:"payload"`
	Signature               any     `json:"signature"`
	ReplayProtectionNonce   *string `json:"replay_protection_nonce"`
}

func (r *renderer) refRequest(stx *aptos.SignedTransaction) refUserRequest {
	raw := stx.Transaction
	return refUserRequest{
		Sender:                  shortAddr(raw.Sender),
		SequenceNumber:          U64(raw.SequenceNumber),
		MaxGasAmount:            U64(raw.MaxGasAmount),
		GasUnitPrice:            U64(raw.GasUnitPrice),
		ExpirationTimestampSecs: U64(raw.ExpirationTimestampSeconds),
		Payload:                 r.refPayload(raw),
		Signature:               signature(stx.Authenticator),
	}
}

type refPendingJSON struct {
	Type string `json:"type,omitempty"`
	Hash string `json:"hash"`
	refUserRequest
}

// pending renders a mempool transaction; typed adds "type" as by_hash does.
func (r *renderer) refPending(p *node.Pending, typed bool) refPendingJSON {
	j := refPendingJSON{Hash: hash32(p.Hash), refUserRequest: r.refRequest(p.Txn)}
	if typed {
		j.Type = "pending_transaction"
	}
	return j
}

// refTxnInfo is the output part every committed transaction carries.
type refTxnInfo struct {
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

func (r *renderer) refInfo(t *ledger.Txn, typ string) refTxnInfo {
	return refTxnInfo{
		Type:                typ,
		Version:             U64(t.Version),
		Hash:                hash32(t.Hash),
		StateChangeHash:     hash32(t.StateChangeHash),
		EventRootHash:       hash32(t.EventRootHash),
		GasUsed:             U64(t.GasUsed),
		Success:             t.Status.Success,
		VMStatus:            t.Status.Message,
		AccumulatorRootHash: hash32(t.AccumulatorRootHash),
		Changes:             r.refChanges(t.Writes),
		Events:              r.events(t.Events),
		Timestamp:           U64(t.Timestamp),
	}
}

type refUserTxnJSON struct {
	refTxnInfo
	refUserRequest
}

type refBlockMetaJSON struct {
	refTxnInfo
	ID                       string   `json:"id"`
	Epoch                    U64      `json:"epoch"`
	Round                    U64      `json:"round"`
	PreviousBlockVotesBitvec []int    `json:"previous_block_votes_bitvec"`
	Proposer                 string   `json:"proposer"`
	FailedProposerIndices    []uint32 `json:"failed_proposer_indices"`
}

type refGenesisJSON struct {
	refTxnInfo
	Payload any `json:"payload"`
}

// committed renders a committed transaction in its API shape.
func (r *renderer) refCommitted(t *ledger.Txn) any {
	switch t.Kind {
	case ledger.KindUser:
		stx := &aptos.SignedTransaction{}
		if err := bcs.Deserialize(stx, t.Body); err != nil {
			return r.refInfo(t, "user_transaction")
		}
		return refUserTxnJSON{r.refInfo(t, "user_transaction"), r.refRequest(stx)}
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
		return refBlockMetaJSON{
			refTxnInfo: r.refInfo(t, "block_metadata_transaction"),
			ID:         hash32(m.ID), Epoch: U64(m.Epoch), Round: U64(m.Round),
			PreviousBlockVotesBitvec: votes, Proposer: shortAddr(m.Proposer), FailedProposerIndices: fails,
		}
	default:
		j := refGenesisJSON{refTxnInfo: r.refInfo(t, "genesis_transaction")}
		j.Payload = map[string]any{"type": "write_set_payload", "write_set": map[string]any{
			"type": "direct_write_set", "changes": j.Changes, "events": j.Events}}
		return j
	}
}

func refJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := marshalNoEscape(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signedSeeds returns signed transactions of every authenticator kind the
// node accepts, each with a payload the renderer decodes.
func signedSeeds(t *testing.T, pub aptos.AccountAddress) []*aptos.SignedTransaction {
	alice, _ := aptos.NewEd25519Account()
	single, _ := aptos.NewEd25519SingleSenderAccount()
	secp, _ := aptos.NewSecp256k1Account()
	bob, _ := aptos.NewEd25519Account()
	amount, _ := bcs.SerializeU64(5)
	str := func(s string) []byte { b, _ := bcs.SerializeBytes([]byte(s)); return b }
	payloads := []aptos.TransactionPayload{
		{Payload: &aptos.EntryFunction{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "aptos_account"}, Function: "transfer",
			ArgTypes: []aptos.TypeTag{}, Args: [][]byte{bob.Address[:], amount}}},
		{Payload: &aptos.EntryFunction{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "coin"}, Function: "transfer",
			ArgTypes: []aptos.TypeTag{aptos.AptosCoinTypeTag}, Args: [][]byte{bob.Address[:], amount}}},
		// arguments that do not decode, and an unknown function: hex
		{Payload: &aptos.EntryFunction{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "aptos_account"}, Function: "transfer",
			ArgTypes: []aptos.TypeTag{}, Args: [][]byte{{1, 2}, amount}}},
		{Payload: &aptos.EntryFunction{Module: aptos.ModuleId{Address: pub, Name: "nope"}, Function: "nothing",
			ArgTypes: []aptos.TypeTag{{Value: &aptos.VectorTag{TypeParam: aptos.TypeTag{Value: &aptos.U8Tag{}}}}}, Args: [][]byte{str("a\"b\u2028<&>\x01")}}},
		{Payload: &aptos.Script{Code: []byte{1, 2, 3}}},
	}
	raw := func(sender aptos.AccountAddress, p aptos.TransactionPayload) *aptos.RawTransaction {
		return &aptos.RawTransaction{Sender: sender, SequenceNumber: 7, Payload: p, MaxGasAmount: 100_000, GasUnitPrice: 100,
			ExpirationTimestampSeconds: uint64(time.Now().Add(time.Hour).Unix()), ChainId: 4}
	}
	var out []*aptos.SignedTransaction
	add := func(stx *aptos.SignedTransaction, err error) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, stx)
	}
	for _, p := range payloads {
		add(raw(alice.Address, p).SignedTransaction(alice))
	}
	add(raw(single.Address, payloads[0]).SignedTransaction(single))
	add(raw(secp.Address, payloads[0]).SignedTransaction(secp))
	ma := &aptos.RawTransactionWithData{Variant: aptos.MultiAgentRawTransactionWithDataVariant,
		Inner: &aptos.MultiAgentRawTransactionWithData{RawTxn: raw(alice.Address, payloads[0]), SecondarySigners: []aptos.AccountAddress{bob.Address}}}
	sa, _ := ma.Sign(alice)
	sb, _ := ma.Sign(bob)
	stx, _ := ma.ToMultiAgentSignedTransaction(sa, []crypto.AccountAuthenticator{*sb})
	add(stx, nil)
	fp := &aptos.RawTransactionWithData{Variant: aptos.MultiAgentWithFeePayerRawTransactionWithDataVariant,
		Inner: &aptos.MultiAgentWithFeePayerRawTransactionWithData{RawTxn: raw(alice.Address, payloads[1]), SecondarySigners: []aptos.AccountAddress{}, FeePayer: &bob.Address}}
	sa, _ = fp.Sign(alice)
	sb, _ = fp.Sign(bob)
	stx, _ = fp.ToFeePayerSignedTransaction(sa, sb, nil)
	add(stx, nil)
	add(raw(alice.Address, payloads[0]).SignedTransactionWithAuthenticator(alice.Signer.SimulationAuthenticator()))
	return out
}

// TestRenderMatchesReference renders every transaction of a chain that ran
// transfers, market orders, a fee-payer transaction and a failure, plus
// made-up transactions with every kind of change and event and awkward
// strings, and pending transactions of every authenticator, both by hand
// and through the reference; the bytes must be the same.
func TestRenderMatchesReference(t *testing.T) {
	e, err := movevm.New(movevm.Options{PackageDir: filepath.Join("..", "..", "move"), NamedAddress: "agi_nostr"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(node.Config{IdleBlockInterval: -1}, e)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	r := &renderer{insp: e}
	pub := movevm.PublisherAccount()
	seeds := signedSeeds(t, pub)

	// A chain: fund two accounts, a transfer, a market order, a transfer
	// that aborts, a fee-payer transfer.
	alice, _ := aptos.NewEd25519Account()
	bob, _ := aptos.NewEd25519Account()
	u64 := func(x uint64) []byte { b, _ := bcs.SerializeU64(x); return b }
	signed := func(stx *aptos.SignedTransaction, err error) *aptos.SignedTransaction {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return stx
	}
	submit := func(stx *aptos.SignedTransaction, privileged bool) {
		t.Helper()
		body, _ := bcs.Serialize(stx)
		submitFn := n.Submit
		if privileged {
			submitFn = n.SubmitPrivileged
		}
		p, err := submitFn(body)
		if err != nil {
			t.Fatal(err)
		}
		for {
			txn, pend, err := n.Wait(t.Context(), p.Hash)
			if err != nil || (txn == nil && pend == nil) {
				t.Fatalf("transaction lost: %v", err)
			}
			if txn != nil {
				return
			}
		}
	}
	exp := uint64(time.Now().Add(time.Hour).Unix())
	rawTxn := func(sender aptos.AccountAddress, seq uint64, ef *aptos.EntryFunction) *aptos.RawTransaction {
		return &aptos.RawTransaction{Sender: sender, SequenceNumber: seq, Payload: aptos.TransactionPayload{Payload: ef},
			MaxGasAmount: 100_000, GasUnitPrice: 100, ExpirationTimestampSeconds: exp, ChainId: 4}
	}
	call := func(addr aptos.AccountAddress, module, fn string, args ...[]byte) *aptos.EntryFunction {
		return &aptos.EntryFunction{Module: aptos.ModuleId{Address: addr, Name: module}, Function: fn, ArgTypes: []aptos.TypeTag{}, Args: args}
	}
	for i, a := range []aptos.AccountAddress{alice.Address, bob.Address} {
		submit(signed(rawTxn(n.FaucetAddress(), uint64(i), call(aptos.AccountOne, "aptos_coin", "mint", a[:], u64(1_0000_0000_0000))).SignedTransaction(n.FaucetKey())), true)
	}
	submit(signed(rawTxn(alice.Address, 0, call(aptos.AccountOne, "aptos_account", "transfer", bob.Address[:], u64(5))).SignedTransaction(alice)), false)
	hash := func(s string) []byte { b, _ := bcs.SerializeBytes(bytes.Repeat([]byte(s), 32)); return b }
	submit(signed(rawTxn(alice.Address, 1, call(pub, "market", "pull", hash("o"), u64(1<<20), hash("k"), []byte{0},
		u64(100), u64(1000), u64(10), u64(exp))).SignedTransaction(alice)), false)
	submit(signed(rawTxn(alice.Address, 2, call(aptos.AccountOne, "aptos_account", "transfer", bob.Address[:], u64(1<<62))).SignedTransaction(alice)), false)
	fp := &aptos.RawTransactionWithData{Variant: aptos.MultiAgentWithFeePayerRawTransactionWithDataVariant,
		Inner: &aptos.MultiAgentWithFeePayerRawTransactionWithData{RawTxn: rawTxn(alice.Address, 3,
			call(aptos.AccountOne, "aptos_account", "transfer", bob.Address[:], u64(5))), SecondarySigners: []aptos.AccountAddress{}, FeePayer: &bob.Address}}
	sa, _ := fp.Sign(alice)
	sb, _ := fp.Sign(bob)
	stx, ok := fp.ToFeePayerSignedTransaction(sa, sb, nil)
	if !ok {
		t.Fatal("fee payer transaction")
	}
	submit(stx, false)

	var txns []*ledger.Txn
	head, _, _ := n.Ledger().Head()
	kinds := map[ledger.Kind]int{}
	for v := uint64(0); v <= head; v++ {
		txn, ok, err := n.Ledger().ByVersion(v)
		if err != nil || !ok {
			t.Fatalf("version %d: %v", v, err)
		}
		txns = append(txns, txn)
		kinds[txn.Kind]++
	}
	if kinds[ledger.KindGenesis] != 1 || kinds[ledger.KindBlockMetadata] == 0 || kinds[ledger.KindUser] != 6 {
		t.Fatalf("chain holds %v", kinds)
	}

	// Made-up transactions.
	odd := []string{"Executed successfully", "abort: \"quoted\" \\ \b\f\n\r\t\x01\x1f\x7f <&> \u2028\u2029 é 😀", "bad \xff\xfe utf-8"}
	acct := [32]byte{31: 0xa1}
	writes := []state.Write{
		{Key: state.ResourceKey(acct, "0x1::account::Account"), Value: []byte{1, 2, 3}}, // does not decode
		{Key: state.ResourceKey(acct, "0x1::nope::Nope<u8>"), Value: []byte{9}},         // unknown type
		{Key: state.ResourceKey(acct, "0x1::account::Account"), Delete: true},
		{Key: state.TableItemKey([32]byte{5: 1}, []byte{1, 2}), Value: []byte{3, 4}},
		{Key: state.TableItemKey([32]byte{5: 1}, []byte{}), Delete: true},
	}
	// and the real writes of the market order, for decoded data
	for _, txn := range txns {
		if txn.Kind == ledger.KindUser && len(txn.Writes) > len(writes) {
			writes = append(writes, txn.Writes...)
		}
	}
	events := []ledger.Event{
		{Type: node.FeeStatementType, Data: make([]byte, 40)},
		{Type: node.FeeStatementType, Data: []byte{1}},
		{Type: "0x1::nope::E", Data: []byte{7}, HasHandle: true, CreationNumber: 3, Account: acct, Sequence: 9},
		{Type: "0x1::coin::CoinDeposit<0x1::aptos_coin::AptosCoin>", Data: []byte{}},
	}
	meta, _ := bcs.Serialize(&node.BlockMetadata{ID: [32]byte{1}, Epoch: 2, Round: 3, Proposer: acct,
		VotesBitvec: []byte{1, 0, 255}, FailedIndices: []uint32{4, 5}, Timestamp: 6})
	for i, msg := range odd {
		for _, kind := range []ledger.Kind{ledger.KindUser, ledger.KindBlockMetadata, ledger.KindGenesis} {
			body := meta
			if kind == ledger.KindUser {
				body, _ = bcs.Serialize(seeds[i%len(seeds)])
			}
			if kind == ledger.KindUser && i == 2 {
				body = []byte{1, 2, 3} // undecodable: rendered without the request
			}
			txns = append(txns, &ledger.Txn{Version: uint64(100 + i), Hash: [32]byte{byte(i)}, Kind: kind, Body: body,
				Status: ledger.Status{Success: i == 0, Message: msg}, GasUsed: uint64(i) * 1000, Events: events, Writes: writes,
				Timestamp: 1234567, StateChangeHash: [32]byte{2}, EventRootHash: [32]byte{3}, AccumulatorRootHash: [32]byte{4}})
		}
	}
	for _, txn := range txns {
		got, want := r.committed(txn), refJSON(t, r.refCommitted(txn))
		if !bytes.Equal(got, want) {
			t.Fatalf("version %d (%v): rendered\n%s\nwant\n%s", txn.Version, txn.Kind, got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("version %d: invalid JSON %s", txn.Version, got)
		}
	}
	for _, stx := range seeds {
		for _, typed := range []bool{false, true} {
			p := &node.Pending{Hash: [32]byte{9}, Txn: stx}
			got, want := r.pending(p, typed), refJSON(t, r.refPending(p, typed))
			if !bytes.Equal(got, want) {
				t.Fatalf("pending: rendered\n%s\nwant\n%s", got, want)
			}
		}
	}
}

// TestAppendString compares the string writer with encoding/json's over
// random strings made of the characters that need care.
func TestAppendString(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	parts := []string{"a", "Z", "\"", "\\", "/", "<", ">", "&", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f",
		"é", "\u2028", "\u2029", "😀", "\xff", "\xe2\x80", "\xed\xa0\x80", "\ufffd"}
	for i := 0; i < 5000; i++ {
		var sb strings.Builder
		for range rng.IntN(12) {
			sb.WriteString(parts[rng.IntN(len(parts))])
		}
		s := sb.String()
		want, err := marshalNoEscape(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: wrote %s, want %s (valid UTF-8: %v)", s, got, want, utf8.ValidString(s))
		}
	}
	_ = movevalue.LU8
}

package rest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
)

const contentSignedTxn = "application/x.aptos.signed_transaction+bcs"

// build makes a transfer from sender with the SDK, options applied.
func (h *harness) build(sender *aptos.Account, to aptos.AccountAddress, amount uint64, opts ...any) *aptos.RawTransaction {
	h.t.Helper()
	raw, err := h.client.BuildTransaction(sender.Address, transfer(h.t, to, amount), opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	return raw
}

func sign(t *testing.T, raw *aptos.RawTransaction, signer *aptos.Account) *aptos.SignedTransaction {
	t.Helper()
	stx, err := raw.SignedTransaction(signer)
	if err != nil {
		t.Fatal(err)
	}
	return stx
}

// wantVMError checks a submission is refused with vm_error and code.
func wantVMError(t *testing.T, err error, code uint64, name string) {
	t.Helper()
	if err == nil {
		t.Fatalf("submission accepted, want %s", name)
	}
	status, e := httpError(t, err)
	if status != http.StatusBadRequest || e.ErrorCode != "vm_error" || e.VMErrorCode == nil || *e.VMErrorCode != code ||
		e.Message != "Invalid transaction: Type: Validation Code: "+name {
		t.Fatalf("got %d %+v (vm code %v), want 400 vm_error %d %s", status, e, deref(e.VMErrorCode), code, name)
	}
}

func deref(p *uint64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestRejectedSubmissions(t *testing.T) {
	h := start(t, "")
	alice := h.account(5_0000_0000)
	bob := h.account(0)
	c := h.client

	t.Run("bad signature", func(t *testing.T) {
		stx := sign(t, h.build(alice, bob.Address, 1), alice)
		sig := stx.Authenticator.Auth.(*aptos.Ed25519TransactionAuthenticator).Sender.Auth.Signature().(interface{ Bytes() []byte })
		b := sig.Bytes()
		b[0] ^= 1
		_, err := c.SubmitTransaction(stx)
		wantVMError(t, err, 1, "INVALID_SIGNATURE")
	})
	t.Run("key of another account", func(t *testing.T) {
		_, err := c.SubmitTransaction(sign(t, h.build(alice, bob.Address, 1), bob))
		wantVMError(t, err, 2, "INVALID_AUTH_KEY")
	})
	t.Run("wrong chain id", func(t *testing.T) {
		_, err := c.SubmitTransaction(sign(t, h.build(alice, bob.Address, 1, aptos.ChainIdOption(5)), alice))
		wantVMError(t, err, 23, "BAD_CHAIN_ID")
	})
	t.Run("expired", func(t *testing.T) {
		raw := h.build(alice, bob.Address, 1)
		raw.ExpirationTimestampSeconds = uint64(time.Now().Add(-time.Minute).Unix())
		_, err := c.SubmitTransaction(sign(t, raw, alice))
		wantVMError(t, err, 6, "TRANSACTION_EXPIRED")
	})
	t.Run("insufficient balance for gas", func(t *testing.T) {
		poor := h.account(5000_0000) // 0.5 APT < 1,000,000 gas at 100 octas
		_, err := c.SubmitTransaction(sign(t, h.build(poor, bob.Address, 1), poor))
		wantVMError(t, err, 5, "INSUFFICIENT_BALANCE_FOR_TRANSACTION_FEE")
	})
	t.Run("gas bounds", func(t *testing.T) {
		_, err := c.SubmitTransaction(sign(t, h.build(alice, bob.Address, 1, aptos.MaxGasAmount(3_000_000)), alice))
		wantVMError(t, err, 13, "MAX_GAS_UNITS_EXCEEDS_MAX_GAS_UNITS_BOUND")
		_, err = c.SubmitTransaction(sign(t, h.build(alice, bob.Address, 1, aptos.MaxGasAmount(1)), alice))
		wantVMError(t, err, 14, "MAX_GAS_UNITS_BELOW_MIN_TRANSACTION_GAS_UNITS")
		_, err = c.SubmitTransaction(sign(t, h.build(alice, bob.Address, 1, aptos.GasUnitPrice(99)), alice))
		wantVMError(t, err, 15, "GAS_UNIT_PRICE_BELOW_MIN_BOUND")
	})
	t.Run("old sequence number", func(t *testing.T) {
		first, err := c.BuildSignAndSubmitTransaction(alice, transfer(t, bob.Address, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitForTransaction(first.Hash); err != nil {
			t.Fatal(err)
		}
		_, err = c.SubmitTransaction(sign(t, h.build(alice, bob.Address, 2, aptos.SequenceNumber(0)), alice))
		wantVMError(t, err, 3, "SEQUENCE_NUMBER_TOO_OLD")
	})
	t.Run("malformed BCS", func(t *testing.T) {
		for name, body := range map[string][]byte{
			"empty":     {},
			"garbage":   []byte("not a transaction"),
			"truncated": bcsOf(t, sign(t, h.build(alice, bob.Address, 1), alice))[:100],
			// A length prefix asking for 4 GiB of arguments in a few bytes.
			"huge length": append(append(make([]byte, 40), 2), append(make([]byte, 32), 0x01, 'm', 0x01, 'f', 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f)...),
			"trailing":    append(bcsOf(t, sign(t, h.build(alice, bob.Address, 1), alice)), 0),
			// A module name that is not an identifier, which would print as
			// another type.
			"bad identifier": bcsOf(t, sign(t, func() *aptos.RawTransaction {
				raw := h.build(alice, bob.Address, 1)
				raw.Payload.Payload.(*aptos.EntryFunction).Module.Name = "coin<u8>"
				return raw
			}(), alice)),
		} {
			code, _, resp := h.do(http.MethodPost, "/transactions", contentSignedTxn, body)
			var e apiError
			if code != http.StatusBadRequest || json.Unmarshal(resp, &e) != nil || e.ErrorCode != "invalid_input" ||
				!strings.HasPrefix(e.Message, "Failed to deserialize input into SignedTransaction") {
				t.Errorf("%s: %d %s", name, code, resp)
			}
		}
	})
	t.Run("body too large", func(t *testing.T) {
		code, _, _ := h.do(http.MethodPost, "/transactions", contentSignedTxn, make([]byte, 9<<20))
		if code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", code)
		}
	})
	t.Run("JSON submission", func(t *testing.T) {
		code, _, resp := h.do(http.MethodPost, "/transactions", "application/json", []byte(`{}`))
		if code != http.StatusBadRequest || !strings.Contains(string(resp), "invalid_input") {
			t.Fatalf("%d %s", code, resp)
		}
	})
}

func bcsOf(t *testing.T, m bcs.Marshaler) []byte {
	t.Helper()
	b, err := bcs.Serialize(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func call(t *testing.T, module aptos.AccountAddress, name, fn string, args ...[]byte) aptos.TransactionPayload {
	t.Helper()
	return aptos.TransactionPayload{Payload: &aptos.EntryFunction{
		Module: aptos.ModuleId{Address: module, Name: name}, Function: fn, ArgTypes: []aptos.TypeTag{}, Args: args,
	}}
}

// Failures during execution commit: the sequence number is used and gas is
// charged, and the status says why in Aptos's words.
func TestFailedTransactionsCommit(t *testing.T) {
	h := start(t, "")
	alice := h.account(5_0000_0000)
	pr := probe.StringShort()
	u64 := func(v uint64) []byte { b, _ := bcs.SerializeU64(v); return b }
	str := func(s string) []byte { b, _ := bcs.SerializeBytes([]byte(s)); return b }
	cases := []struct {
		name    string
		payload aptos.TransactionPayload
		opts    []any
		status  string // exact, or a prefix when it ends with "*"
	}{
		{"named abort", call(t, probe, "probe", "boom", u64(7)), nil,
			"Move abort in " + pr + "::probe: EASKED(0x7): The caller asked for this abort."},
		{"plain abort", call(t, probe, "probe", "boom", u64(0x1234)), nil, "Move abort in " + pr + "::probe: 0x1234"},
		{"framework abort", call(t, aptos.AccountOne, "aptos_account", "transfer", probe[:], u64(1<<62)), nil,
			"Move abort in 0x1::fungible_asset: EINSUFFICIENT_BALANCE(0x10004)*"},
		{"counter at 2^63", call(t, probe, "probe", "bump", u64(1<<63), str("x")), nil, ""},
		{"arithmetic error", call(t, probe, "probe", "bump", u64(1<<63), str("y")), nil, "Execution failed in " + pr + "::probe::bump at code offset *"},
		{"out of gas", call(t, probe, "probe", "spin", u64(1<<40)), []any{aptos.MaxGasAmount(20)}, "Out of gas"},
		{"unknown module", call(t, probe, "nope", "f"), nil, "LINKER_ERROR"},
		{"unknown function", call(t, aptos.AccountOne, "aptos_account", "nope"), nil, "FUNCTION_RESOLUTION_FAILURE"},
		{"not an entry function", call(t, probe, "probe", "value", probe[:]), nil, "EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION"},
		{"missing argument", call(t, aptos.AccountOne, "aptos_account", "transfer", probe[:]), nil, "NUMBER_OF_ARGUMENTS_MISMATCH"},
		{"malformed argument", call(t, aptos.AccountOne, "aptos_account", "transfer", probe[:5], u64(1)), nil, "FAILED_TO_DESERIALIZE_ARGUMENT"},
	}
	seq := uint64(0)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := h.client.AccountAPTBalance(alice.Address)
			sub, err := h.client.BuildSignAndSubmitTransaction(alice, tc.payload, tc.opts...)
			if err != nil {
				t.Fatalf("submit: %v", err)
			}
			txn, err := h.client.WaitForTransaction(sub.Hash)
			if err != nil {
				t.Fatal(err)
			}
			seq++
			if tc.status == "" { // a setup step that succeeds
				if !txn.Success {
					t.Fatalf("setup failed: %s", txn.VmStatus)
				}
				return
			}
			want, prefix := strings.CutSuffix(tc.status, "*")
			if txn.Success || (prefix && !strings.HasPrefix(txn.VmStatus, want)) || (!prefix && txn.VmStatus != want) {
				t.Fatalf("success=%v vm_status=%q, want %q", txn.Success, txn.VmStatus, tc.status)
			}
			if txn.GasUsed == 0 || len(txn.Changes) == 0 {
				t.Fatalf("failed transaction charged %d gas with %d changes", txn.GasUsed, len(txn.Changes))
			}
			if tc.name == "out of gas" && txn.GasUsed != 20 {
				t.Fatalf("out of gas charged %d, want all 20", txn.GasUsed)
			}
			after, _ := h.client.AccountAPTBalance(alice.Address)
			if before-after != txn.GasUsed*txn.GasUnitPrice {
				t.Fatalf("balance went %d -> %d, fee %d", before, after, txn.GasUsed*txn.GasUnitPrice)
			}
			info, _ := h.client.Account(alice.Address)
			if got, _ := info.SequenceNumber(); got != seq {
				t.Fatalf("sequence %d after %d transactions", got, seq)
			}
			if len(txn.Events) != 1 || txn.Events[0].Type != "0x1::transaction_fee::FeeStatement" {
				t.Fatalf("events of a failed transaction: %+v", txn.Events)
			}
		})
	}
}

// Transactions ahead of the account's sequence number wait in the mempool
// until the gap fills, as on Aptos.
func TestFutureSequenceNumbersWait(t *testing.T) {
	h := start(t, "")
	alice := h.account(5_0000_0000)
	bob := h.account(0)
	later := sign(t, h.build(alice, bob.Address, 2, aptos.SequenceNumber(1)), alice)
	sub, err := h.client.SubmitTransaction(later)
	if err != nil {
		t.Fatalf("future sequence number refused: %v", err)
	}
	got, err := h.client.TransactionByHash(sub.Hash)
	if err != nil || got.Type != "pending_transaction" {
		t.Fatalf("parked transaction: %+v, %v", got, err)
	}
	// A different transaction with the same sequence number is refused.
	other := sign(t, h.build(alice, bob.Address, 3, aptos.SequenceNumber(1)), alice)
	_, err = h.client.SubmitTransaction(other)
	if code, e := httpError(t, err); code != http.StatusBadRequest || e.ErrorCode != "invalid_transaction_update" {
		t.Fatalf("conflicting submission: %d %+v", code, e)
	}
	// Resubmitting the same transaction is accepted again.
	if _, err := h.client.SubmitTransaction(later); err != nil {
		t.Fatalf("resubmission: %v", err)
	}
	first := sign(t, h.build(alice, bob.Address, 1, aptos.SequenceNumber(0)), alice)
	if _, err := h.client.SubmitTransaction(first); err != nil {
		t.Fatal(err)
	}
	txn, err := h.client.WaitForTransaction(sub.Hash)
	if err != nil || !txn.Success {
		t.Fatalf("parked transaction after the gap filled: %+v, %v", txn, err)
	}
	if bal, _ := h.client.AccountAPTBalance(bob.Address); bal != 3 {
		t.Fatalf("bob has %d, want 3", bal)
	}
}

func TestSimulate(t *testing.T) {
	h := start(t, "")
	alice := h.account(5_0000_0000)
	bob := h.account(0)
	raw := h.build(alice, bob.Address, 10)
	res, err := h.client.SimulateTransaction(raw, alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !res[0].Success || res[0].GasUsed == 0 {
		t.Fatalf("simulation %+v", res)
	}
	if bal, _ := h.client.AccountAPTBalance(bob.Address); bal != 0 {
		t.Fatalf("simulation changed state: bob has %d", bal)
	}
	// A real signature is refused.
	code, _, body := h.do(http.MethodPost, "/transactions/simulate", contentSignedTxn, bcsOf(t, sign(t, raw, alice)))
	if code != http.StatusBadRequest || !strings.Contains(string(body), "must not have a valid signature") {
		t.Fatalf("signed simulation: %d %s", code, body)
	}
	// A failing payload simulates as failed.
	code7, _ := bcs.SerializeU64(7)
	raw2, err := h.client.BuildTransaction(alice.Address, call(t, probe, "probe", "boom", code7))
	if err != nil {
		t.Fatal(err)
	}
	res, err = h.client.SimulateTransaction(raw2, alice)
	if err != nil || len(res) != 1 || res[0].Success || !strings.HasPrefix(res[0].VmStatus, "Move abort in "+probe.StringShort()+"::probe: EASKED(0x7)") {
		t.Fatalf("failing simulation %+v, %v", res, err)
	}
}

func TestView(t *testing.T) {
	h := start(t, "")
	alice := h.account(1234_0000)
	// JSON form.
	body := []byte(`{"function":"0x1::coin::balance","type_arguments":["0x1::aptos_coin::AptosCoin"],"arguments":["` + alice.Address.String() + `"]}`)
	code, hdr, resp := h.do(http.MethodPost, "/view", "application/json", body)
	if code != http.StatusOK || string(resp) != `["12340000"]` || hdr.Get("X-Aptos-Gas-Used") == "" {
		t.Fatalf("JSON view: %d %s", code, resp)
	}
	// An unknown function is a 400 with the VM's code.
	_, err := h.client.View(&aptos.ViewPayload{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "coin"}, Function: "nope"})
	if code, e := httpError(t, err); code != http.StatusBadRequest || e.ErrorCode != "invalid_input" || e.VMErrorCode == nil || *e.VMErrorCode != 1091 {
		t.Fatalf("unknown view function: %d %+v", code, e)
	}
	// A view at a version before the funding sees the old balance.
	txns, _ := h.client.AccountTransactions(h.node.FaucetAddress(), nil, nil)
	fundVersion := txns[0].Version()
	args := [][]byte{alice.Address[:]}
	vals, err := h.client.View(&aptos.ViewPayload{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "coin"}, Function: "balance",
		ArgTypes: []aptos.TypeTag{aptos.AptosCoinTypeTag}, Args: args}, fundVersion-1)
	if err != nil || len(vals) != 1 || vals[0] != "0" {
		t.Fatalf("historical view: %v, %v", vals, err)
	}
	_, err = h.client.View(&aptos.ViewPayload{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "coin"}, Function: "balance",
		ArgTypes: []aptos.TypeTag{aptos.AptosCoinTypeTag}, Args: args}, 1<<40)
	if code, e := httpError(t, err); code != http.StatusNotFound || e.ErrorCode != "version_not_found" {
		t.Fatalf("future version: %d %+v", code, e)
	}
	// Malformed BCS view bodies are refused.
	code, _, resp = h.do(http.MethodPost, "/view", "application/x.aptos.view_function+bcs", bytes.Repeat([]byte{0xff}, 50))
	if code != http.StatusBadRequest || !strings.Contains(string(resp), "invalid_input") {
		t.Fatalf("garbage view: %d %s", code, resp)
	}
}

func TestBatchSubmit(t *testing.T) {
	h := start(t, "")
	alice := h.account(5_0000_0000)
	bob := h.account(0)
	good := sign(t, h.build(alice, bob.Address, 5, aptos.SequenceNumber(0)), alice)
	bad := sign(t, h.build(alice, bob.Address, 6, aptos.SequenceNumber(1), aptos.ChainIdOption(9)), alice)
	resp, err := h.client.BatchSubmitTransaction([]*aptos.SignedTransaction{good, bad})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TransactionFailures) != 1 || resp.TransactionFailures[0].TransactionIndex != 1 ||
		resp.TransactionFailures[0].Error.VmErrorCode != 23 {
		t.Fatalf("batch failures %+v", resp.TransactionFailures)
	}
	hash, _ := good.Hash()
	if txn, err := h.client.WaitForTransaction(hash); err != nil || !txn.Success {
		t.Fatalf("batched transaction: %v", err)
	}
}

func TestWaitUnknownHashIsImmediate(t *testing.T) {
	h := start(t, "")
	began := time.Now()
	_, err := h.client.WaitTransactionByHash("0x" + strings.Repeat("11", 32))
	if code, e := httpError(t, err); code != http.StatusNotFound || e.ErrorCode != "transaction_not_found" {
		t.Fatalf("%d %+v", code, e)
	}
	if d := time.Since(began); d > 500*time.Millisecond {
		t.Fatalf("took %v", d)
	}
	code, _, _ := h.do(http.MethodGet, "/transactions/by_hash/zz", "", nil)
	if code != http.StatusBadRequest {
		t.Fatalf("malformed hash: %d", code)
	}
}

package rest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/api"
)

func transfer(t testing.TB, to aptos.AccountAddress, amount uint64) aptos.TransactionPayload {
	t.Helper()
	ef, err := aptos.CoinTransferPayload(nil, to, amount)
	if err != nil {
		t.Fatal(err)
	}
	return aptos.TransactionPayload{Payload: ef}
}

func TestTransferAndReadBack(t *testing.T) {
	h := start(t, "")
	c := h.client
	alice := h.account(5_0000_0000)
	bob, err := aptos.NewEd25519Account()
	if err != nil {
		t.Fatal(err)
	}

	sub, err := c.BuildSignAndSubmitTransaction(alice, transfer(t, bob.Address, 1000))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	txn, err := c.WaitForTransaction(sub.Hash)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if !txn.Success || txn.VmStatus != "Executed successfully" {
		t.Fatalf("transfer: success=%v vm_status=%q", txn.Success, txn.VmStatus)
	}
	if txn.Hash != sub.Hash || txn.SequenceNumber != 0 || *txn.Sender != alice.Address {
		t.Fatalf("committed transaction %+v does not match the submission %+v", txn, sub)
	}
	if txn.GasUsed == 0 {
		t.Fatal("gas_used is 0")
	}
	last := txn.Events[len(txn.Events)-1]
	if last.Type != "0x1::transaction_fee::FeeStatement" {
		t.Fatalf("last event %+v is not the fee statement", last)
	}
	if last.Data["total_charge_gas_units"] != strconv.FormatUint(txn.GasUsed, 10) {
		t.Fatalf("fee statement total %v, gas_used %d", last.Data["total_charge_gas_units"], txn.GasUsed)
	}

	bal, err := c.AccountAPTBalance(bob.Address)
	if err != nil || bal != 1000 {
		t.Fatalf("bob's balance %d, %v; want 1000", bal, err)
	}
	bal, err = c.AccountAPTBalance(alice.Address)
	if want := uint64(5_0000_0000) - 1000 - txn.GasUsed*txn.GasUnitPrice; err != nil || bal != want {
		t.Fatalf("alice's balance %d, %v; want %d", bal, err, want)
	}
	info, err := c.Account(alice.Address)
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := info.SequenceNumber(); err != nil || seq != 1 {
		t.Fatalf("alice's sequence number %d, %v", seq, err)
	}
	// Bob's APT is in his primary fungible store, at the address derived
	// from his and APT's metadata object (0xa).
	apt := aptos.AccountAddress{31: 0xa}
	store := bob.Address.ObjectAddressFromObject(&apt)
	res, err := c.AccountResource(store, "0x1::fungible_asset::FungibleStore")
	if err != nil {
		t.Fatal(err)
	}
	data := res["data"].(map[string]any)
	if data["balance"] != "1000" || data["metadata"].(map[string]any)["inner"] != "0xa" {
		t.Fatalf("bob's store %v", res)
	}
	acct, err := c.AccountResource(alice.Address, "0x1::account::Account")
	if err != nil {
		t.Fatal(err)
	}
	if d := acct["data"].(map[string]any); d["sequence_number"] != "1" || d["authentication_key"] != alice.Address.StringLong() {
		t.Fatalf("alice's account resource %v", acct)
	}
	all, err := c.AccountResources(store)
	if err != nil || len(all) < 2 {
		t.Fatalf("store resources %+v, %v", all, err)
	}
	raw, err := c.AccountResourcesBCS(store)
	if err != nil || len(raw) != len(all) {
		t.Fatalf("store resources in BCS %+v, %v", raw, err)
	}

	byHash, err := c.TransactionByHash(sub.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if ut, err := byHash.UserTransaction(); err != nil || ut.Version != txn.Version {
		t.Fatalf("by_hash: %+v, %v", byHash, err)
	}
	byVersion, err := c.TransactionByVersion(txn.Version)
	if err != nil || byVersion.Hash() != sub.Hash {
		t.Fatalf("by_version: %v", err)
	}
	mine, err := c.AccountTransactions(alice.Address, nil, nil)
	if err != nil || len(mine) != 1 || mine[0].Hash() != sub.Hash {
		t.Fatalf("account transactions: %d, %v", len(mine), err)
	}
	block, err := c.BlockByVersion(txn.Version, true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, bt := range block.Transactions {
		found = found || bt.Hash() == sub.Hash
	}
	if !found || block.FirstVersion > txn.Version || block.LastVersion < txn.Version {
		t.Fatalf("block %d..%d does not hold version %d", block.FirstVersion, block.LastVersion, txn.Version)
	}
	byHeight, err := c.BlockByHeight(block.BlockHeight, false)
	if err != nil || byHeight.BlockHash != block.BlockHash {
		t.Fatalf("block by height: %v", err)
	}

	node, err := c.Info()
	if err != nil {
		t.Fatal(err)
	}
	if node.ChainId != 4 || node.LedgerVersion() < txn.Version {
		t.Fatalf("ledger info %+v", node)
	}
	// Every version from genesis to the head is there, in order.
	start, limit := uint64(0), node.LedgerVersion()+1
	txns, err := c.Transactions(&start, &limit)
	if err != nil {
		t.Fatal(err)
	}
	for i, ct := range txns {
		if ct.Version() != uint64(i) {
			t.Fatalf("transaction %d has version %d", i, ct.Version())
		}
	}
	if txns[0].Type != api.TransactionVariantGenesis {
		t.Fatalf("version 0 is %s", txns[0].Type)
	}
}

func TestSingleKeyAccount(t *testing.T) {
	h := start(t, "")
	alice, err := aptos.NewEd25519SingleSenderAccount()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.client.Fund(alice.Address, 2_0000_0000); err != nil {
		t.Fatal(err)
	}
	bob := h.account(0)
	sub, err := h.client.BuildSignAndSubmitTransaction(alice, transfer(t, bob.Address, 77))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	txn, err := h.client.WaitForTransaction(sub.Hash)
	if err != nil || !txn.Success {
		t.Fatalf("single-key transfer: %+v, %v", txn, err)
	}
	if txn.Signature.Type != api.SignatureVariantSingleSender {
		t.Fatalf("signature type %s", txn.Signature.Type)
	}
	if bal, _ := h.client.AccountAPTBalance(bob.Address); bal != 77 {
		t.Fatalf("bob has %d", bal)
	}
}

func TestLedgerHeadersAndErrorBody(t *testing.T) {
	h := start(t, "")
	code, hdr, body := h.do(http.MethodGet, "/transactions/by_hash/0x"+strings.Repeat("ab", 32), "", nil)
	if code != http.StatusNotFound {
		t.Fatalf("status %d", code)
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	want := "Transaction not found by Transaction hash(0x" + strings.Repeat("ab", 32) + ")"
	if e["message"] != want || e["error_code"] != "transaction_not_found" {
		t.Fatalf("body %s", body)
	}
	if v, ok := e["vm_error_code"]; !ok || v != nil {
		t.Fatalf("vm_error_code must be present and null: %s", body)
	}
	for _, k := range []string{"X-Aptos-Chain-Id", "X-Aptos-Ledger-Version", "X-Aptos-Ledger-TimestampUsec", "X-Aptos-Block-Height", "X-Aptos-Epoch"} {
		if hdr.Get(k) == "" {
			t.Errorf("header %s missing", k)
		}
	}
	if hdr.Get("X-Aptos-Chain-Id") != "4" {
		t.Errorf("chain id header %q", hdr.Get("X-Aptos-Chain-Id"))
	}
	// Unknown routes answer in the same error shape.
	code, _, body = h.do(http.MethodGet, "/nope", "", nil)
	if code != http.StatusNotFound || !strings.Contains(string(body), `"error_code":"web_framework_error"`) {
		t.Fatalf("unknown route: %d %s", code, body)
	}
}

func TestIndexShape(t *testing.T) {
	h := start(t, "")
	for _, path := range []string{"", "/"} {
		code, _, body := h.do(http.MethodGet, path, "", nil)
		if code != http.StatusOK {
			t.Fatalf("GET /v1%s: %d", path, code)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if m["chain_id"] != float64(4) {
			t.Fatalf("chain_id %v must be the number 4", m["chain_id"])
		}
		for _, k := range []string{"epoch", "ledger_version", "oldest_ledger_version", "ledger_timestamp", "block_height", "oldest_block_height"} {
			if _, ok := m[k].(string); !ok {
				t.Fatalf("%s = %v must be a string", k, m[k])
			}
		}
	}
	est, err := h.client.EstimateGasPrice()
	if err != nil || est.GasEstimate != 100 {
		t.Fatalf("gas estimate %+v, %v", est, err)
	}
	if hc, err := h.client.NodeAPIHealthCheck(); err != nil || hc.Message != "aptos-node:ok" {
		t.Fatalf("health %+v, %v", hc, err)
	}
}

func TestTransactionsPaging(t *testing.T) {
	h := start(t, "")
	alice := h.account(5_0000_0000)
	head, err := h.client.Info()
	if err != nil {
		t.Fatal(err)
	}
	// Past the head is a 400, as on a real node.
	code, _, body := h.do(http.MethodGet, "/transactions?start=999999", "", nil)
	if code != http.StatusBadRequest || !strings.Contains(string(body), "higher than the current ledger version") {
		t.Fatalf("start past head: %d %s", code, body)
	}
	code, _, _ = h.do(http.MethodGet, "/transactions?limit=0", "", nil)
	if code != http.StatusBadRequest {
		t.Fatalf("limit=0: %d", code)
	}
	// Without start: the last page, ending at the head.
	limit := uint64(2)
	last, err := h.client.Transactions(nil, &limit)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(last); n == 0 || last[n-1].Version() < head.LedgerVersion() {
		t.Fatalf("last page %d transactions", n)
	}
	// Large limits are clamped to 100.
	code, _, body = h.do(http.MethodGet, "/transactions?start=0&limit=1000", "", nil)
	var page []json.RawMessage
	if code != http.StatusOK || json.Unmarshal(body, &page) != nil || uint64(len(page)) > 100 {
		t.Fatalf("clamped page: %d, %d items", code, len(page))
	}
	// Unknown accounts are stateless accounts: sequence 0, key = address.
	fresh, _ := aptos.NewEd25519Account()
	info, err := h.client.Account(fresh.Address)
	if err != nil {
		t.Fatal(err)
	}
	if seq, _ := info.SequenceNumber(); seq != 0 {
		t.Fatalf("fresh account sequence %d", seq)
	}
	if key, _ := info.AuthenticationKey(); string(key) != string(fresh.Address[:]) {
		t.Fatalf("fresh account key %s", key)
	}
	_, err = h.client.AccountTransactions(fresh.Address, nil, nil)
	if code, e := httpError(t, err); code != http.StatusNotFound || e.ErrorCode != "account_not_found" {
		t.Fatalf("fresh account transactions: %d %+v", code, e)
	}
	_ = alice
}

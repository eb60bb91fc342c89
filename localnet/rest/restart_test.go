package rest_test

import (
	"os"
	"path/filepath"
	"testing"
)

// A chain with a data directory survives a restart with its accounts,
// resources, transactions and events, and keeps going.
func TestRestartWithDataDir(t *testing.T) {
	dir := t.TempDir()
	h := start(t, dir)
	alice := h.account(5_0000_0000)
	bob := h.account(0)
	sub, err := h.client.BuildSignAndSubmitTransaction(alice, transfer(t, bob.Address, 4242))
	if err != nil {
		t.Fatal(err)
	}
	before, err := h.client.WaitForTransaction(sub.Hash)
	if err != nil || !before.Success {
		t.Fatalf("transfer: %v", err)
	}
	head, _ := h.client.Info()
	aliceBal, _ := h.client.AccountAPTBalance(alice.Address)
	h.close()

	// A crash can leave a torn record after the last synced block.
	f, err := os.OpenFile(filepath.Join(dir, "chain.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x40, 0, 0, 0, 1, 2, 3})
	f.Close()

	h = start(t, dir)
	again, _ := h.client.Info()
	if again.LedgerVersion() != head.LedgerVersion() || again.BlockHeight() != head.BlockHeight() {
		t.Fatalf("head after restart %d/%d, before %d/%d", again.LedgerVersion(), again.BlockHeight(), head.LedgerVersion(), head.BlockHeight())
	}
	txn, err := h.client.WaitForTransaction(sub.Hash)
	if err != nil || txn.Version != before.Version || len(txn.Events) != len(before.Events) {
		t.Fatalf("transaction after restart: %+v, %v", txn, err)
	}
	if bal, _ := h.client.AccountAPTBalance(bob.Address); bal != 4242 {
		t.Fatalf("bob has %d after restart", bal)
	}
	if bal, _ := h.client.AccountAPTBalance(alice.Address); bal != aliceBal {
		t.Fatalf("alice has %d after restart, had %d", bal, aliceBal)
	}
	// The chain goes on: sequence numbers continue and the faucet, whose
	// key is in the data directory, still mints.
	carol := h.account(1_0000_0000)
	sub2, err := h.client.BuildSignAndSubmitTransaction(alice, transfer(t, carol.Address, 1))
	if err != nil {
		t.Fatal(err)
	}
	txn2, err := h.client.WaitForTransaction(sub2.Hash)
	if err != nil || !txn2.Success || txn2.SequenceNumber != 1 {
		t.Fatalf("transfer after restart: %+v, %v", txn2, err)
	}
	if txn2.Version <= head.LedgerVersion() {
		t.Fatalf("new version %d not after %d", txn2.Version, head.LedgerVersion())
	}
	h.close()

	// Damage before the last record is refused rather than silently cut.
	path := filepath.Join(dir, "chain.log")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[20] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openNode(dir); err == nil {
		t.Fatal("a damaged chain log opened")
	}
}

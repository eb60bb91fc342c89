package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
	"github.com/aptos-labs/aptos-go-sdk/crypto"
)

// Multi-agent transactions carry a second signer; fee-payer transactions
// are paid by another account than the sender, who may hold no APT at all.
func TestMultiAgentAndFeePayer(t *testing.T) {
	h := start(t, "")
	c := h.client
	alice := h.account(5_0000_0000)
	bob := h.account(0)
	sponsor := h.account(5_0000_0000)

	submit := func(stx *aptos.SignedTransaction) (*aptos.SignedTransaction, error) {
		t.Helper()
		_, err := c.SubmitTransaction(stx)
		return stx, err
	}
	wait := func(stx *aptos.SignedTransaction) map[string]any {
		t.Helper()
		hash, _ := stx.Hash()
		txn, err := c.WaitForTransaction(hash)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"success": txn.Success, "vm_status": txn.VmStatus, "events": txn.Events, "gas": txn.GasUsed * txn.GasUnitPrice}
	}

	// Multi-agent: alice and bob both sign probe::pair.
	raw, err := c.BuildTransactionMultiAgent(alice.Address, call(t, probe, "probe", "pair"), aptos.AdditionalSigners{bob.Address})
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := raw.Sign(alice)
	sb, _ := raw.Sign(bob)
	stx, ok := raw.ToMultiAgentSignedTransaction(sa, []crypto.AccountAuthenticator{*sb})
	if !ok {
		t.Fatal("not a multi-agent transaction")
	}
	if _, err := submit(stx); err != nil {
		t.Fatalf("multi-agent: %v", err)
	}
	got := wait(stx)
	if got["success"] != true {
		t.Fatalf("multi-agent: %v", got["vm_status"])
	}

	// A secondary signature that does not verify is refused at the door.
	raw2, _ := c.BuildTransactionMultiAgent(alice.Address, call(t, probe, "probe", "pair"), aptos.AdditionalSigners{bob.Address})
	sa2, _ := raw2.Sign(alice)
	forged, _ := raw2.Sign(alice) // alice's key over bob's part
	stx2, _ := raw2.ToMultiAgentSignedTransaction(sa2, []crypto.AccountAuthenticator{*forged})
	_, err = submit(stx2)
	wantVMError(t, err, 2, "INVALID_AUTH_KEY")

	// Fee payer: a fresh account with no APT calls probe::bump; the sponsor
	// pays. The sender signs over a zero fee payer, as wallets do.
	carol, _ := aptos.NewEd25519Account()
	note, _ := bcs.SerializeBytes([]byte("sponsored"))
	one, _ := bcs.SerializeU64(1)
	zero := aptos.AccountAddress{}
	raw3, err := c.BuildTransactionMultiAgent(carol.Address, call(t, probe, "probe", "bump", one, note), aptos.FeePayer(&zero))
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := raw3.Sign(carol)
	raw3.SetFeePayer(sponsor.Address)
	sp, _ := raw3.Sign(sponsor)
	stx3, ok := raw3.ToFeePayerSignedTransaction(sc, sp, nil)
	if !ok {
		t.Fatal("not a fee-payer transaction")
	}
	before, _ := c.AccountAPTBalance(sponsor.Address)
	if _, err := submit(stx3); err != nil {
		t.Fatalf("fee payer: %v", err)
	}
	got = wait(stx3)
	if got["success"] != true {
		t.Fatalf("fee payer: %v", got["vm_status"])
	}
	after, _ := c.AccountAPTBalance(sponsor.Address)
	if before-after != got["gas"].(uint64) {
		t.Fatalf("sponsor paid %d, fee %d", before-after, got["gas"])
	}
	if bal, _ := c.AccountAPTBalance(carol.Address); bal != 0 {
		t.Fatalf("carol has %d", bal)
	}
	info, _ := c.Account(carol.Address)
	if seq, _ := info.SequenceNumber(); seq != 1 {
		t.Fatalf("carol's sequence number %d", seq)
	}
	// The transaction shows as a fee-payer transaction.
	hash, _ := stx3.Hash()
	code, _, body := h.do(http.MethodGet, "/transactions/by_hash/"+hash, "", nil)
	if code != http.StatusOK || !contains(body, `"type":"fee_payer_signature"`) || !contains(body, `"fee_payer_address":"`+sponsor.Address.StringShort()+`"`) {
		t.Fatalf("fee-payer transaction JSON: %d %s", code, body)
	}

	// Without a sponsor, the same call from an empty account cannot pay.
	raw4, _ := c.BuildTransaction(carol.Address, call(t, probe, "probe", "bump", one, note))
	_, err = c.SubmitTransaction(sign(t, raw4, carol))
	wantVMError(t, err, 5, "INSUFFICIENT_BALANCE_FOR_TRANSACTION_FEE")
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

package faucet_test

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/faucet"
	_ "github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
)

func serve(t *testing.T) (*node.Node, string) {
	t.Helper()
	exec, err := movevm.New(movevm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(node.Config{IdleBlockInterval: -1}, exec)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(faucet.New(n, nil).Handler())
	t.Cleanup(func() { srv.Close(); n.Close() })
	return n, srv.URL
}

func post(t *testing.T, url, ct, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, ct, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func balance(t *testing.T, n *node.Node, a aptos.AccountAddress) uint64 {
	t.Helper()
	v := n.Info().Version
	view, err := n.StateAt(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.Executor().Balance(view, a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMintAndFund(t *testing.T) {
	n, url := serve(t)
	a, _ := aptos.NewEd25519Account()
	code, body := post(t, url+"/mint?amount=500&address="+a.Address.String(), "text/plain", "")
	var hashes []string
	if code != http.StatusOK || json.Unmarshal([]byte(body), &hashes) != nil || len(hashes) != 1 || len(hashes[0]) != 64 {
		t.Fatalf("/mint: %d %s", code, body)
	}
	// The hash names a committed user transaction.
	var h [32]byte
	hex.Decode(h[:], []byte(hashes[0]))
	if txn, _, _ := n.Lookup(h); txn == nil || !txn.Status.Success {
		t.Fatal("funding transaction not committed when /mint answered")
	}
	if got := balance(t, n, a.Address); got != 500 {
		t.Fatalf("balance %d", got)
	}
	code, body = post(t, url+"/fund", "application/json", `{"address":"`+a.Address.StringShort()+`","amount":25}`)
	if code != http.StatusOK || !strings.Contains(body, `"txn_hashes":["`) {
		t.Fatalf("/fund: %d %s", code, body)
	}
	if got := balance(t, n, a.Address); got != 525 {
		t.Fatalf("balance %d", got)
	}
	// By public key, with the signed transactions returned.
	b, _ := aptos.NewEd25519Account()
	pk := b.PubKey().ToHex()
	code, body = post(t, url+"/mint?amount=7&return_txns=true&pub_key="+pk, "text/plain", "")
	raw, err := hex.DecodeString(body)
	if code != http.StatusOK || err != nil {
		t.Fatalf("/mint return_txns: %d %s", code, body)
	}
	des := bcs.NewDeserializer(raw)
	txns := bcs.DeserializeSequence[aptos.SignedTransaction](des)
	if des.Error() != nil || len(txns) != 1 {
		t.Fatalf("returned transactions: %v", des.Error())
	}
	if got := balance(t, n, b.Address); got != 7 {
		t.Fatalf("balance by pub_key %d", got)
	}
}

func TestBadRequests(t *testing.T) {
	_, url := serve(t)
	for _, c := range []struct{ path, ct, body string }{
		{"/mint?amount=5", "text/plain", ""},
		{"/mint?amount=x&address=0x1", "text/plain", ""},
		{"/mint?amount=0&address=0x1", "text/plain", ""},
		{"/mint?amount=999999999999999999&address=0x1", "text/plain", ""},
		{"/mint?amount=5&address=0xzz", "text/plain", ""},
		{"/fund", "application/json", `{"address":`},
		{"/fund", "application/json", `{}`},
	} {
		if code, body := post(t, url+c.path, c.ct, c.body); code != http.StatusBadRequest {
			t.Errorf("%s %s: %d %s", c.path, c.body, code, body)
		}
	}
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "tap:ok" {
		t.Fatalf("health %q", b)
	}
}

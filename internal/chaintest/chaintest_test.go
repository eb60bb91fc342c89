package chaintest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/internal/chain"
	"github.com/agi-nostr/agi-nostr/internal/chaintest"
)

func TestLocalnetWithPackage(t *testing.T) {
	clk := &chaintest.Clock{}
	ln := chaintest.Start(t, chaintest.Options{PackageDir: "../../move", NamedAddress: "agi_nostr", Clock: clk})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice := ln.Account(t, 1_0000_0000)
	if b, err := ln.Client.Balance(ctx, alice.Address); err != nil || b != 1_0000_0000 {
		t.Fatalf("balance %d, %v", b, err)
	}
	// The publisher administers the package.
	pub := ln.Publisher(t)
	if pub.Address != ln.Package {
		t.Fatalf("publisher %s, package %s", pub.Address, ln.Package)
	}
	ln.Account(t, 0) // a fresh account needs no funds to exist
	if err := ln.Client.Fund(ctx, pub.Address, 1_0000_0000); err != nil {
		t.Fatal(err)
	}
	paused := chain.Function{Address: ln.Package, Module: "market", Name: "set_paused"}
	if _, err := ln.Client.Submit(ctx, pub, paused, nil, [][]byte{chain.Bool(true)}); err != nil {
		t.Fatalf("admin call: %v", err)
	}
	cfg, err := ln.Client.View(ctx, chain.Function{Address: ln.Package, Module: "market", Name: "config"}, nil, nil)
	if err != nil || cfg[0].(map[string]any)["paused"] != true {
		t.Fatalf("config %v, %v", cfg, err)
	}
	// The clock moves on-chain time at the next block.
	clk.Advance(48 * time.Hour)
	// A transaction that expires before the next block's time is refused
	// at submission, as a real node refuses one its chain time has passed,
	// rather than accepted and then discarded by the block.
	transfer := chain.Function{Address: aptos.AccountOne, Module: "aptos_account", Name: "transfer"}
	_, err = ln.Client.Submit(ctx, alice, transfer, nil, [][]byte{chain.Address(pub.Address), chain.U64(1)}, aptos.ExpirationSeconds(3600))
	if err == nil || !strings.Contains(err.Error(), "TRANSACTION_EXPIRED") {
		t.Fatalf("a transaction expired by the chain's clock: %v", err)
	}
	txn, err := ln.Client.Submit(ctx, alice, chain.Function{Address: aptos.AccountOne, Module: "aptos_account", Name: "transfer"},
		nil, [][]byte{chain.Address(pub.Address), chain.U64(1)}, aptos.ExpirationSeconds(3*86400))
	if err != nil {
		t.Fatal(err)
	}
	if got := time.UnixMicro(int64(txn.Timestamp)); got.Before(time.Now().Add(47 * time.Hour)) {
		t.Fatalf("block time %v did not follow the clock", got)
	}
}

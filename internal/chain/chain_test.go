package chain_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/internal/chain"
	"github.com/agi-nostr/agi-nostr/internal/chaintest"
)

func localnet(t *testing.T) *chain.Client {
	t.Helper()
	c := chaintest.Start(t, chaintest.Options{}).Client
	if c.ChainID() != 4 {
		t.Fatalf("chain id %d", c.ChainID())
	}
	return c
}

func TestSubmitViewAndFollow(t *testing.T) {
	c := localnet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice, _ := aptos.NewEd25519Account()
	bob, _ := aptos.NewEd25519Account()
	start, err := c.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Fund(ctx, alice.Address, 3_0000_0000); err != nil {
		t.Fatal(err)
	}
	transfer, _ := chain.ParseFunction("0x1::aptos_account::transfer")
	txn, err := c.Submit(ctx, alice, transfer, nil, [][]byte{chain.Address(bob.Address), chain.U64(99)})
	if err != nil || !txn.Success {
		t.Fatalf("submit: %v", err)
	}
	balance, _ := chain.ParseFunction("0x1::coin::balance")
	vals, err := c.View(ctx, balance, []aptos.TypeTag{aptos.AptosCoinTypeTag}, [][]byte{chain.Address(bob.Address)})
	if err != nil || len(vals) != 1 || vals[0] != "99" {
		t.Fatalf("view: %v, %v", vals, err)
	}
	if b, err := c.Balance(ctx, bob.Address); err != nil || b != 99 {
		t.Fatalf("balance %d, %v", b, err)
	}
	if _, err := c.Resource(ctx, bob.Address, "0x1::nope::Nope"); !errors.Is(err, chain.ErrNotFound) {
		t.Fatalf("missing resource: %v", err)
	}
	// Follow events from before the funding: the deposit events of both
	// transactions, in order, then nothing more at the head.
	evs, next, err := c.Events(ctx, start, 1000, func(typ string) bool { return typ == "0x1::fungible_asset::Deposit" })
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[1].Version != txn.Version || evs[1].Data["amount"] != "99" {
		t.Fatalf("events %+v", evs)
	}
	more, again, err := c.Events(ctx, next, 1000, nil)
	if err != nil || len(more) != 0 || again != next {
		t.Fatalf("at the head: %d events, next %d->%d, %v", len(more), next, again, err)
	}
	// A failing call returns the committed transaction and its abort code.
	txn, err = c.Submit(ctx, alice, transfer, nil, [][]byte{chain.Address(bob.Address), chain.U64(1 << 62)})
	var te *chain.TxnError
	if !errors.As(err, &te) || txn == nil || txn.Success {
		t.Fatalf("failing call: %v", err)
	}
	if code, ok := te.AbortCode(); !ok || code != 0x10004 {
		t.Fatalf("abort code %x %v from %q", code, ok, te.VMStatus)
	}
}

func TestAbortCodeForms(t *testing.T) {
	for s, want := range map[string]uint64{
		"Move abort in 0x1::coin: EINSUFFICIENT_BALANCE(0x10006): Not enough coins": 0x10006,
		"Move abort in 0xcafe::market: 0x3":                                         3,
		"Move abort: code 0x2a":                                                     42,
	} {
		if got, ok := (&chain.TxnError{VMStatus: s}).AbortCode(); !ok || got != want {
			t.Errorf("%q: %x %v", s, got, ok)
		}
	}
	if _, ok := (&chain.TxnError{VMStatus: "Out of gas"}).AbortCode(); ok {
		t.Error("out of gas read as an abort")
	}
	if _, err := chain.ParseFunction("0x1::coin"); err == nil {
		t.Error("parsed a function without a name")
	}
}

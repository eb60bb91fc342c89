package rest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/api"

	"github.com/agi-nostr/agi-nostr/internal/chain"
	"github.com/agi-nostr/agi-nostr/internal/chaintest"
	"github.com/agi-nostr/agi-nostr/internal/delivery"
)

// The order market runs on the localnet as on Aptos: an order goes from
// pull to settle through the SDK, every step emitting the module event an
// indexer follows, and a relay that reveals wrong primes is refused without
// touching the order.
func TestMarketOrderLifecycle(t *testing.T) {
	clk := &chaintest.Clock{}
	ln := chaintest.Start(t, chaintest.Options{PackageDir: "../../move", NamedAddress: "agi_nostr", Clock: clk})
	c := ln.Client
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pub := ln.Package
	market := func(name string) chain.Function { return chain.Function{Address: pub, Module: "market", Name: name} }
	start, _ := c.Head(ctx)

	owner, _ := aptos.NewEd25519Account()
	relay, _ := aptos.NewEd25519Account()
	for _, a := range []*aptos.Account{owner, relay} {
		if err := c.Fund(ctx, a.Address, 10_0000_0000); err != nil {
			t.Fatal(err)
		}
	}
	// Transactions after the clock moves must outlive it.
	longLived := aptos.ExpirationSeconds(60 * 86400)

	nostr := sha256.Sum256([]byte("relay nostr key"))
	if _, err := c.Submit(ctx, relay, market("register_relay"), nil,
		[][]byte{chain.Bytes(nostr[:]), chain.String("https://relay.example")}, longLived); err != nil {
		t.Fatalf("register_relay: %v", err)
	}
	objectID := sha256.Sum256([]byte("object"))
	ownerNostr := sha256.Sum256([]byte("owner nostr key"))
	const down, cost, tip = 1_000, 500_000, 20_000
	deliverBy := uint64(clk.Now().Unix()) + 2*3600
	txn, err := c.Submit(ctx, owner, market("pull"), nil, [][]byte{
		chain.Bytes(objectID[:]), chain.U64(4096), chain.Bytes(ownerNostr[:]), chain.Addresses([]aptos.AccountAddress{relay.Address}),
		chain.U64(down), chain.U64(cost), chain.U64(tip), chain.U64(deliverBy),
	}, longLived)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	var created *api.Event
	for _, e := range txn.Events {
		if strings.HasSuffix(e.Type, "::market::OrderCreated") {
			created = e
		}
	}
	if created == nil || created.Data["order_id"] != "1" || created.Data["object_id"] != "0x"+hex.EncodeToString(objectID[:]) ||
		created.Data["owner"] != owner.Address.StringShort() {
		t.Fatalf("OrderCreated %+v", created)
	}
	orderID := chain.U64(1)

	pp, err := delivery.GeneratePrimePair(delivery.DefaultPrimeBits)
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := pp.Bytes()
	cipherID := sha256.Sum256([]byte("ciphertext"))
	if _, err := c.Submit(ctx, relay, market("take_order"), nil,
		[][]byte{orderID, chain.Bytes(pp.Product()), chain.Bytes(cipherID[:])}, longLived); err != nil {
		t.Fatalf("take_order: %v", err)
	}
	if _, err := c.Submit(ctx, owner, market("confirm_received"), nil, [][]byte{orderID}, longLived); err != nil {
		t.Fatalf("confirm_received: %v", err)
	}
	// Wrong factors abort with the market's named error and change nothing.
	_, err = c.Submit(ctx, relay, market("complete_order"), nil, [][]byte{orderID, chain.Bytes(p2), chain.Bytes(p1)}, longLived)
	var te *chain.TxnError
	if !errors.As(err, &te) || !strings.HasPrefix(te.VMStatus, "Move abort in "+pub.StringShort()+"::") {
		t.Fatalf("complete_order with swapped primes: %v", err)
	}
	if _, err := c.Submit(ctx, relay, market("complete_order"), nil, [][]byte{orderID, chain.Bytes(p1), chain.Bytes(p2)}, longLived); err != nil {
		t.Fatalf("complete_order: %v", err)
	}
	order, err := c.View(ctx, market("order"), nil, [][]byte{orderID})
	if err != nil {
		t.Fatal(err)
	}
	o := order[0].(map[string]any)
	key := delivery.DeriveKey(1, pp)
	if o["key"] != "0x"+hex.EncodeToString(key[:]) || o["relay"] != relay.Address.StringShort() {
		t.Fatalf("order after the reveal: %v", o)
	}

	// The dispute window passes; anyone settles and the relay is paid.
	before, _ := c.Balance(ctx, relay.Address)
	clk.Advance(2 * 86400 * time.Second)
	txn, err = c.Submit(ctx, owner, market("settle"), nil, [][]byte{orderID}, longLived)
	if err != nil {
		t.Fatalf("settle: %v", err)
	}
	after, _ := c.Balance(ctx, relay.Address)
	fee := (cost + tip) * uint64(mustU64(t, o["fee_bps"])) / 10_000
	if after-before != cost+tip-fee {
		t.Fatalf("relay received %d, want %d", after-before, cost+tip-fee)
	}
	// The on-chain clock moved with the node's.
	if txn.Timestamp < uint64(clk.Now().UnixMicro())-1_000_000 {
		t.Fatalf("block time %d did not follow the clock %d", txn.Timestamp, clk.Now().UnixMicro())
	}

	// An indexer following the chain sees every step of the order.
	evs, _, err := c.Events(ctx, start, 10_000, func(typ string) bool {
		return strings.HasPrefix(typ, pub.StringShort()+"::market::Order") || strings.HasSuffix(typ, "::market::KeyRevealed") ||
			strings.HasSuffix(typ, "::market::DeliveryConfirmed")
	})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Type[strings.LastIndex(e.Type, "::")+2:])
	}
	if got := strings.Join(kinds, ","); got != "OrderCreated,OrderTaken,DeliveryConfirmed,KeyRevealed,OrderSettled" {
		t.Fatalf("market events: %s", got)
	}
}

func mustU64(t *testing.T, v any) uint64 {
	t.Helper()
	s, _ := v.(string)
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("not a u64: %v", v)
	}
	return n
}

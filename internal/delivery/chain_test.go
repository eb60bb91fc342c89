package delivery_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/api"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/internal/chain"
	"github.com/agi-nostr/agi-nostr/internal/delivery"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/localnet/faucet"
	_ "github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
	"github.com/agi-nostr/agi-nostr/localnet/rest"
)

// The orders below run through real transactions on the embedded localnet
// with the package of move/ published: the Go side of the protocol (pairs,
// keys, the cipher, dispute proofs) against the Move side. The tests also log
// each transaction's gas, the figures docs/PROTOCOL.md quotes.

type market struct {
	c     *chain.Client
	addr  aptos.AccountAddress
	clock *atomic.Int64 // seconds added to the wall clock
}

func startMarket(t *testing.T) *market {
	t.Helper()
	exec, err := movevm.New(movevm.Options{PackageDir: "../../move", NamedAddress: "agi_nostr"})
	if err != nil {
		t.Fatal(err)
	}
	skew := &atomic.Int64{}
	n, err := node.Open(node.Config{IdleBlockInterval: -1, Now: func() time.Time {
		return time.Now().Add(time.Duration(skew.Load()) * time.Second)
	}}, exec)
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(rest.New(n, nil).Handler())
	fct := httptest.NewServer(faucet.New(n, nil).Handler())
	t.Cleanup(func() { api.Close(); fct.Close(); n.Close() })
	c, err := chain.New(chain.Config{NodeURL: api.URL + "/v1", FaucetURL: fct.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &market{c: c, addr: movevm.PublisherAccount(), clock: skew}
}

func (m *market) fn(name string) chain.Function {
	return chain.Function{Address: m.addr, Module: "market", Name: name}
}

func (m *market) account(t *testing.T, ctx context.Context) *aptos.Account {
	t.Helper()
	a, err := aptos.NewEd25519Account()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.c.Fund(ctx, a.Address, 10_0000_0000); err != nil {
		t.Fatal(err)
	}
	return a
}

// opts are the build options of a call: the expiration follows the node's
// clock, which the tests move ahead of the wall clock.
func (m *market) opts() []any {
	return []any{aptos.MaxGasAmount(200_000), aptos.ExpirationSeconds(uint64(m.clock.Load() + 60))}
}

// call submits an entry function of the market and returns its gas.
func (m *market) call(t *testing.T, ctx context.Context, who *aptos.Account, name string, args ...[]byte) uint64 {
	t.Helper()
	txn, err := m.c.Submit(ctx, who, m.fn(name), nil, args, m.opts()...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return txn.GasUsed
}

// fail submits a call that must abort with code.
func (m *market) fail(t *testing.T, ctx context.Context, who *aptos.Account, code uint64, name string, args ...[]byte) {
	t.Helper()
	_, err := m.c.Submit(ctx, who, m.fn(name), nil, args, m.opts()...)
	var te *chain.TxnError
	if !errors.As(err, &te) {
		t.Fatalf("%s: want abort 0x%x, got %v", name, code, err)
	}
	if got, ok := te.AbortCode(); !ok || got != code {
		t.Fatalf("%s: want abort 0x%x, got %s", name, code, te.VMStatus)
	}
}

func (m *market) order(t *testing.T, ctx context.Context, id uint64) map[string]any {
	t.Helper()
	vals, err := m.c.View(ctx, m.fn("order"), nil, [][]byte{chain.U64(id)})
	if err != nil || len(vals) != 1 {
		t.Fatalf("order %d: %v", id, err)
	}
	return vals[0].(map[string]any)
}

func (m *market) nextOrderID(t *testing.T, ctx context.Context) uint64 {
	t.Helper()
	vals, err := m.c.View(ctx, m.fn("next_order_id"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := strconv.ParseUint(vals[0].(string), 10, 64)
	return v
}

func (m *market) advance(secs int64) { m.clock.Add(secs) }

func hexField(t *testing.T, o map[string]any, field string) []byte {
	t.Helper()
	s, _ := o[field].(string)
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		t.Fatalf("field %s = %v", field, o[field])
	}
	return b
}

func hashes(hs []merkle.Hash) []byte {
	ser := &bcs.Serializer{}
	ser.Uleb128(uint32(len(hs)))
	for _, h := range hs {
		ser.WriteBytes(h[:])
	}
	return ser.ToBytes()
}

func nostrKey() []byte { return bytes.Repeat([]byte{0x11}, 32) }

// sale is one order taken by a relay with a fresh pair, its ciphertext
// sealed (and optionally corrupted before the commitment).
type sale struct {
	id     uint64
	object []byte
	tree   *merkle.Tree
	pair   delivery.PrimePair
	cipher []byte
	gas    map[string]uint64
}

func (m *market) sell(t *testing.T, ctx context.Context, owner, relay *aptos.Account, object []byte, corrupt func([]byte)) *sale {
	t.Helper()
	s := &sale{object: object, gas: map[string]uint64{}}
	var err error
	if s.tree, err = merkle.BuildTree(bytes.NewReader(object)); err != nil {
		t.Fatal(err)
	}
	oid := s.tree.ID()
	deliverBy := uint64(time.Now().Unix() + m.clock.Load() + 3600)
	s.id = m.nextOrderID(t, ctx)
	s.gas["pull"] = m.call(t, ctx, owner, "pull", chain.Bytes(oid[:]), chain.U64(uint64(len(object))), chain.Bytes(nostrKey()),
		chain.Addresses([]aptos.AccountAddress{relay.Address}), chain.U64(1000), chain.U64(200000), chain.U64(30000), chain.U64(deliverBy))

	// The relay: a fresh pair, the key of this order, the sealed object.
	if s.pair, err = delivery.GeneratePrimePair(delivery.DefaultPrimeBits); err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if _, err := delivery.Seal(ctx, delivery.DeriveKey(s.id, s.pair), bytes.NewReader(object), &c, nil); err != nil {
		t.Fatal(err)
	}
	s.cipher = c.Bytes()
	if corrupt != nil {
		corrupt(s.cipher)
	}
	cid := merkle.SumBytes(s.cipher)
	s.gas["take_order"] = m.call(t, ctx, relay, "take_order", chain.U64(s.id), chain.Bytes(s.pair.Product()), chain.Bytes(cid[:]))

	// The owner checks what it received before confirming.
	if err := delivery.CheckCiphertext(ctx, cid, uint64(len(object)), bytes.NewReader(s.cipher)); err != nil {
		t.Fatal(err)
	}
	if _, err := delivery.DecodeLeafHashes(delivery.EncodeLeafHashes(s.tree.Leaves), oid, uint64(len(object))); err != nil {
		t.Fatal(err)
	}
	s.gas["confirm_received"] = m.call(t, ctx, owner, "confirm_received", chain.U64(s.id))

	// A wrong pair aborts and changes nothing; then the right one.
	p1, p2 := s.pair.Bytes()
	m.fail(t, ctx, relay, 0x10017, "complete_order", chain.U64(s.id), chain.Bytes(p2), chain.Bytes(p1))
	s.gas["complete_order"] = m.call(t, ctx, relay, "complete_order", chain.U64(s.id), chain.Bytes(p1), chain.Bytes(p2))
	key := delivery.DeriveKey(s.id, s.pair)
	if o := m.order(t, ctx, s.id); !bytes.Equal(hexField(t, o, "key"), key[:]) || o["state"] != float64(3) {
		t.Fatalf("after reveal: %v", o)
	}
	return s
}

func (s *sale) terms() delivery.Terms {
	return delivery.Terms{ObjectID: s.tree.ID(), CipherID: merkle.SumBytes(s.cipher), Size: uint64(len(s.object)),
		Key: delivery.DeriveKey(s.id, s.pair)}
}

func TestOrderOnChain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a chain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m := startMarket(t)
	owner, relay := m.account(t, ctx), m.account(t, ctx)
	m.call(t, ctx, relay, "register_relay", chain.Bytes(nostrKey()), chain.String("wss://relay.example"))

	object := make([]byte, 5*delivery.LeafSize+100)
	rand.Read(object)

	// An honest delivery: the owner decrypts to the object, has nothing to
	// dispute, and the relay is paid after the window.
	honest := m.sell(t, ctx, owner, relay, object, nil)
	var plain bytes.Buffer
	sealed, err := delivery.Seal(ctx, honest.terms().Key, bytes.NewReader(honest.cipher), &plain, nil)
	if err != nil || sealed.CipherID != honest.tree.ID() || !bytes.Equal(plain.Bytes(), object) {
		t.Fatalf("decryption: %v", err)
	}
	if _, err := delivery.BuildDispute(ctx, honest.terms(), honest.tree, bytes.NewReader(honest.cipher)); !errors.Is(err, delivery.ErrNoMismatch) {
		t.Fatalf("honest delivery: %v", err)
	}
	m.fail(t, ctx, relay, 0x30007, "settle", chain.U64(honest.id))
	m.advance(86400)
	before, _ := m.c.Balance(ctx, relay.Address)
	honest.gas["settle"] = m.call(t, ctx, owner, "settle", chain.U64(honest.id))
	after, _ := m.c.Balance(ctx, relay.Address)
	if fee := uint64(230000) / 100; after-before != 230000-fee {
		t.Fatalf("relay got %d", after-before)
	}

	// A corrupted leaf: the owner proves it with one leaf and is refunded.
	bad := m.sell(t, ctx, owner, relay, object, func(c []byte) { c[3*delivery.LeafSize+17] ^= 1 })
	proof, err := delivery.BuildDispute(ctx, bad.terms(), bad.tree, bytes.NewReader(bad.cipher))
	if err != nil || proof.Index != 3 {
		t.Fatalf("dispute proof: %v", err)
	}
	args := func(p *delivery.Proof) [][]byte {
		return [][]byte{chain.U64(bad.id), chain.U64(p.Index), chain.Bytes(p.CipherChunk), hashes(p.CipherPath),
			chain.Bytes(p.PlainLeaf[:]), hashes(p.PlainPath)}
	}
	// A proof of an honest leaf is rejected first.
	honestLeaf := *proof
	honestLeaf.Index = 0
	honestLeaf.CipherChunk = bad.cipher[:delivery.LeafSize]
	ct, _ := merkle.BuildTree(bytes.NewReader(bad.cipher))
	honestLeaf.CipherPath, _ = ct.Prove(0)
	honestLeaf.PlainLeaf = bad.tree.Leaves[0]
	honestLeaf.PlainPath, _ = bad.tree.Prove(0)
	m.fail(t, ctx, owner, 0x1001B, "dispute", args(&honestLeaf)...)
	before, _ = m.c.Balance(ctx, owner.Address)
	txn, err := m.c.Submit(ctx, owner, m.fn("dispute"), nil, args(proof), m.opts()...)
	if err != nil {
		t.Fatalf("dispute: %v", err)
	}
	bad.gas["dispute"] = txn.GasUsed
	after, _ = m.c.Balance(ctx, owner.Address)
	if o := m.order(t, ctx, bad.id); o["state"] != float64(7) || after+txn.GasUsed*txn.GasUnitPrice != before+230000 {
		t.Fatalf("after dispute: state %v, owner %d -> %d", o["state"], before, after)
	}
	logGas(t, txn, honest.gas, bad.gas)
}

func logGas(t *testing.T, dispute *api.UserTransaction, honest, bad map[string]uint64) {
	t.Helper()
	for _, name := range []string{"pull", "take_order", "confirm_received", "complete_order", "settle"} {
		t.Logf("gas %-16s %6d units", name, honest[name])
	}
	t.Logf("gas %-16s %6d units (6 leaves, paths of 3 levels)", "dispute", bad["dispute"])
	for _, ev := range dispute.Events {
		if ev.Type == "0x1::transaction_fee::FeeStatement" {
			t.Logf("dispute fee statement: %v", ev.Data)
		}
	}
}

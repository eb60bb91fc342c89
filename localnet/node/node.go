// Package node is the localnet's chain: it accepts signed transactions,
// checks them as an Aptos validator's prologue does (signature,
// authentication key, sequence number, expiration, chain id, gas bounds,
// balance), holds them in a mempool, executes them in blocks through a Move
// executor, charges gas from a published schedule, and commits the results
// to the ledger and the multi-versioned state. The REST API (package rest)
// and the faucet (package faucet) are its clients.
package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
	"github.com/aptos-labs/aptos-go-sdk/crypto"

	"github.com/agi-nostr/agi-nostr/localnet/metrics"
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// Config tunes a node. Zero values take the defaults noted.
type Config struct {
	ChainID uint8 // 4, Aptos's localnet chain id
	// DataDir keeps the chain on disk (chain log and faucet key); empty
	// keeps it in memory.
	DataDir string
	Gas     GasSchedule // DefaultGasSchedule
	// MaxBlockTxns bounds the user transactions of one block (1000).
	MaxBlockTxns int
	// MempoolCapacity bounds pending transactions (100000) and
	// MempoolPerSender those of one account (100, as Aptos).
	MempoolCapacity  int
	MempoolPerSender int
	// IdleBlockInterval makes a block (with only its metadata transaction)
	// when nothing happened for that long, so on-chain time keeps moving.
	// Negative disables it; zero means one second.
	IdleBlockInterval time.Duration
	// StateRetain is how many versions of state history stay readable
	// below the latest (1000000); older ledger_version reads get 410.
	StateRetain uint64
	// FaucetFunds are the octas minted to the faucet account at genesis
	// to pay for its own transactions (10^15).
	FaucetFunds uint64
	// MaxBatch bounds transactions per batch submission (100).
	MaxBatch int
	// WaitTimeout is how long wait_by_hash waits for a pending
	// transaction (1s, as Aptos).
	WaitTimeout time.Duration
	// Now is the clock (time.Now); tests substitute it.
	Now func() time.Time
	Log *slog.Logger
	// Metrics, when set, records the chain's Prometheus metrics.
	Metrics *metrics.Metrics
}

func (c *Config) fill() {
	if c.ChainID == 0 {
		c.ChainID = 4
	}
	if c.Gas.ScalingFactor == 0 {
		c.Gas = DefaultGasSchedule
	}
	if c.MaxBlockTxns == 0 {
		c.MaxBlockTxns = 1000
	}
	if c.MempoolCapacity == 0 {
		c.MempoolCapacity = 100_000
	}
	if c.MempoolPerSender == 0 {
		c.MempoolPerSender = 100
	}
	if c.IdleBlockInterval == 0 {
		c.IdleBlockInterval = time.Second
	}
	if c.StateRetain == 0 {
		c.StateRetain = 1_000_000
	}
	if c.FaucetFunds == 0 {
		c.FaucetFunds = 1_000_000_000_000_000
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = 100
	}
	if c.WaitTimeout == 0 {
		c.WaitTimeout = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Node is a running chain.
type Node struct {
	cfg    Config
	exec   Executor
	store  *state.Store
	ledger *ledger.Ledger
	mp     *mempool
	faucet *crypto.Ed25519PrivateKey

	commitMu sync.Mutex
	commitCh chan struct{} // closed and replaced after every commit
	accum    [32]byte      // accumulator after the latest transaction

	cancel context.CancelFunc
	done   chan struct{}
	fatal  error // set when the block producer stopped on an error
	mu     sync.Mutex
}

const faucetKeyFile = "mint.key"
const chainLogFile = "chain.log"

// Open starts a node: it replays the chain in cfg.DataDir, or creates the
// genesis when there is none, and starts producing blocks.
func Open(cfg Config, exec Executor) (*Node, error) {
	cfg.fill()
	n := &Node{
		cfg:      cfg,
		exec:     exec,
		store:    state.NewStore(cfg.StateRetain),
		mp:       newMempool(cfg.MempoolCapacity, cfg.MempoolPerSender),
		commitCh: make(chan struct{}),
		done:     make(chan struct{}),
	}
	if cfg.DataDir == "" {
		key, err := crypto.GenerateEd25519PrivateKey()
		if err != nil {
			return nil, fmt.Errorf("faucet key: %w", err)
		}
		n.faucet = key
		n.ledger = ledger.New()
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		key, err := loadOrCreateKey(filepath.Join(cfg.DataDir, faucetKeyFile))
		if err != nil {
			return nil, err
		}
		n.faucet = key
		log, err := ledger.OpenLog(filepath.Join(cfg.DataDir, chainLogFile))
		if err != nil {
			return nil, err
		}
		n.ledger, err = ledger.Open(log, func(b ledger.Block, txns []*ledger.Txn) error {
			sets := make([][]state.Write, len(txns))
			for i, t := range txns {
				sets[i] = t.Writes
				n.accum = t.AccumulatorRootHash
			}
			return n.store.ApplyBatch(b.FirstVersion, sets)
		})
		if err != nil {
			log.Close()
			return nil, fmt.Errorf("open chain in %s: %w", cfg.DataDir, err)
		}
	}
	if _, _, ok := n.ledger.Head(); !ok {
		if err := n.genesis(); err != nil {
			n.ledger.Close()
			return nil, fmt.Errorf("genesis: %w", err)
		}
	} else {
		v, b, _ := n.ledger.Head()
		cfg.Log.Info("chain replayed", "dir", cfg.DataDir, "version", v, "block", b.Height)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go n.run(ctx)
	return n, nil
}

// loadOrCreateKey reads the faucet's Ed25519 key from path (hex, as the
// aptos CLI writes mint.key files too), creating it on first use.
func loadOrCreateKey(path string) (*crypto.Ed25519PrivateKey, error) {
	key := &crypto.Ed25519PrivateKey{}
	b, err := os.ReadFile(path)
	if err == nil {
		seed, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(b)), "0x"))
		if err == nil {
			err = key.FromBytes(seed)
		}
		if err != nil {
			return nil, fmt.Errorf("faucet key %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("faucet key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("faucet key: %w", err)
	}
	if err := key.FromBytes(priv.Seed()); err != nil {
		return nil, fmt.Errorf("faucet key: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(priv.Seed())+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("faucet key: %w", err)
	}
	return key, nil
}

// FaucetKey is the key of the account holding APT's mint capability.
func (n *Node) FaucetKey() *crypto.Ed25519PrivateKey { return n.faucet }

// CoreResources is the account that holds APT's mint capability and
// funds the faucet, 0xa550c18 as on Aptos test chains; its authentication
// key is the faucet key's.
var CoreResources = aptos.AccountAddress{28: 0x0a, 29: 0x55, 30: 0x0c, 31: 0x18}

// Validator is the proposer of every block: the localnet's one validator.
// It is not 0x0, which the framework reads as a NIL block that may not
// move time.
var Validator = aptos.AccountAddress{31: 0xd0}

// FaucetAddress is the faucet account's address.
func (n *Node) FaucetAddress() aptos.AccountAddress { return CoreResources }

// ChainID is the chain's id.
func (n *Node) ChainID() uint8 { return n.cfg.ChainID }

// Gas is the gas schedule in force.
func (n *Node) Gas() *GasSchedule { return &n.cfg.Gas }

// Executor is the Move executor the node runs.
func (n *Node) Executor() Executor { return n.exec }

// Ledger is the committed history.
func (n *Node) Ledger() *ledger.Ledger { return n.ledger }

// State is the global state.
func (n *Node) State() *state.Store { return n.store }

func (n *Node) nowMicros() uint64 { return uint64(n.cfg.Now().UnixMicro()) }

// nextBlockMicros is the timestamp the next block gets after a head block
// of time head: the clock, kept strictly increasing.
func (n *Node) nextBlockMicros(head uint64) uint64 { return max(n.nowMicros(), head+1) }

func (n *Node) genesis() error {
	ts := n.nowMicros()
	spec := &GenesisSpec{
		ChainID:     n.cfg.ChainID,
		Timestamp:   ts,
		Faucet:      n.FaucetAddress(),
		FaucetKey:   [32]byte(*n.faucet.AuthKey()),
		FaucetFunds: n.cfg.FaucetFunds,
	}
	out, err := n.exec.Genesis(spec)
	if err != nil {
		return err
	}
	if !out.Status.Success() {
		return fmt.Errorf("genesis failed: %s", out.Status.VMStatus())
	}
	ser := &bcs.Serializer{}
	ser.U8(spec.ChainID)
	ser.U64(spec.Timestamp)
	ser.FixedBytes(spec.Faucet[:])
	ser.U64(spec.FaucetFunds)
	body := ser.ToBytes()
	t := &ledger.Txn{
		Version:   0,
		Hash:      txnHash(txnVariantGenesis, body),
		Kind:      ledger.KindGenesis,
		Body:      body,
		Status:    ledger.Status{Success: true, Code: uint64(StatusExecuted), Message: out.Status.VMStatus()},
		Events:    out.Events,
		Writes:    out.Writes,
		Timestamp: ts,
	}
	n.seal(t)
	b := ledger.Block{Height: 0, Hash: blockHash([32]byte{}, 0, ts), Timestamp: ts}
	return n.commit(b, []*ledger.Txn{t})
}

// seal fills the output digests of t.
func (n *Node) seal(t *ledger.Txn) {
	t.StateChangeHash = writeSetHash(t.Writes)
	t.EventRootHash = eventsHash(t.Events)
	t.AccumulatorRootHash = accumulate(n.accum, t)
	n.accum = t.AccumulatorRootHash
}

// commit makes a block durable, applies its state, publishes it and wakes
// waiters, in that order: nothing is visible before it is on disk, and the
// state of a visible version is always readable.
func (n *Node) commit(b ledger.Block, txns []*ledger.Txn) error {
	if err := n.ledger.Persist(b, txns); err != nil {
		return err
	}
	sets := make([][]state.Write, len(txns))
	for i, t := range txns {
		sets[i] = t.Writes
	}
	if err := n.store.ApplyBatch(b.FirstVersion, sets); err != nil {
		return fmt.Errorf("apply block %d: %w", b.Height, err)
	}
	if err := n.ledger.Publish(b, txns); err != nil {
		return err
	}
	n.observe(b, txns)
	n.commitMu.Lock()
	close(n.commitCh)
	n.commitCh = make(chan struct{})
	n.commitMu.Unlock()
	return nil
}

// observe records a committed block in the metrics.
func (n *Node) observe(b ledger.Block, txns []*ledger.Txn) {
	m := n.cfg.Metrics
	if m == nil {
		return
	}
	users := 0
	for _, t := range txns {
		kind := map[ledger.Kind]string{ledger.KindGenesis: "genesis", ledger.KindBlockMetadata: "block_metadata", ledger.KindUser: "user"}[t.Kind]
		result := "success"
		if !t.Status.Success {
			result = "failure"
		}
		m.Committed.WithLabelValues(kind, result).Inc()
		if t.Kind == ledger.KindUser {
			users++
			m.GasUsed.Add(float64(t.GasUsed))
		}
	}
	m.BlockTxns.Observe(float64(users))
	m.LedgerVersion.Set(float64(b.LastVersion))
	m.BlockHeight.Set(float64(b.Height))
	m.Mempool.Set(float64(n.mp.len()))
}

// commitSignal returns a channel closed at the next commit.
func (n *Node) commitSignal() <-chan struct{} {
	n.commitMu.Lock()
	defer n.commitMu.Unlock()
	return n.commitCh
}

// Close stops block production and closes the chain log. Transactions
// still in the mempool are dropped, as a real node's mempool is.
func (n *Node) Close() error {
	n.cancel()
	<-n.done
	return n.ledger.Close()
}

// Err reports why the block producer stopped, if it did.
func (n *Node) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.fatal
}

func (n *Node) run(ctx context.Context) {
	defer close(n.done)
	var idle <-chan time.Time
	var timer *time.Timer
	if n.cfg.IdleBlockInterval > 0 {
		timer = time.NewTimer(n.cfg.IdleBlockInterval)
		defer timer.Stop()
		idle = timer.C
	}
	lastExpire := time.Now()
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-n.mp.wake:
		case <-idle:
			force = true
		}
		for {
			made, err := n.produceBlock(force)
			if err != nil {
				n.cfg.Log.Error("block production stopped", "err", err)
				n.mu.Lock()
				n.fatal = err
				n.mu.Unlock()
				return
			}
			force = false
			if !made || ctx.Err() != nil {
				break
			}
			if timer != nil {
				timer.Reset(n.cfg.IdleBlockInterval)
			}
		}
		if time.Since(lastExpire) > time.Second {
			lastExpire = time.Now()
			_, b, _ := n.ledger.Head()
			n.mp.expire(n.nextBlockMicros(b.Timestamp) / 1_000_000)
		}
	}
}

// produceBlock executes the ready transactions as one block. It returns
// false when there was nothing to do.
func (n *Node) produceBlock(force bool) (bool, error) {
	first := n.mp.pop()
	if first == nil && !force {
		return false, nil
	}
	began := time.Now()
	headVersion, head, _ := n.ledger.Head()
	ts := n.nextBlockMicros(head.Timestamp)
	height := head.Height + 1
	ov := state.NewOverlay(n.store.At(headVersion))
	version := headVersion + 1

	bh := blockHash(head.Hash, height, ts)
	info := &BlockInfo{Height: height, Epoch: 1, Round: height, Proposer: Validator, Timestamp: ts, Hash: bh}
	pro, err := n.exec.BlockPrologue(ov, info)
	if err != nil {
		return false, fmt.Errorf("block %d prologue: %w", height, err)
	}
	ov.Apply(pro.Writes)
	meta := BlockMetadata{ID: bh, Epoch: 1, Round: height, Proposer: Validator, Timestamp: ts}
	body, err := bcs.Serialize(&meta)
	if err != nil {
		return false, fmt.Errorf("block %d metadata: %w", height, err)
	}
	mt := &ledger.Txn{
		Version:   version,
		Hash:      txnHash(txnVariantBlockMetadata, body),
		Kind:      ledger.KindBlockMetadata,
		Body:      body,
		Status:    ledger.Status{Success: true, Code: uint64(StatusExecuted), Message: "Executed successfully"},
		Events:    pro.Events,
		Writes:    pro.Writes,
		Timestamp: ts,
	}
	n.seal(mt)
	txns := []*ledger.Txn{mt}
	version++

	var touched []aptos.AccountAddress
	var kept []*Pending
	for p := first; p != nil; {
		touched = append(touched, p.Sender)
		t, st := n.executeUser(ov, p, ts, version, uint32(version-mt.Version), false)
		if t == nil {
			n.cfg.Log.Debug("transaction discarded", "hash", hex.EncodeToString(p.Hash[:]), "status", st.Name())
			n.mp.discard(p)
			if m := n.cfg.Metrics; m != nil {
				m.Discarded.WithLabelValues(st.Name()).Inc()
			}
		} else {
			ov.Apply(t.Writes)
			n.seal(t)
			txns = append(txns, t)
			version++
			n.mp.executed(p)
			kept = append(kept, p)
		}
		if len(txns) > n.cfg.MaxBlockTxns {
			break
		}
		p = n.mp.pop()
	}
	b := ledger.Block{Height: height, Hash: bh, Timestamp: ts, FirstVersion: mt.Version, LastVersion: version - 1}
	executed := time.Now()
	if err := n.commit(b, txns); err != nil {
		return false, err
	}
	if m := n.cfg.Metrics; m != nil {
		m.BlockSeconds.WithLabelValues("execute").Observe(executed.Sub(began).Seconds())
		m.BlockSeconds.WithLabelValues("commit").Observe(time.Since(executed).Seconds())
	}
	n.mp.settle(kept, touched)
	return true, nil
}

// executeUser runs one user transaction on top of ov, at position index of
// its block (or simulated). It returns the committed transaction, or nil and
// the status that discarded it.
func (n *Node) executeUser(ov state.View, p *Pending, ts, version uint64, index uint32, simulated bool) (*ledger.Txn, StatusCode) {
	raw := p.Txn.Transaction
	if st := n.prologue(ov, p, ts/1_000_000, true); st != 0 {
		return nil, st
	}
	payer := raw.Sender
	if p.auth.feePayer != nil {
		payer = p.auth.feePayer.addr
	}
	g := &n.cfg.Gas
	size := uint64(len(p.Body))
	intrinsic := g.Intrinsic(size)
	budget := raw.MaxGasAmount*g.ScalingFactor - intrinsic
	cv := newCountingView(ov)
	ctx := &TxnContext{
		Senders:   senderAddrs(p.auth),
		FeePayer:  feePayerAddr(p.auth),
		Hash:      p.Hash,
		Sequence:  raw.SequenceNumber,
		MaxGas:    raw.MaxGasAmount,
		GasPrice:  raw.GasUnitPrice,
		ChainID:   raw.ChainId,
		Timestamp: ts,
		Budget:    budget,
		Index:     index,
		Simulated: simulated,
	}
	out, err := n.exec.Execute(cv, ctx, p.Entry)
	if err != nil {
		n.cfg.Log.Error("executor failed", "hash", hex.EncodeToString(p.Hash[:]), "err", err)
		out = &Outcome{Status: Misc(StatusUnknownInvariantViolation, err.Error())}
	}
	u := &usage{size: size, execution: out.GasUsed, readSlots: cv.slots, readBytes: cv.bytes,
		writes: out.Writes, events: out.Events, before: ov}
	status := out.Status
	writes, events := out.Writes, out.Events
	var charge Charge
	switch {
	case status.Kind == OutOfGas:
		charge = g.outOfGas(raw.MaxGasAmount)
		writes, events = nil, nil
	case status.Success():
		charge = g.charge(u, raw.MaxGasAmount, raw.GasUnitPrice)
		if charge.OutOfGas {
			status = Status{Kind: OutOfGas, Code: StatusOutOfGas}
			writes, events = nil, nil
		}
	default:
		charge = g.failed(u, raw.MaxGasAmount)
		writes, events = nil, nil
	}
	fee := charge.Fee(raw.GasUnitPrice)
	post := state.NewOverlay(ov)
	post.Apply(writes)
	epi, err := n.exec.Epilogue(post, raw.Sender, payer, fee)
	if err != nil || !epi.Status.Success() {
		// The payload left the payer unable to pay: drop its changes and
		// charge on the state before it.
		status = Misc(StatusInsufficientBalanceForFee, "")
		writes, events = nil, nil
		charge = g.failed(u, raw.MaxGasAmount)
		fee = charge.Fee(raw.GasUnitPrice)
		epi, err = n.exec.Epilogue(ov, raw.Sender, payer, fee)
		if err != nil || !epi.Status.Success() {
			return nil, StatusInsufficientBalanceForFee
		}
	}
	allWrites := mergeWrites(writes, epi.Writes)
	// The epilogue's own events (the fee's withdrawal) are not shown: on
	// Aptos the fee is burnt without events and the FeeStatement says it.
	allEvents := make([]ledger.Event, 0, len(events)+1)
	allEvents = append(allEvents, events...)
	allEvents = append(allEvents, feeStatement(&charge))
	return &ledger.Txn{
		Version:        version,
		Hash:           p.Hash,
		Kind:           ledger.KindUser,
		Body:           p.Body,
		Status:         ledger.Status{Success: status.Success(), Code: uint64(status.Code), Message: status.VMStatus()},
		GasUsed:        charge.TotalGasUnits,
		Events:         allEvents,
		Writes:         allWrites,
		Timestamp:      ts,
		Sender:         raw.Sender,
		SequenceNumber: raw.SequenceNumber,
	}, 0
}

func senderAddrs(a authorization) []aptos.AccountAddress {
	out := make([]aptos.AccountAddress, len(a.senders))
	for i, s := range a.senders {
		out[i] = s.addr
	}
	return out
}

func feePayerAddr(a authorization) *aptos.AccountAddress {
	if a.feePayer == nil {
		return nil
	}
	addr := a.feePayer.addr
	return &addr
}

// mergeWrites appends later writes to earlier ones, a later write of the
// same key replacing the earlier in place.
func mergeWrites(a, b []state.Write) []state.Write {
	if len(a) == 0 {
		return b
	}
	out := make([]state.Write, 0, len(a)+len(b))
	idx := make(map[state.Key]int, len(a)+len(b))
	for _, ws := range [][]state.Write{a, b} {
		for _, w := range ws {
			if i, ok := idx[w.Key]; ok {
				out[i] = w
				continue
			}
			idx[w.Key] = len(out)
			out = append(out, w)
		}
	}
	return out
}

// FeeStatementType is the type of the event every user transaction ends
// with, as on Aptos.
const FeeStatementType = "0x1::transaction_fee::FeeStatement"

func feeStatement(c *Charge) ledger.Event {
	ser := &bcs.Serializer{}
	ser.U64(c.TotalGasUnits)
	ser.U64(c.ExecutionGasUnits)
	ser.U64(c.IOGasUnits)
	ser.U64(c.StorageFeeOctas)
	ser.U64(c.StorageRefund)
	return ledger.Event{Type: FeeStatementType, Data: ser.ToBytes()}
}

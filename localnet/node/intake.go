package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// ErrorKind classifies request errors the way the REST API reports them.
type ErrorKind int

// Error kinds. The REST layer maps each to a status code and error_code.
const (
	ErrInvalidInput      ErrorKind = iota // 400 invalid_input
	ErrVMValidation                       // 400 vm_error, with a VM status code
	ErrSequenceNumberOld                  // 400 sequence_number_too_old (mempool)
	ErrInvalidUpdate                      // 400 invalid_transaction_update
	ErrMempoolFull                        // 507 mempool_is_full
	ErrVersionNotFound                    // 404 version_not_found
	ErrVersionPruned                      // 410 version_pruned
	ErrInternal                           // 500 internal_error
)

// Error is a request the node refuses.
type Error struct {
	Kind    ErrorKind
	VMCode  StatusCode // for ErrVMValidation
	Message string
}

func (e *Error) Error() string { return e.Message }

func inputError(format string, args ...any) *Error {
	return &Error{Kind: ErrInvalidInput, Message: fmt.Sprintf(format, args...)}
}

// ValidationError is the error of a transaction the prologue rejects.
func ValidationError(code StatusCode) *Error {
	return &Error{
		Kind:    ErrVMValidation,
		VMCode:  code,
		Message: "Invalid transaction: Type: Validation Code: " + code.Name(),
	}
}

// decode checks and decodes a BCS SignedTransaction with the SDK's types.
func (n *Node) decode(body []byte) (*Pending, *Error) {
	if err := checkSignedTransaction(body); err != nil {
		return nil, inputError("Failed to deserialize input into SignedTransaction: %v", err)
	}
	stx := &aptos.SignedTransaction{}
	if err := safeDeserialize(stx, body); err != nil {
		return nil, inputError("Failed to deserialize input into SignedTransaction: %v", err)
	}
	// BCS has one encoding per value; a body that decodes but re-encodes
	// differently (an overlong length, say) would hash differently than
	// the node reports, so it is refused like the real node refuses it.
	again, err := bcs.Serialize(stx)
	if err != nil || !bytes.Equal(again, body) {
		return nil, inputError("Failed to deserialize input into SignedTransaction: not in canonical BCS form")
	}
	entry, perr := entryOf(stx.Transaction)
	if perr != nil {
		return nil, perr
	}
	raw := stx.Transaction
	return &Pending{
		Hash:   txnHash(txnVariantUser, body),
		Body:   body,
		Txn:    stx,
		Entry:  entry,
		Sender: raw.Sender,
		Seq:    raw.SequenceNumber,
	}, nil
}

// safeDeserialize runs an SDK decoder, turning a panic on malformed input
// into an error.
func safeDeserialize(dst bcs.Unmarshaler, b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed input: %v", r)
		}
	}()
	return bcs.Deserialize(dst, b)
}

// entryOf returns the entry function a transaction calls; other payloads
// are refused, since modules here are loaded from source and scripts would
// need compiled bytecode.
func entryOf(raw *aptos.RawTransaction) (*aptos.EntryFunction, *Error) {
	switch p := raw.Payload.Payload.(type) {
	case *aptos.EntryFunction:
		return p, nil
	case *aptos.TransactionInnerPayload:
		v1, ok := p.Payload.(*aptos.TransactionInnerPayloadV1)
		if !ok {
			return nil, inputError("unsupported transaction payload")
		}
		if cfg, ok := v1.ExtraConfig.Inner.(*aptos.TransactionExtraConfigV1); ok {
			if cfg.MultisigAddress != nil {
				return nil, inputError("multisig transactions are not supported by this localnet")
			}
			if cfg.ReplayProtectionNonce != nil {
				return nil, inputError("orderless transactions (replay protection nonce) are not supported by this localnet")
			}
		}
		if ef, ok := v1.Executable.Inner.(*aptos.EntryFunction); ok {
			return ef, nil
		}
		return nil, inputError("only entry function payloads are supported by this localnet")
	case *aptos.Script:
		return nil, inputError("script payloads are not supported by this localnet: it loads Move from source and has no bytecode VM")
	case *aptos.Multisig:
		return nil, inputError("multisig transactions are not supported by this localnet")
	default:
		return nil, inputError("unsupported transaction payload")
	}
}

// checkGas applies the gas bounds Aptos checks before the prologue.
func (n *Node) checkGas(raw *aptos.RawTransaction, size uint64) StatusCode {
	g := &n.cfg.Gas
	switch {
	case size > g.MaxTransactionSize:
		return StatusExceededMaxTransactionSize
	case raw.MaxGasAmount > g.MaxGasUnits:
		return StatusMaxGasUnitsExceedsMaxGasUnits
	case raw.MaxGasAmount < g.MinGasUnits(size):
		return StatusMaxGasUnitsBelowMinTransactionGU
	case raw.GasUnitPrice < g.MinGasUnitPrice:
		return StatusGasUnitPriceBelowMinBound
	case raw.GasUnitPrice > g.MaxGasUnitPrice:
		return StatusGasUnitPriceAboveMaxBound
	}
	return 0
}

// prologue checks a transaction against state as Aptos's transaction
// prologue does, in its order: expiration, chain id, authentication keys,
// sequence number, gas deposit. At intake a sequence number ahead of the
// account's is accepted (the mempool parks it); at execution it must match.
func (n *Node) prologue(view state.View, p *Pending, nowSecs uint64, atExecution bool) StatusCode {
	raw := p.Txn.Transaction
	if nowSecs >= raw.ExpirationTimestampSeconds {
		return StatusTransactionExpired
	}
	if raw.ChainId != n.cfg.ChainID {
		return StatusBadChainID
	}
	check := func(s signer) (AccountInfo, StatusCode) {
		acct, err := n.exec.Account(view, s.addr)
		if err != nil {
			return acct, StatusSendingAccountDoesNotExist
		}
		if s.authKey != nil && *s.authKey != acct.AuthenticationKey {
			return acct, StatusInvalidAuthKey
		}
		return acct, 0
	}
	var sender AccountInfo
	for i, s := range p.auth.senders {
		acct, st := check(s)
		if st != 0 {
			return st
		}
		if i == 0 {
			sender = acct
		}
	}
	if fp := p.auth.feePayer; fp != nil {
		if _, st := check(*fp); st != 0 {
			return st
		}
	}
	switch {
	case raw.SequenceNumber < sender.SequenceNumber:
		return StatusSequenceNumberTooOld
	case atExecution && raw.SequenceNumber > sender.SequenceNumber:
		return StatusSequenceNumberTooNew
	case raw.SequenceNumber == math.MaxUint64:
		return StatusSequenceNumberTooBig
	}
	payer := raw.Sender
	if p.auth.feePayer != nil {
		payer = p.auth.feePayer.addr
	}
	bal, err := n.exec.Balance(view, payer)
	if err != nil || bal < raw.MaxGasAmount*raw.GasUnitPrice {
		return StatusInsufficientBalanceForFee
	}
	return 0
}

// LedgerInfo is the head of the chain as the API reports it.
type LedgerInfo struct {
	ChainID           uint8
	Epoch             uint64
	Version           uint64
	OldestVersion     uint64
	Timestamp         uint64 // µs
	BlockHeight       uint64
	OldestBlockHeight uint64
}

// Info returns the head of the chain.
func (n *Node) Info() LedgerInfo {
	v, b, _ := n.ledger.Head()
	return LedgerInfo{ChainID: n.cfg.ChainID, Epoch: 1, Version: v, Timestamp: b.Timestamp, BlockHeight: b.Height}
}

// Submit validates a BCS SignedTransaction and adds it to the mempool.
// Resubmitting a pending transaction is accepted again.
func (n *Node) Submit(body []byte) (*Pending, error) {
	return n.submit(body, false)
}

// SubmitPrivileged is Submit for the faucet's own transactions, which the
// per-account mempool limit does not apply to.
func (n *Node) SubmitPrivileged(body []byte) (*Pending, error) {
	return n.submit(body, true)
}

func (n *Node) submit(body []byte, privileged bool) (*Pending, error) {
	if err := n.Err(); err != nil {
		return nil, &Error{Kind: ErrInternal, Message: "block production stopped: " + err.Error()}
	}
	p, derr := n.decode(body)
	if derr != nil {
		return nil, derr
	}
	if existing, ok := n.mp.get(p.Hash); ok {
		return existing, nil
	}
	auth, err := authorize(p.Txn, false)
	if err != nil {
		return nil, ValidationError(StatusInvalidSignature)
	}
	p.auth = auth
	if st := n.checkGas(p.Txn.Transaction, uint64(len(body))); st != 0 {
		return nil, ValidationError(st)
	}
	head, b, _ := n.ledger.Head()
	view := n.store.At(head)
	// Expiration is checked against the time the next block will carry,
	// the node's clock: a real chain makes blocks without pause, so its
	// on-chain time (what Aptos's mempool validation reads) trails the
	// wall clock by a fraction of a second, while the localnet's head
	// block can be a second old, or much older when a test moves the
	// clock. Accepting a transaction that the next block must discard
	// would answer 202 for a transaction that never commits.
	if st := n.prologue(view, p, n.nextBlockMicros(b.Timestamp)/1_000_000, false); st != 0 {
		return nil, ValidationError(st)
	}
	committedSeq := func() uint64 {
		v, _, _ := n.ledger.Head()
		acct, err := n.exec.Account(n.store.At(v), p.Sender)
		if err != nil {
			return 0
		}
		return acct.SequenceNumber
	}
	res, next := n.mp.add(p, committedSeq, privileged)
	switch res {
	case added:
		return p, nil
	case duplicate:
		if existing, ok := n.mp.get(p.Hash); ok {
			return existing, nil
		}
		return p, nil
	case seqTooOld:
		if _, ok, _ := n.ledger.ByHash(p.Hash); ok {
			return p, nil // it committed meanwhile
		}
		return nil, &Error{Kind: ErrSequenceNumberOld, Message: fmt.Sprintf(
			"transaction sequence number is %d, current sequence number is  %d", p.Seq, next)}
	case seqConflict:
		return nil, &Error{Kind: ErrInvalidUpdate, Message: fmt.Sprintf(
			"a different transaction of %s with sequence number %d is already pending", p.Sender.StringShort(), p.Seq)}
	default:
		return nil, &Error{Kind: ErrMempoolFull, Message: "mempool is full"}
	}
}

// BatchFailure is one transaction of a batch that was refused.
type BatchFailure struct {
	Index int
	Err   error
}

// SubmitBatch submits a BCS vector of signed transactions.
func (n *Node) SubmitBatch(body []byte) ([]BatchFailure, error) {
	items, err := checkSignedTransactions(body, n.cfg.MaxBatch)
	if err != nil {
		return nil, inputError("Failed to deserialize input into Vec<SignedTransaction>: %v", err)
	}
	var fails []BatchFailure
	for i, it := range items {
		if _, err := n.Submit(it); err != nil {
			fails = append(fails, BatchFailure{Index: i, Err: err})
		}
	}
	return fails, nil
}

// Lookup finds a transaction by hash, committed or pending. The mempool is
// asked first: a transaction leaves it only after its block is published,
// so one missing from both was never accepted or was discarded. The error
// is a failure to read history back from the chain log.
func (n *Node) Lookup(h [32]byte) (*ledger.Txn, *Pending, error) {
	p, pending := n.mp.get(h)
	t, ok, err := n.ledger.ByHash(h)
	if err != nil {
		return nil, nil, err
	}
	if ok {
		return t, nil, nil
	}
	if pending {
		return nil, p, nil
	}
	return nil, nil, nil
}

// Wait returns the transaction with hash h once committed, waiting up to
// the configured timeout while it is pending. Unknown hashes return at once.
func (n *Node) Wait(ctx context.Context, h [32]byte) (*ledger.Txn, *Pending, error) {
	timer := time.NewTimer(n.cfg.WaitTimeout)
	defer timer.Stop()
	for {
		sig := n.commitSignal()
		t, p, err := n.Lookup(h)
		if err != nil || t != nil || p == nil {
			return t, p, err
		}
		select {
		case <-sig:
		case <-timer.C:
			return n.Lookup(h)
		case <-ctx.Done():
			return n.Lookup(h)
		}
	}
}

// stateAt returns a view of state at version v, or the error the API
// reports for it.
func (n *Node) stateAt(v uint64) (state.View, *Error) {
	if err := n.store.CheckVersion(v); err != nil {
		if errors.Is(err, state.ErrPruned) {
			return nil, &Error{Kind: ErrVersionPruned, Message: fmt.Sprintf("Ledger version(%d) has been pruned", v)}
		}
		return nil, &Error{Kind: ErrVersionNotFound, Message: fmt.Sprintf("Ledger version(%d) not found", v)}
	}
	return n.store.At(v), nil
}

// StateAt returns a view of state at version v for reads.
func (n *Node) StateAt(v uint64) (state.View, error) {
	view, err := n.stateAt(v)
	if err != nil {
		return nil, err
	}
	return view, nil
}

// Account reads the sequence number and authentication key of addr at
// version v, and whether it holds an account resource.
func (n *Node) Account(addr aptos.AccountAddress, v uint64) (AccountInfo, error) {
	view, err := n.stateAt(v)
	if err != nil {
		return AccountInfo{}, err
	}
	return n.exec.Account(view, addr)
}

// ViewResult is the result of a view function call.
type ViewResult struct {
	Outcome *ViewOutcome
	GasUsed uint64 // gas units
}

// maxViewGas is the gas a view function may use, Aptos's default for
// max_gas_view_function.
const maxViewGas = 2_000_000

// View runs a BCS-encoded view function call at version v.
func (n *Node) View(body []byte, v uint64) (*ViewResult, error) {
	if err := checkEntryFunction(body); err != nil {
		return nil, inputError("Failed to deserialize input into ViewRequest: %v", err)
	}
	call := &aptos.EntryFunction{}
	if err := safeDeserialize(call, body); err != nil {
		return nil, inputError("Failed to deserialize input into ViewRequest: %v", err)
	}
	return n.ViewCall(call, v)
}

// ViewCall runs a decoded view function call at version v.
func (n *Node) ViewCall(call *aptos.EntryFunction, v uint64) (*ViewResult, error) {
	view, verr := n.stateAt(v)
	if verr != nil {
		return nil, verr
	}
	g := &n.cfg.Gas
	out, err := n.exec.View(view, call, maxViewGas*g.ScalingFactor)
	if err != nil {
		return nil, &Error{Kind: ErrInternal, Message: err.Error()}
	}
	return &ViewResult{Outcome: out, GasUsed: ceilDiv(out.GasUsed, g.ScalingFactor)}, nil
}

// SimulateOptions are the query flags of a simulation.
type SimulateOptions struct {
	EstimateGasUnitPrice   bool
	EstimateMaxGasAmount   bool
	EstimatePrioritizedGas bool
}

// Simulation is the result of a simulated transaction: the transaction as
// it would commit, or the status that would discard it.
type Simulation struct {
	Txn     *ledger.Txn
	Pending *Pending
}

// Gas price estimates the node reports: the minimum price clears an
// uncongested localnet.
const (
	GasEstimate            = 100
	GasEstimateDeprior     = 100
	GasEstimatePrioritized = 150
)

// Simulate executes a transaction carrying an invalid signature against the
// latest state without committing it.
func (n *Node) Simulate(body []byte, opts SimulateOptions) (*Simulation, error) {
	p, derr := n.decode(body)
	if derr != nil {
		return nil, derr
	}
	auth, err := authorize(p.Txn, true)
	if err != nil {
		if errors.Is(err, errValidSimulationSignature) {
			return nil, inputError("Simulated transactions must not have a valid signature")
		}
		return nil, inputError("invalid authenticator: %v", err)
	}
	p.auth = auth
	raw := *p.Txn.Transaction
	head, b, _ := n.ledger.Head()
	view := n.store.At(head)
	if opts.EstimateGasUnitPrice {
		raw.GasUnitPrice = GasEstimate
	}
	if opts.EstimatePrioritizedGas {
		raw.GasUnitPrice = GasEstimatePrioritized
	}
	if opts.EstimateMaxGasAmount {
		payer := raw.Sender
		if auth.feePayer != nil {
			payer = auth.feePayer.addr
		}
		bal, _ := n.exec.Balance(view, payer)
		raw.MaxGasAmount = min(n.cfg.Gas.MaxGasUnits, bal/max(raw.GasUnitPrice, 1))
	}
	sim := *p
	stx := *p.Txn
	stx.Transaction = &raw
	sim.Txn = &stx
	ts := n.nextBlockMicros(b.Timestamp)
	st := n.checkGas(&raw, uint64(len(body)))
	if st == 0 {
		// The simulated prologue accepts a future sequence number, as a
		// client may simulate before its previous transaction commits.
		if s := n.prologue(view, &sim, ts/1_000_000, false); s != 0 {
			st = s
		}
	}
	if st != 0 {
		return &Simulation{Pending: &sim, Txn: &ledger.Txn{
			Version: head, Hash: p.Hash, Kind: ledger.KindUser, Body: body,
			Status:    ledger.Status{Code: uint64(st), Message: st.Name()},
			Timestamp: ts, Sender: raw.Sender, SequenceNumber: raw.SequenceNumber,
		}}, nil
	}
	// Execute as if it were the sender's next transaction.
	acct, _ := n.exec.Account(view, raw.Sender)
	saved := raw.SequenceNumber
	raw.SequenceNumber = acct.SequenceNumber
	ov := state.NewOverlay(view)
	t, dst := n.executeUser(ov, &sim, ts, head, 0, true)
	raw.SequenceNumber = saved
	if t == nil {
		return &Simulation{Pending: &sim, Txn: &ledger.Txn{
			Version: head, Hash: p.Hash, Kind: ledger.KindUser, Body: body,
			Status:    ledger.Status{Code: uint64(dst), Message: dst.Name()},
			Timestamp: ts, Sender: raw.Sender, SequenceNumber: saved,
		}}, nil
	}
	t.SequenceNumber = saved
	return &Simulation{Txn: t, Pending: &sim}, nil
}

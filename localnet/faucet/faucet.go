// Package faucet serves the Aptos faucet API for the localnet: POST /mint
// (the legacy endpoint aptos-go-sdk calls) and POST /fund (the one the
// TypeScript SDK and the CLI call). Funding is an ordinary user transaction,
// 0x1::aptos_coin::mint signed by the faucet account that holds APT's mint
// capability, so clients wait for it like any other transaction.
package faucet

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
	"github.com/aptos-labs/aptos-go-sdk/crypto"

	"github.com/agi-nostr/agi-nostr/localnet/metrics"
	"github.com/agi-nostr/agi-nostr/localnet/node"
)

// Defaults of a funding request.
const (
	DefaultAmount = 100_000_000             // 1 APT, what SDK defaults need to pay for gas
	MaxAmount     = 1_000_000 * 100_000_000 // 1,000,000 APT per request
	// mintMaxGas bounds the gas of one mint transaction.
	mintMaxGas = 200_000
	// maxBody caps a /fund request body.
	maxBody = 64 << 10
)

// ErrAmount is returned for amounts outside 1..MaxAmount.
var ErrAmount = errors.New("amount out of range")

// Faucet mints APT to accounts on request.
type Faucet struct {
	node *node.Node
	key  *crypto.Ed25519PrivateKey
	addr aptos.AccountAddress
	log  *slog.Logger
	// WaitCommit makes requests return only once the funding transaction
	// has committed, so a client can spend the funds immediately.
	WaitCommit time.Duration
	// Metrics, when set, times requests.
	Metrics *metrics.Metrics

	mu     sync.Mutex
	next   uint64 // next sequence number of the faucet account
	synced bool
}

// New returns the faucet of n.
func New(n *node.Node, log *slog.Logger) *Faucet {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Faucet{node: n, key: n.FaucetKey(), addr: n.FaucetAddress(), log: log, WaitCommit: 10 * time.Second}
}

// Address is the faucet account.
func (f *Faucet) Address() aptos.AccountAddress { return f.addr }

// Fund mints amount octas to addr and returns the transaction.
func (f *Faucet) Fund(ctx context.Context, addr aptos.AccountAddress, amount uint64) (*aptos.SignedTransaction, [32]byte, error) {
	if amount == 0 || amount > MaxAmount {
		return nil, [32]byte{}, fmt.Errorf("%w: %d octas, must be between 1 and %d", ErrAmount, amount, uint64(MaxAmount))
	}
	stx, hash, err := f.submit(addr, amount)
	if err != nil {
		return nil, hash, err
	}
	if f.WaitCommit > 0 {
		wctx, cancel := context.WithTimeout(ctx, f.WaitCommit)
		defer cancel()
		for {
			t, p, err := f.node.Wait(wctx, hash)
			if err != nil {
				return stx, hash, err
			}
			if t != nil {
				if !t.Status.Success {
					return stx, hash, fmt.Errorf("funding transaction failed: %s", t.Status.Message)
				}
				break
			}
			if p == nil {
				return stx, hash, errors.New("funding transaction was dropped")
			}
			if wctx.Err() != nil {
				return stx, hash, fmt.Errorf("funding transaction not committed after %v", f.WaitCommit)
			}
		}
	}
	return stx, hash, nil
}

// submit signs and submits one mint transaction with the faucet's next
// sequence number, resynchronising it once if the chain disagrees.
func (f *Faucet) submit(addr aptos.AccountAddress, amount uint64) (*aptos.SignedTransaction, [32]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if !f.synced {
			info := f.node.Info()
			acct, err := f.node.Account(f.addr, info.Version)
			if err != nil {
				return nil, [32]byte{}, fmt.Errorf("read faucet account: %w", err)
			}
			f.next, f.synced = acct.SequenceNumber, true
		}
		stx, body, err := f.sign(addr, amount, f.next)
		if err != nil {
			return nil, [32]byte{}, err
		}
		p, err := f.node.SubmitPrivileged(body)
		if err == nil {
			f.next++
			return stx, p.Hash, nil
		}
		var ne *node.Error
		if attempt == 0 && errors.As(err, &ne) && (ne.Kind == node.ErrSequenceNumberOld ||
			ne.Kind == node.ErrInvalidUpdate || ne.VMCode == node.StatusSequenceNumberTooOld) {
			f.synced = false
			continue
		}
		return nil, [32]byte{}, fmt.Errorf("submit funding transaction: %w", err)
	}
}

func (f *Faucet) sign(to aptos.AccountAddress, amount, seq uint64) (*aptos.SignedTransaction, []byte, error) {
	toArg, _ := bcs.Serialize(&to)
	amountArg, _ := bcs.SerializeU64(amount)
	raw := &aptos.RawTransaction{
		Sender:         f.addr,
		SequenceNumber: seq,
		Payload: aptos.TransactionPayload{Payload: &aptos.EntryFunction{
			Module:   aptos.ModuleId{Address: aptos.AccountOne, Name: "aptos_coin"},
			Function: "mint",
			Args:     [][]byte{toArg, amountArg},
		}},
		MaxGasAmount:               mintMaxGas,
		GasUnitPrice:               node.GasEstimate,
		ExpirationTimestampSeconds: uint64(time.Now().Add(5 * time.Minute).Unix()),
		ChainId:                    f.node.ChainID(),
	}
	stx, err := raw.SignedTransaction(f.key)
	if err != nil {
		return nil, nil, fmt.Errorf("sign funding transaction: %w", err)
	}
	body, err := bcs.Serialize(stx)
	if err != nil {
		return nil, nil, fmt.Errorf("encode funding transaction: %w", err)
	}
	return stx, body, nil
}

// Handler serves the faucet API.
func (f *Faucet) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { text(w, http.StatusOK, "tap:ok") })
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { text(w, http.StatusOK, "tap:ok") })
	mux.HandleFunc("POST /mint", f.mint)
	mux.HandleFunc("POST /fund", f.fund)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { text(w, http.StatusNotFound, "not found") })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				f.log.Error("faucet request panicked", "panic", v)
				text(w, http.StatusInternalServerError, "internal error")
			}
		}()
		f.Metrics.Instrument("faucet", mux).ServeHTTP(w, r)
	})
}

func text(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, msg)
}

// recipient reads the account to fund from address=, auth_key= or pub_key=
// (an Ed25519 public key, whose account address is its authentication key).
func recipient(q func(string) string) (aptos.AccountAddress, error) {
	var a aptos.AccountAddress
	switch {
	case q("address") != "":
		return a, a.ParseStringRelaxed(q("address"))
	case q("auth_key") != "":
		return a, a.ParseStringRelaxed(q("auth_key"))
	case q("pub_key") != "":
		pk := &crypto.Ed25519PublicKey{}
		if err := pk.FromHex(q("pub_key")); err != nil {
			return a, err
		}
		a.FromAuthKey(pk.AuthKey())
		return a, nil
	}
	return a, errors.New("one of address, auth_key or pub_key is required")
}

func (f *Faucet) mint(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	addr, err := recipient(q.Get)
	if err != nil {
		text(w, http.StatusBadRequest, "invalid recipient: "+err.Error())
		return
	}
	amount := uint64(DefaultAmount)
	if s := q.Get("amount"); s != "" {
		if amount, err = strconv.ParseUint(s, 10, 64); err != nil {
			text(w, http.StatusBadRequest, "invalid amount: "+s)
			return
		}
	}
	stx, hash, err := f.Fund(r.Context(), addr, amount)
	if err != nil {
		f.fundError(w, err)
		return
	}
	if q.Get("return_txns") == "true" {
		ser := &bcs.Serializer{}
		ser.Uleb128(1)
		stx.MarshalBCS(ser)
		text(w, http.StatusOK, hex.EncodeToString(ser.ToBytes()))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode([]string{hex.EncodeToString(hash[:])})
}

func (f *Faucet) fund(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Address string  `json:"address"`
		AuthKey string  `json:"auth_key"`
		PubKey  string  `json:"pub_key"`
		Amount  *uint64 `json:"amount"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		text(w, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	if err := json.Unmarshal(body, &req); err != nil {
		text(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	fields := map[string]string{"address": req.Address, "auth_key": req.AuthKey, "pub_key": req.PubKey}
	addr, err := recipient(func(k string) string { return fields[k] })
	if err != nil {
		text(w, http.StatusBadRequest, "invalid recipient: "+err.Error())
		return
	}
	amount := uint64(DefaultAmount)
	if req.Amount != nil {
		amount = *req.Amount
	}
	_, hash, err := f.Fund(r.Context(), addr, amount)
	if err != nil {
		f.fundError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string][]string{"txn_hashes": {hex.EncodeToString(hash[:])}})
}

func (f *Faucet) fundError(w http.ResponseWriter, err error) {
	var ne *node.Error
	switch {
	case errors.Is(err, ErrAmount):
		text(w, http.StatusBadRequest, err.Error())
	case errors.As(err, &ne) && ne.Kind == node.ErrMempoolFull:
		text(w, http.StatusServiceUnavailable, err.Error())
	default:
		f.log.Error("funding failed", "err", err)
		text(w, http.StatusInternalServerError, err.Error())
	}
}

// Package chain is the project's chain client: every Go component (the
// relayer's order agent, the indexer, agigit) reaches an Aptos network
// through it, and it reaches the network only through the official
// aptos-go-sdk, so the embedded localnet, `aptos node run-localnet`,
// devnet, testnet and mainnet differ only by URL.
package chain

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/api"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
)

// Config says which network to talk to.
type Config struct {
	NodeURL   string        // REST API base, e.g. http://127.0.0.1:8080/v1
	FaucetURL string        // optional, e.g. http://127.0.0.1:8081
	ChainID   uint8         // 0 asks the node
	Timeout   time.Duration // per HTTP request (30s)
}

// Localnet is the configuration of a localnet on its default ports
// (`localnet run` and `aptos node run-localnet` alike).
func Localnet() Config {
	return Config{NodeURL: "http://127.0.0.1:8080/v1", FaucetURL: "http://127.0.0.1:8081", ChainID: 4}
}

// Client talks to one network.
type Client struct {
	sdk *aptos.Client
	cfg Config
}

// New connects to the network of cfg.
func New(cfg Config) (*Client, error) {
	if cfg.NodeURL == "" {
		return nil, errors.New("chain: no node URL")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	nc := aptos.NetworkConfig{Name: "custom", ChainId: cfg.ChainID, NodeUrl: cfg.NodeURL, FaucetUrl: cfg.FaucetURL}
	// Keep enough idle connections for a component's concurrent calls (an
	// order agent or an indexer): Go's default of two per host makes
	// concurrent callers dial a new connection for most requests.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	sdk, err := aptos.NewClient(nc, &http.Client{Timeout: cfg.Timeout, Transport: tr})
	if err != nil {
		return nil, fmt.Errorf("chain: connect to %s: %w", cfg.NodeURL, err)
	}
	if cfg.ChainID == 0 {
		id, err := sdk.GetChainId()
		if err != nil {
			return nil, fmt.Errorf("chain: read chain id from %s: %w", cfg.NodeURL, err)
		}
		cfg.ChainID = id
	}
	return &Client{sdk: sdk, cfg: cfg}, nil
}

// SDK is the underlying aptos-go-sdk client, for calls this package does
// not wrap.
func (c *Client) SDK() *aptos.Client { return c.sdk }

// ChainID is the network's chain id.
func (c *Client) ChainID() uint8 { return c.cfg.ChainID }

// Fund asks the faucet for amount octas and waits until they arrive.
func (c *Client) Fund(ctx context.Context, addr aptos.AccountAddress, amount uint64) error {
	if c.cfg.FaucetURL == "" {
		return errors.New("chain: this network has no faucet configured")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.sdk.Fund(addr, amount); err != nil {
		return fmt.Errorf("chain: fund %s: %w", addr.StringShort(), err)
	}
	return nil
}

// Balance returns addr's APT balance in octas.
func (c *Client) Balance(ctx context.Context, addr aptos.AccountAddress) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b, err := c.sdk.AccountAPTBalance(addr)
	if err != nil {
		return 0, fmt.Errorf("chain: balance of %s: %w", addr.StringShort(), err)
	}
	return b, nil
}

// Function names an entry or view function.
type Function struct {
	Address aptos.AccountAddress
	Module  string
	Name    string
}

// ParseFunction reads "0xcafe::market::pull".
func ParseFunction(s string) (Function, error) {
	parts := strings.Split(s, "::")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return Function{}, fmt.Errorf("chain: function %q: want address::module::name", s)
	}
	var f Function
	if err := f.Address.ParseStringRelaxed(parts[0]); err != nil {
		return Function{}, fmt.Errorf("chain: function %q: %w", s, err)
	}
	f.Module, f.Name = parts[1], parts[2]
	return f, nil
}

func (f Function) String() string { return f.Address.StringShort() + "::" + f.Module + "::" + f.Name }

func (f Function) entry(tyArgs []aptos.TypeTag, args [][]byte) *aptos.EntryFunction {
	if tyArgs == nil {
		tyArgs = []aptos.TypeTag{}
	}
	if args == nil {
		args = [][]byte{}
	}
	return &aptos.EntryFunction{Module: aptos.ModuleId{Address: f.Address, Name: f.Module}, Function: f.Name, ArgTypes: tyArgs, Args: args}
}

// TxnError is a transaction that committed but failed.
type TxnError struct {
	Hash     string
	Version  uint64
	VMStatus string
}

func (e *TxnError) Error() string {
	return fmt.Sprintf("transaction %s (version %d) failed: %s", e.Hash, e.Version, e.VMStatus)
}

// AbortCode returns the abort code of a failed transaction whose status is
// a Move abort ("Move abort in 0xcafe::market: EBAD(0x10003): ...", "Move
// abort in 0xcafe::market: 0x3" or "Move abort: code 0x3"), and whether it
// was one.
func (e *TxnError) AbortCode() (uint64, bool) {
	s := e.VMStatus
	if !strings.HasPrefix(s, "Move abort") {
		return 0, false
	}
	var digits string
	if i := strings.Index(s, "(0x"); i >= 0 {
		rest := s[i+3:]
		j := strings.IndexByte(rest, ')')
		if j < 0 {
			return 0, false
		}
		digits = rest[:j]
	} else if i := strings.LastIndex(s, " 0x"); i >= 0 {
		digits = s[i+3:]
	} else {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, 16, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// Submit builds, signs and submits a call of fn by signer and waits for it
// to commit. A transaction that commits but fails returns *TxnError along
// with the transaction. opts are aptos-go-sdk build options
// (aptos.MaxGasAmount, aptos.SequenceNumber, ...).
func (c *Client) Submit(ctx context.Context, signer aptos.TransactionSigner, fn Function, tyArgs []aptos.TypeTag, args [][]byte, opts ...any) (*api.UserTransaction, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts = append(opts, aptos.ChainIdOption(c.cfg.ChainID))
	sub, err := c.sdk.BuildSignAndSubmitTransaction(signer, aptos.TransactionPayload{Payload: fn.entry(tyArgs, args)}, opts...)
	if err != nil {
		return nil, fmt.Errorf("chain: submit %s: %w", fn, err)
	}
	txn, err := c.Wait(ctx, sub.Hash)
	if err != nil {
		return nil, fmt.Errorf("chain: %s: %w", fn, err)
	}
	if !txn.Success {
		return txn, &TxnError{Hash: txn.Hash, Version: txn.Version, VMStatus: txn.VmStatus}
	}
	return txn, nil
}

// Wait waits until the transaction with hash commits, or ctx ends. It
// long-polls the node's wait endpoint, so it returns as soon as the
// transaction commits.
func (c *Client) Wait(ctx context.Context, hash string) (*api.UserTransaction, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("wait for %s: %w", hash, err)
		}
		t, err := c.sdk.WaitTransactionByHash(hash)
		if err == nil {
			switch t.Type {
			case api.TransactionVariantUser:
				return t.UserTransaction()
			case api.TransactionVariantPending:
				continue
			default:
				return nil, fmt.Errorf("wait for %s: not a user transaction but %s", hash, t.Type)
			}
		}
		var he *aptos.HttpError
		if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound {
			return nil, fmt.Errorf("wait for %s: %w", hash, err)
		}
		// Not known yet (another node, or just submitted elsewhere): retry.
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// View calls a #[view] function at the latest version.
func (c *Client) View(ctx context.Context, fn Function, tyArgs []aptos.TypeTag, args [][]byte) ([]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ef := fn.entry(tyArgs, args)
	vals, err := c.sdk.View(&aptos.ViewPayload{Module: ef.Module, Function: ef.Function, ArgTypes: ef.ArgTypes, Args: ef.Args})
	if err != nil {
		return nil, fmt.Errorf("chain: view %s: %w", fn, err)
	}
	return vals, nil
}

// ErrNotFound is returned for a resource or transaction the node does not have.
var ErrNotFound = errors.New("not found")

// Resource reads the resource of type tag held by addr: its "data" object.
func (c *Client) Resource(ctx context.Context, addr aptos.AccountAddress, tag string) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := c.sdk.AccountResource(addr, tag)
	if err != nil {
		var he *aptos.HttpError
		if errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("chain: resource %s at %s: %w", tag, addr.StringShort(), ErrNotFound)
		}
		return nil, fmt.Errorf("chain: resource %s at %s: %w", tag, addr.StringShort(), err)
	}
	data, _ := res["data"].(map[string]any)
	return data, nil
}

// Head returns the latest committed version.
func (c *Client) Head(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	info, err := c.sdk.Info()
	if err != nil {
		return 0, fmt.Errorf("chain: ledger info: %w", err)
	}
	return info.LedgerVersion(), nil
}

// Event is one event of a successful user transaction.
type Event struct {
	Version   uint64 // transaction version
	Index     int    // position among the transaction's events
	TxnHash   string
	Sender    aptos.AccountAddress
	Timestamp uint64 // µs
	Type      string // as the node prints it: "0xcafe::market::OrderTaken"
	Data      map[string]any
}

// maxPage is the largest page of transactions a node serves.
const maxPage = 100

// Events pages through the transactions from version start and returns the
// events of successful user transactions whose type matches (all when
// match is nil), with the version to continue from. Module events can only
// be followed this way. Reaching the head is not an error: it returns what
// there is and next stays put.
func (c *Client) Events(ctx context.Context, start uint64, maxTxns int, match func(typ string) bool) ([]Event, uint64, error) {
	head, err := c.Head(ctx)
	if err != nil {
		return nil, start, err
	}
	var out []Event
	next := start
	for next <= head && maxTxns > 0 {
		if err := ctx.Err(); err != nil {
			return out, next, err
		}
		limit := uint64(min(maxPage, maxTxns, int(head-next+1)))
		txns, err := c.sdk.Transactions(&next, &limit)
		if err != nil {
			return out, next, fmt.Errorf("chain: transactions from %d: %w", next, err)
		}
		if len(txns) == 0 {
			break
		}
		for _, ct := range txns {
			if ct.Version() != next {
				return out, next, fmt.Errorf("chain: expected version %d, got %d", next, ct.Version())
			}
			next++
			maxTxns--
			ut, err := ct.UserTransaction()
			if err != nil || !ut.Success {
				continue
			}
			for i, e := range ut.Events {
				if match != nil && !match(e.Type) {
					continue
				}
				out = append(out, Event{Version: ut.Version, Index: i, TxnHash: ut.Hash, Sender: *ut.Sender,
					Timestamp: ut.Timestamp, Type: e.Type, Data: e.Data})
			}
		}
	}
	return out, next, nil
}

// Argument encoders for entry and view function arguments, in BCS.

// U64 encodes a u64 argument.
func U64(v uint64) []byte { b, _ := bcs.SerializeU64(v); return b }

// U8 encodes a u8 argument.
func U8(v uint8) []byte { return []byte{v} }

// Bool encodes a bool argument.
func Bool(v bool) []byte { b, _ := bcs.SerializeBool(v); return b }

// Address encodes an address (or Object<T>) argument.
func Address(a aptos.AccountAddress) []byte { return append([]byte(nil), a[:]...) }

// Bytes encodes a vector<u8> argument.
func Bytes(b []byte) []byte { out, _ := bcs.SerializeBytes(b); return out }

// String encodes a 0x1::string::String argument.
func String(s string) []byte { return Bytes([]byte(s)) }

// Addresses encodes a vector<address> argument.
func Addresses(as []aptos.AccountAddress) []byte {
	ser := &bcs.Serializer{}
	ser.Uleb128(uint32(len(as)))
	for _, a := range as {
		ser.FixedBytes(a[:])
	}
	return ser.ToBytes()
}

// OptionU64 encodes an Option<u64> argument.
func OptionU64(v *uint64) []byte {
	if v == nil {
		return []byte{0}
	}
	return append([]byte{1}, U64(*v)...)
}

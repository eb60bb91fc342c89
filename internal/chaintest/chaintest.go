// Package chaintest runs the embedded localnet inside a test: the node with
// the framework and, optionally, a Move package published at the publisher
// account, its REST API and faucet on loopback, and a chain client pointed
// at them. Components test against it exactly as they talk to a real
// network, through aptos-go-sdk.
//
//	ln := chaintest.Start(t, chaintest.Options{PackageDir: "../../move", NamedAddress: "agi_nostr"})
//	alice := ln.Account(t, 10_0000_0000)
//	ln.Client.Submit(ctx, alice, chain.Function{Address: ln.Package, Module: "market", Name: "pull"}, nil, args)
package chaintest

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/internal/chain"
	"github.com/agi-nostr/agi-nostr/localnet/faucet"
	_ "github.com/agi-nostr/agi-nostr/localnet/framework" // installs the Move framework
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
	"github.com/agi-nostr/agi-nostr/localnet/rest"
)

// Options choose what the localnet runs.
type Options struct {
	// PackageDir is a Move package to publish at genesis (relative to the
	// test's package directory), with NamedAddress set to the publisher
	// account. Empty runs the framework alone.
	PackageDir   string
	NamedAddress string
	// Clock, when set, is the node's clock, so a test can let deadlines
	// pass (see Clock).
	Clock *Clock
	// DataDir keeps the chain on disk (for restart tests).
	DataDir string
}

// Localnet is a running localnet.
type Localnet struct {
	Node      *node.Node
	NodeURL   string // REST API base, ".../v1"
	FaucetURL string
	Client    *chain.Client
	// Package is the account the package is published at.
	Package aptos.AccountAddress
}

type execKey struct{ dir, name string }

// executors caches loaded programs: loading the framework costs a tenth of
// a second and a program is immutable, so tests share it.
var executors sync.Map // execKey -> *execEntry

type execEntry struct {
	once sync.Once
	exec *movevm.Executor
	err  error
}

func executor(opts Options) (*movevm.Executor, error) {
	v, _ := executors.LoadOrStore(execKey{opts.PackageDir, opts.NamedAddress}, &execEntry{})
	e := v.(*execEntry)
	e.once.Do(func() {
		e.exec, e.err = movevm.New(movevm.Options{PackageDir: opts.PackageDir, NamedAddress: opts.NamedAddress})
	})
	return e.exec, e.err
}

// Start runs a localnet until the test ends.
func Start(t testing.TB, opts Options) *Localnet {
	t.Helper()
	exec, err := executor(opts)
	if err != nil {
		t.Fatalf("chaintest: load Move: %v", err)
	}
	cfg := node.Config{DataDir: opts.DataDir, IdleBlockInterval: -1}
	if opts.Clock != nil {
		cfg.Now = opts.Clock.Now
	}
	n, err := node.Open(cfg, exec)
	if err != nil {
		t.Fatalf("chaintest: open node: %v", err)
	}
	api := httptest.NewServer(rest.New(n, nil).Handler())
	fct := httptest.NewServer(faucet.New(n, nil).Handler())
	t.Cleanup(func() {
		api.Close()
		fct.Close()
		if err := n.Close(); err != nil {
			t.Errorf("chaintest: close node: %v", err)
		}
	})
	c, err := chain.New(chain.Config{NodeURL: api.URL + "/v1", FaucetURL: fct.URL, ChainID: 4})
	if err != nil {
		t.Fatalf("chaintest: client: %v", err)
	}
	return &Localnet{Node: n, NodeURL: api.URL + "/v1", FaucetURL: fct.URL, Client: c, Package: movevm.PublisherAccount()}
}

// Account makes an Ed25519 account funded with octas from the faucet.
func (l *Localnet) Account(t testing.TB, octas uint64) *aptos.Account {
	t.Helper()
	a, err := aptos.NewEd25519Account()
	if err != nil {
		t.Fatal(err)
	}
	if octas > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := l.Client.Fund(ctx, a.Address, octas); err != nil {
			t.Fatalf("chaintest: fund: %v", err)
		}
	}
	return a
}

// Publisher is the account the package is published at, with its key, for
// the package's administrator calls.
func (l *Localnet) Publisher(t testing.TB) *aptos.Account {
	t.Helper()
	a, err := aptos.NewAccountFromSigner(movevm.PublisherKey())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Clock is a node clock that starts at the wall clock and that a test moves
// forward. Transactions a test sends after moving it need an expiration
// past the new time (aptos.ExpirationSeconds measures from the wall clock).
type Clock struct {
	mu   sync.Mutex
	skew time.Duration
}

// Now is the wall clock plus the advances.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skew)
}

// Advance moves the clock forward; the next block takes the new time.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.skew += d
	c.mu.Unlock()
}

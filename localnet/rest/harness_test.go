package rest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/localnet/faucet"
	_ "github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
	"github.com/agi-nostr/agi-nostr/localnet/rest"
)

// harness runs a node with its REST API and faucet on loopback and an SDK
// client pointed at them, the way applications reach the localnet.
type harness struct {
	t         testing.TB
	node      *node.Node
	client    *aptos.Client
	nodeURL   string
	faucetURL string
	close     func()
}

// probeDir is a Move package the tests publish (named address probe).
const probeDir = "../node/movevm/testdata/probe"

var (
	execOnce sync.Once
	exec     *movevm.Executor
	execErr  error
)

// executor loads the framework and the probe package once; the program is
// immutable, so every node of the tests shares it.
func executor() (*movevm.Executor, error) {
	execOnce.Do(func() {
		exec, execErr = movevm.New(movevm.Options{PackageDir: probeDir, NamedAddress: "probe"})
	})
	return exec, execErr
}

// probe is the account the probe package is published at.
var probe = movevm.PublisherAccount()

// openNode opens a node on dir.
func openNode(dir string) (*node.Node, error) {
	e, err := executor()
	if err != nil {
		return nil, err
	}
	return node.Open(node.Config{DataDir: dir, IdleBlockInterval: -1}, e)
}

func start(t testing.TB, dir string) *harness {
	t.Helper()
	n, err := openNode(dir)
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(rest.New(n, nil).Handler())
	fct := httptest.NewServer(faucet.New(n, nil).Handler())
	client, err := aptos.NewClient(aptos.NetworkConfig{Name: "localnet", ChainId: 4, NodeUrl: api.URL + "/v1", FaucetUrl: fct.URL})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, node: n, client: client, nodeURL: api.URL + "/v1", faucetURL: fct.URL}
	closed := false
	h.close = func() {
		if closed {
			return
		}
		closed = true
		api.Close()
		fct.Close()
		if err := n.Close(); err != nil {
			t.Errorf("close node: %v", err)
		}
	}
	t.Cleanup(h.close)
	return h
}

// account makes an Ed25519 account funded with amount octas.
func (h *harness) account(amount uint64) *aptos.Account {
	h.t.Helper()
	a, err := aptos.NewEd25519Account()
	if err != nil {
		h.t.Fatal(err)
	}
	if amount > 0 {
		if err := h.client.Fund(a.Address, amount); err != nil {
			h.t.Fatalf("fund: %v", err)
		}
	}
	return a
}

// apiError is the error body of the node.
type apiError struct {
	Message     string  `json:"message"`
	ErrorCode   string  `json:"error_code"`
	VMErrorCode *uint64 `json:"vm_error_code"`
}

// httpError unwraps the SDK's error and decodes the node's body.
func httpError(t *testing.T, err error) (int, apiError) {
	t.Helper()
	var he *aptos.HttpError
	if !errors.As(err, &he) {
		t.Fatalf("want an HTTP error, got %v", err)
	}
	var e apiError
	if err := json.Unmarshal(he.Body, &e); err != nil {
		t.Fatalf("error body %q: %v", he.Body, err)
	}
	return he.StatusCode, e
}

// do sends a raw request and returns status, headers and body.
func (h *harness) do(method, path, contentType string, body []byte) (int, http.Header, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.nodeURL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

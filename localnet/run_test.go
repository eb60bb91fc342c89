package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
)

// runLocalnet starts `localnet run` in process and returns the fields of its
// ready line and a function that stops it (as SIGINT does) and returns its
// error.
func runLocalnet(t *testing.T, o *runOptions) (map[string]string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, o, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	ready := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "localnet ready ") {
				ready <- lines.Text()
			}
		}
		close(ready)
	}()
	select {
	case line, ok := <-ready:
		if !ok {
			cancel()
			t.Fatalf("no ready line: %v", <-done)
		}
		fields := map[string]string{}
		for _, f := range strings.Fields(strings.TrimPrefix(line, "localnet ready ")) {
			k, v, _ := strings.Cut(f, "=")
			fields[k] = v
		}
		return fields, func() error { cancel(); return <-done }
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("not ready after 30s")
	}
	return nil, nil
}

func TestRunServesAndStops(t *testing.T) {
	dir := t.TempDir()
	o := &runOptions{restAddr: "127.0.0.1:0", faucetAddr: "127.0.0.1:0", metricsAddr: "127.0.0.1:0", dataDir: dir,
		packageDir: "node/movevm/testdata/probe", namedAddress: "probe", logLevel: "warn"}
	fields, stop := runLocalnet(t, o)
	pub := movevm.PublisherAccount()
	if fields["chain_id"] != "4" || fields["package"] != "probe@"+pub.StringLong() {
		t.Fatalf("ready line fields %v", fields)
	}
	c, err := aptos.NewClient(aptos.NetworkConfig{ChainId: 4, NodeUrl: fields["rest"], FaucetUrl: fields["faucet"]})
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := aptos.NewEd25519Account()
	if err := c.Fund(alice.Address, 1_0000_0000); err != nil {
		t.Fatal(err)
	}
	vals, err := c.View(&aptos.ViewPayload{Module: aptos.ModuleId{Address: pub, Name: "probe"}, Function: "publisher"})
	if err != nil || vals[0] != pub.StringShort() {
		t.Fatalf("package view: %v %v", vals, err)
	}
	// The metrics count what happened.
	resp, err := http.Get(fields["metrics"])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`localnet_transactions_committed_total{kind="user",result="success"} 1`,
		`localnet_http_request_duration_seconds_count{code="200",route="POST /mint",server="faucet"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("metrics lack %s:\n%s", want, body)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	// The chain is still there after a restart.
	fields, stop = runLocalnet(t, o)
	c, _ = aptos.NewClient(aptos.NetworkConfig{ChainId: 4, NodeUrl: fields["rest"], FaucetUrl: fields["faucet"]})
	if bal, err := c.AccountAPTBalance(alice.Address); err != nil || bal != 1_0000_0000 {
		t.Fatalf("balance after restart %d, %v", bal, err)
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, o := range []*runOptions{
		{restAddr: "127.0.0.1:0", faucetAddr: "127.0.0.1:0", namedAddress: "probe", logLevel: "info"},
		{restAddr: "127.0.0.1:0", faucetAddr: "127.0.0.1:0", packageDir: "no/such/dir", logLevel: "info"},
		{restAddr: "127.0.0.1:0", faucetAddr: "127.0.0.1:0", logLevel: "loud"},
		{restAddr: "not an address", faucetAddr: "127.0.0.1:0", logLevel: "info"},
	} {
		if err := run(context.Background(), o, io.Discard, io.Discard); err == nil {
			t.Errorf("run accepted %+v", o)
		}
	}
}

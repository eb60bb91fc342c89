package rest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/api"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/internal/chain"
	"github.com/agi-nostr/agi-nostr/localnet/faucet"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
	"github.com/agi-nostr/agi-nostr/localnet/rest"
)

// benchClient is one concurrent client: an account and its next sequence
// number, so transactions are built without asking the node.
type benchClient struct {
	acct    *aptos.Account
	seq     uint64
	payload func(seq uint64) aptos.TransactionPayload
}

func (c *benchClient) next(b *testing.B) *aptos.SignedTransaction {
	raw := &aptos.RawTransaction{
		Sender: c.acct.Address, SequenceNumber: c.seq,
		Payload:      c.payload(c.seq),
		MaxGasAmount: 100_000, GasUnitPrice: 100,
		ExpirationTimestampSeconds: uint64(time.Now().Add(10 * time.Minute).Unix()), ChainId: 4,
	}
	c.seq++
	stx, err := raw.SignedTransaction(c.acct)
	if err != nil {
		b.Fatal(err)
	}
	return stx
}

// runClients drives n transactions through submit from concurrent clients
// and returns the submit-to-committed latencies.
func runClients(b *testing.B, clients []*benchClient, n int, submit func(*aptos.SignedTransaction) error) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	per := (n + len(clients) - 1) / len(clients)
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, per)
			for range per {
				stx := c.next(b)
				began := time.Now()
				if err := submit(stx); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(began))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

var (
	benchOnce sync.Once
	benchExec *movevm.Executor
	benchErr  error
)

// benchNode runs a node with the project's Move package (move/).
func benchNode(b *testing.B) (*node.Node, *aptos.Client) {
	benchOnce.Do(func() {
		benchExec, benchErr = movevm.New(movevm.Options{PackageDir: "../../move", NamedAddress: "agi_nostr"})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	n, err := node.Open(node.Config{IdleBlockInterval: -1}, benchExec)
	if err != nil {
		b.Fatal(err)
	}
	api := httptest.NewServer(rest.New(n, nil).Handler())
	fct := httptest.NewServer(faucet.New(n, nil).Handler())
	b.Cleanup(func() { api.Close(); fct.Close(); n.Close() })
	// One keep-alive connection per concurrent client, as a client pool
	// sized for its concurrency would keep (Go's default keeps two).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	c, err := aptos.NewClient(aptos.NetworkConfig{ChainId: 4, NodeUrl: api.URL + "/v1", FaucetUrl: fct.URL}, &http.Client{Transport: tr})
	if err != nil {
		b.Fatal(err)
	}
	return n, c
}

// benchmarkLoad measures payloads submitted and committed per second
// through the REST API with the SDK (build and sign locally, submit, wait
// for the commit), from clients concurrent accounts, and the
// submit-to-committed latency. The baseline, measured in the same run, is
// the same load handed to the node in process (no HTTP, no JSON): the
// ratio api/inproc is the share of the node's own throughput the API
// delivers. Clients and node share the machine's cores, as a localnet and
// its users do on a developer's machine.
func benchmarkLoad(b *testing.B, clients int, payload func(seq uint64) aptos.TransactionPayload) {
	n, c := benchNode(b)
	cs := make([]*benchClient, clients)
	var wg sync.WaitGroup
	for i := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _ := aptos.NewEd25519Account()
			if err := c.Fund(a.Address, 1_000_0000_0000); err != nil {
				b.Error(err)
			}
			cs[i] = &benchClient{acct: a, payload: payload}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	// The two loads alternate in rounds, so load from other processes on
	// a shared machine falls on both alike and their ratio holds.
	const rounds = 4
	per := max(b.N/rounds, clients)
	inprocSubmit := func(stx *aptos.SignedTransaction) error {
		body, _ := bcs.Serialize(stx)
		p, err := n.Submit(body)
		if err != nil {
			return err
		}
		for {
			t, pend, err := n.Wait(context.Background(), p.Hash)
			if err != nil {
				return err
			}
			if t != nil {
				if !t.Status.Success {
					return fmt.Errorf("transaction failed: %s", t.Status.Message)
				}
				return nil
			}
			if pend == nil {
				return fmt.Errorf("transaction dropped")
			}
		}
	}
	apiSubmit := func(stx *aptos.SignedTransaction) error {
		sub, err := c.SubmitTransaction(stx)
		if err != nil {
			return err
		}
		txn, err := c.WaitForTransaction(sub.Hash)
		if err != nil {
			return err
		}
		if !txn.Success {
			return fmt.Errorf("transaction failed: %s", txn.VmStatus)
		}
		return nil
	}
	var inprocTime, elapsed, inprocCPU, apiCPU time.Duration
	var lat []time.Duration
	b.ResetTimer()
	for range rounds {
		began, cpu := time.Now(), cpuTime()
		runClients(b, cs, per, inprocSubmit)
		inprocTime += time.Since(began)
		inprocCPU += cpuTime() - cpu
		began, cpu = time.Now(), cpuTime()
		lat = append(lat, runClients(b, cs, per, apiSubmit)...)
		elapsed += time.Since(began)
		apiCPU += cpuTime() - cpu
	}
	b.StopTimer()
	inproc := float64(rounds*per) / inprocTime.Seconds()
	// CPU time per transaction (this process: node, API and clients) is
	// steadier than throughput on a machine shared with other jobs.
	b.ReportMetric(float64(apiCPU.Microseconds())/float64(rounds*per), "cpu_us/tx")
	b.ReportMetric(float64(inprocCPU.Microseconds())/float64(rounds*per), "inproc_cpu_us/tx")
	rate := float64(len(lat)) / elapsed.Seconds()
	b.ReportMetric(rate, "tx/s")
	b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99_ms")
	b.ReportMetric(inproc, "inproc_tx/s")
	b.ReportMetric(rate/inproc, "api/inproc")
}

// BenchmarkTransfers: APT transfers (0x1::aptos_account::transfer) to one
// existing account.
func BenchmarkTransfers(b *testing.B) {
	to := aptos.AccountOne
	for _, clients := range []int{1, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			benchmarkLoad(b, clients, func(uint64) aptos.TransactionPayload {
				ef, _ := aptos.CoinTransferPayload(nil, to, 1)
				return aptos.TransactionPayload{Payload: ef}
			})
		})
	}
}

// BenchmarkMarketOrders: the order market's pull, which opens an order
// (table entries, an event) and escrows its payment in the vault.
func BenchmarkMarketOrders(b *testing.B) {
	pub := movevm.PublisherAccount()
	for _, clients := range []int{1, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			nostr := sha256.Sum256([]byte("owner"))
			deliverBy := uint64(time.Now().Add(24 * time.Hour).Unix())
			benchmarkLoad(b, clients, func(seq uint64) aptos.TransactionPayload {
				object := sha256.Sum256(fmt.Appendf(nil, "object %d", seq))
				return aptos.TransactionPayload{Payload: &aptos.EntryFunction{
					Module: aptos.ModuleId{Address: pub, Name: "market"}, Function: "pull", ArgTypes: []aptos.TypeTag{},
					Args: [][]byte{chain.Bytes(object[:]), chain.U64(1 << 20), chain.Bytes(nostr[:]), chain.Addresses(nil),
						chain.U64(100), chain.U64(1000), chain.U64(10), chain.U64(deliverBy)},
				}}
			})
		})
	}
}

// BenchmarkRenderOrder renders a committed market order (GET
// /v1/transactions/by_hash, the body wait_by_hash returns) through the
// API's handler without a network, and reports the body size. The
// baseline, timed in the same run, is what every SDK client then spends
// decoding that body (api.Transaction): x-client-decode is the render's
// time over it.
func BenchmarkRenderOrder(b *testing.B) {
	n, c := benchNode(b)
	a, _ := aptos.NewEd25519Account()
	if err := c.Fund(a.Address, 1_000_0000_0000); err != nil {
		b.Fatal(err)
	}
	pub := movevm.PublisherAccount()
	nostr := sha256.Sum256([]byte("owner"))
	object := sha256.Sum256([]byte("object"))
	cl := &benchClient{acct: a, payload: func(uint64) aptos.TransactionPayload {
		return aptos.TransactionPayload{Payload: &aptos.EntryFunction{
			Module: aptos.ModuleId{Address: pub, Name: "market"}, Function: "pull", ArgTypes: []aptos.TypeTag{},
			Args: [][]byte{chain.Bytes(object[:]), chain.U64(1 << 20), chain.Bytes(nostr[:]), chain.Addresses(nil),
				chain.U64(100), chain.U64(1000), chain.U64(10), chain.U64(uint64(time.Now().Add(time.Hour).Unix()))},
		}}
	}}
	body, _ := bcs.Serialize(cl.next(b))
	p, err := n.Submit(body)
	if err != nil {
		b.Fatal(err)
	}
	for {
		t, _, err := n.Wait(context.Background(), p.Hash)
		if err != nil {
			b.Fatal(err)
		}
		if t != nil {
			break
		}
	}
	h := rest.New(n, nil).Handler()
	req := httptest.NewRequest("GET", "/v1/transactions/by_hash/"+hex.EncodeToString(p.Hash[:]), nil)
	// Render and decode alternate, so load from other processes falls on
	// both alike.
	var render, decode time.Duration
	var size int
	b.ResetTimer()
	for b.Loop() {
		began := time.Now()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		mid := time.Now()
		var txn api.Transaction
		if err := json.Unmarshal(w.Body.Bytes(), &txn); err != nil {
			b.Fatal(err)
		}
		render += mid.Sub(began)
		decode += time.Since(mid)
		size = w.Body.Len()
	}
	b.ReportMetric(float64(render.Microseconds())/float64(b.N), "render_us")
	b.ReportMetric(float64(size), "bytes")
	b.ReportMetric(float64(render)/float64(decode), "x-client-decode")
}

package rest_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
)

// benchClient is one concurrent client: an account and its next sequence
// number, so transactions are built without asking the node.
type benchClient struct {
	acct *aptos.Account
	seq  uint64
	to   aptos.AccountAddress
}

func (c *benchClient) next(b *testing.B) *aptos.SignedTransaction {
	ef, _ := aptos.CoinTransferPayload(nil, c.to, 1)
	raw := &aptos.RawTransaction{
		Sender: c.acct.Address, SequenceNumber: c.seq,
		Payload:      aptos.TransactionPayload{Payload: ef},
		MaxGasAmount: 10_000, GasUnitPrice: 100,
		ExpirationTimestampSeconds: uint64(time.Now().Add(time.Minute).Unix()), ChainId: 4,
	}
	c.seq++
	stx, err := raw.SignedTransaction(c.acct)
	if err != nil {
		b.Fatal(err)
	}
	return stx
}

// run drives n transactions through submit from clients concurrent
// goroutines and returns the submit-to-committed latencies.
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

func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// BenchmarkTransfers measures APT transfers submitted and committed per
// second through the REST API with the SDK (build and sign locally, submit,
// wait), with 1 and 64 concurrent clients, and the submit-to-committed
// latency. The baseline is the same load handed to the node in process
// (no HTTP, no JSON), measured in the same run: the ratio is the share of
// the node's own throughput the API delivers.
func BenchmarkTransfers(b *testing.B) {
	for _, nc := range []int{1, 64} {
		b.Run(fmt.Sprintf("clients=%d", nc), func(b *testing.B) {
			h := start(b, "")
			defer h.close()
			clients := make([]*benchClient, nc)
			var wg sync.WaitGroup
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a, _ := aptos.NewEd25519Account()
					if err := h.client.Fund(a.Address, 1000_0000_0000); err != nil {
						b.Error(err)
					}
					clients[i] = &benchClient{acct: a, to: aptos.AccountOne}
				}()
			}
			wg.Wait()
			if b.Failed() {
				return
			}
			n := max(b.N, nc)

			// Baseline: in process.
			began := time.Now()
			runClients(b, clients, n, func(stx *aptos.SignedTransaction) error {
				body, _ := bcs.Serialize(stx)
				p, err := h.node.Submit(body)
				if err != nil {
					return err
				}
				for {
					t, pend := h.node.Wait(context.Background(), p.Hash)
					if t != nil {
						return nil
					}
					if pend == nil {
						return fmt.Errorf("transaction dropped")
					}
				}
			})
			inproc := float64(n) / time.Since(began).Seconds()

			b.ResetTimer()
			began = time.Now()
			lat := runClients(b, clients, n, func(stx *aptos.SignedTransaction) error {
				sub, err := h.client.SubmitTransaction(stx)
				if err != nil {
					return err
				}
				txn, err := h.client.WaitForTransaction(sub.Hash)
				if err != nil {
					return err
				}
				if !txn.Success {
					return fmt.Errorf("transfer failed: %s", txn.VmStatus)
				}
				return nil
			})
			elapsed := time.Since(began)
			b.StopTimer()
			rate := float64(len(lat)) / elapsed.Seconds()
			b.ReportMetric(rate, "tx/s")
			b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99_ms")
			b.ReportMetric(inproc, "inproc_tx/s")
			b.ReportMetric(rate/inproc, "api/inproc")
		})
	}
}

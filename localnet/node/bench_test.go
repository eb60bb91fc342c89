package node_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/node"
)

// BenchmarkPipeline measures the node's own cost per transaction (decode,
// signature check, prologue, mempool, execution, gas, epilogue, commit)
// with transactions already signed and 64 senders, so blocks fill up.
func BenchmarkPipeline(b *testing.B) {
	for _, durable := range []bool{false, true} {
		name := "memory"
		if durable {
			name = "data-dir"
		}
		b.Run(name, func(b *testing.B) {
			dir := ""
			if durable {
				dir = b.TempDir()
			}
			n, err := node.Open(node.Config{DataDir: dir, IdleBlockInterval: -1}, frameworkExecutor(b))
			if err != nil {
				b.Fatal(err)
			}
			defer n.Close()
			const senders = 64
			accts := make([]*aptos.Account, senders)
			for i := range accts {
				accts[i], _ = aptos.NewEd25519Account()
				raw := &aptos.RawTransaction{Sender: n.FaucetAddress(), SequenceNumber: uint64(i),
					Payload:      aptos.TransactionPayload{Payload: mint(accts[i].Address)},
					MaxGasAmount: 100_000, GasUnitPrice: 100, ExpirationTimestampSeconds: uint64(time.Now().Add(time.Hour).Unix()), ChainId: 4}
				stx, _ := raw.SignedTransaction(n.FaucetKey())
				body, _ := bcs.Serialize(stx)
				p, err := n.SubmitPrivileged(body)
				if err != nil {
					b.Fatal(err)
				}
				if i == senders-1 {
					wait(b, n, p.Hash)
				}
			}
			bodies := make([][]byte, b.N)
			for i := range bodies {
				a := accts[i%senders]
				ef, _ := aptos.CoinTransferPayload(nil, aptos.AccountOne, 1)
				raw := &aptos.RawTransaction{Sender: a.Address, SequenceNumber: uint64(i / senders),
					Payload:      aptos.TransactionPayload{Payload: ef},
					MaxGasAmount: 10_000, GasUnitPrice: 100, ExpirationTimestampSeconds: uint64(time.Now().Add(time.Hour).Unix()), ChainId: 4}
				stx, _ := raw.SignedTransaction(a)
				bodies[i], _ = bcs.Serialize(stx)
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			var last [32]byte
			for _, body := range bodies {
				p, err := n.Submit(body)
				for err != nil {
					// The per-account limit: wait for blocks to drain it.
					time.Sleep(time.Millisecond)
					p, err = n.Submit(body)
				}
				last = p.Hash
			}
			wait(b, n, last)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu_us/tx")
		})
	}
}

func mint(to aptos.AccountAddress) *aptos.EntryFunction {
	amount, _ := bcs.SerializeU64(1_0000_0000_0000)
	return &aptos.EntryFunction{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "aptos_coin"}, Function: "mint",
		Args: [][]byte{to[:], amount}}
}

func wait(b *testing.B, n *node.Node, h [32]byte) {
	for {
		t, p, err := n.Wait(context.Background(), h)
		if err != nil {
			b.Fatal(err)
		}
		if t != nil {
			return
		}
		if p == nil {
			b.Fatal("transaction dropped")
		}
	}
}

// cpuTime is the user and system CPU time this process has used; steadier
// than wall time on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

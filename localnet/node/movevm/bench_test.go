package movevm

import (
	"crypto/sha256"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// BenchmarkUserTxn measures the executor's share of a user transaction as
// the block producer runs it: the payload (Execute) and the epilogue (the
// fee burnt in Move, the sequence number advanced), each on the state the
// previous transaction left. It isolates the Move work from signatures,
// the mempool and the ledger (BenchmarkPipeline in localnet/node has those).
func BenchmarkUserTxn(b *testing.B) {
	c := genesis(b, Options{PackageDir: "../../../move", NamedAddress: "agi_nostr"})
	core := aptos.AccountAddress{28: 0x0a, 29: 0x55, 30: 0x0c, 31: 0x18}
	alice := aptos.AccountAddress{31: 0xa1}
	u64 := func(v uint64) []byte { x, _ := bcs.SerializeU64(v); return x }
	if st := c.run(b, core, aptos.AccountOne, "aptos_coin", "mint", alice[:], u64(1<<50)); !st.Success() {
		b.Fatalf("mint: %s", st.VMStatus())
	}
	const now = 1_700_000_000
	pro, err := c.e.BlockPrologue(c.ov, &node.BlockInfo{Proposer: node.Validator, Timestamp: now*1_000_000 + 1})
	if err != nil {
		b.Fatal(err)
	}
	c.ov.Apply(pro.Writes)
	pub := PublisherAccount()
	nostr := sha256.Sum256([]byte("owner"))
	payloads := map[string]func(i int) *aptos.EntryFunction{
		"transfer": func(int) *aptos.EntryFunction {
			return &aptos.EntryFunction{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "aptos_account"},
				Function: "transfer", ArgTypes: []aptos.TypeTag{}, Args: [][]byte{aptos.AccountOne[:], u64(1)}}
		},
		"market-pull": func(i int) *aptos.EntryFunction {
			object := sha256.Sum256(fmt.Appendf(nil, "object %d", i))
			bytes := func(x []byte) []byte { s := &bcs.Serializer{}; s.WriteBytes(x); return s.ToBytes() }
			return &aptos.EntryFunction{Module: aptos.ModuleId{Address: pub, Name: "market"}, Function: "pull",
				ArgTypes: []aptos.TypeTag{},
				Args: [][]byte{bytes(object[:]), u64(1 << 20), bytes(nostr[:]), {0},
					u64(100), u64(1000), u64(10), u64(now + 3600)}}
		},
	}
	for _, name := range []string{"transfer", "market-pull"} {
		b.Run(name, func(b *testing.B) {
			var gas uint64
			cpu0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				ov := state.NewOverlay(c.ov)
				out, err := c.e.Execute(ov, &node.TxnContext{Senders: []aptos.AccountAddress{alice}, ChainID: 4,
					Hash: sha256.Sum256(fmt.Appendf(nil, "%d", i)), Budget: 1 << 40, MaxGas: 100_000, GasPrice: 100,
					Timestamp: now * 1_000_000}, payloads[name](i))
				if err != nil || !out.Status.Success() {
					b.Fatalf("execute: %v %s", err, out.Status.VMStatus())
				}
				gas += out.GasUsed
				ov.Apply(out.Writes)
				epi, err := c.e.Epilogue(ov, alice, alice, 1000)
				if err != nil || !epi.Status.Success() {
					b.Fatalf("epilogue: %v %s", err, epi.Status.VMStatus())
				}
				// Keep the state from growing without bound: the overlay of
				// the first transaction's writes stays the base.
				if i == 0 {
					ov.Apply(epi.Writes)
					c.ov = ov
				}
			}
			b.ReportMetric(float64(gas)/float64(b.N), "gas/txn")
			// CPU time (all threads, so the collector's share counts) is
			// steadier than wall time on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu_us/txn")
		})
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package node_test

import (
	"sync"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
	"github.com/aptos-labs/aptos-go-sdk/crypto"

	_ "github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
)

// seedTransactions returns well-formed signed transactions of every
// authenticator kind, as fuzzing seeds.
func seedTransactions(t testing.TB) [][]byte {
	alice, _ := aptos.NewEd25519Account()
	single, _ := aptos.NewEd25519SingleSenderAccount()
	bob, _ := aptos.NewEd25519Account()
	amount, _ := bcs.SerializeU64(5)
	raw := func(sender aptos.AccountAddress) *aptos.RawTransaction {
		return &aptos.RawTransaction{
			Sender: sender,
			Payload: aptos.TransactionPayload{Payload: &aptos.EntryFunction{
				Module:   aptos.ModuleId{Address: aptos.AccountOne, Name: "aptos_account"},
				Function: "transfer",
				ArgTypes: []aptos.TypeTag{aptos.AptosCoinTypeTag, {Value: &aptos.VectorTag{TypeParam: aptos.TypeTag{Value: &aptos.U8Tag{}}}}},
				Args:     [][]byte{bob.Address[:], amount},
			}},
			MaxGasAmount: 100_000, GasUnitPrice: 100,
			ExpirationTimestampSeconds: uint64(time.Now().Add(time.Hour).Unix()), ChainId: 4,
		}
	}
	var out [][]byte
	add := func(stx *aptos.SignedTransaction, err error) {
		if err != nil {
			t.Fatal(err)
		}
		b, err := bcs.Serialize(stx)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	add(raw(alice.Address).SignedTransaction(alice))
	add(raw(single.Address).SignedTransaction(single))
	// Multi-agent and fee-payer forms.
	ma := &aptos.RawTransactionWithData{Variant: aptos.MultiAgentRawTransactionWithDataVariant,
		Inner: &aptos.MultiAgentRawTransactionWithData{RawTxn: raw(alice.Address), SecondarySigners: []aptos.AccountAddress{bob.Address}}}
	sa, _ := ma.Sign(alice)
	sb, _ := ma.Sign(bob)
	stx, _ := ma.ToMultiAgentSignedTransaction(sa, []crypto.AccountAuthenticator{*sb})
	add(stx, nil)
	fp := &aptos.RawTransactionWithData{Variant: aptos.MultiAgentWithFeePayerRawTransactionWithDataVariant,
		Inner: &aptos.MultiAgentWithFeePayerRawTransactionWithData{RawTxn: raw(alice.Address), SecondarySigners: []aptos.AccountAddress{}, FeePayer: &bob.Address}}
	sa, _ = fp.Sign(alice)
	sb, _ = fp.Sign(bob)
	stx, _ = fp.ToFeePayerSignedTransaction(sa, sb, nil)
	add(stx, nil)
	sim := raw(alice.Address)
	add(sim.SignedTransactionWithAuthenticator(alice.Signer.SimulationAuthenticator()))
	return out
}

func fuzzNode(f *testing.F) *node.Node {
	n, err := node.Open(node.Config{IdleBlockInterval: -1}, frameworkExecutor(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { n.Close() })
	return n
}

// FuzzSubmit feeds arbitrary bodies to submission and simulation: every
// one must end in an answer, never a crash or a runaway allocation.
func FuzzSubmit(f *testing.F) {
	for _, s := range seedTransactions(f) {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Add(append(make([]byte, 40), 2, 0xff, 0xff, 0xff, 0xff, 0x0f))
	n := fuzzNode(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := n.Submit(body); err == nil {
			// Accepted bodies must be canonical BCS of a signed transaction.
			var stx aptos.SignedTransaction
			if err := bcs.Deserialize(&stx, body); err != nil {
				t.Fatalf("accepted a body the SDK cannot decode: %v", err)
			}
		}
		n.Simulate(body, node.SimulateOptions{EstimateMaxGasAmount: true})
		n.SubmitBatch(body)
	})
}

// FuzzView feeds arbitrary bodies to view calls.
func FuzzView(f *testing.F) {
	ef := &aptos.EntryFunction{Module: aptos.ModuleId{Address: aptos.AccountOne, Name: "coin"}, Function: "balance",
		ArgTypes: []aptos.TypeTag{aptos.AptosCoinTypeTag}, Args: [][]byte{make([]byte, 32)}}
	b, _ := bcs.Serialize(ef)
	f.Add(b)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	n := fuzzNode(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		n.View(body, n.Info().Version)
	})
}

var (
	execOnce sync.Once
	execVal  *movevm.Executor
	execErr  error
)

// frameworkExecutor loads the framework once for the package's tests.
func frameworkExecutor(tb testing.TB) *movevm.Executor {
	execOnce.Do(func() { execVal, execErr = movevm.New(movevm.Options{}) })
	if execErr != nil {
		tb.Fatal(execErr)
	}
	return execVal
}

package exec_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/move/exec"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

var (
	once    sync.Once
	prog    *exec.Program
	progErr error
)

func program(t testing.TB) *exec.Program {
	once.Do(func() {
		prog, progErr = exec.Load([]string{"testdata/counter"}, map[string]vm.Address{"counter": vm.AddressFromU64(0xc0)})
	})
	if progErr != nil {
		t.Fatal(progErr)
	}
	return prog
}

var (
	alice   = vm.AddressFromU64(0xa11ce)
	counter = vm.ModuleID{Addr: vm.AddressFromU64(0xc0), Name: "counter"}
)

func u64(x uint64) []byte { return binary.LittleEndian.AppendUint64(nil, x) }

func str(s string) []byte { return append([]byte{byte(len(s))}, s...) }

func txn(senders ...vm.Address) *exec.Txn {
	return &exec.Txn{Senders: senders, Hash: bytes.Repeat([]byte{7}, 32), ChainID: 4, Budget: 1_000_000}
}

func createArgs(label string, start *uint64) [][]byte {
	owners := append([]byte{1}, alice[:]...)
	opt := []byte{0}
	if start != nil {
		opt = append([]byte{1}, u64(*start)...)
	}
	return [][]byte{str(label), owners, opt}
}

// published runs create for alice and returns the storage with the result applied.
func published(t *testing.T, p *exec.Program) *vm.MapStorage {
	store := vm.NewMapStorage()
	start := uint64(40)
	res := p.Execute(store, txn(alice), &exec.Call{Module: counter, Function: "create", Args: createArgs("hits", &start)})
	if res.Status.Kind != exec.Executed {
		t.Fatalf("create: %v", res.Status)
	}
	if len(res.Changes.Resources) != 1 || res.Changes.Resources[0].Type.String() != "0xc0::counter::Counter" {
		t.Fatalf("create wrote %+v", res.Changes.Resources)
	}
	store.Apply(res.Changes)
	return store
}

func TestExecuteWritesResourcesAndEvents(t *testing.T) {
	p := program(t)
	store := published(t, p)
	want := append(append(u64(40), str("hits")...), append([]byte{1}, alice[:]...)...)
	if got := store.Resources[alice]["0xc0::counter::Counter"]; !bytes.Equal(got, want) {
		t.Fatalf("Counter bytes %x, want %x", got, want)
	}
	res := p.Execute(store, txn(alice), &exec.Call{Module: counter, Function: "bump", Args: [][]byte{u64(2)}})
	if res.Status.Kind != exec.Executed {
		t.Fatalf("bump: %v", res.Status)
	}
	if len(res.Events) != 1 || res.Events[0].Type.String() != "0xc0::counter::Bumped" {
		t.Fatalf("events %+v", res.Events)
	}
	if ev := res.Events[0].Data; !bytes.Equal(ev, append(alice[:], u64(42)...)) {
		t.Fatalf("event data %x", ev)
	}
	if res.GasUsed == 0 {
		t.Fatal("no gas used")
	}
	store.Apply(res.Changes)
	view := p.View(store, &exec.Call{Module: counter, Function: "get", Args: [][]byte{alice[:]}}, 100_000)
	if view.Status.Kind != exec.Executed || len(view.Values) != 2 {
		t.Fatalf("view: %v %+v", view.Status, view.Values)
	}
	if view.Values[0].Type != vm.TU64 || !bytes.Equal(view.Values[0].Data, u64(42)) {
		t.Fatalf("view value %s %x", view.Values[0].Type, view.Values[0].Data)
	}
	if view.Values[1].Type.String() != "0x1::string::String" || !bytes.Equal(view.Values[1].Data, str("hits")) {
		t.Fatalf("view label %s %x", view.Values[1].Type, view.Values[1].Data)
	}
}

func TestExecuteFailures(t *testing.T) {
	p := program(t)
	store := published(t, p)
	cases := []struct {
		name string
		call *exec.Call
		txn  *exec.Txn
		kind exec.StatusKind
		code uint64
		loc  string
	}{
		{"abort", &exec.Call{Module: counter, Function: "bump", Args: [][]byte{u64(5000)}}, txn(alice), exec.MoveAbort, 2, "0xc0::counter"},
		{"missing resource", &exec.Call{Module: counter, Function: "bump", Args: [][]byte{u64(1)}}, txn(vm.AddressFromU64(0xb0b)), exec.ExecutionFailure, 4008, "0xc0::counter"},
		{"arithmetic", &exec.Call{Module: counter, Function: "overflow"}, txn(alice), exec.ExecutionFailure, 4017, "0xc0::counter"},
		{"out of gas", &exec.Call{Module: counter, Function: "spin"}, &exec.Txn{Budget: 1000}, exec.OutOfGas, 0, ""},
		// Aptos checks a String argument without running string::utf8 but
		// reports an invalid one as that function's abort (EINVALID_UTF8).
		{"invalid utf8", &exec.Call{Module: counter, Function: "create", Args: [][]byte{{1, 0xff}, {0}, {0}}}, txn(alice), exec.MoveAbort, 1, "0x1::string"},
		{"option too long", &exec.Call{Module: counter, Function: "create", Args: [][]byte{str("x"), {0}, append(append([]byte{2}, u64(1)...), u64(2)...)}}, txn(alice), exec.MoveAbort, 0x40002, "0x1::option"},
		{"bad bcs", &exec.Call{Module: counter, Function: "bump", Args: [][]byte{{1, 2}}}, txn(alice), exec.MiscError, 1100, ""},
		{"trailing bytes", &exec.Call{Module: counter, Function: "bump", Args: [][]byte{append(u64(1), 9)}}, txn(alice), exec.MiscError, 1100, ""},
		{"argument count", &exec.Call{Module: counter, Function: "bump"}, txn(alice), exec.MiscError, 1098, ""},
		{"signer count", &exec.Call{Module: counter, Function: "bump", Args: [][]byte{u64(1)}}, txn(alice, alice), exec.MiscError, 1101, ""},
		{"not entry", &exec.Call{Module: counter, Function: "not_entry"}, txn(alice), exec.MiscError, 1103, ""},
		{"no function", &exec.Call{Module: counter, Function: "nope"}, txn(alice), exec.MiscError, 1091, ""},
		{"no module", &exec.Call{Module: vm.ModuleID{Addr: alice, Name: "x"}, Function: "f"}, txn(alice), exec.MiscError, 1081, ""},
		{"type arguments", &exec.Call{Module: counter, Function: "spin", TyArgs: []string{"u64"}}, txn(alice), exec.MiscError, 1076, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := p.Execute(store, c.txn, c.call)
			if res.Status.Kind != c.kind || (c.kind != exec.OutOfGas && res.Status.Code != c.code) {
				t.Fatalf("status %+v, want kind %d code %d", res.Status, c.kind, c.code)
			}
			if c.loc != "" && res.Status.Location.String() != c.loc {
				t.Fatalf("location %s, want %s", res.Status.Location, c.loc)
			}
			if res.Changes != nil {
				t.Fatal("a failed execution returned changes")
			}
		})
	}
}

func TestParseType(t *testing.T) {
	p := program(t).VM
	for _, s := range []string{"u64", "vector<u8>", "vector<vector<address>>", "0x1::string::String",
		"0x1::option::Option<0x1::string::String>", "0xc0::counter::Counter",
		"0x0000000000000000000000000000000000000000000000000000000000000001::option::Option<u8>"} {
		if _, err := p.ParseType(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"u9", "vector<>", "0x1::nope::T", "0x1::option::Option", "0x1::option::Option<u8", "0x1::string::String<u8>"} {
		if _, err := p.ParseType(s); err == nil {
			t.Errorf("%s: parsed", s)
		}
	}
}

// TestConcurrentExecutions runs many executions of one program at once.
func TestConcurrentExecutions(t *testing.T) {
	p := program(t)
	store := published(t, p)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				res := p.Execute(store, txn(alice), &exec.Call{Module: counter, Function: "bump", Args: [][]byte{u64(1)}})
				if res.Status.Kind != exec.Executed || len(res.Changes.Resources) != 1 {
					errs <- res.Status.String()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzEntryArguments feeds untrusted argument bytes to an entry function:
// every outcome must be a status, never a crash, and failures change nothing.
func FuzzEntryArguments(f *testing.F) {
	f.Add([]byte{4, 'h', 'i', 't', 's'}, []byte{1, 0}, []byte{0})
	f.Add([]byte{1, 0xff}, []byte{0}, []byte{2, 1, 2})
	f.Add([]byte{}, []byte{0x80}, []byte{1})
	f.Fuzz(func(t *testing.T, label, owners, start []byte) {
		p := program(t)
		res := p.Execute(vm.NewMapStorage(), txn(alice), &exec.Call{Module: counter, Function: "create", Args: [][]byte{label, owners, start}})
		if res.Status.Kind != exec.Executed && res.Changes != nil {
			t.Fatal("failed execution returned changes")
		}
		if res.Status.Kind == exec.Executed && len(res.Changes.Resources) != 1 {
			t.Fatalf("executed without writing the counter: %+v", res.Changes)
		}
	})
}

// TestTransactionContext checks what transaction_context reports inside a
// user transaction (and that a view, which runs outside one, aborts with
// invalid_state(1) in 0x1::transaction_context as on Aptos).
func TestTransactionContext(t *testing.T) {
	p := program(t)
	store := vm.NewMapStorage()
	now := uint64(1_700_000_000_123_456)
	bits := framework.DefaultFeatureBits()
	store.Resources[vm.AddressFromU64(1)] = map[string][]byte{
		"0x1::timestamp::CurrentTimeMicroseconds": u64(now),
		"0x1::features::Features":                 append([]byte{byte(len(bits))}, bits...),
	}
	bob, carol := vm.AddressFromU64(0xb0b), vm.AddressFromU64(0xca201)
	tx := txn(alice, bob)
	tx.FeePayer = &carol
	tx.MaxGasAmount, tx.GasUnitPrice, tx.Index = 5000, 150, 3
	arg := u64(77)
	res := p.Execute(store, tx, &exec.Call{Module: counter, Function: "context", Args: [][]byte{arg}})
	if res.Status.Kind != exec.Executed || len(res.Events) != 1 {
		t.Fatalf("context: %v, %d events", res.Status, len(res.Events))
	}
	var want []byte
	want = append(want, alice[:]...)
	want = append(append(want, 1), bob[:]...)
	want = append(want, carol[:]...)
	want = append(append(want, u64(5000)...), u64(150)...)
	want = append(want, 4) // chain id
	want = append(want, 0) // script hash: empty for an entry function
	want = append(want, str("context")...)
	want = append(append(want, 1, 8), arg...)
	want = append(want, 2)
	for local := uint64(1); local <= 2; local++ {
		// time << 56 | index << 24 | local counter, as a little-endian u128.
		want = append(append(want, u64(now<<56|3<<24|local)...), u64(now>>8)...)
	}
	if got := res.Events[0].Data; !bytes.Equal(got, want) {
		t.Fatalf("context event\n got %x\nwant %x", got, want)
	}

	view := p.View(store, &exec.Call{Module: counter, Function: "view_sender"}, 100_000)
	if view.Status.Kind != exec.MoveAbort || view.Status.Code != 0x30001 || view.Status.Location.String() != "0x1::transaction_context" {
		t.Fatalf("sender() in a view: %+v", view.Status)
	}
}

// TestArgumentValidation follows Aptos's transaction argument validation:
// parameter types are checked before any argument is read
// (INVALID_MAIN_FUNCTION_SIGNATURE, ahead of the argument count), public
// copy structs and enums are built field by field, private ones and
// resources are refused, and at most 32 structs are built per argument.
func TestArgumentValidation(t *testing.T) {
	p := program(t)
	store := published(t, p)
	take := func(ty string, args ...[]byte) *exec.Call {
		return &exec.Call{Module: counter, Function: "take", TyArgs: []string{ty}, Args: args}
	}
	some := func(n int) []byte {
		b := []byte{byte(n)}
		for i := 0; i < n; i++ {
			b = append(append(b, 1), u64(uint64(i))...)
		}
		return b
	}
	point := append(u64(1), u64(^uint64(1))...) // Point { x: 1, y: -2 }
	line := append(append([]byte{1}, point...), point...)
	cases := []struct {
		name string
		call *exec.Call
		kind exec.StatusKind
		code uint64
		got  []byte // the BCS the function saw, when it ran
	}{
		{"u64", take("u64", u64(7)), exec.Executed, 0, u64(7)},
		{"signed", take("i64", u64(^uint64(4))), exec.Executed, 0, u64(^uint64(4))},
		{"public struct", take("0xc0::counter::Point", point), exec.Executed, 0, point},
		{"public enum", take("0xc0::counter::Shape", line), exec.Executed, 0, line},
		{"empty variant", take("0xc0::counter::Shape", []byte{0}), exec.Executed, 0, []byte{0}},
		{"bad variant", take("0xc0::counter::Shape", []byte{2}), exec.MiscError, 1100, nil},
		{"private struct", take("0xc0::counter::Secret", u64(1)), exec.MiscError, 1011, nil},
		{"resource", take("0xc0::counter::Keyed", u64(1)), exec.MiscError, 1011, nil},
		{"signer", take("signer", alice[:]), exec.MiscError, 1011, nil},
		{"signature before count", take("signer"), exec.MiscError, 1011, nil},
		{"count", take("u64"), exec.MiscError, 1098, nil},
		{"32 options", take("vector<0x1::option::Option<u64>>", some(32)), exec.Executed, 0, some(32)},
		{"33 options", take("vector<0x1::option::Option<u64>>", some(33)), exec.MiscError, 1100, nil},
		{"strings are not counted", take("vector<0x1::string::String>", append([]byte{40}, bytes.Repeat([]byte{1, 'a'}, 40)...)), exec.Executed, 0,
			append([]byte{40}, bytes.Repeat([]byte{1, 'a'}, 40)...)},
		// Aptos's own e2e cases (string_args): invalid UTF-8 anywhere is
		// string::utf8's abort; a length past the end is a deserialization
		// failure.
		{"invalid utf8 in a vector", take("vector<0x1::string::String>", []byte{2, 1, 'a', 2, 0xc3, 0x28}), exec.MoveAbort, 1, nil},
		{"string longer than its bytes", take("0x1::string::String", append([]byte{0xa0, 0x8d, 0x06}, bytes.Repeat([]byte{'0'}, 17)...)), exec.MiscError, 1100, nil},
		{"option of a private struct: none", &exec.Call{Module: counter, Function: "maybe_secret", Args: [][]byte{{0}}}, exec.Executed, 0, []byte{0}},
		{"option of a private struct: some", &exec.Call{Module: counter, Function: "maybe_secret", Args: [][]byte{append([]byte{1}, u64(3)...)}}, exec.MiscError, 1011, nil},
	}
	shapes := append([]byte{2, 0}, line...) // vector[Shape::Dot, Shape::Line(..)]
	res := p.Execute(store, txn(alice), &exec.Call{Module: counter, Function: "shapes", Args: [][]byte{point, shapes}})
	if res.Status.Kind != exec.Executed || len(res.Events) != 2 {
		t.Fatalf("declared struct parameters: %+v", res.Status)
	}
	if !bytes.Equal(res.Events[0].Data[1:], point) || !bytes.Equal(res.Events[1].Data[1:], shapes) {
		t.Fatalf("declared struct parameters saw %x and %x", res.Events[0].Data, res.Events[1].Data)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := p.Execute(store, txn(alice), c.call)
			if res.Status.Kind != c.kind || (c.kind != exec.Executed && res.Status.Code != c.code) {
				t.Fatalf("status %+v, want kind %d code %d", res.Status, c.kind, c.code)
			}
			if c.kind == exec.MoveAbort && res.Status.Location.String() != "0x1::string" {
				t.Fatalf("aborted in %s", res.Status.Location)
			}
			if c.kind != exec.Executed {
				return
			}
			if len(res.Events) != 1 {
				t.Fatalf("%d events", len(res.Events))
			}
			// Got { bytes: vector<u8> }: the ULEB128 length, then the argument's BCS.
			want := binary.AppendUvarint(nil, uint64(len(c.got)))
			if want = append(want, c.got...); !bytes.Equal(res.Events[0].Data, want) {
				t.Fatalf("the function saw %x, want %x", res.Events[0].Data, want)
			}
		})
	}
}

// TestNativeCryptoGas: under a schedule in Aptos internal gas units (the
// node's), a signature verification costs what Aptos charges for it
// (981,492 units for the strict verification alone); under the unit-test
// schedule the same cost is scaled to instructions.
func TestNativeCryptoGas(t *testing.T) {
	p := program(t)
	// RFC 8032, section 7.1, test 1.
	pk := unhexT(t, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
	sig := unhexT(t, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
	arg := func(b []byte) []byte { return append([]byte{byte(len(b))}, b...) }
	call := &exec.Call{Module: counter, Function: "check_signature", Args: [][]byte{arg(sig), arg(pk), {0}}}
	internal := *vm.DefaultSchedule
	internal.InternalUnits = true
	node := &exec.Program{VM: p.VM, Schedule: &internal}
	tx := txn()
	tx.Budget = 10_000_000
	res := node.Execute(vm.NewMapStorage(), tx, call)
	if res.Status.Kind != exec.Executed || res.GasUsed < 981_492+139_688 {
		t.Fatalf("internal units: %v, gas %d", res.Status, res.GasUsed)
	}
	tests := p.Execute(vm.NewMapStorage(), tx, call)
	if tests.Status.Kind != exec.Executed || tests.GasUsed >= res.GasUsed/100 {
		t.Fatalf("instruction units: %v, gas %d (internal: %d)", tests.Status, tests.GasUsed, res.GasUsed)
	}
	// A budget below Aptos's cost runs out of gas.
	tx.Budget = 500_000
	if out := node.Execute(vm.NewMapStorage(), tx, call); out.Status.Kind != exec.OutOfGas {
		t.Fatalf("small budget: %v", out.Status)
	}
}

func unhexT(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRandomnessEntryFunctions: a private #[randomness] entry function may
// draw (the same draws for the same seed, transaction hash and counter);
// a public one aborts with E_API_USE_IS_BIASIBLE in 0x1::randomness.
func TestRandomnessEntryFunctions(t *testing.T) {
	p := program(t)
	store := vm.NewMapStorage()
	bits := framework.DefaultFeatureBits()
	// PerBlockRandomness { epoch, round, seed: some(32 bytes of 5) }
	seeded := append(append(append(u64(1), u64(2)...), 1, 32), bytes.Repeat([]byte{5}, 32)...)
	store.Resources[vm.AddressFromU64(1)] = map[string][]byte{
		"0x1::features::Features":             append([]byte{byte(len(bits))}, bits...),
		"0x1::randomness::PerBlockRandomness": seeded,
	}
	roll := &exec.Call{Module: counter, Function: "roll"}
	first := p.Execute(store, txn(), roll)
	// RandomnessGeneratedEvent, then Got { bytes: bcs(u64) }.
	if first.Status.Kind != exec.Executed || len(first.Events) != 2 ||
		first.Events[0].Type.String() != "0x1::randomness::RandomnessGeneratedEvent" {
		t.Fatalf("roll: %v, %d events", first.Status, len(first.Events))
	}
	n := binary.LittleEndian.Uint64(first.Events[1].Data[1:])
	if n < 1 || n > 6 {
		t.Fatalf("die roll %d", n)
	}
	again := p.Execute(store, txn(), roll)
	if !bytes.Equal(again.Events[1].Data, first.Events[1].Data) {
		t.Fatal("the same seed and transaction drew differently")
	}
	res := p.Execute(store, txn(), &exec.Call{Module: counter, Function: "roll_public"})
	if res.Status.Kind != exec.MoveAbort || res.Status.Code != 1 || res.Status.Location.String() != "0x1::randomness" {
		t.Fatalf("public draw: %+v", res.Status)
	}
}

package movevm

import (
	"bytes"
	"crypto/sha3"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// chain is genesis applied to an overlay, enough to run calls against.
type chain struct {
	e  *Executor
	ov *state.Overlay
}

func genesis(t testing.TB, opts Options) *chain {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	faucet := aptos.AccountAddress{28: 0x0a, 29: 0x55, 30: 0x0c, 31: 0x18}
	out, err := e.Genesis(&node.GenesisSpec{ChainID: 4, Timestamp: 1_700_000_000_000_000, Faucet: faucet, FaucetKey: [32]byte{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	ov := state.NewOverlay(emptyView{})
	ov.Apply(out.Writes)
	return &chain{e: e, ov: ov}
}

func (c *chain) run(t testing.TB, sender aptos.AccountAddress, module aptos.AccountAddress, name, fn string, args ...[]byte) node.Status {
	t.Helper()
	out, err := c.e.Execute(c.ov, &node.TxnContext{Senders: []aptos.AccountAddress{sender}, ChainID: 4, Budget: 1 << 40},
		&aptos.EntryFunction{Module: aptos.ModuleId{Address: module, Name: name}, Function: fn, ArgTypes: []aptos.TypeTag{}, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status.Success() {
		c.ov.Apply(out.Writes)
	}
	return out.Status
}

func TestGenesisFrameworkAndFaucet(t *testing.T) {
	c := genesis(t, Options{})
	faucet := aptos.AccountAddress{28: 0x0a, 29: 0x55, 30: 0x0c, 31: 0x18}
	acct, err := c.e.Account(c.ov, faucet)
	if err != nil || !acct.Exists || acct.AuthenticationKey != [32]byte{1, 2, 3} || acct.SequenceNumber != 0 {
		t.Fatalf("faucet account %+v, %v", acct, err)
	}
	bal, err := c.e.Balance(c.ov, faucet)
	if err != nil || bal == 0 {
		t.Fatalf("faucet balance %d, %v", bal, err)
	}
	// The fast path and coin::balance in Move agree.
	if slow, err := c.e.moveBalance(c.ov, faucet); err != nil || slow != bal {
		t.Fatalf("balance %d from the store, %d from Move (%v)", bal, slow, err)
	}
	// A never-used address is a stateless account.
	fresh := aptos.AccountAddress{31: 0x77}
	if acct, _ := c.e.Account(c.ov, fresh); acct.Exists || acct.AuthenticationKey != fresh {
		t.Fatalf("fresh account %+v", acct)
	}
	if _, ok := c.ov.Get(state.ResourceKey(aptos.AccountOne, "0x1::chain_id::ChainId")); !ok {
		t.Fatal("no chain id resource")
	}
	// Block time moves forward only.
	if _, err := c.e.BlockPrologue(c.ov, &node.BlockInfo{Proposer: node.Validator, Timestamp: 1_700_000_000_000_001}); err != nil {
		t.Fatal(err)
	}
	out, _ := c.e.BlockPrologue(c.ov, &node.BlockInfo{Proposer: node.Validator, Timestamp: 1_700_000_000_000_002})
	c.ov.Apply(out.Writes)
	if _, err := c.e.BlockPrologue(c.ov, &node.BlockInfo{Proposer: node.Validator, Timestamp: 5}); err == nil {
		t.Fatal("time went backwards")
	}
	// The epilogue burns the fee and advances the sequence number.
	epi, err := c.e.Epilogue(c.ov, faucet, faucet, 1234)
	if err != nil || !epi.Status.Success() {
		t.Fatalf("epilogue %+v, %v", epi, err)
	}
	c.ov.Apply(epi.Writes)
	after, _ := c.e.Balance(c.ov, faucet)
	acct, _ = c.e.Account(c.ov, faucet)
	if after != bal-1234 || acct.SequenceNumber != 1 {
		t.Fatalf("after the epilogue: balance %d (was %d), sequence %d", after, bal, acct.SequenceNumber)
	}
	// A payer without the fee fails the epilogue.
	if epi, _ := c.e.Epilogue(c.ov, fresh, fresh, 1); epi.Status.Success() {
		t.Fatal("an empty account paid a fee")
	}
}

func TestPackageStatusesAndLayouts(t *testing.T) {
	c := genesis(t, Options{PackageDir: "testdata/probe", NamedAddress: "probe"})
	pub := PublisherAccount()
	if a, ok := c.e.PublisherAddress(); !ok || a != pub {
		t.Fatalf("publisher %v %v", a, ok)
	}
	if _, ok := c.ov.Get(state.ResourceKey(pub, pub.StringShort()+"::probe::Config")); !ok {
		t.Fatal("init_module did not run")
	}
	u64 := func(v uint64) []byte { b, _ := bcs.SerializeU64(v); return b }
	user := aptos.AccountAddress{31: 0x42}

	st := c.run(t, user, pub, "probe", "boom", u64(0x10007))
	if st.Kind != node.MoveAbort || st.AbortCode != 0x10007 || st.Reason != "EASKED" || st.Description != "The caller asked for this abort." {
		t.Fatalf("named abort %+v", st)
	}
	if got := st.VMStatus(); got != "Move abort in "+pub.StringShort()+"::probe: EASKED(0x10007): The caller asked for this abort." {
		t.Fatalf("vm_status %q", got)
	}
	if st := c.run(t, user, pub, "probe", "boom", u64(99)); st.Reason != "" || st.VMStatus() != "Move abort in "+pub.StringShort()+"::probe: 0x63" {
		t.Fatalf("unnamed abort %q", st.VMStatus())
	}
	note, _ := bcs.SerializeBytes([]byte("n"))
	if st := c.run(t, user, pub, "probe", "bump", u64(1<<63), note); !st.Success() {
		t.Fatalf("bump: %s", st.VMStatus())
	}
	st = c.run(t, user, pub, "probe", "bump", u64(1<<63), note)
	if st.Kind != node.ExecutionFailure || st.Code != node.StatusArithmeticError || st.Function != "bump" {
		t.Fatalf("overflow %+v", st)
	}
	bad, _ := bcs.SerializeBytes([]byte{0xff, 0xfe})
	// As on Aptos (struct constructor arguments on): the abort of
	// string::utf8, with the framework's error description.
	if st := c.run(t, user, pub, "probe", "bump", u64(1), bad); !strings.HasPrefix(st.VMStatus(), "Move abort in 0x1::string: EINVALID_UTF8(0x1): ") {
		t.Fatalf("invalid UTF-8 string: %q", st.VMStatus())
	}
	out, _ := c.e.Execute(c.ov, &node.TxnContext{Senders: []aptos.AccountAddress{user}, ChainID: 4, Budget: 10_000},
		&aptos.EntryFunction{Module: aptos.ModuleId{Address: pub, Name: "probe"}, Function: "spin", ArgTypes: []aptos.TypeTag{}, Args: [][]byte{u64(1 << 30)}})
	if out.Status.Kind != node.OutOfGas || out.GasUsed == 0 {
		t.Fatalf("small budget: %+v", out.Status)
	}
	for name, want := range map[string]node.StatusCode{"nope": node.StatusFunctionResolutionFailure, "value": node.StatusEntryFunctionOnNonEntryFunction} {
		if st := c.run(t, user, pub, "probe", name, user[:]); st.Code != want || st.Kind != node.MiscError {
			t.Fatalf("%s: %+v", name, st)
		}
	}
	if st := c.run(t, user, pub, "nope", "f"); st.Code != node.StatusLinkerError {
		t.Fatalf("unknown module: %+v", st)
	}

	// A view returns BCS with layouts that render as the API shows them.
	res, err := c.e.View(c.ov, &aptos.EntryFunction{Module: aptos.ModuleId{Address: pub, Name: "probe"}, Function: "value",
		ArgTypes: []aptos.TypeTag{}, Args: [][]byte{user[:]}}, 1<<40)
	if err != nil || !res.Status.Success() {
		t.Fatalf("view: %+v %v", res, err)
	}
	if j, _ := movevalue.JSON(nil, res.Layouts[0], res.Values[0]); string(j) != `"9223372036854775808"` {
		t.Fatalf("value = %s", j)
	}
	tag, _ := aptos.ParseTypeTag(pub.StringShort() + "::probe::Counter")
	l, err := c.e.Layout(*tag)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.ov.Get(state.ResourceKey(user, tag.String()))
	if j, err := movevalue.JSON(nil, l, b); err != nil || !json.Valid(j) || !strings.Contains(string(j), `"note":"n"`) {
		t.Fatalf("counter %s %v", j, err)
	}
	// A struct without fields shows as dummy_field, as the Aptos compiler lays it out.
	capTag, _ := aptos.ParseTypeTag("0x1::coin::BurnCapability<0x1::aptos_coin::AptosCoin>")
	if l, err := c.e.Layout(*capTag); err != nil || len(l.Fields) != 1 || l.Fields[0].Name != "dummy_field" {
		t.Fatalf("empty struct layout %+v %v", l, err)
	}
	// The ABI lists exposed functions with their signatures.
	m, ok := c.e.Module(pub, "probe")
	if !ok {
		t.Fatal("no probe module")
	}
	var bump *node.FunctionABI
	for i, f := range m.ABI.Functions {
		if f.Name == "bump" {
			bump = &m.ABI.Functions[i]
		}
		if f.Name == "init_module" {
			t.Fatal("a private function is exposed")
		}
	}
	if bump == nil || !bump.IsEntry || strings.Join(bump.Params, ",") != "&signer,u64,0x1::string::String" {
		t.Fatalf("bump ABI %+v", bump)
	}
}

func TestInitOrderFollowsDependencies(t *testing.T) {
	e, err := New(Options{PackageDir: "../../../move", NamedAddress: "agi_nostr"})
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, m := range e.initOrder {
		pos[m.ID.Name] = i
	}
	// vault calls governance; market calls both.
	if !(pos["governance"] < pos["vault"] && pos["vault"] < pos["market"]) {
		var names []string
		for _, m := range e.initOrder {
			names = append(names, m.ID.Name)
		}
		t.Fatalf("init order %v", names)
	}
	if _, err := New(Options{PackageDir: "../../../move"}); err == nil {
		t.Fatal("a package with an unassigned address loaded")
	}
}

func TestErrorMapParsing(t *testing.T) {
	for in, want := range map[string]uint64{"7": 7, "0x1F": 31, "1_000u64": 1000, "0xffu8": 255} {
		if got, ok := parseNumber(in); !ok || got != want {
			t.Errorf("%s: %d %v", in, got, ok)
		}
	}
	lines := strings.Split("    /// First line.\n    /// Second line.\n    #[attr]\n    const EX: u64 = 1;", "\n")
	if got := docComment(lines, 4); got != "First line. Second line." {
		t.Errorf("doc %q", got)
	}
	mods := []*vm.Module{{ID: vm.ModuleID{Name: "a"}}, {ID: vm.ModuleID{Name: "b"}}}
	if got := dependencyOrder(mods); len(got) != 2 {
		t.Errorf("order of independent modules %v", got)
	}
}

// FuzzExecute feeds arbitrary argument bytes and type arguments to entry
// functions and views: every call must end in a status, never a panic.
func FuzzExecute(f *testing.F) {
	e, err := New(Options{PackageDir: "testdata/probe", NamedAddress: "probe"})
	if err != nil {
		f.Fatal(err)
	}
	out, err := e.Genesis(&node.GenesisSpec{ChainID: 4, Faucet: aptos.AccountAddress{31: 9}})
	if err != nil {
		f.Fatal(err)
	}
	base := state.NewOverlay(emptyView{})
	base.Apply(out.Writes)
	pub := PublisherAccount()
	calls := []struct {
		module aptos.AccountAddress
		name   string
		fn     string
	}{
		{pub, "probe", "bump"}, {pub, "probe", "echo"}, {pub, "probe", "value"},
		{aptos.AccountOne, "aptos_account", "transfer"}, {aptos.AccountOne, "coin", "balance"},
		{aptos.AccountOne, "aptos_account", "transfer_coins"},
	}
	f.Add(uint8(0), "", []byte{1, 0, 0, 0, 0, 0, 0, 0}, []byte{1, 'x'})
	f.Add(uint8(1), "", []byte{1, 7}, []byte{2, 0xce, 0xbb})
	f.Add(uint8(4), "0x1::aptos_coin::AptosCoin", make([]byte, 32), []byte(nil))
	f.Add(uint8(5), "vector<0x1::string::String>", make([]byte, 32), []byte{0xff})
	f.Fuzz(func(t *testing.T, which uint8, tyArg string, a, b []byte) {
		c := calls[int(which)%len(calls)]
		ef := &aptos.EntryFunction{Module: aptos.ModuleId{Address: c.module, Name: c.name}, Function: c.fn,
			ArgTypes: []aptos.TypeTag{}, Args: [][]byte{a, b}}
		if tyArg != "" {
			if tag, err := movevalue.ParseTypeTag(tyArg); err == nil {
				ef.ArgTypes = append(ef.ArgTypes, *tag)
			}
		}
		ctx := &node.TxnContext{Senders: []aptos.AccountAddress{{31: 5}}, ChainID: 4, Budget: 1 << 24}
		if _, err := e.Execute(state.NewOverlay(base), ctx, ef); err != nil {
			t.Fatal(err)
		}
		if _, err := e.View(state.NewOverlay(base), ef, 1<<24); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBlockRandomnessSeed: genesis publishes PerBlockRandomness and each
// block prologue sets its seed, sha3-256 of a tag and the block hash.
func TestBlockRandomnessSeed(t *testing.T) {
	c := genesis(t, Options{})
	hash := [32]byte{9, 8, 7}
	out, err := c.e.BlockPrologue(c.ov, &node.BlockInfo{Proposer: node.Validator, Timestamp: 1_700_000_000_000_001, Epoch: 1, Round: 5, Hash: hash})
	if err != nil {
		t.Fatal(err)
	}
	c.ov.Apply(out.Writes)
	got, ok := c.ov.Get(state.ResourceKey(aptos.AccountOne, "0x1::randomness::PerBlockRandomness"))
	if !ok {
		t.Fatal("no PerBlockRandomness")
	}
	seed := sha3.Sum256(append([]byte("APTOS_LOCALNET_RANDOMNESS_SEED"), hash[:]...))
	want := append(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 1), 5), 1, 32)
	if want = append(want, seed[:]...); !bytes.Equal(got, want) {
		t.Fatalf("PerBlockRandomness %x, want %x", got, want)
	}
}

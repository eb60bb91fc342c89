package exec_test

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/exec"
	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

var benchMod = vm.ModuleID{Addr: vm.AddressFromU64(0xbe), Name: "bench"}

func benchProgram(b *testing.B) *exec.Program {
	p, err := exec.Load([]string{"testdata/bench"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// runLoop calls bench::<fn>(args) b.N times and reports interpreted
// instructions per second and the ratio to the same loop in Go.
func runLoop(b *testing.B, fn string, n uint64, signer bool, native func(uint64) uint64) {
	p := benchProgram(b)
	f := p.VM.Lookup(benchMod.Addr, benchMod.Name, fn)
	var instrs uint64
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		s := p.VM.NewSession(nil, 1<<62, nil)
		args := []vm.Value{vm.U64(n)}
		if signer {
			sv := vm.SignerValue(vm.AddressFromU64(5))
			args = []vm.Value{vm.RefTo(&sv), vm.U64(n)}
		}
		if _, err := s.Call(f, nil, args); err != nil {
			b.Fatal(err)
		}
		instrs += s.GasUsed()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(instrs)/elapsed.Seconds()/1e6, "Minstr/s")
	// Baseline: the same work in Go, timed in this run.
	var sink uint64
	gs := time.Now()
	for i := 0; i < b.N; i++ {
		sink += native(n)
	}
	goTime := time.Since(gs)
	if sink == 42 {
		b.Log(sink)
	}
	b.ReportMetric(float64(elapsed)/float64(goTime), "x-slower-than-Go")
}

func BenchmarkArithLoop(b *testing.B) {
	runLoop(b, "arith", 100_000, false, func(n uint64) uint64 {
		var s uint64
		for i := uint64(0); i < n; i++ {
			s = (s + i*3) % 1000003
		}
		return s
	})
}

func BenchmarkVectorLoop(b *testing.B) {
	runLoop(b, "vectors", 20_000, false, func(n uint64) uint64 {
		v := []uint64{}
		for i := uint64(0); i < n; i++ {
			v = append(v, i)
		}
		var s uint64
		for i := uint64(0); i < n; i++ {
			s += v[i]
		}
		for i := uint64(1); i < n; i++ {
			v[i-1], v[i] = v[i], v[i-1]
		}
		for len(v) > 0 {
			s += v[len(v)-1]
			v = v[:len(v)-1]
		}
		return s
	})
}

func BenchmarkGlobalStorageLoop(b *testing.B) {
	runLoop(b, "globals", 20_000, true, func(n uint64) uint64 {
		store := map[[40]byte]*uint64{}
		var k [40]byte
		k[39] = 5
		store[k] = new(uint64)
		for i := uint64(0); i < n; {
			*store[k]++
			if _, ok := store[k]; ok {
				i++
			}
		}
		return *store[k]
	})
}

// BenchmarkParseCheck compiles the embedded framework (MoveStdlib,
// AptosStdlib, AptosFramework) from source and reports the time per 1,000
// lines; the baseline is lexing the same text.
func BenchmarkParseCheck(b *testing.B) {
	var srcs []check.Source
	lines := 0
	var pkgs []*check.Package
	fwp := build.CurrentFramework().Packages
	for _, name := range []string{"MoveStdlib", "AptosStdlib", "AptosFramework"} {
		fsys := fwp[name]
		p := &check.Package{Name: name}
		fs.WalkDir(fsys, "sources", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".move") {
				return err
			}
			data, _ := fs.ReadFile(fsys, path)
			src := check.Source{Name: name + "/" + path, Text: string(data)}
			p.Sources = append(p.Sources, src)
			srcs = append(srcs, src)
			lines += strings.Count(src.Text, "\n")
			return nil
		})
		pkgs = append(pkgs, p)
	}
	addrs := map[string]vm.Address{}
	for k, v := range map[string]uint64{"std": 1, "aptos_std": 1, "aptos_framework": 1, "vm": 0, "aptos_fungible_asset": 0xa,
		"aptos_token": 3, "core_resources": 0xA550C18, "vm_reserved": 0} {
		addrs[k] = vm.AddressFromU64(v)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := check.Compile(pkgs, check.Options{Addresses: addrs}); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	perK := elapsed.Seconds() * 1000 / float64(b.N) / float64(lines) * 1000
	b.ReportMetric(perK, "ms/1000lines")
	b.ReportMetric(float64(lines), "lines")
	ls := time.Now()
	for i := 0; i < b.N; i++ {
		for _, s := range srcs {
			if _, err := syntax.Lex(s.Name, s.Text); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(elapsed)/float64(time.Since(ls)), "x-lexing")
}

// BenchmarkEntryFunction executes a transaction (counter::bump: a
// signer, a BCS argument, a resource read and write, a module event) and
// reports transactions per second.
func BenchmarkEntryFunction(b *testing.B) {
	p := program(b)
	store := vm.NewMapStorage()
	start := uint64(1)
	res := p.Execute(store, txn(alice), &exec.Call{Module: counter, Function: "create", Args: createArgs("b", &start)})
	if res.Status.Kind != exec.Executed {
		b.Fatal(res.Status)
	}
	store.Apply(res.Changes)
	call := &exec.Call{Module: counter, Function: "bump", Args: [][]byte{u64(1)}}
	b.ResetTimer()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		if r := p.Execute(store, txn(alice), call); r.Status.Kind != exec.Executed {
			b.Fatal(r.Status)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "txn/s")
}

// BenchmarkAPTTransfer executes 0x1::aptos_account::transfer (APT through
// the fungible-asset primary stores, with events) after the localnet
// genesis, the transaction the localnet node runs most.
func BenchmarkAPTTransfer(b *testing.B) {
	p := program(b)
	store := vm.NewMapStorage()
	one := vm.AddressFromU64(1)
	core := vm.AddressFromU64(0xA550C18)
	gen := p.VM.Lookup(one, "genesis", "initialize_localnet")
	fx, cr := vm.SignerValue(one), vm.SignerValue(core)
	res := p.Run(store, &exec.Txn{Senders: []vm.Address{one}, Hash: make([]byte, 32), ChainID: 4, Budget: 1 << 40}, gen, nil,
		[]vm.Value{vm.RefTo(&fx), vm.RefTo(&cr), vm.U64(4), vm.VectorOf(nil)})
	if res.Status.Kind != exec.Executed {
		b.Fatalf("genesis: %v", res.Status)
	}
	store.Apply(res.Changes)
	aptosAccount := vm.ModuleID{Addr: one, Name: "aptos_account"}
	// fund alice from the faucet
	res = p.Execute(store, txn(core), &exec.Call{Module: vm.ModuleID{Addr: one, Name: "aptos_coin"}, Function: "mint", Args: [][]byte{alice[:], u64(1 << 40)}})
	if res.Status.Kind != exec.Executed {
		b.Fatalf("mint: %v", res.Status)
	}
	store.Apply(res.Changes)
	bob := vm.AddressFromU64(0xb0b)
	call := &exec.Call{Module: aptosAccount, Function: "transfer", Args: [][]byte{bob[:], u64(10)}}
	var gas uint64
	b.ResetTimer()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		r := p.Execute(store, txn(alice), call)
		if r.Status.Kind != exec.Executed {
			b.Fatal(r.Status)
		}
		gas += r.GasUsed
	}
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "txn/s")
	b.ReportMetric(float64(gas)/float64(b.N), "instr/txn")
}

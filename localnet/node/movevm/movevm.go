// Package movevm runs the node's Move: it loads the framework and the
// project's package from source into one program with the project's
// interpreter (localnet/move) and implements node.Executor on it: genesis,
// the block prologue, entry functions with Aptos's argument validation,
// view functions, the fee-charging epilogue, and the layouts and ABIs the
// REST API renders with.
package movevm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/exec"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
	"github.com/agi-nostr/agi-nostr/localnet/node"
)

// Options say what to load.
type Options struct {
	// PackageDir is the Move package published at genesis; empty runs the
	// framework alone.
	PackageDir string
	// NamedAddress is the package's named address that is set to the
	// publisher account (PublisherAccount).
	NamedAddress string
}

// Executor is the Move executor of a node.
type Executor struct {
	prog      *vm.Program
	ep        *exec.Program // the VM's embedding API over prog
	sched     *vm.GasSchedule
	packages  []string
	publisher aptos.AccountAddress
	published bool
	// initOrder lists the package's modules in dependency order, the order
	// init_module runs in, as publishing a bundle runs it.
	initOrder []*vm.Module
	modules   map[aptos.AccountAddress][]*node.ModuleInfo

	// Framework entry points the node calls, resolved once.
	fnInitialize  *vm.Function // 0x1::genesis::initialize_localnet
	fnRotate      *vm.Function // 0x1::account::rotate_authentication_key_internal
	fnIncrement   *vm.Function // 0x1::account::increment_sequence_number
	fnBalance     *vm.Function // 0x1::coin::balance
	fnBurnFrom    *vm.Function // 0x1::coin::burn_from
	fnUpdateTime  *vm.Function // 0x1::timestamp::update_global_time
	fnRandomness  *vm.Function // 0x1::randomness::on_new_block
	tAptosCoin    *vm.Type
	tBurnCap      *vm.Type
	accountTag    string
	layouts       sync.Map // *vm.Type -> layoutResult
	errorMaps     map[vm.ModuleID]map[uint64]errorInfo
	errorMapsOnce sync.Once
	sources       map[string]string // Move source text by file name, for error maps
}

var _ node.Executor = (*Executor)(nil)

// New loads the framework and, when given, the package.
func New(opts Options) (*Executor, error) {
	e := &Executor{sched: gasSchedule(), publisher: PublisherAccount()}
	dir := opts.PackageDir
	if dir == "" {
		// The framework alone: an empty package that depends on it.
		tmp, err := os.MkdirTemp("", "localnet-framework-")
		if err != nil {
			return nil, fmt.Errorf("load framework: %w", err)
		}
		defer os.RemoveAll(tmp)
		manifest := "[package]\nname = \"LocalnetGenesis\"\nversion = \"1.0.0\"\n\n[dependencies]\nAptosFramework = { local = \"framework\" }\n"
		if err := os.WriteFile(filepath.Join(tmp, "Move.toml"), []byte(manifest), 0o644); err != nil {
			return nil, fmt.Errorf("load framework: %w", err)
		}
		if err := os.Mkdir(filepath.Join(tmp, "sources"), 0o755); err != nil {
			return nil, fmt.Errorf("load framework: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "sources", "framework.move"), []byte("// The framework alone.\n"), 0o644); err != nil {
			return nil, fmt.Errorf("load framework: %w", err)
		}
		dir = tmp
	}
	named := map[string]vm.Address{}
	if opts.NamedAddress != "" {
		named[opts.NamedAddress] = vm.Address(e.publisher)
	}
	built, err := build.Build(dir, build.Options{NamedAddresses: named})
	if err != nil {
		return nil, fmt.Errorf("load Move package %s: %w", opts.PackageDir, err)
	}
	e.prog = built.Program
	e.ep = &exec.Program{VM: e.prog, Schedule: e.sched}
	e.sources = map[string]string{}
	for _, p := range built.Packages {
		for _, src := range p.Sources {
			e.sources[src.Name] = src.Text
		}
	}
	if missing := e.prog.MissingNatives(); len(missing) > 0 {
		return nil, fmt.Errorf("Move natives without an implementation: %s", strings.Join(missing, ", "))
	}
	e.packages = append(e.packages, built.Deps...)
	if opts.PackageDir != "" {
		e.packages = append(e.packages, built.Root.Name)
		e.published = true
		for _, m := range e.prog.Modules {
			if m.Package == built.Root.Name {
				if m.ID.Addr != vm.Address(e.publisher) {
					return nil, fmt.Errorf("module %s is not at the publisher account %s: set its address with --named-address",
						m.ID, e.publisher.StringShort())
				}
				e.initOrder = append(e.initOrder, m)
			}
		}
		e.initOrder = dependencyOrder(e.initOrder)
	}
	if err := e.resolve(); err != nil {
		return nil, err
	}
	e.modules = e.describeModules()
	return e, nil
}

// Packages names the loaded packages, dependencies first.
func (e *Executor) Packages() []string { return slices.Clone(e.packages) }

// PublisherAddress is the account the package is published at, when one is.
func (e *Executor) PublisherAddress() (aptos.AccountAddress, bool) { return e.publisher, e.published }

func (e *Executor) resolve() error {
	one := vm.AddressFromU64(1)
	fn := func(module, name string) (*vm.Function, error) {
		f := e.prog.Lookup(one, module, name)
		if f == nil {
			return nil, fmt.Errorf("the framework lacks 0x1::%s::%s, which the node calls", module, name)
		}
		return f, nil
	}
	var err error
	for _, r := range []struct {
		dst          **vm.Function
		module, name string
	}{
		{&e.fnInitialize, "genesis", "initialize_localnet"},
		{&e.fnRotate, "account", "rotate_authentication_key_internal"},
		{&e.fnIncrement, "account", "increment_sequence_number"},
		{&e.fnBalance, "coin", "balance"},
		{&e.fnBurnFrom, "coin", "burn_from"},
		{&e.fnUpdateTime, "timestamp", "update_global_time"},
		{&e.fnRandomness, "randomness", "on_new_block"},
	} {
		if *r.dst, err = fn(r.module, r.name); err != nil {
			return err
		}
	}
	coin := e.prog.LookupStruct(one, "aptos_coin", "AptosCoin")
	burn := e.prog.LookupStruct(one, "coin", "BurnCapability")
	acct := e.prog.LookupStruct(one, "account", "Account")
	if coin == nil || burn == nil || acct == nil {
		return errors.New("the framework lacks AptosCoin, BurnCapability or Account")
	}
	e.tAptosCoin = e.prog.Struct(coin, nil)
	e.tBurnCap = e.prog.Struct(burn, []*vm.Type{e.tAptosCoin})
	e.accountTag = e.prog.Struct(acct, nil).String()
	return nil
}

// dependencyOrder sorts modules so that each comes after the modules of the
// same set it calls or names in its types.
func dependencyOrder(mods []*vm.Module) []*vm.Module {
	in := map[vm.ModuleID]*vm.Module{}
	for _, m := range mods {
		in[m.ID] = m
	}
	deps := func(m *vm.Module) []vm.ModuleID {
		seen := map[vm.ModuleID]bool{}
		var out []vm.ModuleID
		add := func(id vm.ModuleID) {
			if id != m.ID && in[id] != nil && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		var addType func(t *vm.Type)
		addType = func(t *vm.Type) {
			if t == nil {
				return
			}
			if t.Kind == vm.KStruct {
				add(t.Struct.Module)
			}
			addType(t.Elem)
			for _, a := range t.Args {
				addType(a)
			}
		}
		for _, f := range m.Functions {
			for _, c := range f.Callees {
				add(c.Module.ID)
			}
		}
		for _, s := range m.Structs {
			for _, f := range s.Fields {
				addType(f.Type)
			}
			for _, v := range s.Variants {
				for _, f := range v.Fields {
					addType(f.Type)
				}
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	}
	sorted := slices.Clone(mods)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID.Name < sorted[j].ID.Name })
	var out []*vm.Module
	state := map[vm.ModuleID]int{} // 1 visiting, 2 done
	var visit func(m *vm.Module)
	visit = func(m *vm.Module) {
		if state[m.ID] != 0 {
			return // done, or a cycle (which the checker forbids)
		}
		state[m.ID] = 1
		for _, d := range deps(m) {
			visit(in[d])
		}
		state[m.ID] = 2
		out = append(out, m)
	}
	for _, m := range sorted {
		visit(m)
	}
	return out
}

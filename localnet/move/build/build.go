// Package build ties the Move toolchain together: it loads a package with
// pkg, compiles it with check against the framework embedded in the binary
// (localnet/framework), and links the natives: those of package natives plus
// whatever the framework's Go natives register with RegisterNatives.
package build

import (
	"io/fs"
	"sync"

	"github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/natives"
	"github.com/agi-nostr/agi-nostr/localnet/move/pkg"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

var (
	mu         sync.RWMutex
	registrars []func(n *vm.Natives)
)

// RegisterNatives adds a function that registers natives (the framework's
// Go natives call it from an init function). Registrations run after the
// standard natives, so they may replace them.
func RegisterNatives(f func(n *vm.Natives)) {
	mu.Lock()
	defer mu.Unlock()
	registrars = append(registrars, f)
}

// Natives returns the standard and framework natives plus every registered set.
func Natives() *vm.Natives {
	n := natives.Std()
	natives.RegisterAptos(n)
	mu.RLock()
	defer mu.RUnlock()
	for _, r := range registrars {
		r(n)
	}
	return n
}

// FrameworkPackages maps the dependency names MoveStdlib, AptosStdlib and
// AptosFramework to the embedded framework sources.
func FrameworkPackages() map[string]fs.FS {
	out := map[string]fs.FS{}
	for _, p := range framework.Packages() {
		if _, sub, err := framework.Lookup(p.Name); err == nil {
			out[p.Name] = sub
		}
	}
	return out
}

// TestGenesis is the state every unit test starts from, as in Aptos's test
// genesis: only 0x1::features::Features with the default feature flags.
func TestGenesis(p *vm.Program) (vm.Storage, error) {
	s := vm.NewMapStorage()
	if def := p.LookupStruct(vm.AddressFromU64(1), "features", "Features"); def != nil {
		t := p.Struct(def, nil)
		data, err := p.Serialize(t, vm.StructOf(vm.Bytes(framework.DefaultFeatureBits())))
		if err != nil {
			return nil, err
		}
		s.SetResource(vm.AddressFromU64(1), t.String(), data)
	}
	return s, nil
}

// Options control a build.
type Options struct {
	Test           bool
	NamedAddresses map[string]vm.Address
}

// Built is a compiled package.
type Built struct {
	*pkg.Loaded
	*check.Result
}

// Load reads a package without compiling it.
func Load(dir string, opts Options) (*pkg.Loaded, error) {
	return pkg.Load(dir, pkg.Options{Test: opts.Test, NamedAddresses: opts.NamedAddresses, Builtins: FrameworkPackages()})
}

// Compile checks and compiles a loaded package.
func Compile(l *pkg.Loaded, opts Options) (*check.Result, error) {
	return check.Compile(l.Packages, check.Options{Addresses: l.Addresses, Test: opts.Test, Natives: Natives()})
}

// Build loads and compiles the package in dir.
func Build(dir string, opts Options) (*Built, error) {
	l, err := Load(dir, opts)
	if err != nil {
		return nil, err
	}
	res, err := Compile(l, opts)
	if err != nil {
		return nil, err
	}
	return &Built{Loaded: l, Result: res}, nil
}

// Package build ties the Move toolchain together: it loads a package with
// pkg, compiles it with check against the framework built into the binary,
// and links the natives. The framework registers itself here (see
// SetFramework), the way database/sql drivers do.
package build

import (
	"fmt"
	"io/fs"
	"sync"

	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/natives"
	"github.com/agi-nostr/agi-nostr/localnet/move/pkg"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Framework is what the framework packages provide to the toolchain.
type Framework struct {
	// Packages maps dependency names (MoveStdlib, AptosStdlib,
	// AptosFramework) to their sources: each FS holds Move.toml and sources/.
	Packages map[string]fs.FS
	// RegisterNatives adds the framework's natives (aptos_std, aptos_framework).
	RegisterNatives func(n *vm.Natives)
	// TestGenesis returns the storage unit tests start from (for example
	// the 0x1::features::Features resource); nil means empty storage.
	TestGenesis func(p *vm.Program) (vm.Storage, error)
}

var (
	mu sync.RWMutex
	fw Framework
)

// SetFramework installs the framework; a later call replaces an earlier one.
func SetFramework(f Framework) {
	mu.Lock()
	defer mu.Unlock()
	fw = f
}

// CurrentFramework returns the installed framework.
func CurrentFramework() Framework {
	mu.RLock()
	defer mu.RUnlock()
	return fw
}

// Natives returns the std natives plus the framework's.
func Natives() *vm.Natives {
	n := natives.Std()
	if f := CurrentFramework(); f.RegisterNatives != nil {
		f.RegisterNatives(n)
	}
	return n
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
	return pkg.Load(dir, pkg.Options{Test: opts.Test, NamedAddresses: opts.NamedAddresses, Builtins: CurrentFramework().Packages})
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

// TestGenesis returns the framework's test genesis hook (may be nil).
func TestGenesis() func(p *vm.Program) (vm.Storage, error) { return CurrentFramework().TestGenesis }

// BuildPackages loads several packages (for example the packages a localnet
// publishes at genesis) and compiles them together with their dependencies
// into one program. Packages shared by several (the framework) are
// compiled once.
func BuildPackages(dirs []string, opts Options) (*check.Result, error) {
	var all []*check.Package
	seen := map[string]bool{}
	addrs := map[string]vm.Address{}
	for _, dir := range dirs {
		l, err := Load(dir, opts)
		if err != nil {
			return nil, err
		}
		for name, a := range l.Addresses {
			if prev, ok := addrs[name]; ok && prev != a {
				return nil, fmt.Errorf("named address %s is %s in one package and %s in %s", name, prev, a, l.Root.Name)
			}
			addrs[name] = a
		}
		for _, p := range l.Packages {
			if seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			cp := *p
			cp.Root = cp.Root && opts.Test
			all = append(all, &cp)
		}
	}
	return check.Compile(all, check.Options{Addresses: addrs, Test: opts.Test, Natives: Natives()})
}

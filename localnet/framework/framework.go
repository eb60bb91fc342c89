// Package framework embeds the Move sources of the framework that the
// localnet's Move interpreter runs: MoveStdlib (std), AptosStdlib (aptos_std)
// and the subset of AptosFramework (aptos_framework) that contracts use. They
// keep the public API of the Aptos framework (module, function and struct
// names, signatures, abilities, error codes and abort locations); the bodies
// are this project's own. Packages that name these dependencies in their
// Move.toml resolve to the copies embedded here, whatever git or local path the
// manifest gives.
package framework

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed move-stdlib aptos-stdlib aptos-framework
var sources embed.FS

// Package describes one embedded framework package.
type Package struct {
	// Name is the package name in its Move.toml and in dependents' manifests.
	Name string
	// Dir is the package's folder inside FS(), holding Move.toml, sources/ and tests/.
	Dir string
	// Deps are the names of the framework packages it depends on.
	Deps []string
}

// packages lists the framework in dependency order: each package only
// depends on those before it.
var packages = []Package{
	{Name: "MoveStdlib", Dir: "move-stdlib"},
	{Name: "AptosStdlib", Dir: "aptos-stdlib", Deps: []string{"MoveStdlib"}},
	{Name: "AptosFramework", Dir: "aptos-framework", Deps: []string{"AptosStdlib", "MoveStdlib"}},
}

// FS is the embedded tree: one folder per package (see Packages).
func FS() fs.FS { return sources }

// Packages returns the framework packages in dependency order.
func Packages() []Package {
	out := make([]Package, len(packages))
	copy(out, packages)
	return out
}

// Lookup returns the package named name (MoveStdlib, AptosStdlib or
// AptosFramework) and a file system rooted at its folder.
func Lookup(name string) (Package, fs.FS, error) {
	for _, p := range packages {
		if p.Name == name {
			sub, err := fs.Sub(sources, p.Dir)
			if err != nil {
				return Package{}, nil, fmt.Errorf("framework package %s: %w", name, err)
			}
			return p, sub, nil
		}
	}
	return Package{}, nil, fmt.Errorf("no framework package named %q", name)
}

// IsFramework reports whether a dependency name resolves to an embedded package.
func IsFramework(name string) bool {
	for _, p := range packages {
		if p.Name == name {
			return true
		}
	}
	return false
}

// Package pkg loads Move packages: Move.toml manifests, named addresses,
// dependencies (local paths, and the framework packages built into the
// binary), and source files.
package pkg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Dep is a dependency declaration.
type Dep struct {
	Name   string
	Local  string
	Git    string
	Rev    string
	Subdir string
}

// Manifest is a parsed Move.toml.
type Manifest struct {
	Name         string
	Version      string
	Addresses    map[string]string // "_" marks an address to be assigned
	DevAddresses map[string]string
	Deps         []Dep
	DevDeps      []Dep
}

// ParseManifest parses Move.toml contents; file names the file in errors.
func ParseManifest(file string, data []byte) (*Manifest, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, fmt.Errorf("%s: invalid TOML: %w", file, err)
	}
	m := &Manifest{Addresses: map[string]string{}, DevAddresses: map[string]string{}}
	pkgSec, ok := raw["package"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: missing [package] section", file)
	}
	name, ok := pkgSec["name"].(string)
	if !ok || name == "" {
		return nil, fmt.Errorf("%s: [package] needs a name", file)
	}
	m.Name = name
	if v, ok := pkgSec["version"].(string); ok {
		m.Version = v
	}
	addrSec := func(key string, into map[string]string) error {
		sec, ok := raw[key]
		if !ok {
			return nil
		}
		tbl, ok := sec.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: [%s] must be a table", file, key)
		}
		for k, v := range tbl {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s: [%s] %s must be a string such as \"0x1\" or \"_\"", file, key, k)
			}
			if s != "_" {
				if _, ok := vm.ParseAddress(s); !ok {
					return fmt.Errorf("%s: [%s] %s = %q is not an address", file, key, k, s)
				}
			}
			into[k] = s
		}
		return nil
	}
	if err := addrSec("addresses", m.Addresses); err != nil {
		return nil, err
	}
	if err := addrSec("dev-addresses", m.DevAddresses); err != nil {
		return nil, err
	}
	deps := func(key string) ([]Dep, error) {
		sec, ok := raw[key]
		if !ok {
			return nil, nil
		}
		tbl, ok := sec.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: [%s] must be a table", file, key)
		}
		var out []Dep
		for k, v := range tbl {
			d, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: dependency %s must be a table such as { local = \"../dep\" }", file, k)
			}
			dep := Dep{Name: k}
			for field, val := range d {
				s, ok := val.(string)
				if !ok {
					if field == "addr_subst" {
						return nil, fmt.Errorf("%s: dependency %s: addr_subst is not supported", file, k)
					}
					return nil, fmt.Errorf("%s: dependency %s: %s must be a string", file, k, field)
				}
				switch field {
				case "local":
					dep.Local = s
				case "git":
					dep.Git = s
				case "rev":
					dep.Rev = s
				case "subdir":
					dep.Subdir = s
				}
			}
			if dep.Local == "" && dep.Git == "" {
				return nil, fmt.Errorf("%s: dependency %s needs local or git", file, k)
			}
			out = append(out, dep)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	}
	var err error
	if m.Deps, err = deps("dependencies"); err != nil {
		return nil, err
	}
	if m.DevDeps, err = deps("dev-dependencies"); err != nil {
		return nil, err
	}
	return m, nil
}

// Options control loading.
type Options struct {
	// Test includes tests/ and dev-addresses/dev-dependencies of the root.
	Test bool
	// NamedAddresses override (and fill "_" placeholders).
	NamedAddresses map[string]vm.Address
	// Builtins maps dependency names (AptosFramework, AptosStdlib,
	// MoveStdlib) to packages compiled into the binary. Each FS holds a
	// Move.toml and sources/ at its root.
	Builtins map[string]fs.FS
}

// Loaded is a package with its dependencies, ready to compile.
type Loaded struct {
	Root      *Manifest
	Dir       string
	Packages  []*check.Package // dependencies first, root last
	Addresses map[string]vm.Address
	// Deps lists the dependency names in load order (for the build log).
	Deps []string
}

type node struct {
	m       *Manifest
	fsys    fs.FS
	dir     string // display path prefix for sources
	builtin bool
}

// Load reads the package in dir and everything it depends on.
func Load(dir string, opts Options) (*Loaded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root, err := readNode(os.DirFS(abs), abs, false)
	if err != nil {
		return nil, err
	}
	l := &Loaded{Root: root.m, Dir: abs}
	order := []*node{}
	visiting := map[string]bool{}
	done := map[string]*node{}
	var visit func(n *node, isRoot bool) error
	visit = func(n *node, isRoot bool) error {
		key := n.m.Name
		if visiting[key] {
			return fmt.Errorf("dependency cycle through package %s", key)
		}
		if _, ok := done[key]; ok {
			return nil
		}
		visiting[key] = true
		deps := n.m.Deps
		if isRoot && opts.Test {
			deps = append(append([]Dep(nil), deps...), n.m.DevDeps...)
		}
		for _, d := range deps {
			child, err := resolveDep(n, d, opts.Builtins)
			if err != nil {
				return fmt.Errorf("package %s: %w", n.m.Name, err)
			}
			if prev, ok := done[child.m.Name]; ok && prev.dir != child.dir && !(prev.builtin && child.builtin) {
				return fmt.Errorf("package %s is included twice, from %s and %s", child.m.Name, prev.dir, child.dir)
			}
			if err := visit(child, false); err != nil {
				return err
			}
		}
		visiting[key] = false
		done[key] = n
		order = append(order, n)
		return nil
	}
	if err := visit(root, true); err != nil {
		return nil, err
	}
	// Named addresses: dependencies' then the root's; dev-addresses in test
	// mode; command-line overrides last.
	assigned := map[string]vm.Address{}
	placeholders := map[string]string{}
	for _, n := range order {
		for name, v := range n.m.Addresses {
			if v == "_" {
				if _, ok := assigned[name]; !ok {
					placeholders[name] = n.m.Name
				}
				continue
			}
			a, _ := vm.ParseAddress(v)
			if prev, ok := assigned[name]; ok && prev != a {
				return nil, fmt.Errorf("named address %s is %s in one package and %s in %s", name, prev, a, n.m.Name)
			}
			assigned[name] = a
			delete(placeholders, name)
		}
	}
	if opts.Test {
		for name, v := range root.m.DevAddresses {
			if _, declared := root.m.Addresses[name]; !declared {
				return nil, fmt.Errorf("dev-address %s is not declared in [addresses]", name)
			}
			if cur, ok := root.m.Addresses[name]; ok && cur != "_" {
				return nil, fmt.Errorf("dev-address %s already has a value in [addresses]", name)
			}
			a, _ := vm.ParseAddress(v)
			assigned[name] = a
			delete(placeholders, name)
		}
	}
	for name, a := range opts.NamedAddresses {
		assigned[name] = a
		delete(placeholders, name)
	}
	if len(placeholders) > 0 {
		var names []string
		for n := range placeholders {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unresolved named addresses: %s (assign them with --named-addresses %s=0x...)", strings.Join(names, ", "), names[0])
	}
	l.Addresses = assigned
	for _, n := range order {
		isRoot := n == root
		p := &check.Package{Name: n.m.Name, Root: isRoot}
		dirs := []string{"sources"}
		if isRoot && opts.Test {
			dirs = append(dirs, "tests")
		}
		for _, d := range dirs {
			srcs, err := readSources(n.fsys, d, n.dir)
			if err != nil {
				return nil, fmt.Errorf("package %s: %w", n.m.Name, err)
			}
			p.Sources = append(p.Sources, srcs...)
		}
		if isRoot && len(p.Sources) == 0 {
			return nil, fmt.Errorf("package %s has no sources in %s", n.m.Name, filepath.Join(abs, "sources"))
		}
		l.Packages = append(l.Packages, p)
		if !isRoot {
			l.Deps = append(l.Deps, n.m.Name)
		}
	}
	return l, nil
}

func readNode(fsys fs.FS, dir string, builtin bool) (*node, error) {
	data, err := fs.ReadFile(fsys, "Move.toml")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no Move.toml in %s", dir)
		}
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, "Move.toml"), err)
	}
	m, err := ParseManifest(filepath.Join(dir, "Move.toml"), data)
	if err != nil {
		return nil, err
	}
	return &node{m: m, fsys: fsys, dir: dir, builtin: builtin}, nil
}

var frameworkNames = map[string]bool{"AptosFramework": true, "AptosStdlib": true, "MoveStdlib": true, "AptosToken": true, "AptosTokenObjects": true}

func resolveDep(parent *node, d Dep, builtins map[string]fs.FS) (*node, error) {
	if fsys, ok := builtins[d.Name]; ok {
		return readNode(fsys, "@"+d.Name, true)
	}
	if d.Local != "" && !parent.builtin {
		dir := filepath.Join(parent.dir, filepath.FromSlash(d.Local))
		n, err := readNode(os.DirFS(dir), dir, false)
		if err != nil {
			return nil, fmt.Errorf("dependency %s: %w", d.Name, err)
		}
		if n.m.Name != d.Name {
			return nil, fmt.Errorf("dependency %s: the package at %s is named %s", d.Name, dir, n.m.Name)
		}
		return n, nil
	}
	if d.Local != "" && parent.builtin {
		sub, err := fs.Sub(parent.fsys, path.Clean(d.Local))
		if err == nil {
			if n, err := readNode(sub, parent.dir+"/"+d.Local, true); err == nil {
				return n, nil
			}
		}
	}
	if frameworkNames[d.Name] {
		return nil, fmt.Errorf("dependency %s: this build has no built-in %s", d.Name, d.Name)
	}
	return nil, fmt.Errorf("dependency %s: git dependencies are not supported (only the Aptos framework packages, which are built in, and local paths)", d.Name)
}

func readSources(fsys fs.FS, dir, display string) ([]check.Source, error) {
	var out []check.Source
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".move") {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := p
		if display != "" {
			name = displayPath(filepath.Join(display, filepath.FromSlash(p)))
		}
		out = append(out, check.Source{Name: name, Text: string(data)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// displayPath shows paths under the working directory as ./relative.
func displayPath(p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return p
	}
	return "." + string(filepath.Separator) + rel
}

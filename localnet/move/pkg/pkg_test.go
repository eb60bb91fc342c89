package pkg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest("Move.toml", []byte(`
[package]
name = "Market"
version = "1.0.0"

[addresses]
market = "_"
admin = "0xbeef"

[dev-addresses]
market = "0xcafe"

[dependencies]
AptosFramework = { git = "https://github.com/aptos-labs/aptos-framework.git", rev = "mainnet", subdir = "aptos-framework" }

[dependencies.Local]
local = "../local"
`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Market" || m.Addresses["market"] != "_" || m.DevAddresses["market"] != "0xcafe" || len(m.Deps) != 2 {
		t.Fatalf("%+v", m)
	}
	for _, bad := range []string{"[package\n", "[addresses]\nx = \"0x1\"\n", "[package]\nname = \"X\"\n[addresses]\nx = \"zz\"\n",
		"[package]\nname = \"X\"\n[dependencies]\nD = 3\n", "[package]\nname = \"X\"\n[dependencies]\nD = { rev = \"x\" }\n"} {
		if _, err := ParseManifest("Move.toml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "Move.toml") {
			t.Errorf("%q: want an error naming the file, got %v", bad, err)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("[package]\nname = \"A\"\n[addresses]\na = \"_\"\n[dependencies]\nB = { local = \"../b\" }\n"))
	f.Add([]byte("[package]\nname = \"A\"\n[dev-addresses]\na = \"0x1\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest("Move.toml", data)
		if err == nil && m.Name == "" {
			t.Fatal("manifest without a name accepted")
		}
	})
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadLocalDependenciesAndAddresses(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "dep/Move.toml"), "[package]\nname = \"Dep\"\n[addresses]\ndep = \"0xd\"\n")
	write(t, filepath.Join(dir, "dep/sources/d.move"), "module dep::d {}")
	write(t, filepath.Join(dir, "app/Move.toml"), "[package]\nname = \"App\"\n[addresses]\napp = \"_\"\n[dev-addresses]\napp = \"0xa\"\n[dependencies]\nDep = { local = \"../dep\" }\n")
	write(t, filepath.Join(dir, "app/sources/a.move"), "module app::a {}")
	write(t, filepath.Join(dir, "app/tests/t.move"), "#[test_only] module app::t {}")
	l, err := Load(filepath.Join(dir, "app"), Options{Test: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Packages) != 2 || l.Packages[0].Name != "Dep" || !l.Packages[1].Root || len(l.Packages[1].Sources) != 2 {
		t.Fatalf("packages %+v", l.Packages)
	}
	if l.Addresses["app"] != vm.AddressFromU64(0xa) || l.Addresses["dep"] != vm.AddressFromU64(0xd) {
		t.Fatalf("addresses %v", l.Addresses)
	}
	if _, err := Load(filepath.Join(dir, "app"), Options{}); err == nil || !strings.Contains(err.Error(), "unresolved named addresses: app") {
		t.Fatalf("want unresolved address error, got %v", err)
	}
	l, err = Load(filepath.Join(dir, "app"), Options{NamedAddresses: map[string]vm.Address{"app": vm.AddressFromU64(0xf)}})
	if err != nil || l.Addresses["app"] != vm.AddressFromU64(0xf) || len(l.Packages[1].Sources) != 1 {
		t.Fatalf("override: %v %+v", err, l)
	}
	write(t, filepath.Join(dir, "cyc/Move.toml"), "[package]\nname = \"Cyc\"\n[dependencies]\nCyc2 = { local = \"../cyc2\" }\n")
	write(t, filepath.Join(dir, "cyc2/Move.toml"), "[package]\nname = \"Cyc2\"\n[dependencies]\nCyc = { local = \"../cyc\" }\n")
	if _, err := Load(filepath.Join(dir, "cyc"), Options{}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("want a cycle error, got %v", err)
	}
	write(t, filepath.Join(dir, "git/Move.toml"), "[package]\nname = \"G\"\n[dependencies]\nOther = { git = \"https://example.com/x.git\", rev = \"main\" }\n")
	if _, err := Load(filepath.Join(dir, "git"), Options{}); err == nil || !strings.Contains(err.Error(), "git dependencies are not supported") {
		t.Fatalf("want a git error, got %v", err)
	}
}

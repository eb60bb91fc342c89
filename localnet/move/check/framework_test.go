package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// TestCompileAptosFramework type-checks and compiles a release of the Aptos
// framework (move-stdlib, aptos-stdlib, aptos-framework) when
// MOVE_FRAMEWORK_SOURCES points at it. It is a large external check of the
// checker; `make test` does not need it.
func TestCompileAptosFramework(t *testing.T) {
	base := os.Getenv("MOVE_FRAMEWORK_SOURCES")
	if base == "" {
		t.Skip("MOVE_FRAMEWORK_SOURCES not set")
	}
	load := func(dir, name string) *check.Package {
		p := &check.Package{Name: name, Root: true}
		err := filepath.WalkDir(filepath.Join(base, dir, "sources"), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".move") {
				return err
			}
			b, err := os.ReadFile(path)
			p.Sources = append(p.Sources, check.Source{Name: path, Text: string(b)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	addrs := map[string]vm.Address{}
	for k, v := range map[string]uint64{"std": 1, "aptos_std": 1, "aptos_framework": 1, "vm": 0, "aptos_fungible_asset": 0xa,
		"aptos_token": 3, "core_resources": 0xA550C18, "vm_reserved": 0} {
		addrs[k] = vm.AddressFromU64(v)
	}
	pkgs := []*check.Package{load("move-stdlib", "MoveStdlib"), load("aptos-stdlib", "AptosStdlib")}
	if os.Getenv("MOVE_FRAMEWORK_FULL") != "" {
		pkgs = append(pkgs, load("aptos-framework", "AptosFramework"))
	}
	res, err := check.Compile(pkgs, check.Options{Addresses: addrs, MaxErrors: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d modules", len(res.Program.Modules))
}

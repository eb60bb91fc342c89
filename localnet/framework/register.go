package framework

import (
	"fmt"
	"io/fs"

	"github.com/agi-nostr/agi-nostr/localnet/framework/natives"
	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// The framework installs itself in the Move toolchain when this package is
// imported (as database/sql drivers do); binaries and tests that run Move
// code import it for that effect.
func init() {
	pkgs := map[string]fs.FS{}
	for _, p := range packages {
		_, fsys, err := Lookup(p.Name)
		if err != nil {
			panic(fmt.Sprintf("embedded framework: %v", err)) // cannot happen: the folders are embedded
		}
		pkgs[p.Name] = fsys
	}
	build.SetFramework(build.Framework{
		Packages:        pkgs,
		RegisterNatives: natives.Register,
		TestGenesis:     testGenesis,
	})
}

// testGenesis is the state unit tests start from, as in the Aptos test
// genesis: only 0x1::features::Features with the default flags.
func testGenesis(*vm.Program) (vm.Storage, error) {
	bits := DefaultFeatureBits()
	// BCS of Features { features: vector<u8> }: ULEB128 length, then the bytes.
	data := append(uleb128(uint64(len(bits))), bits...)
	return genesisStorage{features: data}, nil
}

type genesisStorage struct{ features []byte }

func (g genesisStorage) Resource(addr vm.Address, t *vm.Type) ([]byte, bool, error) {
	if addr == vm.AddressFromU64(1) && t.String() == "0x1::features::Features" {
		return g.features, true, nil
	}
	return nil, false, nil
}

func (genesisStorage) TableItem(vm.Address, []byte) ([]byte, bool, error) { return nil, false, nil }

func uleb128(x uint64) []byte {
	var out []byte
	for {
		b := byte(x & 0x7f)
		x >>= 7
		if x == 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

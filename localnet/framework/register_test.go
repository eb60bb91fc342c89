package framework

import (
	"bytes"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

func TestInstalledInToolchain(t *testing.T) {
	fw := build.CurrentFramework()
	for _, p := range Packages() {
		if fw.Packages[p.Name] == nil {
			t.Errorf("package %s not installed", p.Name)
		}
	}
	if fw.RegisterNatives == nil || fw.TestGenesis == nil {
		t.Fatal("natives or test genesis not installed")
	}
	n := build.Natives()
	if n == nil {
		t.Fatal("no native registry")
	}
}

func TestGenesisHoldsDefaultFeatures(t *testing.T) {
	p := vm.NewProgram()
	feats := &vm.StructDef{Module: vm.ModuleID{Addr: vm.AddressFromU64(1), Name: "features"}, Name: "Features",
		Fields: []vm.FieldDef{{Name: "features", Type: p.Vector(vm.TU8)}}}
	other := &vm.StructDef{Module: vm.ModuleID{Addr: vm.AddressFromU64(1), Name: "features"}, Name: "PendingFeatures",
		Fields: []vm.FieldDef{{Name: "features", Type: p.Vector(vm.TU8)}}}
	store, err := testGenesis(p)
	if err != nil {
		t.Fatal(err)
	}
	data, ok, err := store.Resource(vm.AddressFromU64(1), p.Struct(feats, nil))
	if err != nil || !ok {
		t.Fatalf("Features missing: ok=%v err=%v", ok, err)
	}
	want := append([]byte{byte(len(DefaultFeatureBits()))}, DefaultFeatureBits()...)
	if !bytes.Equal(data, want) {
		t.Fatalf("Features BCS = %x, want %x", data, want)
	}
	v, err := p.Deserialize(p.Struct(feats, nil), data)
	if err != nil {
		t.Fatalf("Features does not decode: %v", err)
	}
	if !bytes.Equal(v.AsStruct().Fields[0].AsBytes(), DefaultFeatureBits()) {
		t.Fatal("decoded bits differ")
	}
	for _, probe := range []struct {
		addr vm.Address
		def  *vm.StructDef
	}{{vm.AddressFromU64(2), feats}, {vm.AddressFromU64(1), other}} {
		if _, ok, _ := store.Resource(probe.addr, p.Struct(probe.def, nil)); ok {
			t.Errorf("genesis has %s at %s", probe.def.Name, probe.addr)
		}
	}
	if _, ok, _ := store.TableItem(vm.AddressFromU64(1), []byte{0}); ok {
		t.Error("genesis has a table item")
	}
}

func TestULEB128(t *testing.T) {
	for _, c := range []struct {
		x    uint64
		want []byte
	}{{0, []byte{0}}, {127, []byte{0x7f}}, {128, []byte{0x80, 0x01}}, {300, []byte{0xac, 0x02}}} {
		if got := uleb128(c.x); !bytes.Equal(got, c.want) {
			t.Errorf("uleb128(%d) = %x, want %x", c.x, got, c.want)
		}
	}
}

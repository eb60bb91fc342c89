package movevm

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
)

type layoutResult struct {
	l   *movevalue.Layout
	err error
}

// Layout returns the layout of a type tag.
func (e *Executor) Layout(tag aptos.TypeTag) (*movevalue.Layout, error) {
	t, err := e.prog.ParseType(movevalue.TypeString(&tag))
	if err != nil {
		return nil, err
	}
	return e.layoutOf(t)
}

func isSigner(t *vm.Type) bool {
	return t.Kind == vm.KSigner || (t.Kind == vm.KRef || t.Kind == vm.KMutRef) && t.Elem.Kind == vm.KSigner
}

// layoutOf returns the layout of a closed type. Layouts are cached: the
// program, and so every type's shape, never changes.
func (e *Executor) layoutOf(t *vm.Type) (*movevalue.Layout, error) {
	if r, ok := e.layouts.Load(t); ok {
		res := r.(layoutResult)
		return res.l, res.err
	}
	l, err := e.buildLayout(t, 0)
	e.layouts.Store(t, layoutResult{l, err})
	return l, err
}

func (e *Executor) buildLayout(t *vm.Type, depth int) (*movevalue.Layout, error) {
	if depth > 64 {
		return nil, fmt.Errorf("type %s nested too deeply", t)
	}
	switch t.Kind {
	case vm.KBool:
		return movevalue.LBool, nil
	case vm.KU8:
		return movevalue.LU8, nil
	case vm.KU16:
		return movevalue.LU16, nil
	case vm.KU32:
		return movevalue.LU32, nil
	case vm.KU64:
		return movevalue.LU64, nil
	case vm.KU128:
		return movevalue.LU128, nil
	case vm.KU256:
		return movevalue.LU256, nil
	case vm.KAddress:
		return movevalue.LAddress, nil
	case vm.KSigner:
		return movevalue.LSigner, nil
	case vm.KVector:
		el, err := e.buildLayout(t.Elem, depth+1)
		if err != nil {
			return nil, err
		}
		return movevalue.VectorOf(el), nil
	case vm.KStruct:
		def := t.Struct
		l := &movevalue.Layout{Kind: movevalue.Struct, Tag: t.String()}
		fieldsOf := func(defs []vm.FieldDef, variant int) ([]movevalue.Field, error) {
			types := e.prog.FieldTypes(t, variant)
			out := make([]movevalue.Field, len(defs))
			for i, f := range defs {
				fl, err := e.buildLayout(types[i], depth+1)
				if err != nil {
					return nil, err
				}
				out[i] = movevalue.Field{Name: f.Name, Layout: fl}
			}
			return out, nil
		}
		if def.IsEnum {
			l.Kind = movevalue.Enum
			for i, v := range def.Variants {
				fs, err := fieldsOf(v.Fields, i)
				if err != nil {
					return nil, err
				}
				l.Variants = append(l.Variants, movevalue.Variant{Name: v.Name, Fields: fs})
			}
			return l, nil
		}
		if len(def.Fields) == 0 {
			// A struct without fields is stored as one bool, which the
			// API shows as dummy_field, as Aptos's compiler names it.
			l.Fields = []movevalue.Field{{Name: "dummy_field", Layout: movevalue.LBool}}
			return l, nil
		}
		fs, err := fieldsOf(def.Fields, 0)
		if err != nil {
			return nil, err
		}
		l.Fields = fs
		return l, nil
	}
	return nil, fmt.Errorf("type %s has no value layout", t)
}

// ArgLayouts returns the layouts of a call's non-signer arguments.
func (e *Executor) ArgLayouts(call *aptos.EntryFunction) ([]*movevalue.Layout, error) {
	m := e.prog.Module(vm.ModuleID{Addr: vmAddr(call.Module.Address), Name: call.Module.Name})
	if m == nil {
		return nil, fmt.Errorf("no module %s::%s", call.Module.Address.StringShort(), call.Module.Name)
	}
	f := m.Function(call.Function)
	if f == nil {
		return nil, fmt.Errorf("no function %s::%s", m.ID, call.Function)
	}
	if len(call.ArgTypes) != len(f.TypeParams) {
		return nil, fmt.Errorf("%s takes %d type arguments", f.QualifiedName(), len(f.TypeParams))
	}
	tyArgs := make([]*vm.Type, len(call.ArgTypes))
	for i := range call.ArgTypes {
		t, err := e.prog.ParseType(movevalue.TypeString(&call.ArgTypes[i]))
		if err != nil {
			return nil, err
		}
		tyArgs[i] = t
	}
	params := e.prog.SubstAll(f.Params, tyArgs)
	var out []*movevalue.Layout
	for _, p := range params {
		if isSigner(p) {
			continue
		}
		l, err := e.layoutOf(p)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Modules lists the modules published at addr.
func (e *Executor) Modules(addr aptos.AccountAddress) []*node.ModuleInfo { return e.modules[addr] }

// Module returns one published module.
func (e *Executor) Module(addr aptos.AccountAddress, name string) (*node.ModuleInfo, bool) {
	for _, m := range e.modules[addr] {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

func abilities(a vm.Ability) []string {
	out := []string{}
	for _, x := range []struct {
		a vm.Ability
		n string
	}{{vm.Copy, "copy"}, {vm.Drop, "drop"}, {vm.Store, "store"}, {vm.Key, "key"}} {
		if a&x.a != 0 {
			out = append(out, x.n)
		}
	}
	return out
}

// typeName renders a signature type as the ABI shows it: type parameters
// as T0, T1, ...
func typeName(t *vm.Type) string { return t.String() }

// describeModules builds the ABI of every module, as a node serves them:
// exposed functions are public, friend and entry ones.
func (e *Executor) describeModules() map[aptos.AccountAddress][]*node.ModuleInfo {
	out := map[aptos.AccountAddress][]*node.ModuleInfo{}
	for _, m := range e.prog.Modules {
		if m.TestOnly {
			continue
		}
		info := &node.ModuleInfo{Address: aptos.AccountAddress(m.ID.Addr), Name: m.ID.Name}
		for _, fr := range m.Friends {
			info.ABI.Friends = append(info.ABI.Friends, fr.String())
		}
		for _, f := range m.Functions {
			if f.TestOnly || f.Inline || (f.Visibility == vm.Private && !f.Entry) {
				continue
			}
			vis := "public"
			switch f.Visibility {
			case vm.Private:
				vis = "private"
			case vm.Friend, vm.Package:
				vis = "friend"
			}
			fa := node.FunctionABI{Name: f.Name, Visibility: vis, IsEntry: f.Entry, IsView: f.View,
				Params: []string{}, Return: []string{}}
			for _, tp := range f.TypeParams {
				fa.GenericTypeParams = append(fa.GenericTypeParams, abilities(tp.Constraints))
			}
			for _, p := range f.Params {
				fa.Params = append(fa.Params, typeName(p))
			}
			for _, r := range f.Results {
				fa.Return = append(fa.Return, typeName(r))
			}
			info.ABI.Functions = append(info.ABI.Functions, fa)
		}
		for _, s := range m.Structs {
			sa := node.StructABI{Name: s.Name, IsNative: s.Native, IsEvent: s.Event, Abilities: abilities(s.Abilities)}
			for _, tp := range s.TypeParams {
				sa.GenericTypeParams = append(sa.GenericTypeParams, node.StructTypeParam{Constraints: abilities(tp.Constraints), IsPhantom: tp.Phantom})
			}
			fields := s.Fields
			if s.IsEnum {
				fields = nil
			}
			for _, f := range fields {
				sa.Fields = append(sa.Fields, node.FieldABI{Name: f.Name, Type: typeName(f.Type)})
			}
			if !s.IsEnum && len(s.Fields) == 0 {
				sa.Fields = []node.FieldABI{{Name: "dummy_field", Type: "bool"}}
			}
			info.ABI.Structs = append(info.ABI.Structs, sa)
		}
		sort.Slice(info.ABI.Functions, func(i, j int) bool { return info.ABI.Functions[i].Name < info.ABI.Functions[j].Name })
		sort.Slice(info.ABI.Structs, func(i, j int) bool { return info.ABI.Structs[i].Name < info.ABI.Structs[j].Name })
		out[info.Address] = append(out[info.Address], info)
	}
	for a := range out {
		sort.Slice(out[a], func(i, j int) bool { return strings.Compare(out[a][i].Name, out[a][j].Name) < 0 })
	}
	return out
}

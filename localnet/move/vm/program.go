package vm

import (
	"fmt"
	"sort"
)

// Op is a bytecode operation.
type Op uint8

// Operations. Operands are in Instr.A / Instr.B; K carries an integer kind
// for arithmetic, comparisons and casts.
const (
	OpNop          Op = iota
	OpLdInt           // push integer A | B<<32 of kind K
	OpLdConst         // push a copy of Function.Consts[A]
	OpLdTrue          //
	OpLdFalse         //
	OpCopyLoc         // push copy of local A
	OpMoveLoc         // push local A, clearing it
	OpStLoc           // pop into local A
	OpBorrowLoc       // push &local A
	OpBorrowField     // pop &struct, push &field A
	OpBorrowVField    // pop &enum, push &field per Function.VFields[A] (abort if the variant lacks it)
	OpReadRef         // pop &T, push copy of T
	OpWriteRef        // pop &mut T, pop T, store
	OpPack            // pop A fields, push struct (variant B)
	OpUnpack          // pop struct, push its A fields; B >= 0 checks the enum variant
	OpTestVariant     // pop &enum, push variant == A
	OpTestVariants    // pop &enum, push whether variant is in Function.VSets[A]
	OpCall            // call Function.Callees[A] with type arguments Function.TyInsts[B] (B < 0: none)
	OpRet             // return
	OpBr              // jump to A
	OpBrTrue          // pop bool, jump to A if true
	OpBrFalse         // pop bool, jump to A if false
	OpPop             // pop and drop
	OpAbort           // pop u64 and abort
	OpAdd             // arithmetic on kind K
	OpSub
	OpMul
	OpDiv
	OpMod
	OpBitOr
	OpBitAnd
	OpXor
	OpShl
	OpShr
	OpLt // comparisons: K integer kind, or K == KStruct for a structural comparison
	OpGt
	OpLe
	OpGe
	OpEq
	OpNeq
	OpNot
	OpCast        // cast integer of kind B to kind K
	OpVecPack     // pop A elements, push vector
	OpVecLen      // pop &vector, push u64
	OpVecBorrow   // pop index, pop &vector, push &elem
	OpVecPush     // pop elem, pop &mut vector, push back
	OpVecPop      // pop &mut vector, push last element
	OpVecUnpack   // pop vector that must have A elements, push them
	OpVecSwap     // pop j, i, &mut vector; swap
	OpExists      // pop address, push exists<Types[A]>
	OpBorrowGlob  // pop address, push &Types[A] (B=1: mutable)
	OpMoveFrom    // pop address, push the resource
	OpMoveTo      // pop value, pop &signer, publish
	OpPackClosure // pop captured values, push the closure described by Function.Closures[A]
	OpCallClosure // pop closure and its A arguments, call it
	OpLdU256      // push Function.Consts[A] (u128/u256 literal, shared)
	OpNeg         // negate a signed integer of kind K
	numOps
)

// Instr is one instruction.
type Instr struct {
	Op Op
	K  Kind
	A  int32
	B  int32
}

// Visibility of a function.
type Visibility uint8

// Visibilities.
const (
	Private Visibility = iota
	Public
	Friend
	Package
)

// NativeFunc implements a native function. It receives the type arguments
// and the arguments (references as Value{P: *Value}) and returns the results.
// An error of type *ExecError aborts the execution with that status; its
// location is set to the native's module when left empty.
type NativeFunc func(ctx *NativeContext, tyArgs []*Type, args []Value) ([]Value, error)

// Function is a compiled function.
type Function struct {
	Module     *Module
	Name       string
	TypeParams []TypeParamDef
	Params     []*Type // may mention the function's type parameters
	Results    []*Type
	Visibility Visibility
	Entry      bool
	View       bool
	// Randomness marks a #[randomness] entry function: called as a
	// transaction's payload, it may use aptos_framework::randomness.
	Randomness bool
	Native     bool
	Inline     bool
	TestOnly   bool
	Impl       NativeFunc // natives, bound when the program is linked

	Code      []Instr
	Pos       []PosInfo // per instruction
	NumLocals int
	Consts    []Value
	Callees   []*Function
	TyInsts   [][]*Type    // type argument lists; may mention this function's type parameters
	Types     []*Type      // types for global-storage operations
	VFields   [][]int16    // per enum field borrow: field offset per variant, -1 if absent
	VEnums    []*StructDef // the enum of each VFields entry
	Closures  []ClosureSpec
	VSets     [][]bool // variant sets for `is` tests
	File      string
	Line      int32
	// NameLine and NameCol locate the function's name (for diagnostics).
	NameLine, NameCol int32
}

// ClosureSpec describes a closure an instruction builds: the function, its
// type arguments (TyInsts index, -1 for none), how many values it captures
// and which parameters they fill (bit i set: parameter i is captured).
type ClosureSpec struct {
	Fn       *Function
	TyInst   int32
	Captured int
	Mask     uint64
}

// PosInfo is a source position of an instruction.
type PosInfo struct{ Line, Col int32 }

// QualifiedName is "0x1::m::f".
func (f *Function) QualifiedName() string { return f.Module.ID.String() + "::" + f.Name }

// Module is a compiled module.
type Module struct {
	ID        ModuleID
	Package   string
	File      string
	Structs   []*StructDef
	Functions []*Function
	Friends   []ModuleID
	TestOnly  bool
	funcs     map[string]*Function
	structs   map[string]*StructDef
}

// Function finds a function by name.
func (m *Module) Function(name string) *Function { return m.funcs[name] }

// Struct finds a struct by name.
func (m *Module) Struct(name string) *StructDef { return m.structs[name] }

// Program is a set of linked modules, immutable once built, shared by
// executions.
type Program struct {
	Types
	Modules []*Module
	mods    map[ModuleID]*Module
}

// NewProgram returns an empty program to which a compiler adds modules.
func NewProgram() *Program { return &Program{mods: map[ModuleID]*Module{}} }

// AddModule registers a module; the compiler fills its contents.
func (p *Program) AddModule(m *Module) error {
	if _, ok := p.mods[m.ID]; ok {
		return fmt.Errorf("duplicate module %s", m.ID)
	}
	m.funcs = map[string]*Function{}
	m.structs = map[string]*StructDef{}
	p.mods[m.ID] = m
	p.Modules = append(p.Modules, m)
	return nil
}

// Index rebuilds a module's name lookups after its structs and functions are set.
func (m *Module) Index() {
	m.funcs = make(map[string]*Function, len(m.Functions))
	for _, f := range m.Functions {
		m.funcs[f.Name] = f
	}
	m.structs = make(map[string]*StructDef, len(m.Structs))
	for _, s := range m.Structs {
		m.structs[s.Name] = s
	}
}

// Module finds a module.
func (p *Program) Module(id ModuleID) *Module { return p.mods[id] }

// Lookup finds a function by module and name.
func (p *Program) Lookup(addr Address, module, fn string) *Function {
	m := p.mods[ModuleID{addr, module}]
	if m == nil {
		return nil
	}
	return m.funcs[fn]
}

// LookupStruct finds a struct declaration.
func (p *Program) LookupStruct(addr Address, module, name string) *StructDef {
	m := p.mods[ModuleID{addr, module}]
	if m == nil {
		return nil
	}
	return m.structs[name]
}

// Link binds native functions to implementations from the registry.
// Natives without an implementation fail with MISSING_DEPENDENCY when called.
func (p *Program) Link(reg *Natives) {
	for _, m := range p.Modules {
		for _, f := range m.Functions {
			if f.Native {
				f.Impl = reg.lookup(m.ID.Addr, m.ID.Name, f.Name)
			}
		}
	}
}

// MissingNatives lists native functions without an implementation.
func (p *Program) MissingNatives() []string {
	var out []string
	for _, m := range p.Modules {
		for _, f := range m.Functions {
			if f.Native && f.Impl == nil {
				out = append(out, f.QualifiedName())
			}
		}
	}
	sort.Strings(out)
	return out
}

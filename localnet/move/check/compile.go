// Package check resolves names, checks types, abilities, visibility and the
// Aptos-specific rules of Move packages, and compiles function bodies to the
// bytecode of package vm. Its output is an immutable vm.Program plus the
// unit tests found in the root package.
package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Source is one Move source file.
type Source struct {
	Name string // path shown in diagnostics
	Text string
}

// Package is a set of sources compiled together.
type Package struct {
	Name    string
	Sources []Source
	// Root marks the package whose tests are collected.
	Root bool
}

// Options control a compilation.
type Options struct {
	// Addresses maps named addresses (std, aptos_framework, the package's own) to values.
	Addresses map[string]vm.Address
	// Test compiles #[test] and #[test_only] code.
	Test bool
	// Natives are bound to native functions; nil leaves them unbound.
	Natives *vm.Natives
	// MaxErrors stops after that many diagnostics (0: 100).
	MaxErrors int
}

// Diag is a diagnostic.
type Diag struct {
	File string
	Pos  syntax.Pos
	Msg  string
}

func (d Diag) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Pos.Line, d.Pos.Col, d.Msg)
}

// Errors is a list of diagnostics; it is the error Compile returns.
type Errors []Diag

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, d := range e {
		lines[i] = "error: " + d.String()
	}
	return strings.Join(lines, "\n")
}

// Result is a compiled program and its tests.
type Result struct {
	Program  *vm.Program
	Tests    []*Test
	Warnings []Diag
	// Sources maps each compiled file name to its text, for diagnostics.
	Sources map[string]string
}

type compiler struct {
	opts    Options
	prog    *vm.Program
	mods    map[vm.ModuleID]*modInfo
	modList []*modInfo
	errs    Errors
	warns   []Diag
	maxErrs int
	tests   []*Test
	nextVar int
	vecMod  vm.ModuleID
	lifted  int // lambdas lifted into functions
}

type tooManyErrors struct{}

func (c *compiler) errorf(file string, pos syntax.Pos, format string, args ...any) {
	c.errs = append(c.errs, Diag{File: file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
	if len(c.errs) >= c.maxErrs {
		panic(tooManyErrors{})
	}
}

func (c *compiler) warnf(file string, pos syntax.Pos, format string, args ...any) {
	c.warns = append(c.warns, Diag{File: file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

type modInfo struct {
	id       vm.ModuleID
	decl     *syntax.Module
	file     string
	pkg      *Package
	vmod     *vm.Module
	structs  map[string]*structInfo
	funs     map[string]*funInfo
	consts   map[string]*constInfo
	aliases  map[string]vm.ModuleID // module aliases
	members  map[string]memberRef   // member aliases
	friends  map[vm.ModuleID]bool
	testOnly bool
	slist    []*structInfo
	flist    []*funInfo
	clist    []*constInfo
}

type memberRef struct {
	mod  vm.ModuleID
	name string
	pos  syntax.Pos
}

type fieldInfo struct {
	name string
	ty   *cty
}

type variantInfo struct {
	name       string
	fields     []fieldInfo
	positional bool
}

type structInfo struct {
	mod        *modInfo
	name       string
	decl       *syntax.StructDecl
	tparams    []vm.TypeParamDef
	abilities  vm.Ability
	isEnum     bool
	positional bool
	fields     []fieldInfo
	variants   []variantInfo
	def        *vm.StructDef
	testOnly   bool
	vis        vm.Visibility // Move 2.4 struct visibility
}

func (s *structInfo) fieldIndex(name string) int {
	for i, f := range s.fields {
		if f.name == name {
			return i
		}
	}
	return -1
}

type funInfo struct {
	mod      *modInfo
	name     string
	decl     *syntax.FunDecl
	tparams  []vm.TypeParamDef
	params   []*cty
	pnames   []string
	result   *cty
	results  []*cty
	vis      vm.Visibility
	entry    bool
	inline   bool
	native   bool
	testOnly bool
	isTest   bool
	view     bool
	vfn      *vm.Function
	body     *bodyInfo // checked body
	checking bool
	acquires []*structInfo
}

type constInfo struct {
	mod      *modInfo
	name     string
	decl     *syntax.ConstDecl
	ty       *cty
	val      vm.Value
	done     bool
	busy     bool
	testOnly bool
	vis      vm.Visibility // Move 2.4 constant visibility
}

// Compile checks and compiles packages (dependencies first, the root last).
func Compile(pkgs []*Package, opts Options) (res *Result, err error) {
	c := &compiler{opts: opts, prog: vm.NewProgram(), mods: map[vm.ModuleID]*modInfo{}, maxErrs: opts.MaxErrors}
	if c.maxErrs == 0 {
		c.maxErrs = 100
	}
	c.vecMod = vm.ModuleID{Addr: vm.AddressFromU64(1), Name: "vector"}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tooManyErrors); !ok {
				// A checker bug must not take the process down: report it.
				c.errs = append(c.errs, Diag{File: "<checker>", Msg: fmt.Sprintf("internal error: %v (please report this program)", r)})
			}
			res, err = nil, c.errs
		}
	}()
	var files []*syntax.File
	var filePkgs []*Package
	for _, p := range pkgs {
		for _, src := range p.Sources {
			f, perr := syntax.ParseFile(src.Name, src.Text)
			if perr != nil {
				if se, ok := perr.(*syntax.Error); ok {
					c.errorf(se.File, se.Pos, "%s", se.Msg)
				} else {
					c.errorf(src.Name, syntax.Pos{}, "%v", perr)
				}
				continue
			}
			files = append(files, f)
			filePkgs = append(filePkgs, p)
		}
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	c.declareModules(files, filePkgs)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	for _, m := range c.modList {
		c.resolveUses(m)
	}
	for _, m := range c.modList {
		c.declareStructs(m)
	}
	for _, m := range c.modList {
		c.resolveStructFields(m)
	}
	for _, m := range c.modList {
		c.declareFuns(m)
		c.declareConsts(m)
	}
	for _, m := range c.modList {
		for _, k := range m.clist {
			c.evalConst(k)
		}
	}
	for _, m := range c.modList {
		for _, f := range m.flist {
			if !f.native {
				c.checkFun(f)
			}
		}
	}
	for _, m := range c.modList {
		c.collectTests(m)
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	for _, m := range c.modList {
		for _, f := range m.flist {
			if !f.native && !f.inline {
				c.genFun(f)
			}
		}
		m.vmod.Index()
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	if opts.Natives != nil {
		c.prog.Link(opts.Natives)
	}
	sort.SliceStable(c.tests, func(i, j int) bool {
		a, b := c.tests[i], c.tests[j]
		if ma, mb := a.Module.ID, b.Module.ID; ma != mb {
			if ma.Addr != mb.Addr {
				return strings.Compare(string(ma.Addr[:]), string(mb.Addr[:])) < 0
			}
			return ma.Name < mb.Name
		}
		return a.Name < b.Name
	})
	sources := map[string]string{}
	for _, p := range pkgs {
		for _, src := range p.Sources {
			sources[src.Name] = src.Text
		}
	}
	return &Result{Program: c.prog, Tests: c.tests, Warnings: c.warns, Sources: sources}, nil
}

func (c *compiler) address(file string, ln syntax.LeadingName) (vm.Address, bool) {
	if ln.IsAddr {
		a, ok := vm.ParseAddress(ln.Name)
		if !ok {
			c.errorf(file, ln.Pos, "invalid address '%s'", ln.Name)
		}
		return a, ok
	}
	a, ok := c.opts.Addresses[ln.Name]
	if !ok {
		c.errorf(file, ln.Pos, "unbound named address '%s'", ln.Name)
	}
	return a, ok
}

func isTestOnly(as syntax.Attrs) bool { return as.Has("test_only") }

// skip reports whether an item is left out of this compilation:
// #[verify_only] always, #[test_only] and #[test] outside test mode.
func (c *compiler) skip(as syntax.Attrs) bool {
	return as.Has("verify_only") || (!c.opts.Test && (as.Has("test_only") || as.Has("test")))
}
func isTestFn(as syntax.Attrs) bool { return as.Has("test") }

func (c *compiler) declareModules(files []*syntax.File, pkgs []*Package) {
	for i, f := range files {
		for _, md := range f.Modules {
			if c.skip(md.Attrs) {
				continue
			}
			if md.Addr == nil {
				c.errorf(f.Name, md.Pos, "module '%s' has no address", md.Name.Name)
				continue
			}
			addr, ok := c.address(f.Name, *md.Addr)
			if !ok {
				continue
			}
			id := vm.ModuleID{Addr: addr, Name: md.Name.Name}
			if prev, dup := c.mods[id]; dup {
				c.errorf(f.Name, md.Name.Pos, "duplicate module %s (also declared in %s)", id, prev.file)
				continue
			}
			m := &modInfo{id: id, decl: md, file: f.Name, pkg: pkgs[i],
				structs: map[string]*structInfo{}, funs: map[string]*funInfo{}, consts: map[string]*constInfo{},
				aliases: map[string]vm.ModuleID{}, members: map[string]memberRef{}, friends: map[vm.ModuleID]bool{},
				testOnly: isTestOnly(md.Attrs)}
			m.vmod = &vm.Module{ID: id, Package: pkgs[i].Name, File: f.Name, TestOnly: m.testOnly}
			if err := c.prog.AddModule(m.vmod); err != nil {
				c.errorf(f.Name, md.Pos, "%v", err)
				continue
			}
			c.mods[id] = m
			c.modList = append(c.modList, m)
		}
	}
}

func (c *compiler) resolveUses(m *modInfo) {
	for _, u := range m.decl.Uses {
		c.addUse(m, u, m.aliases, m.members)
	}
	for _, fd := range m.decl.Friends {
		if c.skip(fd.Attrs) {
			continue
		}
		if isTestOnly(fd.Attrs) {
			// a test-only friend may live in the tests of a dependency,
			// which are not compiled: ignore it when it is absent
			if id, ok := c.tryModulePath(m, fd.Path); !ok || c.mods[id] == nil {
				continue
			}
		}
		id, ok := c.modulePath(m, fd.Path)
		if !ok {
			continue
		}
		if id.Addr != m.id.Addr {
			c.errorf(m.file, fd.Pos, "friend module %s must have the same address as %s", id, m.id)
		}
		m.friends[id] = true
		m.vmod.Friends = append(m.vmod.Friends, id)
	}
}

// addUse records a use declaration in alias tables.
func (c *compiler) addUse(m *modInfo, u *syntax.UseDecl, aliases map[string]vm.ModuleID, members map[string]memberRef) {
	if c.skip(u.Attrs) {
		return
	}
	addr, ok := c.address(m.file, u.Addr)
	if !ok {
		return
	}
	id := vm.ModuleID{Addr: addr, Name: u.Module.Name}
	target := c.mods[id]
	if target == nil {
		c.errorf(m.file, u.Module.Pos, "unbound module %s", id)
		return
	}
	if u.Members == nil {
		name := u.Module.Name
		if u.Alias != nil {
			name = u.Alias.Name
		}
		aliases[name] = id
		return
	}
	for _, mem := range u.Members {
		if mem.Name.Name == "Self" {
			name := u.Module.Name
			if mem.Alias != nil {
				name = mem.Alias.Name
			}
			aliases[name] = id
			continue
		}
		name := mem.Name.Name
		if mem.Alias != nil {
			name = mem.Alias.Name
		}
		if target.structs[mem.Name.Name] == nil && target.funs[mem.Name.Name] == nil &&
			!c.declaresMember(target, mem.Name.Name) {
			c.errorf(m.file, mem.Name.Pos, "unbound member '%s' in module %s", mem.Name.Name, id)
			continue
		}
		members[name] = memberRef{mod: id, name: mem.Name.Name, pos: mem.Name.Pos}
	}
}

// declaresMember checks the declaration (uses are resolved before members are declared).
func (c *compiler) declaresMember(m *modInfo, name string) bool {
	for _, s := range m.decl.Structs {
		if s.Name.Name == name && !c.skip(s.Attrs) {
			return true
		}
	}
	for _, f := range m.decl.Funs {
		if f.Name.Name == name && !c.skip(f.Attrs) {
			return true
		}
	}
	for _, k := range m.decl.Consts {
		if k.Name.Name == name && !c.skip(k.Attrs) {
			return true
		}
	}
	return false
}

// tryModulePath resolves a module path without reporting errors.
func (c *compiler) tryModulePath(m *modInfo, p *syntax.Path) (vm.ModuleID, bool) {
	switch len(p.Names) {
	case 0:
		if p.Root.Name == "Self" {
			return m.id, true
		}
		id, ok := m.aliases[p.Root.Name]
		return id, ok
	case 1:
		var addr vm.Address
		var ok bool
		if p.Root.IsAddr {
			addr, ok = vm.ParseAddress(p.Root.Name)
		} else {
			addr, ok = c.opts.Addresses[p.Root.Name]
		}
		return vm.ModuleID{Addr: addr, Name: p.Names[0].Name}, ok
	}
	return vm.ModuleID{}, false
}

// modulePath resolves `a::m` or an alias `m` to a module.
func (c *compiler) modulePath(m *modInfo, p *syntax.Path) (vm.ModuleID, bool) {
	switch len(p.Names) {
	case 0:
		if p.Root.Name == "Self" {
			return m.id, true
		}
		if id, ok := m.aliases[p.Root.Name]; ok {
			return id, true
		}
		c.errorf(m.file, p.Pos, "unbound module '%s'", p.Root.Name)
		return vm.ModuleID{}, false
	case 1:
		addr, ok := c.address(m.file, p.Root)
		if !ok {
			return vm.ModuleID{}, false
		}
		id := vm.ModuleID{Addr: addr, Name: p.Names[0].Name}
		if c.mods[id] == nil {
			c.errorf(m.file, p.Pos, "unbound module %s", id)
			return id, false
		}
		return id, true
	}
	c.errorf(m.file, p.Pos, "'%s' is not a module", p)
	return vm.ModuleID{}, false
}

func convVis(v syntax.Visibility) vm.Visibility {
	switch v {
	case syntax.Public, syntax.PublicScript:
		return vm.Public
	case syntax.PublicFriend:
		return vm.Friend
	case syntax.PublicPackage:
		return vm.Package
	}
	return vm.Private
}

func convAb(a syntax.Ability) vm.Ability { return vm.Ability(a) }

func (c *compiler) declareStructs(m *modInfo) {
	for _, sd := range m.decl.Structs {
		if c.skip(sd.Attrs) {
			continue
		}
		if !startsUpper(sd.Name.Name) {
			c.errorf(m.file, sd.Name.Pos, "invalid struct name '%s': must start with an uppercase letter", sd.Name.Name)
		}
		if m.structs[sd.Name.Name] != nil {
			c.errorf(m.file, sd.Name.Pos, "duplicate struct '%s'", sd.Name.Name)
			continue
		}
		s := &structInfo{mod: m, name: sd.Name.Name, decl: sd, abilities: convAb(sd.Abilities), isEnum: sd.IsEnum,
			positional: sd.Positional, testOnly: isTestOnly(sd.Attrs), vis: convVis(sd.Visibility)}
		seen := map[string]bool{}
		for _, tp := range sd.TypeParams {
			if seen[tp.Name.Name] {
				c.errorf(m.file, tp.Name.Pos, "duplicate type parameter '%s'", tp.Name.Name)
			}
			seen[tp.Name.Name] = true
			s.tparams = append(s.tparams, vm.TypeParamDef{Name: tp.Name.Name, Phantom: tp.Phantom, Constraints: convAb(tp.Constraints)})
		}
		s.def = &vm.StructDef{Module: m.id, Name: s.name, TypeParams: s.tparams, Abilities: s.abilities,
			IsEnum: s.isEnum, Native: sd.Native, Event: sd.Attrs.Has("event"), Visibility: s.vis}
		m.structs[s.name] = s
		m.slist = append(m.slist, s)
		m.vmod.Structs = append(m.vmod.Structs, s.def)
	}
}

func startsUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// typeScope resolves type parameter names.
type typeScope struct {
	names []string
	ab    []vm.Ability
	owner any
}

func (ts *typeScope) lookup(name string) (*cty, bool) {
	if ts == nil {
		return nil, false
	}
	for i, n := range ts.names {
		if n == name {
			return &cty{k: tParam, param: i, owner: ts.owner, pname: n, ab: ts.ab[i]}, true
		}
	}
	return nil, false
}

func (c *compiler) resolveStructFields(m *modInfo) {
	for _, s := range m.slist {
		ts := &typeScope{owner: s}
		for _, tp := range s.tparams {
			ts.names = append(ts.names, tp.Name)
			ts.ab = append(ts.ab, tp.Constraints)
		}
		checkField := func(f *syntax.Field) fieldInfo {
			t := c.resolveType(m, ts, f.Type)
			c.checkFieldType(m, s, f, t)
			return fieldInfo{name: f.Name.Name, ty: t}
		}
		if s.isEnum {
			for _, v := range s.decl.Variants {
				vi := variantInfo{name: v.Name.Name, positional: v.Positional}
				for _, f := range v.Fields {
					vi.fields = append(vi.fields, checkField(f))
				}
				s.variants = append(s.variants, vi)
			}
		} else {
			seen := map[string]bool{}
			for _, f := range s.decl.Fields {
				if seen[f.Name.Name] {
					c.errorf(m.file, f.Name.Pos, "duplicate field '%s'", f.Name.Name)
				}
				seen[f.Name.Name] = true
				s.fields = append(s.fields, checkField(f))
			}
		}
	}
	// vm field types need every struct's def, so fill them afterwards.
	for _, s := range m.slist {
		conv := func(fs []fieldInfo) []vm.FieldDef {
			out := make([]vm.FieldDef, len(fs))
			for i, f := range fs {
				out[i] = vm.FieldDef{Name: f.name, Type: c.toVM(f.ty, s)}
			}
			return out
		}
		if s.isEnum {
			for _, v := range s.variants {
				s.def.Variants = append(s.def.Variants, vm.VariantDef{Name: v.name, Fields: conv(v.fields)})
			}
		} else {
			s.def.Fields = conv(s.fields)
		}
	}
}

// checkFieldType enforces field ability and phantom rules.
func (c *compiler) checkFieldType(m *modInfo, s *structInfo, f *syntax.Field, t *cty) {
	if containsRef(t) {
		c.errorf(m.file, f.Type.TypePos(), "invalid field type %s: references cannot be stored in structs", t)
		return
	}
	// phantom parameters may not appear in non-phantom positions
	var visit func(t *cty, phantomPos bool)
	visit = func(t *cty, phantomPos bool) {
		t = prune(t)
		switch t.k {
		case tParam:
			if t.owner == s && s.tparams[t.param].Phantom && !phantomPos {
				c.errorf(m.file, f.Type.TypePos(), "phantom type parameter '%s' cannot be used as a field type", t.pname)
			}
		case tVec:
			visit(t.elem, false)
		case tStruct:
			for i, a := range t.args {
				visit(a, i < len(t.sdef.tparams) && t.sdef.tparams[i].Phantom)
			}
		case tFun:
			for _, a := range t.args {
				visit(a, false)
			}
			visit(t.res, false)
		}
	}
	visit(t, false)
	need := s.abilities & (vm.Copy | vm.Drop | vm.Store)
	if s.abilities&vm.Key != 0 {
		need |= vm.Store
	}
	// type parameters count as having the abilities the struct needs (they
	// are checked at instantiation), except phantoms which never matter.
	have := fieldAbilities(t, s)
	for _, a := range []vm.Ability{vm.Copy, vm.Drop, vm.Store} {
		if need&a != 0 && have&a == 0 {
			c.errorf(m.file, f.Type.TypePos(), "field '%s' of type %s does not have ability '%s' required by struct '%s'", f.Name.Name, t, a, s.name)
		}
	}
}

func fieldAbilities(t *cty, s *structInfo) vm.Ability {
	t = prune(t)
	switch t.k {
	case tParam:
		if t.owner == s {
			return vm.AllAbilities
		}
		return t.ab
	case tVec:
		return fieldAbilities(t.elem, s) &^ vm.Key
	case tStruct:
		ab := t.sdef.abilities
		for i, a := range t.args {
			if i < len(t.sdef.tparams) && t.sdef.tparams[i].Phantom {
				continue
			}
			aa := fieldAbilities(a, s)
			if aa&vm.Copy == 0 {
				ab &^= vm.Copy
			}
			if aa&vm.Drop == 0 {
				ab &^= vm.Drop
			}
			if aa&vm.Store == 0 {
				ab &^= vm.Store | vm.Key
			}
		}
		return ab
	}
	return abilities(t)
}

func containsRef(t *cty) bool {
	t = prune(t)
	switch t.k {
	case tRef:
		return true
	case tVec:
		return containsRef(t.elem)
	case tStruct:
		for _, a := range t.args {
			if containsRef(a) {
				return true
			}
		}
	}
	return false
}

// resolveType converts a syntax type to a checker type.
func (c *compiler) resolveType(m *modInfo, ts *typeScope, t syntax.Type) *cty {
	switch t := t.(type) {
	case *syntax.RefType:
		e := c.resolveType(m, ts, t.Elem)
		if prune(e).k == tRef {
			c.errorf(m.file, t.Pos, "invalid type: reference to a reference")
		}
		return refOf(e, t.Mut)
	case *syntax.TupleType:
		var elems []*cty
		for _, e := range t.Elems {
			elems = append(elems, c.resolveType(m, ts, e))
		}
		return &cty{k: tTuple, args: elems}
	case *syntax.FunType:
		ft := &cty{k: tFun, ab: convAb(t.Abilities)}
		for _, p := range t.Params {
			ft.args = append(ft.args, c.resolveType(m, ts, p))
		}
		if t.Result != nil {
			ft.res = c.resolveType(m, ts, t.Result)
		} else {
			ft.res = tyUnit
		}
		return ft
	case *syntax.NamedType:
		p := t.Path
		args := make([]*cty, len(t.Args))
		for i, a := range t.Args {
			args[i] = c.resolveType(m, ts, a)
		}
		if len(p.Names) == 0 && !p.Root.IsAddr {
			name := p.Root.Name
			if tp, ok := ts.lookup(name); ok {
				if len(args) > 0 {
					c.errorf(m.file, p.Pos, "type parameter '%s' takes no type arguments", name)
				}
				return tp
			}
			if pt, ok := primByName[name]; ok {
				if len(args) > 0 {
					c.errorf(m.file, p.Pos, "type '%s' takes no type arguments", name)
				}
				return pt
			}
			if name == "vector" {
				if len(args) != 1 {
					c.errorf(m.file, p.Pos, "vector takes exactly one type argument")
					return tyErr
				}
				return vecOf(args[0])
			}
		}
		s := c.resolveStructPath(m, p)
		if s == nil {
			return tyErr
		}
		if len(args) != len(s.tparams) {
			c.errorf(m.file, p.Pos, "struct %s expects %d type arguments, got %d", s.name, len(s.tparams), len(args))
			return tyErr
		}
		for i, a := range args {
			c.checkConstraint(m.file, t.Args[i].TypePos(), a, s.tparams[i].Constraints, "type argument of "+s.name)
		}
		return &cty{k: tStruct, sdef: s, args: args}
	}
	return tyErr
}

// checkConstraint reports a type argument lacking required abilities.
func (c *compiler) checkConstraint(file string, pos syntax.Pos, t *cty, need vm.Ability, what string) {
	if need == 0 || !resolved(t) {
		return
	}
	have := abilities(t)
	if p := prune(t); p.k == tRef || p.k == tTuple {
		c.errorf(file, pos, "invalid %s: %s", what, p)
		return
	}
	if missing := need &^ have; missing != 0 {
		c.errorf(file, pos, "type %s does not have the ability '%s' required by %s", t, missing, what)
	}
}

// resolveStructPath finds a struct (or enum) by path.
func (c *compiler) resolveStructPath(m *modInfo, p *syntax.Path) *structInfo {
	var mod *modInfo
	var name string
	switch len(p.Names) {
	case 0:
		if ref, ok := m.members[p.Root.Name]; ok {
			mod, name = c.mods[ref.mod], ref.name
		} else {
			mod, name = m, p.Root.Name
		}
	case 1:
		id, ok := c.modulePath(m, &syntax.Path{Pos: p.Pos, Root: p.Root})
		if !ok {
			return nil
		}
		mod, name = c.mods[id], p.Names[0].Name
	case 2:
		id, ok := c.modulePath(m, &syntax.Path{Pos: p.Pos, Root: p.Root, Names: p.Names[:1]})
		if !ok {
			return nil
		}
		mod, name = c.mods[id], p.Names[1].Name
	default:
		c.errorf(m.file, p.Pos, "invalid type name '%s'", p)
		return nil
	}
	s := mod.structs[name]
	if s == nil {
		c.errorf(m.file, p.Pos, "unbound type '%s'", p)
		return nil
	}
	if s.testOnly && !m.testOnly && !c.opts.Test {
		c.errorf(m.file, p.Pos, "struct '%s' is test-only", p)
	}
	return s
}

// toVM converts a fully resolved checker type to a vm type. Type
// parameters owned by owner become vm type parameters.
func (c *compiler) toVM(t *cty, owner any) *vm.Type {
	t = prune(t)
	switch t.k {
	case tPrim:
		return vm.Prim(t.prim)
	case tVec:
		return c.prog.Vector(c.toVM(t.elem, owner))
	case tRef:
		return c.prog.Ref(c.toVM(t.elem, owner), t.mut)
	case tParam:
		return c.prog.Param(t.param)
	case tStruct:
		args := make([]*vm.Type, len(t.args))
		for i, a := range t.args {
			args[i] = c.toVM(a, owner)
		}
		return c.prog.Struct(t.sdef.def, args)
	case tFun:
		params := make([]*vm.Type, len(t.args))
		for i, a := range t.args {
			params[i] = c.toVM(a, owner)
		}
		var res []*vm.Type
		r := prune(t.res)
		if r.k == tTuple {
			for _, a := range r.args {
				res = append(res, c.toVM(a, owner))
			}
		} else {
			res = []*vm.Type{c.toVM(r, owner)}
		}
		return c.prog.Function(params, res, t.ab)
	case tVar:
		if t.intOnly {
			return vm.TU64
		}
	}
	// Unresolved or erroneous types only reach here after a reported error.
	return vm.TU64
}

func (c *compiler) declareFuns(m *modInfo) {
	for _, fd := range m.decl.Funs {
		test := isTestFn(fd.Attrs)
		testOnly := isTestOnly(fd.Attrs)
		if c.skip(fd.Attrs) {
			continue
		}
		if test && testOnly {
			c.errorf(m.file, fd.Name.Pos, "function '%s' cannot be both #[test] and #[test_only]", fd.Name.Name)
		}
		if m.funs[fd.Name.Name] != nil {
			c.errorf(m.file, fd.Name.Pos, "duplicate function '%s'", fd.Name.Name)
			continue
		}
		if strings.HasPrefix(fd.Name.Name, "_") {
			c.errorf(m.file, fd.Name.Pos, "invalid function name '%s': cannot start with '_'", fd.Name.Name)
		}
		f := &funInfo{mod: m, name: fd.Name.Name, decl: fd, vis: convVis(fd.Visibility), entry: fd.Entry,
			inline: fd.Inline, native: fd.Native, testOnly: testOnly, isTest: test, view: fd.Attrs.Has("view")}
		ts := &typeScope{owner: f}
		for _, tp := range fd.TypeParams {
			f.tparams = append(f.tparams, vm.TypeParamDef{Name: tp.Name.Name, Constraints: convAb(tp.Constraints)})
			ts.names = append(ts.names, tp.Name.Name)
			ts.ab = append(ts.ab, convAb(tp.Constraints))
		}
		for _, p := range fd.Params {
			pt := c.resolveType(m, ts, p.Type)
			if prune(pt).k == tFun && !f.inline {
				// function values as parameters (Move 2.2) are allowed too
			}
			f.params = append(f.params, pt)
			f.pnames = append(f.pnames, p.Name.Name)
		}
		if fd.Result != nil {
			f.result = c.resolveType(m, ts, fd.Result)
		} else {
			f.result = tyUnit
		}
		if r := prune(f.result); r.k == tTuple {
			f.results = r.args
		} else {
			f.results = []*cty{f.result}
		}
		for _, ap := range fd.Acquires {
			if ap.Root.Name == "*" {
				continue
			}
			if s := c.resolveStructPath(m, ap); s != nil {
				if s.mod != m {
					c.errorf(m.file, ap.Pos, "invalid 'acquires': %s is not declared in this module", s.name)
				}
				f.acquires = append(f.acquires, s)
			}
		}
		m.funs[f.name] = f
		m.flist = append(m.flist, f)
		vf := &vm.Function{Module: m.vmod, Name: f.name, TypeParams: f.tparams, Visibility: f.vis, Entry: f.entry,
			View: f.view, Randomness: fd.Attrs.Has("randomness"), Native: f.native, Inline: f.inline, TestOnly: testOnly || test, File: m.file, Line: fd.Pos.Line,
			NameLine: fd.Name.Pos.Line, NameCol: fd.Name.Pos.Col}
		for _, p := range f.params {
			vf.Params = append(vf.Params, c.toVM(p, f))
		}
		for _, r := range f.results {
			vf.Results = append(vf.Results, c.toVM(r, f))
		}
		f.vfn = vf
		if !f.inline {
			m.vmod.Functions = append(m.vmod.Functions, vf)
		}
		c.checkSignatureRules(f)
	}
	// A module compiles public(package) to friend visibility, so it cannot
	// use both.
	var friendFn, packageFn *funInfo
	for _, f := range m.flist {
		if f.vis == vm.Friend && friendFn == nil {
			friendFn = f
		}
		if f.vis == vm.Package && packageFn == nil {
			packageFn = f
		}
	}
	if friendFn != nil && packageFn != nil {
		c.errorf(m.file, packageFn.decl.Pos, "cannot use both package and friend visibility in the same module (friend function '%s', package function '%s')", friendFn.name, packageFn.name)
	}
}

func (c *compiler) declareConsts(m *modInfo) {
	for _, kd := range m.decl.Consts {
		if c.skip(kd.Attrs) {
			continue
		}
		if !startsUpper(kd.Name.Name) {
			c.errorf(m.file, kd.Name.Pos, "invalid constant name '%s': must start with an uppercase letter", kd.Name.Name)
		}
		if m.consts[kd.Name.Name] != nil {
			c.errorf(m.file, kd.Name.Pos, "duplicate constant '%s'", kd.Name.Name)
			continue
		}
		k := &constInfo{mod: m, name: kd.Name.Name, decl: kd, ty: c.resolveType(m, nil, kd.Type), testOnly: isTestOnly(kd.Attrs),
			vis: convVis(kd.Visibility)}
		m.consts[k.name] = k
		m.clist = append(m.clist, k)
	}
}

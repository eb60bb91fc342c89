package movevm

import (
	"strconv"
	"strings"

	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// errorInfo names an abort code: the error constant and its doc comment,
// what Aptos keeps in a module's error map and shows in vm_status
// ("Move abort in 0x1::coin: EINSUFFICIENT_BALANCE(0x10006): Not enough
// coins to complete transaction").
type errorInfo struct {
	name string
	doc  string
}

// abortInfo looks an abort code up in its module's error map: the whole
// code first, then its reason (the low 16 bits, below std::error's
// category).
func (e *Executor) abortInfo(mod vm.ModuleID, code uint64) (errorInfo, bool) {
	e.errorMapsOnce.Do(e.buildErrorMaps)
	m := e.errorMaps[mod]
	if info, ok := m[code]; ok {
		return info, true
	}
	info, ok := m[code&0xffff]
	return info, ok
}

// buildErrorMaps reads the error constants (u64 constants whose name
// starts with E) and their /// comments from the sources of every module.
func (e *Executor) buildErrorMaps() {
	e.errorMaps = map[vm.ModuleID]map[uint64]errorInfo{}
	files := map[string][]*vm.Module{}
	for _, m := range e.prog.Modules {
		files[m.File] = append(files[m.File], m)
	}
	for name, mods := range files {
		text, ok := e.sources[name]
		if !ok {
			continue
		}
		f, err := syntax.ParseFile(name, text)
		if err != nil {
			continue
		}
		lines := strings.Split(text, "\n")
		for _, sm := range f.Modules {
			var id vm.ModuleID
			found := false
			for _, m := range mods {
				if m.ID.Name == sm.Name.Name {
					id, found = m.ID, true
				}
			}
			if !found {
				continue
			}
			em := map[uint64]errorInfo{}
			for _, c := range sm.Consts {
				if !strings.HasPrefix(c.Name.Name, "E") {
					continue
				}
				lit, ok := c.Value.(*syntax.Lit)
				if !ok || lit.Kind != syntax.LitNum {
					continue
				}
				v, ok := parseNumber(lit.Text)
				if !ok {
					continue
				}
				em[v] = errorInfo{name: c.Name.Name, doc: docComment(lines, int(c.Pos.Line))}
			}
			e.errorMaps[id] = em
		}
	}
}

// parseNumber reads a Move integer literal: decimal or hex, with
// underscores and an optional type suffix.
func parseNumber(s string) (uint64, bool) {
	s = strings.ReplaceAll(s, "_", "")
	for _, suf := range []string{"u8", "u16", "u32", "u64", "u128", "u256"} {
		if strings.HasSuffix(s, suf) {
			s = strings.TrimSuffix(s, suf)
			break
		}
	}
	base := 10
	if strings.HasPrefix(s, "0x") {
		s, base = s[2:], 16
	}
	v, err := strconv.ParseUint(s, base, 64)
	return v, err == nil
}

// docComment gathers the /// lines right above line (1-based), skipping
// attributes, as one sentence.
func docComment(lines []string, line int) string {
	var parts []string
	for i := line - 2; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "#[") {
			continue
		}
		if !strings.HasPrefix(l, "///") {
			break
		}
		parts = append([]string{strings.TrimSpace(strings.TrimPrefix(l, "///"))}, parts...)
	}
	return strings.Join(parts, " ")
}

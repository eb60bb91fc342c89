package check_test

import (
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

func compileOne(src string) error {
	p := &check.Package{Name: "D", Root: true, Sources: []check.Source{{Name: "m.move", Text: src}}}
	_, err := check.Compile([]*check.Package{p}, check.Options{Addresses: map[string]vm.Address{}, MaxErrors: 50})
	return err
}

// TestLongExpressions: a sum of thousands of terms just below the chain
// bound checks (type inference compresses its chains of variables, so this
// takes milliseconds, not the seconds a quadratic walk took).
func TestLongExpressions(t *testing.T) {
	src := "module 0xd::m { fun f(x: u64): u64 { x" + strings.Repeat(" + 1", 9000) + " } }"
	if err := compileOne(src); err != nil {
		t.Fatal(err)
	}
}

// TestHugeFunctionIsRejected: the flow analysis is bounded instead of
// exhausting memory.
func TestHugeFunctionIsRejected(t *testing.T) {
	src := "module 0xd::m { fun f(x: u64): u64 { " + strings.Repeat("let y = x; ", 20000) + " 1 } }"
	err := compileOne(src)
	if err == nil || !strings.Contains(err.Error(), "function too large to check") {
		t.Fatalf("want a size error, got %v", err)
	}
}

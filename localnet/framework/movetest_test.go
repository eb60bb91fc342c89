package framework_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/testrun"
)

// TestFrameworkPackages runs the Move unit tests of the three framework
// packages on the interpreter with the framework's natives and test genesis
// installed (by importing this package), one Go subtest per Move test.
func TestFrameworkPackages(t *testing.T) {
	for _, p := range framework.Packages() {
		t.Run(p.Name, func(t *testing.T) {
			b, err := build.Build(filepath.Join(".", p.Dir), build.Options{Test: true})
			if err != nil {
				t.Fatalf("build %s: %v", p.Dir, err)
			}
			var debug bytes.Buffer
			sum, err := testrun.Run(b.Result, testrun.Options{Genesis: build.TestGenesis(), Debug: &debug})
			if err != nil {
				t.Fatalf("run %s: %v", p.Dir, err)
			}
			if len(sum.Results) < 10 {
				t.Fatalf("%s has only %d Move tests", p.Name, len(sum.Results))
			}
			for _, r := range sum.Results {
				t.Run(r.Name(), func(t *testing.T) {
					if r.Outcome != testrun.Pass {
						t.Errorf("%s", r.Reason)
					}
				})
			}
		})
	}
}

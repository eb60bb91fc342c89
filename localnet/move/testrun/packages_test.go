package testrun_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	// The framework installs its packages, natives and test genesis.
	_ "github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/testrun"
)

// repoRoot finds the repository root (the directory holding go.mod).
func repoRoot(t *testing.T) string {
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// movePackages lists the directories holding a Move.toml under root,
// skipping those under skip.
func movePackages(t *testing.T, root string, skip ...string) []string {
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			for _, s := range skip {
				if p == s {
					return filepath.SkipDir
				}
			}
			if name := d.Name(); name == ".git" || name == "build" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == "Move.toml" {
			out = append(out, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestMovePackages runs the unit tests of every Move package in the
// repository (except the interpreter's own failing and rejected examples),
// one Go subtest per Move test.
func TestMovePackages(t *testing.T) {
	root := repoRoot(t)
	td := filepath.Join(root, "localnet", "move", "testdata")
	pkgs := movePackages(t, root, filepath.Join(td, "failing"), filepath.Join(td, "reject"))
	if len(pkgs) == 0 {
		t.Fatal("no Move packages found")
	}
	for _, dir := range pkgs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			b, err := build.Build(dir, build.Options{Test: true})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if len(b.Tests) == 0 {
				t.Skip("package has no tests")
			}
			sum, err := testrun.Run(b.Result, testrun.Options{Genesis: build.TestGenesis()})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range sum.Results {
				r := r
				t.Run(r.Test.Module.ID.Name+"::"+r.Test.Name, func(t *testing.T) {
					if r.Outcome != testrun.Pass {
						var buf bytes.Buffer
						testrun.Report(&buf, &testrun.Summary{Results: []*testrun.Result{r}, Failed: 1, Sources: sum.Sources})
						t.Errorf("%s", buf.String())
					}
				})
			}
		})
	}
}

// TestFailingPackages runs packages whose tests fail on purpose and compares
// the report with expected.txt (the output `aptos move test` gives for them).
func TestFailingPackages(t *testing.T) {
	root := repoRoot(t)
	dirs := movePackages(t, filepath.Join(root, "localnet", "move", "testdata", "failing"))
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
			if err != nil && os.Getenv("UPDATE_GOLDEN") == "" {
				t.Fatal(err)
			}
			wd, _ := os.Getwd()
			if err := os.Chdir(dir); err != nil {
				t.Fatal(err)
			}
			defer os.Chdir(wd)
			b, err := build.Build(".", build.Options{Test: true})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			sum, err := testrun.Run(b.Result, testrun.Options{Genesis: build.TestGenesis()})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			testrun.Report(&buf, sum)
			if got := buf.String(); got != string(want) {
				if os.Getenv("UPDATE_GOLDEN") != "" {
					os.WriteFile(filepath.Join(dir, "expected.txt"), buf.Bytes(), 0o644)
					return
				}
				t.Errorf("report differs from expected.txt:\n--- got\n%s\n--- want\n%s", got, want)
			}
		})
	}
}

// TestRejectedPackages compiles packages that must not compile and checks
// that each line of expected.txt appears among the diagnostics.
func TestRejectedPackages(t *testing.T) {
	root := repoRoot(t)
	dirs := movePackages(t, filepath.Join(root, "localnet", "move", "testdata", "reject"))
	if len(dirs) == 0 {
		t.Fatal("no rejected packages")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
			if err != nil {
				t.Fatal(err)
			}
			wd, _ := os.Getwd()
			if err := os.Chdir(dir); err != nil {
				t.Fatal(err)
			}
			defer os.Chdir(wd)
			_, err = build.Build(".", build.Options{Test: true})
			if err == nil {
				t.Fatal("package compiled, but it must be rejected")
			}
			var diags check.Errors
			got := err.Error()
			if errors.As(err, &diags) {
				got = diags.Error()
			}
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.Contains(got, line) {
					t.Errorf("diagnostics lack %q; got:\n%s", line, got)
				}
			}
		})
	}
}

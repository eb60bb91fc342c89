package framework

import (
	"bufio"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// manifestField reads `key = "value"` lines from a Move.toml section; enough
// for checking the embedded manifests without a TOML dependency.
func manifestField(t *testing.T, fsys fs.FS, section, key string) string {
	t.Helper()
	data, err := fs.ReadFile(fsys, "Move.toml")
	if err != nil {
		t.Fatalf("read Move.toml: %v", err)
	}
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			cur = strings.Trim(line, "[]")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && cur == section && strings.TrimSpace(k) == key {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

func TestPackagesEmbedded(t *testing.T) {
	moduleDecl := regexp.MustCompile(`(?m)^\s*module\s+(\w+)::(\w+)\s*\{`)
	for _, p := range Packages() {
		_, fsys, err := Lookup(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		if got := manifestField(t, fsys, "package", "name"); got != p.Name {
			t.Errorf("%s: Move.toml names package %q", p.Dir, got)
		}
		named := []string{"std"}
		if p.Name != "MoveStdlib" {
			named = append(named, "aptos_std", "aptos_framework")
		}
		if p.Name == "AptosFramework" {
			if got := manifestField(t, fsys, "addresses", "aptos_fungible_asset"); got != "0xA" {
				t.Errorf("aptos_fungible_asset = %q, want 0xA", got)
			}
		}
		for _, named := range named {
			if got := manifestField(t, fsys, "addresses", named); got != "0x1" {
				t.Errorf("%s: address %s = %q, want 0x1", p.Name, named, got)
			}
		}
		modules := map[string]string{}
		err = fs.WalkDir(fsys, "sources", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".move") {
				return err
			}
			src, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			found := moduleDecl.FindAllStringSubmatch(string(src), -1)
			if len(found) == 0 {
				t.Errorf("%s/%s declares no module", p.Dir, path)
			}
			for _, m := range found {
				if prev, dup := modules[m[2]]; dup {
					t.Errorf("module %s declared in %s and %s", m[2], prev, path)
				}
				modules[m[2]] = path
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", p.Dir, err)
		}
		if len(modules) == 0 {
			t.Errorf("%s has no modules", p.Name)
		}
	}
}

func TestLookupAndIsFramework(t *testing.T) {
	if !IsFramework("MoveStdlib") || !IsFramework("AptosStdlib") || IsFramework("Market") {
		t.Fatal("IsFramework misclassifies package names")
	}
	if _, _, err := Lookup("NoSuchPackage"); err == nil {
		t.Fatal("Lookup of an unknown package succeeded")
	}
	_, fsys, err := Lookup("MoveStdlib")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sources/vector.move", "sources/option.move", "sources/string.move", "sources/features.move"} {
		if _, err := fs.Stat(fsys, f); err != nil {
			t.Errorf("MoveStdlib lacks %s: %v", f, err)
		}
	}
}

func TestDefaultFeatureBits(t *testing.T) {
	bits := DefaultFeatureBits()
	for _, on := range []uint64{FeatureSHA512AndRIPEMD160, FeatureChainIDNatives, FeatureBlake2b256,
		FeatureModuleEvent, FeatureConcurrentFA, FeatureDefaultAccountRsrc, 64, 65, 67, 84, 105, 113} {
		if !FeatureEnabled(bits, on) {
			t.Errorf("flag %d should be on by default", on)
		}
	}
	// 6 (old gas-fee collection), 45, 48, 61, 68, 104 and 115 are not
	// default flags; unit tests run with 100 (trusted code) off.
	for _, off := range []uint64{0, 6, 45, 48, 61, 68, 100, 104, 115, 117, 1000} {
		if FeatureEnabled(bits, off) {
			t.Errorf("flag %d should be off by default", off)
		}
	}
	if len(bits) != 15 {
		t.Errorf("bit set has %d bytes, want 15 (flags up to 116)", len(bits))
	}
	if got := FeatureBits(nil); len(got) != 5 {
		t.Errorf("empty bit set has %d bytes, want the minimum 5", len(got))
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestObjectHash(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "abc.txt")
	if err := os.WriteFile(file, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"object", "hash", file})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	// The "abc" vector of docs/FORMAT.md.
	if got := strings.TrimSpace(out.String()); got != "5c170547d40533fb44a0c4874b2977285d519c9e8129f7733c364d97cf2cabd6" {
		t.Fatalf("object hash printed %q", got)
	}

	cmd = newRootCmd()
	cmd.SetArgs([]string{"object", "hash", filepath.Join(dir, "missing")})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing file: err = %v", err)
	}
}

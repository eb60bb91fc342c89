package framework_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
)

// Every embedded source and test file must parse with the interpreter's parser.
func TestSourcesParse(t *testing.T) {
	n := 0
	err := fs.WalkDir(framework.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".move") {
			return err
		}
		src, err := fs.ReadFile(framework.FS(), path)
		if err != nil {
			return err
		}
		n++
		if _, err := syntax.ParseFile(path, string(src)); err != nil {
			t.Errorf("parse %s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d Move files embedded", n)
	}
}

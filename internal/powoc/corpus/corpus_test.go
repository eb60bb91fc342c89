package corpus

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestReadAcrossFiles(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(root, "src", p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b/x.go", "BBB")
	write("a.go", "AA")
	write("a/z.go", "ZZZZ")
	write("a/readme.txt", "skipped")
	if err := os.MkdirAll(filepath.Join(root, "src", "dir.go"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(files); got != 3 || files[0] != "a.go" || files[1] != "a/z.go" || files[2] != "b/x.go" {
		t.Fatalf("files %v", files)
	}
	all := "AAZZZZBBB"
	for off := 0; off <= len(all); off++ {
		for n := 0; off+n <= len(all); n++ {
			got, err := Read(root, int64(off), int64(n))
			if err != nil || !bytes.Equal(got, []byte(all[off:off+n])) {
				t.Fatalf("Read(%d, %d) = %q, %v", off, n, got, err)
			}
		}
	}
	if _, err := Read(root, 5, 5); err == nil {
		t.Fatal("read past the end")
	}
}

func TestGoRootCorpus(t *testing.T) {
	head, err := Validation(GoRoot(), 4096)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(head, []byte("package ")) {
		t.Fatalf("validation set does not start with Go source: %q", head[:64])
	}
}

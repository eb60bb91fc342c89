package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs agigit in-process in dir and returns stdout, stderr and the
// exit code.
type cli struct {
	t   *testing.T
	dir string
}

func (c cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"-C", c.dir}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func (c cli) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("agigit %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func setupHome(t *testing.T) {
	t.Setenv("AGIGIT_HOME", t.TempDir())
	t.Setenv("AGIGIT_KEY", "")
}

func TestCLIGitLikeFlow(t *testing.T) {
	setupHome(t)
	dir := t.TempDir()
	c := cli{t, dir}

	// Outside a repository: fatal, 128.
	_, errs, code := c.run("status")
	if code != 128 || !strings.Contains(errs, "fatal: not an agigit repository") {
		t.Fatalf("status outside a repository: %d %q", code, errs)
	}
	// init needs an identity.
	if _, errs, code := c.run("init"); code != 128 || !strings.Contains(errs, "agigit key new") {
		t.Fatalf("init without a key: %d %q", code, errs)
	}
	npub := strings.TrimSpace(c.ok("key", "new"))
	if !strings.HasPrefix(npub, "npub1") {
		t.Fatalf("key new printed %q", npub)
	}
	if _, _, code := c.run("key", "new"); code != 1 {
		t.Fatalf("second key new: exit %d", code)
	}
	out := c.ok("init", "--name", "tiny-model", "m")
	if !strings.Contains(out, "Initialized empty agigit repository") {
		t.Fatalf("init: %q", out)
	}
	c.dir = filepath.Join(dir, "m")
	os.WriteFile(filepath.Join(c.dir, "config.json"), []byte(`{"dim":4}`), 0o644)
	os.WriteFile(filepath.Join(c.dir, "w.bin"), bytes.Repeat([]byte{1, 2, 3}, 5000), 0o644)

	if _, _, code := c.run("add"); code != 129 {
		t.Fatalf("add without paths: exit %d", code)
	}
	if _, _, code := c.run("commit", "--bogus"); code != 129 {
		t.Fatalf("bad flag: exit %d", code)
	}
	c.ok("add", ".")
	if s := c.ok("status", "-s"); s != "A  config.json\nA  w.bin\n" {
		t.Fatalf("short status %q", s)
	}
	out = c.ok("commit", "-m", "first")
	if !strings.Contains(out, "[main (root-commit) ") || !strings.Contains(out, "2 file(s) changed") {
		t.Fatalf("commit: %q", out)
	}
	out, _, code = c.run("commit", "-m", "nothing")
	if code != 1 || !strings.Contains(out, "nothing to commit, working tree clean") {
		t.Fatalf("empty commit: %d %q", code, out)
	}

	c.ok("branch", "exp")
	c.ok("checkout", "exp")
	os.WriteFile(filepath.Join(c.dir, "w.bin"), []byte("fine-tuned"), 0o644)
	c.ok("commit", "-a", "-m", "tune")
	c.ok("checkout", "main")
	os.WriteFile(filepath.Join(c.dir, "w.bin"), []byte("local edit"), 0o644)
	_, errs, code = c.run("checkout", "exp")
	if code != 1 || !strings.Contains(errs, "would be overwritten by checkout") || !strings.Contains(errs, "w.bin") {
		t.Fatalf("refused checkout: %d %q", code, errs)
	}
	c.ok("checkout", "--force", "exp")
	if b, _ := os.ReadFile(filepath.Join(c.dir, "w.bin")); string(b) != "fine-tuned" {
		t.Fatalf("w.bin after forced checkout: %q", b)
	}
	c.ok("tag", "v1")
	log := c.ok("log", "--oneline")
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "(HEAD -> exp, tag: v1)") || !strings.HasSuffix(lines[1], "first") {
		t.Fatalf("log:\n%s", log)
	}
	if b := c.ok("branch"); b != "* exp\n  main\n" {
		t.Fatalf("branch list %q", b)
	}
	if _, errs, code := c.run("checkout", "nope"); code != 128 || !strings.Contains(errs, "unknown revision") {
		t.Fatalf("checkout of an unknown revision: %d %q", code, errs)
	}
}

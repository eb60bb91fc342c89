package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbd-wtf/go-nostr/nip19"

	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
	"github.com/agi-nostr/agi-nostr/internal/object"
)

// run executes agigit with args and returns stdout and stderr.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(t, args...)
	if err != nil {
		t.Fatalf("agigit %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func TestObjectHash(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "abc.txt")
	if err := os.WriteFile(file, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The "abc" vector of docs/FORMAT.md.
	if got := strings.TrimSpace(mustRun(t, "object", "hash", "-q", file)); got != "5c170547d40533fb44a0c4874b2977285d519c9e8129f7733c364d97cf2cabd6" {
		t.Fatalf("object hash printed %q", got)
	}
	if _, _, err := runCmd(t, "object", "hash", filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing file: err = %v", err)
	}
	if _, _, err := runCmd(t, "object", "hash", dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("directory: err = %v", err)
	}
}

// field returns the value printed after a "name " prefix.
func field(t *testing.T, out, name string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.Fields(strings.TrimSpace(v))[0]
		}
	}
	t.Fatalf("no %q in output:\n%s", name, out)
	return ""
}

func TestObjectSplitJoinRepair(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 300_001)
	rand.NewChaCha8([32]byte{1}).Read(data)
	file := filepath.Join(dir, "model.bin")
	os.WriteFile(file, data, 0o644)
	shards := filepath.Join(dir, "shards")

	out, errOut, err := runCmd(t, "object", "split", file, "--k", "3", "--n", "5", "--out", shards, "--block-size", "16384")
	if err != nil {
		t.Fatal(err)
	}
	// Not a terminal, and quick: plain progress lines only come every two
	// seconds, so there are none.
	if errOut != "" {
		t.Fatalf("unexpected stderr:\n%s", errOut)
	}
	id := field(t, out, "object")
	if hashed := strings.TrimSpace(mustRun(t, "object", "hash", "-q", file)); hashed != id {
		t.Fatalf("split says %s, hash says %s", id, hashed)
	}
	manifest := field(t, out, "manifest")
	m, err := readManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range m.Shards {
		b, err := os.ReadFile(filepath.Join(shards, hex.EncodeToString(h[:])))
		if err != nil || sha256.Sum256(b) != h {
			t.Fatalf("shard %x: %v", h, err)
		}
	}

	// Lose two shards, corrupt nothing: join still works.
	orig := map[int][]byte{}
	for i, h := range m.Shards {
		orig[i], _ = os.ReadFile(object.Dir(shards).Path(h))
	}
	os.Remove(object.Dir(shards).Path(m.Shards[0]))
	os.Remove(object.Dir(shards).Path(m.Shards[3]))
	rebuilt := filepath.Join(dir, "rebuilt.bin")
	out = mustRun(t, "object", "join", "-q", manifest, "--shards", shards, "--out", rebuilt)
	if got, _ := os.ReadFile(rebuilt); !bytes.Equal(got, data) || field(t, out, "object") != id {
		t.Fatal("joined file differs")
	}
	if !strings.Contains(out, "shard 0") || !strings.Contains(out, "missing") {
		t.Fatalf("join does not warn about the missing shard:\n%s", out)
	}

	// --check reports them and changes nothing.
	out, _, err = runCmd(t, "object", "repair", "-q", "--check", manifest, "--shards", shards)
	if err == nil || !strings.Contains(err.Error(), "2 of 5 shards are bad (repairable") || !strings.Contains(out, "bad      shard 3") {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if ee, ok := err.(*exitError); !ok || ee.code != 1 {
		t.Fatalf("check found bad shards: %#v, want exit status 1", err)
	}
	if _, err := os.Stat(object.Dir(shards).Path(m.Shards[0])); err == nil {
		t.Fatal("--check wrote a shard")
	}

	// Repair regenerates them byte-identical.
	out = mustRun(t, "object", "repair", "-q", manifest, "--shards", shards)
	if !strings.Contains(out, "repaired shard 0") || !strings.Contains(out, "repaired shard 3") {
		t.Fatalf("repair output:\n%s", out)
	}
	for i, h := range m.Shards {
		if got, _ := os.ReadFile(object.Dir(shards).Path(h)); !bytes.Equal(got, orig[i]) {
			t.Fatalf("shard %d differs after repair", i)
		}
	}
	if out := mustRun(t, "object", "repair", "-q", manifest, "--shards", shards); !strings.Contains(out, "all 5 shards are healthy") {
		t.Fatalf("second repair: %s", out)
	}
	if out := mustRun(t, "object", "repair", "-q", "--check", manifest, "--shards", shards); !strings.Contains(out, "all 5 shards are healthy") {
		t.Fatalf("check after repair: %s", out)
	}
	// No temporary files left behind.
	entries, _ := os.ReadDir(shards)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("leftover %s", e.Name())
		}
	}

	// Too many lost: a clear error, and the output file is not touched.
	for _, i := range []int{0, 1, 2} {
		os.Remove(object.Dir(shards).Path(m.Shards[i]))
	}
	os.WriteFile(rebuilt, []byte("keep"), 0o644)
	_, _, err = runCmd(t, "object", "join", "-q", manifest, "--shards", shards, "--out", rebuilt)
	if err == nil || !strings.Contains(err.Error(), "need 3 of 5 shards but only 2 are usable") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(rebuilt); string(got) != "keep" {
		t.Fatal("failed join changed the output file")
	}
	if _, _, err := runCmd(t, "object", "split", file, "--k", "3", "--n", "2", "--out", shards); err == nil {
		t.Fatal("k > n accepted")
	}
}

func TestObjectPrivate(t *testing.T) {
	dir := t.TempDir()
	data := []byte(strings.Repeat("private weights ", 5000))
	file := filepath.Join(dir, "dsm.safetensors")
	os.WriteFile(file, data, 0o644)
	shards := filepath.Join(dir, "shards")
	sk, pk, _ := objcrypt.NewEphemeralKey(rand.NewChaCha8([32]byte{2}))
	npub, _ := nip19.EncodePublicKey(pk)
	nsec, _ := nip19.EncodePrivateKey(sk)
	other, _, _ := objcrypt.NewEphemeralKey(rand.NewChaCha8([32]byte{3}))

	out := mustRun(t, "object", "split", "-q", file, "--k", "2", "--n", "4", "--out", shards, "--encrypt-to", npub)
	id, stored, manifest := field(t, out, "object"), field(t, out, "stored"), field(t, out, "manifest")
	if id == stored {
		t.Fatal("private object stored under its plaintext id")
	}
	if b, _ := os.ReadFile(manifest); bytes.Contains(b, []byte(id)) || bytes.Contains(b, []byte(pk)) {
		t.Fatal("manifest reveals the object id or the recipient")
	}
	rebuilt := filepath.Join(dir, "out")
	if _, _, err := runCmd(t, "object", "join", "-q", manifest, "--shards", shards, "--out", rebuilt); err == nil || !strings.Contains(err.Error(), "--key") {
		t.Fatalf("join without a key: %v", err)
	}
	if _, _, err := runCmd(t, "object", "join", "-q", manifest, "--shards", shards, "--out", rebuilt, "--key", other); err == nil || !strings.Contains(err.Error(), "not among") {
		t.Fatalf("join with a stranger's key: %v", err)
	}
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte(nsec+"\n"), 0o600)
	out = mustRun(t, "object", "join", "-q", manifest, "--shards", shards, "--out", rebuilt, "--key-file", keyFile)
	if got, _ := os.ReadFile(rebuilt); !bytes.Equal(got, data) || field(t, out, "object") != id {
		t.Fatal("private join differs")
	}
	show := mustRun(t, "object", "show", manifest, "--key", nsec)
	if field(t, show, "object") != id || field(t, show, "stored") != stored || field(t, show, "plain") != "80000" {
		t.Fatalf("show:\n%s", show)
	}
	// Repair needs no key.
	m, _ := readManifest(manifest)
	os.Remove(object.Dir(shards).Path(m.Shards[1]))
	if out := mustRun(t, "object", "repair", "-q", manifest, "--shards", shards); !strings.Contains(out, "repaired shard 1") {
		t.Fatalf("repair: %s", out)
	}
}

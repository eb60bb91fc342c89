package keys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbd-wtf/go-nostr"
)

func TestParseVectors(t *testing.T) {
	// NIP-19's example keys.
	k, err := Parse("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5")
	if err != nil {
		t.Fatal(err)
	}
	if k.Secret != "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa" {
		t.Fatalf("secret %s", k.Secret)
	}
	if k.Nsec() != "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5" {
		t.Fatalf("nsec %s", k.Nsec())
	}
	pk, err := ParsePublic("npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg")
	if err != nil || pk != "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e" {
		t.Fatalf("npub: %s %v", pk, err)
	}
	for _, bad := range []string{"", "nsec1xyz", "00", strings.Repeat("0", 64), "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg", strings.Repeat("g", 64)} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if _, err := ParsePublic("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"); err == nil {
		t.Error("ParsePublic accepted an nsec")
	}
}

func TestSaveLoad(t *testing.T) {
	home := t.TempDir()
	t.Setenv(EnvHome, home)
	t.Setenv(EnvKey, "")
	if _, _, err := Load(); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Load without a key: %v", err)
	}
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	path, _ := DefaultPath()
	if err := Save(path, k, false); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o", st.Mode().Perm())
	}
	if err := Save(path, k, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second Save: %v", err)
	}
	got, src, err := Load()
	if err != nil || got != k || string(src) != path {
		t.Fatalf("Load: %v %v %s", got, err, src)
	}

	// The environment overrides the file.
	other, _ := Generate()
	t.Setenv(EnvKey, other.Nsec())
	got, _, err = Load()
	if err != nil || got != other {
		t.Fatalf("Load with %s: %v %v", EnvKey, got, err)
	}
	t.Setenv(EnvKey, "garbage")
	if _, _, err := Load(); err == nil {
		t.Fatal("a bad AGIGIT_KEY was accepted")
	}
	t.Setenv(EnvKey, "")

	// A key file others can read is refused.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("readable key file: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
}

func TestSignAndConversationKey(t *testing.T) {
	a, _ := Generate()
	b, _ := Generate()
	ev := &nostr.Event{Kind: 1, Content: "x", CreatedAt: 1}
	if err := a.Sign(ev); err != nil {
		t.Fatal(err)
	}
	if ok, _ := ev.CheckSignature(); !ok || ev.PubKey != a.Public {
		t.Fatal("signature does not verify")
	}
	ab, err := a.ConversationKey(b.Public)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := b.ConversationKey(a.Public)
	if err != nil || ab != ba {
		t.Fatal("conversation keys differ")
	}
}

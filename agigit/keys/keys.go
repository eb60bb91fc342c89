// Package keys holds the agigit user's Nostr identity: a secp256k1 secret
// key kept as an nsec in a file readable only by its owner, or given in the
// AGIGIT_KEY environment variable.
package keys

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nbd-wtf/go-nostr"
	"github.com/nbd-wtf/go-nostr/nip19"
	"github.com/nbd-wtf/go-nostr/nip44"
)

// EnvKey names the environment variable whose nsec overrides the key file.
const EnvKey = "AGIGIT_KEY"

// EnvHome names the environment variable that moves agigit's per-user
// directory (the key file lives there) away from the user config directory.
const EnvHome = "AGIGIT_HOME"

// ErrNoKey is returned when neither AGIGIT_KEY nor a key file is present.
var ErrNoKey = errors.New("no identity: run 'agigit key new' (or 'agigit key import NSEC'), or set " + EnvKey)

// Key is a Nostr key pair, both halves as lowercase hex.
type Key struct {
	Secret string
	Public string
}

// Generate makes a fresh random key.
func Generate() (Key, error) {
	sk := nostr.GeneratePrivateKey()
	if sk == "" {
		return Key{}, errors.New("generate key: no randomness")
	}
	return FromHex(sk)
}

// FromHex builds a key from a 64-character hex secret.
func FromHex(secret string) (Key, error) {
	secret = strings.ToLower(strings.TrimSpace(secret))
	b, err := hex.DecodeString(secret)
	if err != nil || len(b) != 32 {
		return Key{}, errors.New("secret key must be 32 bytes of hex or an nsec")
	}
	var zero [32]byte
	if subtle.ConstantTimeCompare(b, zero[:]) == 1 {
		return Key{}, errors.New("secret key is zero")
	}
	pub, err := nostr.GetPublicKey(secret)
	if err != nil {
		return Key{}, fmt.Errorf("derive public key: %w", err)
	}
	return Key{Secret: secret, Public: pub}, nil
}

// Parse reads a secret key given as an nsec or as 64 hex characters.
func Parse(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "nsec1") {
		prefix, v, err := nip19.Decode(s)
		if err != nil || prefix != "nsec" {
			return Key{}, errors.New("not a valid nsec")
		}
		hexKey, ok := v.(string)
		if !ok {
			return Key{}, errors.New("not a valid nsec")
		}
		return FromHex(hexKey)
	}
	if strings.HasPrefix(s, "npub1") {
		return Key{}, errors.New("that is a public key (npub); a secret key (nsec) is needed")
	}
	return FromHex(s)
}

// ParsePublic reads a public key given as an npub or as 64 hex characters
// and returns it as hex.
func ParsePublic(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "npub1") {
		prefix, v, err := nip19.Decode(s)
		if err != nil || prefix != "npub" {
			return "", fmt.Errorf("%q is not a valid npub", s)
		}
		s, _ = v.(string)
	}
	s = strings.ToLower(s)
	if !nostr.IsValidPublicKey(s) {
		return "", fmt.Errorf("%q is not a public key (npub or 64 hex characters)", s)
	}
	return s, nil
}

// Nsec is the secret key in NIP-19 form.
func (k Key) Nsec() string {
	s, _ := nip19.EncodePrivateKey(k.Secret)
	return s
}

// Npub is the public key in NIP-19 form.
func (k Key) Npub() string { return Npub(k.Public) }

// Npub formats a hex public key as an npub; a malformed key is returned as is.
func Npub(pubHex string) string {
	s, err := nip19.EncodePublicKey(pubHex)
	if err != nil {
		return pubHex
	}
	return s
}

// Sign sets the event's pubkey, id and signature.
func (k Key) Sign(ev *nostr.Event) error {
	if err := ev.Sign(k.Secret); err != nil {
		return fmt.Errorf("sign event kind %d: %w", ev.Kind, err)
	}
	return nil
}

// ConversationKey is the NIP-44 v2 conversation key between this key and a
// peer's public key; it is the same from both sides.
func (k Key) ConversationKey(peerPub string) ([32]byte, error) {
	ck, err := nip44.GenerateConversationKey(peerPub, k.Secret)
	if err != nil {
		return ck, fmt.Errorf("nip44 conversation key with %s: %w", Npub(peerPub), err)
	}
	return ck, nil
}

// Home is agigit's per-user directory: $AGIGIT_HOME, else agigit under the
// user config directory (~/.config/agigit on Linux).
func Home() (string, error) {
	if h := os.Getenv(EnvHome); h != "" {
		return h, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user config directory (set %s): %w", EnvHome, err)
	}
	return filepath.Join(dir, "agigit"), nil
}

// DefaultPath is where the key file lives.
func DefaultPath() (string, error) {
	h, err := Home()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, "key"), nil
}

// Source says where a loaded key came from, for messages.
type Source string

// Load returns the user's key: AGIGIT_KEY when set, else the key file.
func Load() (Key, Source, error) {
	if v, ok := os.LookupEnv(EnvKey); ok && strings.TrimSpace(v) != "" {
		k, err := Parse(v)
		if err != nil {
			return Key{}, "", fmt.Errorf("%s: %w", EnvKey, err)
		}
		return k, Source("environment variable " + EnvKey), nil
	}
	path, err := DefaultPath()
	if err != nil {
		return Key{}, "", err
	}
	k, err := LoadFile(path)
	if err != nil {
		return Key{}, "", err
	}
	return k, Source(path), nil
}

// LoadFile reads a key file, refusing one that others can read.
func LoadFile(path string) (Key, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Key{}, ErrNoKey
	}
	if err != nil {
		return Key{}, fmt.Errorf("read key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return Key{}, fmt.Errorf("key file %s is accessible by others (mode %04o); run: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("read key file: %w", err)
	}
	k, err := Parse(string(b))
	if err != nil {
		return Key{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// ErrExists is returned by Save when a key file is already present.
var ErrExists = errors.New("a key file already exists")

// Save writes the key as an nsec to path with mode 0600, creating the
// directory with mode 0700. It refuses to replace an existing file unless
// overwrite is set, since losing a key loses the repositories it owns.
func Save(path string, k Key, overwrite bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key directory: %w", err)
	}
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%w at %s (use --force to replace it)", ErrExists, path)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if _, err := tmp.WriteString(k.Nsec() + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

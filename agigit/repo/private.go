package repo

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/nbd-wtf/go-nostr"
	"golang.org/x/crypto/chacha20poly1305"
)

// RepoKeySize is the size of a private repository's key.
const RepoKeySize = 32

// commitAAD binds a private commit's ciphertext to its purpose.
var commitAAD = []byte("agigit commit v1")

// CommitCipher is the value of a private commit's "encrypted" tag.
const CommitCipher = "xchacha20poly1305"

// ErrNoRepoKey is returned when a private repository's key is not known
// (a clone by someone the owner did not share it with).
var ErrNoRepoKey = errors.New("this repository is private and its key was not shared with this identity")

// repoKeyName is the repository key's file under .agigit/state.
const repoKeyName = "repo-key"

// RepoKey returns a private repository's key, or ErrNoRepoKey.
func (r *Repo) RepoKey() ([]byte, error) {
	b, err := os.ReadFile(r.StatePath(repoKeyName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoRepoKey
	}
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != RepoKeySize {
		return nil, fmt.Errorf("%s is damaged", r.StatePath(repoKeyName))
	}
	return k, nil
}

// SetRepoKey stores a private repository's key (mode 0600).
func (r *Repo) SetRepoKey(k []byte) error {
	if len(k) != RepoKeySize {
		return fmt.Errorf("repository key must be %d bytes", RepoKeySize)
	}
	if err := os.MkdirAll(r.StatePath(), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(r.StatePath(repoKeyName), r.path("tmp"), []byte(hex.EncodeToString(k)+"\n"), 0o600)
}

// NewRepoKey makes a random repository key.
func NewRepoKey() ([]byte, error) {
	k := make([]byte, RepoKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, nil
}

// Sealer returns the commit sealer of a private repository, nil for a
// public one, and nil as well when the key of a private repository is not
// known (its commits then decode without their trees).
func (r *Repo) Sealer() (Sealer, error) {
	if !r.Config.Private {
		return nil, nil
	}
	k, err := r.RepoKey()
	if errors.Is(err, ErrNoRepoKey) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return NewCommitSealer(k)
}

// CommitSealer encrypts private commits with the repository key using
// XChaCha20-Poly1305: content = base64(nonce || ciphertext).
type CommitSealer struct {
	key []byte
}

// NewCommitSealer makes a sealer for a repository key.
func NewCommitSealer(key []byte) (*CommitSealer, error) {
	if len(key) != RepoKeySize {
		return nil, fmt.Errorf("repository key must be %d bytes", RepoKeySize)
	}
	return &CommitSealer{key: key}, nil
}

// Seal encrypts a private commit's payload.
func (s *CommitSealer) Seal(plain []byte) (string, nostr.Tags, error) {
	aead, err := chacha20poly1305.NewX(s.key)
	if err != nil {
		return "", nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, err
	}
	out := aead.Seal(nonce, nonce, plain, commitAAD)
	return base64.StdEncoding.EncodeToString(out), nostr.Tags{{"encrypted", CommitCipher}}, nil
}

// Open decrypts a private commit's payload.
func (s *CommitSealer) Open(ev *nostr.Event) ([]byte, error) {
	if t := ev.Tags.Find("encrypted"); len(t) < 2 || t[1] != CommitCipher {
		return nil, fmt.Errorf("unsupported commit encryption %v", t)
	}
	raw, err := base64.StdEncoding.DecodeString(ev.Content)
	if err != nil {
		return nil, fmt.Errorf("private commit content: %w", err)
	}
	aead, err := chacha20poly1305.NewX(s.key)
	if err != nil {
		return nil, err
	}
	if len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("private commit content too short")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], commitAAD)
	if err != nil {
		return nil, errors.New("private commit does not decrypt with the repository key")
	}
	return plain, nil
}

package object

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
)

// memStore keeps shard blobs in memory by hash. Tests remove and damage
// blobs through it the way disks and relays lose and corrupt them.
type memStore struct {
	mu    sync.Mutex
	blobs map[Hash][]byte
}

func newMemStore() *memStore { return &memStore{blobs: map[Hash][]byte{}} }

func (s *memStore) Create(index int) (ShardWriter, error) { return &memWriter{s: s}, nil }

func (s *memStore) Open(index int, sum Hash) (io.ReadCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[sum]
	if !ok {
		return nil, fmt.Errorf("shard %d: %w", index, fs.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (s *memStore) get(sum Hash) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blobs[sum]
}

func (s *memStore) put(sum Hash, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blobs[sum] = b
}

func (s *memStore) remove(sum Hash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blobs, sum)
}

// clone copies the store so a test can damage one copy.
func (s *memStore) clone() *memStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newMemStore()
	for k, v := range s.blobs {
		c.blobs[k] = bytes.Clone(v)
	}
	return c
}

type memWriter struct {
	s   *memStore
	buf bytes.Buffer
}

func (w *memWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *memWriter) Commit(sum Hash) error {
	if sha256.Sum256(w.buf.Bytes()) != sum {
		return fmt.Errorf("commit: hash mismatch")
	}
	w.s.put(sum, w.buf.Bytes())
	return nil
}

func (w *memWriter) Abort() error { return nil }

// memFile is an in-memory io.WriterAt.
type memFile struct {
	mu sync.Mutex
	b  []byte
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if end := int(off) + len(p); end > len(f.b) {
		f.b = append(f.b, make([]byte, end-len(f.b))...)
	}
	copy(f.b[off:], p)
	return len(p), nil
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)})
	r.Read(b)
	return b
}

// testKeys returns recipient key pairs derived from seed.
func testKeys(t testing.TB, seed byte, n int) (secrets, publics []string) {
	r := rand.NewChaCha8([32]byte{seed, 0xee})
	for range n {
		s, p, err := objcrypt.NewEphemeralKey(r)
		if err != nil {
			t.Fatal(err)
		}
		secrets, publics = append(secrets, s), append(publics, p)
	}
	return secrets, publics
}

// split splits data into a fresh memStore.
func split(t testing.TB, data []byte, opts SplitOptions) (*SplitResult, *memStore) {
	t.Helper()
	store := newMemStore()
	if opts.Rand == nil {
		opts.Rand = rand.NewChaCha8([32]byte{9})
	}
	res, err := Split(context.Background(), bytes.NewReader(data), uint64(len(data)), opts, store)
	if err != nil {
		t.Fatalf("split %d bytes: %v", len(data), err)
	}
	return res, store
}

// join joins into memory and checks the result against want.
func join(t testing.TB, m *Manifest, src ShardSource, key *objcrypt.DataKey, want []byte) *JoinResult {
	t.Helper()
	var out memFile
	res, err := Join(context.Background(), m, src, &out, JoinOptions{Key: key})
	if err != nil {
		t.Fatalf("join %d bytes: %v", len(want), err)
	}
	if !bytes.Equal(out.b, want) {
		t.Fatalf("join %d bytes: output differs (got %d bytes)", len(want), len(out.b))
	}
	return res
}

// subset exposes only some shard indices of a store.
type subset struct {
	src  ShardSource
	keep map[int]bool
}

func (s subset) Open(index int, sum Hash) (io.ReadCloser, error) {
	if !s.keep[index] {
		return nil, fmt.Errorf("shard %d: %w", index, fs.ErrNotExist)
	}
	return s.src.Open(index, sum)
}

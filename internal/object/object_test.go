package object

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
)

// Small blocks and chunks put many stripe and chunk boundaries into small
// objects.
const (
	tBlock = MinBlockSize
	tChunk = objcrypt.MinChunkSize
)

// interestingSizes are the sizes where layouts change for k data shards of
// tBlock bytes: empty, one byte, leaf boundaries, stripe boundaries, chunk
// boundaries (private), and a few stripes' worth.
func interestingSizes(k int) []int {
	stripe := k * tBlock
	span := tChunk + objcrypt.TagSize
	sizes := []int{0, 1, 2, merkle.LeafSize - 1, merkle.LeafSize, merkle.LeafSize + 1,
		stripe - 1, stripe, stripe + 1, 2*stripe - 1, 2 * stripe, 2*stripe + 1,
		tChunk - 1, tChunk, tChunk + 1, span, 3 * span, 5*stripe + 12345}
	return sizes
}

func TestRoundTripSizes(t *testing.T) {
	_, recipients := testKeys(t, 1, 1)
	secrets, _ := testKeys(t, 1, 1)
	for _, kn := range [][2]int{{1, 1}, {1, 3}, {2, 3}, {3, 5}, {4, 4}} {
		k, n := kn[0], kn[1]
		for _, size := range interestingSizes(k) {
			for _, private := range []bool{false, true} {
				name := fmt.Sprintf("k%d-n%d-%d-private=%v", k, n, size, private)
				t.Run(name, func(t *testing.T) {
					data := randomBytes(uint64(size), size)
					opts := SplitOptions{K: k, N: n, BlockSize: tBlock, ChunkSize: tChunk}
					if private {
						opts.Recipients = recipients
					}
					res, store := split(t, data, opts)
					m := res.Manifest
					if res.ObjectID != merkle.SumBytes(data) || res.Size != uint64(size) {
						t.Fatalf("object id %s, want %s", res.ObjectID, merkle.SumBytes(data))
					}
					if private == (m.ID == res.ObjectID) && size > 0 {
						t.Fatalf("private=%v but stored id == object id is %v", private, m.ID == res.ObjectID)
					}
					checkShards(t, m, store)
					var key *objcrypt.DataKey
					if private {
						k, err := m.DataKey(secrets[0])
						if err != nil {
							t.Fatal(err)
						}
						if k != *res.DataKey {
							t.Fatal("unwrapped key differs from the split's key")
						}
						key = &k
					}
					jr := join(t, m, store, key, data)
					if jr.ObjectID != res.ObjectID {
						t.Fatalf("join id %s", jr.ObjectID)
					}
					// The manifest survives its canonical encoding.
					back, err := ParseManifest(m.Encode())
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(back.Encode(), m.Encode()) {
						t.Fatal("manifest round trip differs")
					}
				})
			}
		}
	}
}

// checkShards verifies every stored shard: name, size, header.
func checkShards(t *testing.T, m *Manifest, store *memStore) {
	t.Helper()
	for i, h := range m.Shards {
		b := store.get(h)
		if b == nil {
			t.Fatalf("shard %d not stored", i)
		}
		if sha256.Sum256(b) != h {
			t.Fatalf("shard %d: stored under the wrong name", i)
		}
		if uint64(len(b)) != m.Layout().ShardSize() {
			t.Fatalf("shard %d: %d bytes, want %d", i, len(b), m.Layout().ShardSize())
		}
		hdr, err := ParseShardHeader(b)
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
		if hdr != m.ShardHeader(i) {
			t.Fatalf("shard %d header %+v, want %+v", i, hdr, m.ShardHeader(i))
		}
	}
}

// Every k-subset of n shards rebuilds the object, for small n.
func TestEveryKSubset(t *testing.T) {
	secrets, recipients := testKeys(t, 2, 1)
	for _, kn := range [][2]int{{1, 3}, {2, 4}, {3, 5}, {3, 6}, {4, 7}} {
		k, n := kn[0], kn[1]
		for _, private := range []bool{false, true} {
			size := 3*k*tBlock + 777
			data := randomBytes(uint64(size+k), size)
			opts := SplitOptions{K: k, N: n, BlockSize: tBlock, ChunkSize: tChunk}
			if private {
				opts.Recipients = recipients
			}
			res, store := split(t, data, opts)
			var key *objcrypt.DataKey
			if private {
				k, _ := res.Manifest.DataKey(secrets[0])
				key = &k
			}
			count := 0
			for mask := 0; mask < 1<<n; mask++ {
				keep := map[int]bool{}
				for i := range n {
					if mask&(1<<i) != 0 {
						keep[i] = true
					}
				}
				if len(keep) != k {
					continue
				}
				count++
				jr := join(t, res.Manifest, subset{store, keep}, key, data)
				for _, i := range jr.Used {
					if !keep[i] {
						t.Fatalf("k=%d n=%d keep %v: used %v", k, n, keep, jr.Used)
					}
				}
				for _, b := range jr.Bad {
					if keep[b.Index] || b.Reason != ReasonMissing {
						t.Fatalf("k=%d n=%d keep %v: bad %v", k, n, keep, jr.Bad)
					}
				}
			}
			if count == 0 {
				t.Fatal("no subsets tried")
			}
		}
	}
}

func TestLossAndCorruption(t *testing.T) {
	const k, n = 4, 7
	secrets, recipients := testKeys(t, 3, 1)
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private=%v", private), func(t *testing.T) {
			data := randomBytes(42, 7*k*tBlock+99)
			opts := SplitOptions{K: k, N: n, BlockSize: tBlock, ChunkSize: tChunk}
			if private {
				opts.Recipients = recipients
			}
			res, store := split(t, data, opts)
			m := res.Manifest
			var key *objcrypt.DataKey
			if private {
				k, _ := m.DataKey(secrets[0])
				key = &k
			}

			// n−k−1 shards gone and one more corrupted in its payload: the
			// corrupt one is found by hash, set aside, and k good remain.
			damaged := store.clone()
			for _, i := range []int{0, 5} {
				damaged.remove(m.Shards[i])
			}
			blob := damaged.get(m.Shards[2])
			blob[HeaderSize+tBlock+17] ^= 0x40
			jr := join(t, m, damaged, key, data)
			if !hasProblem(jr.Bad, 2, ReasonCorrupt) || !hasProblem(jr.Bad, 0, ReasonMissing) {
				t.Fatalf("bad shards %v", jr.Bad)
			}

			// n−k shards gone and one more corrupted: only k−1 are usable;
			// the error names all four missing and corrupt shards.
			damaged.remove(m.Shards[6])
			var out memFile
			_, err := Join(context.Background(), m, damaged, &out, JoinOptions{Key: key})
			var nes *NotEnoughShardsError
			if !errors.As(err, &nes) {
				t.Fatalf("err = %v, want NotEnoughShardsError", err)
			}
			if len(nes.Usable) != k-1 || len(nes.Bad) != n-k+1 {
				t.Fatalf("usable %v bad %v", nes.Usable, nes.Bad)
			}
			for _, i := range []int{0, 2, 5, 6} {
				if !strings.Contains(err.Error(), fmt.Sprintf("shard %d (", i)) {
					t.Fatalf("error does not name shard %d: %v", i, err)
				}
			}
			if !strings.Contains(err.Error(), "need 4 of 7 shards but only 3 are usable") {
				t.Fatalf("error: %v", err)
			}

			// A damaged header and a truncated shard are set aside too.
			damaged = store.clone()
			damaged.get(m.Shards[1])[12] ^= 1 // index field
			damaged.put(m.Shards[3], damaged.get(m.Shards[3])[:HeaderSize+5])
			jr = join(t, m, damaged, key, data)
			if !hasProblem(jr.Bad, 1, ReasonHeader) || !hasProblem(jr.Bad, 3, ReasonTruncated) {
				t.Fatalf("bad shards %v", jr.Bad)
			}
		})
	}
}

// TestVerifyShards joins with every shard hashed as it is read: corrupt
// shards, whether data shards or parity shards standing in for missing
// ones, are found by their hash, without reading them a second time.
func TestVerifyShards(t *testing.T) {
	const k, n = 4, 7
	secrets, recipients := testKeys(t, 3, 1)
	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private=%v", private), func(t *testing.T) {
			data := randomBytes(43, 7*k*tBlock+99)
			opts := SplitOptions{K: k, N: n, BlockSize: tBlock, ChunkSize: tChunk}
			if private {
				opts.Recipients = recipients
			}
			res, store := split(t, data, opts)
			m := res.Manifest
			var key *objcrypt.DataKey
			if private {
				k, _ := m.DataKey(secrets[0])
				key = &k
			}
			damaged := store.clone()
			damaged.remove(m.Shards[0])
			damaged.get(m.Shards[1])[HeaderSize+3*tBlock+5] ^= 0x01           // a data shard
			damaged.get(m.Shards[4])[len(damaged.get(m.Shards[4]))-1] ^= 0x80 // the parity shard standing in for shard 0
			src := &openCounter{ShardSource: damaged, opens: map[int]int{}}
			var out memFile
			jr, err := Join(context.Background(), m, src, &out, JoinOptions{Key: key, VerifyShards: true})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.b, data) {
				t.Fatal("joined bytes differ")
			}
			if !hasProblem(jr.Bad, 1, ReasonCorrupt) || !hasProblem(jr.Bad, 4, ReasonCorrupt) || !hasProblem(jr.Bad, 0, ReasonMissing) {
				t.Fatalf("bad shards %v", jr.Bad)
			}
			if !slices.Equal(jr.Used, []int{2, 3, 5, 6}) {
				t.Fatalf("used %v", jr.Used)
			}
			// The corrupt shards were read once: their hashes, taken on
			// the way, named them (the shards still good were opened again
			// for the second attempt).
			if src.opens[1] != 1 || src.opens[4] != 1 {
				t.Errorf("corrupt shards opened %d and %d times, want once", src.opens[1], src.opens[4])
			}
		})
	}
}

// openCounter counts how often each shard is opened.
type openCounter struct {
	ShardSource
	mu    sync.Mutex
	opens map[int]int
}

func (o *openCounter) Open(i int, sum Hash) (io.ReadCloser, error) {
	o.mu.Lock()
	o.opens[i]++
	o.mu.Unlock()
	return o.ShardSource.Open(i, sum)
}

func hasProblem(ps []ShardProblem, index int, reason string) bool {
	for _, p := range ps {
		if p.Index == index && p.Reason == reason {
			return true
		}
	}
	return false
}

func TestRepair(t *testing.T) {
	const k, n = 3, 6
	_, recipients := testKeys(t, 4, 1)
	for _, private := range []bool{false, true} {
		data := randomBytes(7, 4*k*tBlock+1234)
		opts := SplitOptions{K: k, N: n, BlockSize: tBlock, ChunkSize: tChunk}
		if private {
			opts.Recipients = recipients
		}
		res, store := split(t, data, opts)
		m := res.Manifest
		orig := store.clone()

		// Nothing to do on a healthy set.
		rr, err := Repair(context.Background(), m, store, store, nil)
		if err != nil || len(rr.Bad) != 0 || len(rr.Repaired) != 0 {
			t.Fatalf("healthy repair: %+v, %v", rr, err)
		}
		// Lose two (a data and a parity shard), corrupt one.
		store.remove(m.Shards[1])
		store.remove(m.Shards[4])
		store.get(m.Shards[0])[HeaderSize+3] ^= 1
		rr, err = Repair(context.Background(), m, store, store, nil)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(rr.Repaired) != "[0 1 4]" {
			t.Fatalf("repaired %v (bad %v)", rr.Repaired, rr.Bad)
		}
		for i, h := range m.Shards {
			if !bytes.Equal(store.get(h), orig.get(h)) {
				t.Fatalf("shard %d not byte-identical after repair", i)
			}
		}
		// Too few left to repair: a clear error, and nothing written.
		for _, i := range []int{0, 1, 2, 3} {
			store.remove(m.Shards[i])
		}
		_, err = Repair(context.Background(), m, store, store, nil)
		var nes *NotEnoughShardsError
		if !errors.As(err, &nes) || len(nes.Usable) != 2 {
			t.Fatalf("err = %v", err)
		}
		if store.get(m.Shards[0]) != nil {
			t.Fatal("a failed repair wrote a shard")
		}
	}
}

func TestDeterministicPublicSplit(t *testing.T) {
	data := randomBytes(11, 100000)
	a, _ := split(t, data, SplitOptions{K: 3, N: 5, BlockSize: tBlock})
	b, _ := split(t, data, SplitOptions{K: 3, N: 5, BlockSize: tBlock, Rand: rand.NewChaCha8([32]byte{77})})
	if !bytes.Equal(a.Manifest.Encode(), b.Manifest.Encode()) {
		t.Fatal("a public split depends on randomness")
	}
}

func TestPrivateKeys(t *testing.T) {
	secrets, publics := testKeys(t, 5, 3)
	data := randomBytes(12, 50000)
	res, store := split(t, data, SplitOptions{K: 2, N: 3, BlockSize: tBlock, Recipients: publics})
	m := res.Manifest
	for i, s := range secrets {
		k, err := m.DataKey(s)
		if err != nil {
			t.Fatalf("recipient %d: %v", i, err)
		}
		join(t, m, store, &k, data)
	}
	stranger, _ := testKeys(t, 6, 1)
	if _, err := m.DataKey(stranger[0]); !errors.Is(err, objcrypt.ErrNotRecipient) {
		t.Fatalf("stranger: %v", err)
	}
	// A wrong key fails before anything is written.
	var wrong objcrypt.DataKey
	var out memFile
	if _, err := Join(context.Background(), m, store, &out, JoinOptions{Key: &wrong}); !errors.Is(err, objcrypt.ErrAuth) || len(out.b) != 0 {
		t.Fatalf("wrong key: %v, wrote %d bytes", err, len(out.b))
	}
	if _, err := Join(context.Background(), m, store, &out, JoinOptions{}); err == nil {
		t.Fatal("join of a private object without a key")
	}
	// The manifest names neither the object id nor the recipients.
	enc := string(m.Encode())
	if strings.Contains(enc, res.ObjectID.String()) {
		t.Fatal("private manifest reveals the object id")
	}
	for _, p := range publics {
		if strings.Contains(enc, p) {
			t.Fatal("private manifest reveals a recipient")
		}
	}
	if !strings.Contains(enc, fmt.Sprintf(`"size":%d`, m.Size)) || m.Size <= uint64(len(data)) {
		t.Fatalf("stored size %d", m.Size)
	}
}

// A manifest that does not describe its shards is reported as inconsistent
// once every shard checks out against its hash.
func TestInconsistentManifest(t *testing.T) {
	data := randomBytes(13, 30000)
	res, store := split(t, data, SplitOptions{K: 2, N: 3, BlockSize: tBlock})

	// Another id: the shards' headers disagree with the manifest.
	m := *res.Manifest
	m.ID[0] ^= 1
	var out memFile
	_, err := Join(context.Background(), &m, store, &out, JoinOptions{})
	if err == nil || !strings.Contains(err.Error(), "inconsistent") {
		t.Fatalf("other id: err = %v", err)
	}

	// A data shard replaced by different bytes under a matching hash: the
	// shards all check out but do not rebuild the object.
	m = *res.Manifest
	m.Shards = append([]Hash(nil), m.Shards...)
	blob := bytes.Clone(store.get(m.Shards[0]))
	blob[HeaderSize] ^= 1
	m.Shards[0] = sha256.Sum256(blob)
	store.put(m.Shards[0], blob)
	_, err = Join(context.Background(), &m, store, &out, JoinOptions{})
	if err == nil || !strings.Contains(err.Error(), "inconsistent") {
		t.Fatalf("swapped shard: err = %v", err)
	}
	_, err = Join(context.Background(), &m, store, &out, JoinOptions{VerifyShards: true})
	if err == nil || !strings.Contains(err.Error(), "inconsistent") {
		t.Fatalf("swapped shard, shards verified: err = %v", err)
	}
}

func TestSplitRejects(t *testing.T) {
	_, pub := testKeys(t, 7, 1)
	cases := map[string]SplitOptions{
		"k=0":           {K: 0, N: 3},
		"n<k":           {K: 3, N: 2},
		"n>256":         {K: 10, N: 257},
		"odd block":     {K: 2, N: 3, BlockSize: 5000},
		"huge stripe":   {K: 2, N: 8, BlockSize: 16 << 20},
		"small chunk":   {K: 2, N: 3, Recipients: pub, ChunkSize: 100},
		"bad recipient": {K: 2, N: 3, Recipients: []string{"xyz"}},
	}
	for name, opts := range cases {
		store := newMemStore()
		if _, err := Split(context.Background(), bytes.NewReader([]byte("data")), 4, opts, store); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if len(store.blobs) != 0 {
			t.Errorf("%s: wrote shards", name)
		}
	}
	// A source shorter than announced fails cleanly.
	store := newMemStore()
	if _, err := Split(context.Background(), bytes.NewReader([]byte("data")), 10, SplitOptions{K: 1, N: 2}, store); err == nil || len(store.blobs) != 0 {
		t.Fatalf("short source: %v, %d blobs", err, len(store.blobs))
	}
}

func TestDirStore(t *testing.T) {
	dir := Dir(t.TempDir())
	data := randomBytes(14, 70000)
	res, err := Split(context.Background(), bytes.NewReader(data), uint64(len(data)), SplitOptions{K: 2, N: 4, BlockSize: tBlock}, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out memFile
	if _, err := Join(context.Background(), res.Manifest, dir, &out, JoinOptions{}); err != nil || !bytes.Equal(out.b, data) {
		t.Fatalf("join from dir: %v", err)
	}
}

func TestLayout(t *testing.T) {
	l := Layout{K: 3, N: 5, BlockSize: 4096, Size: 3*4096*2 + 10}
	if l.Stripes() != 3 {
		t.Fatalf("stripes %d", l.Stripes())
	}
	off, block, data := l.Stripe(2)
	if off != 24576 || block != 4 || data != 10 {
		t.Fatalf("last stripe %d %d %d", off, block, data)
	}
	if l.PayloadSize() != 2*4096+4 {
		t.Fatalf("payload %d", l.PayloadSize())
	}
	if (Layout{K: 3, N: 5, BlockSize: 4096}).ShardSize() != HeaderSize {
		t.Fatal("empty object shard size")
	}
	if DefaultBlockSizeFor(14) != 1<<20 || DefaultBlockSizeFor(256) != 128<<10 {
		t.Fatal("default block sizes")
	}
}

// cancelAfter cancels a context once some progress has been made.
type cancelAfter struct {
	cancel context.CancelFunc
	stage  string
}

func (c *cancelAfter) Start(stage string, _ int64) {
	if stage == c.stage {
		c.cancel()
	}
}
func (c *cancelAfter) Add(int64) {}
func (c *cancelAfter) Finish()   {}

// A cancelled split or join stops with the context's error and leaves no
// shard, temporary file or output behind.
func TestCancel(t *testing.T) {
	data := randomBytes(16, 40*tBlock)
	for _, stage := range []string{"hash", "encode"} {
		dir := Dir(t.TempDir())
		ctx, cancel := context.WithCancel(context.Background())
		_, err := Split(ctx, bytes.NewReader(data), uint64(len(data)), SplitOptions{K: 2, N: 3, BlockSize: tBlock, Progress: &cancelAfter{cancel, stage}}, dir)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel during %s: %v", stage, err)
		}
		if entries, _ := os.ReadDir(string(dir)); len(entries) != 0 {
			t.Fatalf("cancel during %s left %d files", stage, len(entries))
		}
	}
	res, store := split(t, data, SplitOptions{K: 2, N: 3, BlockSize: tBlock})
	ctx, cancel := context.WithCancel(context.Background())
	var out memFile
	_, err := Join(ctx, res.Manifest, store, &out, JoinOptions{Progress: &cancelAfter{cancel, "join"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled join: %v", err)
	}
}

// A split given the manifest of an earlier split of the same bytes writes
// the same shards in one pass (memWriter checks each against its hash), and
// refuses a manifest that does not fit its options.
func TestSplitExpected(t *testing.T) {
	_, publics := testKeys(t, 7, 2)
	for _, size := range []int{0, 1, tBlock*3 - 1, tBlock*3*4 + 17, 200000} {
		for _, private := range []bool{false, true} {
			data := randomBytes(uint64(size), size)
			opts := SplitOptions{K: 3, N: 5, BlockSize: tBlock, ChunkSize: 4096, Rand: rand.NewChaCha8([32]byte{42})}
			if private {
				opts.Recipients = publics
			}
			first, want := split(t, data, opts)
			opts.Rand = rand.NewChaCha8([32]byte{42})
			opts.Expect = first.Manifest
			again, got := split(t, data, opts)
			if len(got.blobs) != len(want.blobs) {
				t.Fatalf("size %d private %v: %d shards, want %d", size, private, len(got.blobs), len(want.blobs))
			}
			for sum, b := range want.blobs {
				if !bytes.Equal(got.get(sum), b) {
					t.Fatalf("size %d private %v: shard %x differs", size, private, sum[:4])
				}
			}
			if again.ObjectID != first.ObjectID || again.Manifest != first.Manifest {
				t.Fatalf("size %d private %v: result %v, want %v", size, private, again.ObjectID, first.ObjectID)
			}
			if private && (again.DataKey == nil || *again.DataKey != *first.DataKey) {
				t.Fatalf("size %d: data key not returned", size)
			}

			// Other randomness, other coding or a changed file.
			bad := []SplitOptions{opts, opts, opts}
			bad[0].K = 2
			bad[1].BlockSize = tBlock * 2
			bad[2].Rand = rand.NewChaCha8([32]byte{43})
			for i, o := range bad {
				if i < 2 {
					o.Rand = rand.NewChaCha8([32]byte{42})
				}
				if !private && i == 2 {
					continue // a public split draws nothing
				}
				if _, err := Split(context.Background(), bytes.NewReader(data), uint64(len(data)), o, newMemStore()); err == nil {
					t.Fatalf("size %d private %v: mismatched split %d accepted", size, private, i)
				}
			}
			if size > 0 {
				changed := bytes.Clone(data)
				changed[size/2] ^= 1
				opts.Rand = rand.NewChaCha8([32]byte{42})
				store := newMemStore()
				_, err := Split(context.Background(), bytes.NewReader(changed), uint64(len(changed)), opts, store)
				if err == nil || !strings.Contains(err.Error(), "hash mismatch") {
					t.Fatalf("size %d private %v: changed bytes: %v", size, private, err)
				}
			}
		}
	}
}

// A split told the object id makes the same shards (a public one in a
// single pass), and with a wrong id fails without committing any.
func TestSplitWithID(t *testing.T) {
	_, publics := testKeys(t, 8, 1)
	for _, size := range []int{0, 1, tBlock*3 - 1, tBlock*3*4 + 17, 200000} {
		for _, private := range []bool{false, true} {
			data := randomBytes(uint64(size)+7, size)
			opts := SplitOptions{K: 3, N: 5, BlockSize: tBlock, Rand: rand.NewChaCha8([32]byte{1})}
			if private {
				opts.Recipients = publics
			}
			first, want := split(t, data, opts)
			id := first.ObjectID
			opts.Rand = rand.NewChaCha8([32]byte{1})
			opts.ID = &id
			again, got := split(t, data, opts)
			if !bytes.Equal(again.Manifest.Encode(), first.Manifest.Encode()) || len(got.blobs) != len(want.blobs) {
				t.Fatalf("size %d private %v: split with its id differs", size, private)
			}
			wrong := id
			wrong[3] ^= 1
			opts.Rand = rand.NewChaCha8([32]byte{1})
			opts.ID = &wrong
			store := newMemStore()
			_, err := Split(context.Background(), bytes.NewReader(data), uint64(len(data)), opts, store)
			if !errors.Is(err, ErrWrongID) || len(store.blobs) != 0 {
				t.Fatalf("size %d private %v: wrong id: %v, %d shards committed", size, private, err, len(store.blobs))
			}
		}
	}
}

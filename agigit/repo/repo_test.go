package repo

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

func newTestRepo(t *testing.T) (*Repo, Signer) {
	t.Helper()
	k := testKey(t)
	r, err := Init(filepath.Join(t.TempDir(), "work"), InitOptions{Owner: k.Public})
	if err != nil {
		t.Fatal(err)
	}
	return r, k
}

func write(t *testing.T, r *Repo, p, content string) {
	t.Helper()
	abs := filepath.Join(r.Root, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, r *Repo, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func commitAll(t *testing.T, r *Repo, s Signer, msg string) *Commit {
	t.Helper()
	if _, err := r.Add([]string{""}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := r.CreateCommit(s, msg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func changes(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind.String()+" "+c.Path)
	}
	return out
}

func TestInitOpen(t *testing.T) {
	r, _ := newTestRepo(t)
	if r.Config.Name != "work" {
		t.Fatalf("name %q", r.Config.Name)
	}
	sub := filepath.Join(r.Root, "a", "b")
	os.MkdirAll(sub, 0o755)
	o, err := Open(sub)
	if err != nil || o.Root != r.Root {
		t.Fatalf("Open from a subdirectory: %v", err)
	}
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotRepo) {
		t.Fatalf("Open outside: %v", err)
	}
	if _, err := Init(r.Root, InitOptions{}); err == nil {
		t.Fatal("second init succeeded")
	}
	if _, err := Init(t.TempDir(), InitOptions{Name: "bad name"}); err == nil {
		t.Fatal("bad name accepted")
	}
}

func TestAddCommitStatus(t *testing.T) {
	r, s := newTestRepo(t)
	write(t, r, "a.txt", "one")
	write(t, r, "dir/b.bin", "two")
	write(t, r, "skip.tmp", "x")
	write(t, r, IgnoreFile, "*.tmp\n")
	st, err := r.Status()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{IgnoreFile, "a.txt", "dir/b.bin"}; !slices.Equal(st.Untracked, want) {
		t.Fatalf("untracked %v", st.Untracked)
	}
	c1 := commitAll(t, r, s, "first")
	if len(c1.Files) != 3 || len(c1.Parents) != 0 {
		t.Fatalf("first commit %+v", c1.Files)
	}
	st, _ = r.Status()
	if !st.Clean() {
		t.Fatalf("not clean after commit: %+v", st)
	}
	if _, err := r.CreateCommit(s, "again", time.Now()); !errors.Is(err, ErrNothingToCommit) {
		t.Fatalf("empty commit: %v", err)
	}

	write(t, r, "a.txt", "ONE") // same size, changed content
	os.Remove(filepath.Join(r.Root, "dir/b.bin"))
	write(t, r, "c.txt", "three")
	st, _ = r.Status()
	if got := changes(st.Unstaged); !slices.Equal(got, []string{"modified a.txt", "deleted dir/b.bin"}) {
		t.Fatalf("unstaged %v", got)
	}
	if !slices.Equal(st.Untracked, []string{"c.txt"}) {
		t.Fatalf("untracked %v", st.Untracked)
	}
	// commit -a: tracked changes only.
	if _, err := r.Add([]string{""}, AddOptions{OnlyTracked: true}); err != nil {
		t.Fatal(err)
	}
	st, _ = r.Status()
	if got := changes(st.Staged); !slices.Equal(got, []string{"modified a.txt", "deleted dir/b.bin"}) {
		t.Fatalf("staged %v", got)
	}
	c2, err := r.CreateCommit(s, "second", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c2.Parents[0] != c1.ID || !c2.Time.After(c1.Time) {
		t.Fatalf("second commit parents %v, time %v after %v", c2.Parents, c2.Time, c1.Time)
	}
	if _, err := r.Add([]string{"nope"}, AddOptions{}); err == nil {
		t.Fatal("add of a missing path succeeded")
	}
	if _, err := r.Add([]string{"skip.tmp"}, AddOptions{}); err == nil {
		t.Fatal("add of an ignored file succeeded without force")
	}

	// History and revisions.
	id, err := r.ResolveRev("HEAD~1")
	if err != nil || id != c1.ID {
		t.Fatalf("HEAD~1 = %s, %v", id, err)
	}
	if id, err := r.ResolveRev(c1.ID[:8]); err != nil || id != c1.ID {
		t.Fatalf("prefix: %s %v", id, err)
	}
	var seen []string
	r.Walk([]string{c2.ID}, func(c *Commit) bool { seen = append(seen, c.ID); return true })
	if !slices.Equal(seen, []string{c2.ID, c1.ID}) {
		t.Fatalf("walk %v", seen)
	}
}

func TestRacyModificationDetected(t *testing.T) {
	r, s := newTestRepo(t)
	write(t, r, "f", "aaaa")
	commitAll(t, r, s, "one")
	// Same size, and the mtime forced back to what the index recorded: only
	// the racy check (mtime close to the index's save time) catches it.
	info, _ := os.Stat(filepath.Join(r.Root, "f"))
	write(t, r, "f", "bbbb")
	os.Chtimes(filepath.Join(r.Root, "f"), info.ModTime(), info.ModTime())
	st, err := r.Status()
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(st.Unstaged); !slices.Equal(got, []string{"modified f"}) {
		t.Fatalf("unstaged %v", got)
	}
}

func TestCheckout(t *testing.T) {
	r, s := newTestRepo(t)
	write(t, r, "shared", "s")
	write(t, r, "w.bin", "v1")
	c1 := commitAll(t, r, s, "v1")
	write(t, r, "w.bin", "v2")
	write(t, r, "sub/new", "n")
	c2 := commitAll(t, r, s, "v2")

	// Clean switch back and forth.
	if _, err := r.Checkout(c1.ID, CheckoutOptions{}); err != nil {
		t.Fatal(err)
	}
	if read(t, r, "w.bin") != "v1" {
		t.Fatal("w.bin not restored")
	}
	if _, err := os.Stat(filepath.Join(r.Root, "sub")); !os.IsNotExist(err) {
		t.Fatal("sub/ left behind")
	}
	h, _ := r.ReadHead()
	if h.Branch != "" || h.Commit != c1.ID {
		t.Fatalf("head %+v", h)
	}
	if _, err := r.Checkout(c2.ID, CheckoutOptions{Branch: "main"}); err != nil {
		t.Fatal(err)
	}

	// A local change to a file the checkout touches stops it; nothing moves.
	write(t, r, "w.bin", "local")
	_, err := r.Checkout(c1.ID, CheckoutOptions{})
	var conflict *CheckoutConflictError
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Changed, []string{"w.bin"}) {
		t.Fatalf("conflict: %v", err)
	}
	if read(t, r, "w.bin") != "local" {
		t.Fatal("refused checkout changed the file")
	}
	if h, _ := r.ReadHead(); h.Commit != c2.ID {
		t.Fatal("refused checkout moved HEAD")
	}

	// A local change to a file the checkout does not touch is carried.
	write(t, r, "w.bin", "v2")
	write(t, r, "shared", "mine")
	res, err := r.Checkout(c1.ID, CheckoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if read(t, r, "shared") != "mine" || !slices.Contains(res.Kept, "shared") {
		t.Fatalf("local change not kept: %+v", res)
	}

	// An untracked file where the target has one stops the checkout.
	write(t, r, "sub/new", "untracked")
	_, err = r.Checkout(c2.ID, CheckoutOptions{})
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Untracked, []string{"sub/new"}) {
		t.Fatalf("untracked conflict: %v", err)
	}
	// Force overwrites both.
	if _, err := r.Checkout(c2.ID, CheckoutOptions{Force: true, Branch: "main"}); err != nil {
		t.Fatal(err)
	}
	if read(t, r, "sub/new") != "n" || read(t, r, "shared") != "s" {
		t.Fatal("force did not reset the tree")
	}
	st, _ := r.Status()
	if !st.Clean() {
		t.Fatalf("not clean after force checkout: %+v", st)
	}
}

func TestCheckoutMissingObjectFetch(t *testing.T) {
	r, s := newTestRepo(t)
	write(t, r, "a", "content a")
	c1 := commitAll(t, r, s, "one")
	write(t, r, "a", "content b")
	commitAll(t, r, s, "two")
	// Lose the object of c1's a; checkout must ask for it.
	id := c1.Files[0].ID
	p := r.ObjectPath(id)
	os.Chmod(p, 0o644)
	os.Remove(p)
	if _, err := r.Checkout(c1.ID, CheckoutOptions{}); err == nil {
		t.Fatal("checkout without the object succeeded")
	}
	var asked []FileEntry
	fetch := func(fs []FileEntry) error {
		asked = fs
		_, _, err := r.StoreObject(stringsReader("content a"))
		return err
	}
	if _, err := r.Checkout(c1.ID, CheckoutOptions{Fetch: fetch}); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0].ID != id || read(t, r, "a") != "content a" {
		t.Fatalf("fetch asked %v", asked)
	}
}

func TestCheckoutRefusesSymlinkEscape(t *testing.T) {
	r, s := newTestRepo(t)
	write(t, r, "d/f", "x")
	c1 := commitAll(t, r, s, "one")
	os.RemoveAll(filepath.Join(r.Root, "d"))
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(r.Root, "d")); err != nil {
		t.Skip("no symlinks here")
	}
	if _, err := r.Checkout(c1.ID, CheckoutOptions{Force: true}); err == nil {
		t.Fatal("checkout wrote through a symbolic link")
	}
	if _, err := os.Stat(filepath.Join(outside, "f")); err == nil {
		t.Fatal("a file was written outside the working tree")
	}
}

type stringsReaderT struct {
	s string
	i int
}

func stringsReader(s string) io.Reader { return &stringsReaderT{s: s} }
func (r *stringsReaderT) Read(p []byte) (int, error) {
	if r.i >= len(r.s) {
		return 0, io.EOF
	}
	n := copy(p, r.s[r.i:])
	r.i += n
	return n, nil
}

// patternReader yields n pseudo-random bytes without holding them.
type patternReader struct {
	n   int64
	rng *rand.ChaCha8
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	p.rng.Read(b)
	p.n -= int64(len(b))
	return len(b), nil
}

// TestStoreObjectBoundedMemory stores a small and a 16x larger stream and
// checks the bytes allocated do not grow with the size: adding a 20 GB
// file needs no more memory than adding a small one.
func TestStoreObjectBoundedMemory(t *testing.T) {
	r, _ := newTestRepo(t)
	alloc := func(n int64) (uint64, merkle.ID) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		id, size, err := r.StoreObject(&patternReader{n: n, rng: rand.NewChaCha8([32]byte{byte(n)})})
		runtime.ReadMemStats(&after)
		if err != nil || size != uint64(n) {
			t.Fatalf("store %d: %v (%d)", n, err, size)
		}
		return after.TotalAlloc - before.TotalAlloc, id
	}
	small, _ := alloc(8 << 20)
	large, id := alloc(128 << 20)
	t.Logf("allocated %d bytes for 8 MiB, %d for 128 MiB", small, large)
	if large > small+(2<<20) {
		t.Fatalf("allocation grows with size: %d for 8 MiB, %d for 128 MiB", small, large)
	}
	// The stored copy hashes to its id.
	got, n, err := HashFile(r.ObjectPath(id))
	if err != nil || got != id || n != 128<<20 {
		t.Fatalf("stored object: %v %d %v", got, n, err)
	}
}

func TestIgnore(t *testing.T) {
	ig := ParseIgnore([]byte("# c\n*.tmp\n/build/\ncache/\n!keep.tmp\ndocs/**/*.bak\n"))
	cases := []struct {
		p     string
		dir   bool
		match bool
	}{
		{"a.tmp", false, true},
		{"x/y/a.tmp", false, true},
		{"keep.tmp", false, false},
		{"build", true, true},
		{"x/build", true, false},
		{"x/cache", true, true},
		{"cache", false, false},
		{"docs/a/b/c.bak", false, true},
		{"docs/c.bak", false, true},
		{"other/c.bak", false, false},
	}
	for _, c := range cases {
		if got := ig.Match(c.p, c.dir); got != c.match {
			t.Errorf("Match(%q, %v) = %v", c.p, c.dir, got)
		}
	}
}

func TestSegments(t *testing.T) {
	const seg = 4 * merkle.LeafSize
	for _, size := range []int{0, 1, seg - 1, seg, seg + 1, 2 * seg, 3*seg + 5, 5 * seg, 7*seg + merkle.LeafSize} {
		data := make([]byte, size)
		rand.NewChaCha8([32]byte{byte(size)}).Read(data)
		h := newSegmentHasher(seg)
		// Odd write sizes cross segment boundaries mid-write.
		for p := data; len(p) > 0; {
			n := min(len(p), 3001)
			h.Write(p[:n])
			p = p[n:]
		}
		id, roots := h.finish()
		if want := merkle.SumBytes(data); id != want {
			t.Fatalf("size %d: id %s, want %s", size, id, want)
		}
		if size <= seg {
			if roots != nil {
				t.Fatalf("size %d: %d roots for one segment", size, len(roots))
			}
			continue
		}
		f := FileEntry{Path: "f", ID: id, Size: uint64(size), Mode: ModeFile, Extra: segmentExtra(seg, roots)}
		segs, err := f.Segments()
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		var total uint64
		for _, s := range segs {
			if want := merkle.SumBytes(data[s.Offset : s.Offset+s.Size]); s.ID != want {
				t.Fatalf("size %d: segment at %d has id %s, want %s", size, s.Offset, s.ID, want)
			}
			total += s.Size
		}
		if total != uint64(size) {
			t.Fatalf("size %d: segments cover %d", size, total)
		}
		// A wrong root is caught against the file id.
		bad := slices.Clone(f.Extra)
		bad[2] = strings.Repeat("0", 64)
		f.Extra = bad
		if _, err := f.Segments(); err == nil {
			t.Fatalf("size %d: forged segment root accepted", size)
		}
	}
}

func TestAddSegmentsLargeFile(t *testing.T) {
	r, s := newTestRepo(t)
	r.Config.SegmentSize = 2 * merkle.LeafSize
	data := make([]byte, 5*merkle.LeafSize+7)
	rand.NewChaCha8([32]byte{9}).Read(data)
	os.WriteFile(filepath.Join(r.Root, "big"), data, 0o644)
	c := commitAll(t, r, s, "big")
	if got := c.Files[0]; got.ID != merkle.SumBytes(data) || len(got.Extra) != 2+3 {
		t.Fatalf("file entry %+v", got)
	}
	// The commit decodes (the relay-side form is checked on the way).
	ev, _ := r.LoadCommitEvent(c.ID)
	if _, err := DecodeCommit(ev, nil); err != nil {
		t.Fatal(err)
	}
}

// TestCheckoutMovesDownloads: a downloaded file is moved into the working
// tree, not copied into the store; a checkout that replaces it moves it
// into the store, so switching back needs no download.
func TestCheckoutMovesDownloads(t *testing.T) {
	r, s := newTestRepo(t)
	write(t, r, "a", "version one")
	c1 := commitAll(t, r, s, "one")
	write(t, r, "a", "version two")
	c2 := commitAll(t, r, s, "two")
	v1, v2 := c1.Files[0].ID, c2.Files[0].ID
	for _, id := range []merkle.ID{v1, v2} {
		os.Chmod(r.ObjectPath(id), 0o644)
		os.Remove(r.ObjectPath(id))
	}
	fetches := 0
	fetch := func(content map[merkle.ID]string) func([]FileEntry) error {
		return func(fs []FileEntry) error {
			for _, f := range fs {
				fetches++
				tmp, _ := r.TempFile("dl-*")
				tmp.WriteString(content[f.ID])
				tmp.Close()
				if err := r.AddFetched(tmp.Name(), f.ID); err != nil {
					return err
				}
			}
			return nil
		}
	}
	content := map[merkle.ID]string{v1: "version one", v2: "version two"}
	if _, err := r.Checkout(c1.ID, CheckoutOptions{Fetch: fetch(content)}); err != nil {
		t.Fatal(err)
	}
	if read(t, r, "a") != "version one" || r.HasObject(v1) || fileExists(r.FetchedPath(v1)) {
		t.Fatal("download was not moved into the working tree")
	}
	if !r.HasObject(v2) {
		t.Fatal("the clean file the checkout replaced did not move into the store")
	}
	if _, err := r.Checkout(c2.ID, CheckoutOptions{Fetch: fetch(content)}); err != nil {
		t.Fatal(err)
	}
	if !r.HasObject(v1) || read(t, r, "a") != "version two" {
		t.Fatal("the replaced download did not move into the store")
	}
	if _, err := r.Checkout(c1.ID, CheckoutOptions{}); err != nil {
		t.Fatalf("switching back needed the network: %v", err)
	}
	if fetches != 1 || read(t, r, "a") != "version one" {
		t.Fatalf("%d fetches", fetches)
	}
	// A commit of an unchanged tree of downloaded files needs no store copy.
	write(t, r, "b", "new")
	if _, err := r.Add([]string{"b"}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateCommit(s, "three", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestSealHistory(t *testing.T) {
	r, s := newTestRepo(t)
	write(t, r, "a", "one")
	c1 := commitAll(t, r, s, "first secret message")
	write(t, r, "a", "two")
	c2 := commitAll(t, r, s, "second")
	r.UpdateRef(TagsPrefix+"v1", c1.ID)
	rk, _ := NewRepoKey()
	r.SetRepoKey(rk)
	r.Config.Private = true
	sealer, _ := r.Sealer()
	n, err := r.SealHistory(s, c1.Author, sealer)
	if err != nil || n != 2 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	h, _ := r.ReadHead()
	head, err := r.LoadCommit(h.Commit)
	if err != nil || !head.Encrypted || head.ID == c2.ID || head.Message != "second" || len(head.Parents) != 1 {
		t.Fatalf("new head %+v %v", head, err)
	}
	tag, _ := r.ReadRef(TagsPrefix + "v1")
	if tag != head.Parents[0] || tag == c1.ID {
		t.Fatalf("tag %s, parent %s", tag, head.Parents[0])
	}
	if ev, _ := r.LoadCommitEvent(tag); strings.Contains(ev.Content, "first secret") {
		t.Fatal("rewritten commit still holds its message in the clear")
	}
	// Again: nothing left to do.
	if n, err := r.SealHistory(s, c1.Author, sealer); err != nil || n != 0 {
		t.Fatalf("second run sealed %d: %v", n, err)
	}
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/remote"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/pgtest"
)

// newModel makes a repository with a few files, one of them large enough
// to be stored as several segments.
func newModel(t *testing.T, owner *user, relays []*relay, extraInit ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	args := append([]string{"init", "--name", "tiny-model", "--segment-size", "262144", dir}, extraInit...)
	owner.ok("", args...)
	randomFile(t, filepath.Join(dir, "model.safetensors"), 1<<20+12345, 1)
	randomFile(t, filepath.Join(dir, "tokenizer", "vocab.bin"), 70000, 2)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"hidden": 64, "layers": 2}`), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "first weights")
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	return dir
}

func address(t testing.TB, u *user, dir string) string {
	out, _ := u.ok(dir, "address")
	return strings.TrimSpace(out)
}

// TestSixRelaysKOf4: push to six relays with k=4, clone elsewhere
// byte-identical; stop two relays and clone again; corrupt a blob on a
// third and clone again.
func TestSixRelaysKOf4(t *testing.T) {
	relays := startRelays(t, 6)
	owner := newUser(t)
	dir := newModel(t, owner, relays)
	owner.ok(dir, "tag", "v1")
	_, errs := owner.ok(dir, "push", "--k", "4", "--n", "6")
	// model.safetensors: 5 segments; vocab.bin, config.json, empty.txt:
	// one object each; 8 objects of 6 shards.
	if n := pushStat(t, errs); n != 8*6 {
		t.Fatalf("first push uploaded %d shards, want 48\n%s", n, errs)
	}
	if !strings.Contains(errs, "k=4 n=6 over 6 relay(s); any 2 relay(s) may fail") {
		t.Fatalf("push summary:\n%s", errs)
	}
	total := 0
	for _, r := range relays {
		b := r.blobs(t)
		if len(b) != 8 {
			t.Fatalf("relay %s holds %d blobs, want one shard of each of the 8 objects", r.Addr, len(b))
		}
		total += len(b)
	}
	// A second push has nothing to upload.
	_, errs = owner.ok(dir, "push")
	if n := pushStat(t, errs); n != 0 {
		t.Fatalf("second push uploaded %d shards", n)
	}
	naddr := address(t, owner, dir)

	reader := newUser(t)
	work := t.TempDir()
	reader.ok(work, "clone", naddr, "c1")
	sameTree(t, dir, filepath.Join(work, "c1"))
	out, _ := reader.ok(filepath.Join(work, "c1"), "log", "--oneline")
	if !strings.Contains(out, "first weights") || !strings.Contains(out, "tag: v1") {
		t.Fatalf("log of the clone: %s", out)
	}

	// Two relays down: any four shards of six still rebuild everything.
	relays[0].Stop()
	relays[3].Stop()
	reader.ok(work, "clone", naddr, "c2")
	sameTree(t, dir, filepath.Join(work, "c2"))

	// And a corrupt blob on a third relay is detected by its hash and
	// replaced by another shard... which needs a fourth good relay, and
	// there are three left plus the corrupt one: each object keeps exactly
	// k good shards only if the corrupt blob is set aside.
	corrupted := 0
	for _, p := range relays[1].blobs(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 {
			continue
		}
		b[len(b)/2] ^= 0xff
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		corrupted++
	}
	if corrupted == 0 {
		t.Fatal("no blob to corrupt")
	}
	// With relays 0 and 3 down and relay 1 corrupt only three good shards
	// remain: the clone must fail, naming the object and the servers.
	_, errs, code := reader.run(work, "clone", naddr, "c3")
	if code == 0 || !strings.Contains(errs, "corrupt") || !strings.Contains(errs, "cannot download") {
		t.Fatalf("clone with 3 of 4 needed shards: exit %d\n%s", code, errs)
	}
	t.Logf("clone with too few shards:\n%s", errs)
	// One relay back: four good shards again, the corrupt one is skipped.
	if err := relays[0].start(relays[0].Addr); err != nil {
		t.Fatal(err)
	}
	reader.ok(filepath.Join(work, "c3"), "pull")
	sameTree(t, dir, filepath.Join(work, "c3"))
	_ = total
}

// TestForgedStateIgnored: a state event for the same repository signed by
// another key, newer than the owner's, never changes what a clone sees.
func TestForgedStateIgnored(t *testing.T) {
	relays := startRelays(t, 2)
	owner := newUser(t)
	dir := newModel(t, owner, relays)
	owner.ok(dir, "push")
	naddr := address(t, owner, dir)
	headOut, _ := owner.ok(dir, "log", "-n", "1", "--oneline")
	ownerHead := strings.Fields(headOut)[0]

	// The attacker commits a poisoned model under the same name and
	// publishes a newer state, and even a state claiming the owner's key
	// (which no relay accepts: the signature cannot verify).
	attacker := newUser(t)
	evil := filepath.Join(t.TempDir(), "evil")
	attacker.ok("", "init", "--name", "tiny-model", evil)
	os.WriteFile(filepath.Join(evil, "model.safetensors"), []byte("poison"), 0o644)
	attacker.ok(evil, "add", ".")
	attacker.ok(evil, "commit", "-m", "poison")
	for _, r := range relays {
		attacker.ok(evil, "relay", "add", r.URL())
	}
	time.Sleep(1100 * time.Millisecond) // a strictly newer created_at
	attacker.ok(evil, "push")

	ak := attackerKey(t, attacker)
	evilHead := headOf(t, attacker, evil)
	forged := remote.BuildState("tiny-model", map[string]string{"refs/heads/main": evilHead}, "main", time.Now().Unix()+5)
	ak.Sign(forged)
	forged.PubKey = ownerPubkey(t, owner) // claims the owner: id and signature no longer match
	for _, r := range relays {
		publishRaw(t, r.URL(), forged)
	}

	// A compromised relay serves the owner's state rewritten to point at
	// the poisoned commit, newer than the real one: the signature no longer
	// verifies, so it must lose to the real state on the other relay.
	tamperState(t, relays[0], ownerPubkey(t, owner), evilHead)

	reader := newUser(t)
	work := t.TempDir()
	reader.ok(work, "clone", naddr, "c")
	sameTree(t, dir, filepath.Join(work, "c"))
	out, _ := reader.ok(filepath.Join(work, "c"), "log", "--oneline")
	if !strings.HasPrefix(out, ownerHead) || strings.Contains(out, "poison") {
		t.Fatalf("clone follows a forged state:\n%s", out)
	}
	// A fetch after the forgery keeps the owner's refs too.
	reader.ok(filepath.Join(work, "c"), "fetch")
	out, _ = reader.ok(filepath.Join(work, "c"), "log", "--oneline", "relays/main")
	if !strings.HasPrefix(out, ownerHead) {
		t.Fatalf("fetch moved relays/main:\n%s", out)
	}
}

func attackerKey(t *testing.T, u *user) keys.Key {
	t.Helper()
	k, err := keys.LoadFile(filepath.Join(u.home, "key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ownerPubkey(t *testing.T, u *user) string { return attackerKey(t, u).Public }

func headOf(t *testing.T, u *user, dir string) string {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := r.ReadHead()
	if err != nil {
		t.Fatal(err)
	}
	return h.Commit
}

// publishRaw sends an event and ignores the relay's verdict.
func publishRaw(t *testing.T, url string, ev *nostr.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := remote.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Publish(ctx, ev)
}

// TestKillDuringPush: kill -9 a push half way, push again: only the
// shards the relays lack are uploaded, and the result clones whole.
func TestKillDuringPush(t *testing.T) {
	relays := startRelays(t, 3)
	owner := newUser(t)
	dir := filepath.Join(t.TempDir(), "big")
	owner.ok("", "init", "--name", "big-model", "--segment-size", "1048576", dir)
	// 24 segments of 1 MiB: 24 objects of 3 shards.
	randomFile(t, filepath.Join(dir, "weights.bin"), 24<<20, 7)
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "big")
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	const objects, n = 24, 3
	count := func() int {
		c := 0
		for _, r := range relays {
			c += len(r.blobs(t))
		}
		return c
	}

	cmd := owner.command(dir, "push")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for count() < 10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// An upload whose last byte left before the kill may still be
	// committing on its relay: wait for the counts to settle.
	before := count()
	for settled := time.Now(); time.Since(settled) < 700*time.Millisecond; {
		time.Sleep(50 * time.Millisecond)
		if c := count(); c != before {
			before, settled = c, time.Now()
		}
	}
	if before == 0 || before >= objects*n {
		t.Fatalf("kill landed at %d of %d shards; the test needs it mid-push\n%s", before, objects*n, errb.String())
	}
	t.Logf("killed after %d of %d shards", before, objects*n)

	_, errs := owner.ok(dir, "push")
	if got := pushStat(t, errs); got != objects*n-before {
		t.Fatalf("second push uploaded %d shards; %d were on the relays, %d are needed", got, before, objects*n)
	}
	if c := count(); c != objects*n {
		t.Fatalf("relays hold %d shards, want %d", c, objects*n)
	}
	reader := newUser(t)
	work := t.TempDir()
	reader.ok(work, "clone", address(t, owner, dir), "c")
	sameTree(t, dir, filepath.Join(work, "c"))
}

// TestRelayRefusesShard: shards stream into their uploads all at once, so
// a relay that refuses its shard must fail only that shard: the push
// stores the object with the others, says so, and the clone works.
func TestRelayRefusesShard(t *testing.T) {
	relays := append(startRelays(t, 2), startRelays(t, 1, "--max-blob-bytes", "4096")...)
	owner := newUser(t)
	dir := filepath.Join(t.TempDir(), "m")
	owner.ok("", "init", "--name", "refused", dir)
	randomFile(t, filepath.Join(dir, "weights.bin"), 3<<20, 11)
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "w")
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	_, errs := owner.ok(dir, "push", "--k", "2", "--n", "3")
	if !strings.Contains(errs, "stored with 2 of 3 shards") {
		t.Fatalf("push did not report the refused shard:\n%s", errs)
	}
	if got := len(relays[0].blobs(t)) + len(relays[1].blobs(t)); got != 2 {
		t.Fatalf("the accepting relays hold %d blobs, want 2", got)
	}
	if got := len(relays[2].blobs(t)); got != 0 {
		t.Fatalf("the refusing relay holds %d blobs", got)
	}
	reader := newUser(t)
	work := t.TempDir()
	reader.ok(work, "clone", address(t, owner, dir), "c")
	sameTree(t, dir, filepath.Join(work, "c"))
}

// TestPrivateRepository: blobs hold no plaintext, events no file names or
// messages; a reader named with --to clones it; anyone else fails clearly.
func TestPrivateRepository(t *testing.T) {
	relays := startRelays(t, 3)
	owner := newUser(t)
	friend := newUser(t)
	dir := filepath.Join(t.TempDir(), "secret")
	owner.ok("", "init", "--name", "secret-model", "--private", "--to", friend.Npub, dir)
	marker := bytes.Repeat([]byte("PLAINTEXT-MARKER-"), 4000)
	os.WriteFile(filepath.Join(dir, "weights.bin"), marker, 0o644)
	os.WriteFile(filepath.Join(dir, "notes-confidential.txt"), []byte("PLAINTEXT-MARKER in a note"), 0o644)
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "secret-message-text")
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	owner.ok(dir, "push")
	for _, r := range relays {
		blobs := r.blobs(t)
		if len(blobs) == 0 {
			t.Fatalf("relay %s holds no blob", r.Addr)
		}
		for _, p := range blobs {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte("PLAINTEXT-MARKER")) || bytes.Contains(b, []byte("MARKER-PLAIN")) {
				t.Fatalf("blob %s holds plaintext", filepath.Base(p))
			}
		}
	}
	// The events say nothing of file names or messages.
	evs := queryAll(t, relays[0].URL())
	for _, ev := range evs {
		s := ev.String()
		for _, leak := range []string{"notes-confidential", "secret-message-text", "weights.bin", "PLAINTEXT"} {
			if strings.Contains(s, leak) {
				t.Fatalf("event kind %d leaks %q: %s", ev.Kind, leak, s)
			}
		}
	}
	naddr := address(t, owner, dir)
	work := t.TempDir()
	friend.ok(work, "clone", naddr, "c")
	sameTree(t, dir, filepath.Join(work, "c"))

	stranger := newUser(t)
	_, errs, code := stranger.run(work, "clone", naddr, "s")
	if code == 0 || !strings.Contains(errs, "private") {
		t.Fatalf("stranger's clone: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(work, "s")); !os.IsNotExist(err) {
		t.Fatal("a failed clone left its directory")
	}
	_, errs, code = anonymous(t).run(work, "clone", naddr, "a")
	if code == 0 || !strings.Contains(errs, "private") {
		t.Fatalf("anonymous clone: exit %d\n%s", code, errs)
	}

	// A reader added later reads everything, old objects included: their
	// data keys are wrapped again without uploading a shard.
	_, errs = owner.ok(dir, "push", "--to", stranger.Npub)
	if pushStat(t, errs) != 0 || !strings.Contains(errs, "data keys of 2 private object(s) wrapped to new readers") {
		t.Fatalf("push --to a new reader:\n%s", errs)
	}
	stranger.ok(work, "clone", naddr, "s2")
	sameTree(t, dir, filepath.Join(work, "s2"))
}

func queryAll(t *testing.T, url string) []*nostr.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := remote.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	evs, err := c.Query(ctx, nostr.Filter{Kinds: []int{repo.KindCommit, repo.KindManifest, repo.KindRepoAnnouncement, repo.KindRepoState}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestForkReferencesBase: a fork of a public model pushes only what it
// changes; a clone of the fork gets the base's files from the base's
// relays.
func TestForkReferencesBase(t *testing.T) {
	baseRelays := startRelays(t, 2)
	forkRelays := startRelays(t, 2)
	owner := newUser(t)
	dir := newModel(t, owner, baseRelays)
	owner.ok(dir, "push")
	naddr := address(t, owner, dir)

	tuner := newUser(t)
	work := t.TempDir()
	tuner.ok(work, "fork", "--name", "tiny-model-ft", naddr, "ft")
	ft := filepath.Join(work, "ft")
	randomFile(t, filepath.Join(ft, "tokenizer", "vocab.bin"), 70000, 99) // one changed file
	tuner.ok(ft, "commit", "-a", "-m", "fine-tune the vocabulary")
	for _, r := range forkRelays {
		tuner.ok(ft, "relay", "add", r.URL())
	}
	_, errs := tuner.ok(ft, "push")
	// Only the new vocab.bin object: k=1 n=2 on two relays.
	if n := pushStat(t, errs); n != 2 {
		t.Fatalf("fork push uploaded %d shards, want 2 (one new object)\n%s", n, errs)
	}
	var cfg repo.Config
	b, _ := os.ReadFile(filepath.Join(ft, ".agigit", "config"))
	json.Unmarshal(b, &cfg)
	if cfg.Base == nil || cfg.Owner == ownerPubkey(t, owner) {
		t.Fatalf("fork config %+v", cfg)
	}

	reader := newUser(t)
	reader.ok(work, "clone", address(t, tuner, ft), "c")
	sameTree(t, ft, filepath.Join(work, "c"))

	// init --base: a new history that names the base; the base's weights
	// copied in are referenced, only the new file is uploaded.
	other := newUser(t)
	nb := filepath.Join(work, "nb")
	other.ok("", "init", "--name", "on-base", "--segment-size", "262144", "--base", naddr+":"+headOf(t, owner, dir), nb)
	data, _ := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	os.WriteFile(filepath.Join(nb, "model.safetensors"), data, 0o644)
	os.WriteFile(filepath.Join(nb, "README.md"), []byte("a model on a base"), 0o644)
	other.ok(nb, "add", ".")
	other.ok(nb, "commit", "-m", "on the base")
	other.ok(nb, "relay", "add", forkRelays[0].URL(), forkRelays[1].URL())
	_, errs = other.ok(nb, "push")
	if n := pushStat(t, errs); n != 2 {
		t.Fatalf("init --base push uploaded %d shards, want 2 (README.md only)\n%s", n, errs)
	}
	reader.ok(work, "clone", address(t, other, nb), "c2")
	sameTree(t, nb, filepath.Join(work, "c2"))
}

// tamperState rewrites, in a relay's database, the stored repository state
// to name another commit with a later created_at, as a compromised relay
// would; the owner's signature is left as it was.
func tamperState(t *testing.T, r *relay, owner, commit string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.WithParam(t, r.dbURL, "search_path", r.schema))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var raw string
	if err := conn.QueryRow(ctx, "SELECT raw FROM events WHERE kind = $1 AND pubkey = decode($2, 'hex')", repo.KindRepoState, owner).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var ev nostr.Event
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		t.Fatal(err)
	}
	for i, tag := range ev.Tags {
		if len(tag) >= 2 && tag[0] == "refs/heads/main" {
			ev.Tags[i] = nostr.Tag{"refs/heads/main", commit}
		}
	}
	ev.CreatedAt += 3600
	b, _ := json.Marshal(ev)
	tag, err := conn.Exec(ctx, "UPDATE events SET raw = $1, created_at = $2 WHERE kind = $3 AND pubkey = decode($4, 'hex')", string(b), int64(ev.CreatedAt), repo.KindRepoState, owner)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("tamper: %v (%d rows)", err, tag.RowsAffected())
	}
}

// downloaded reads the byte count of a "downloaded: N shard(s), X" line,
// in the units humanBytes prints.
func downloadedShards(t testing.TB, stderr string) int {
	t.Helper()
	i := strings.Index(stderr, "downloaded: ")
	if i < 0 {
		return 0
	}
	var n int
	fmt.Sscanf(stderr[i+len("downloaded: "):], "%d", &n)
	return n
}

// TestInterruptedCloneResumes: a clone killed while downloading keeps its
// directory; pull there downloads only what is missing.
func TestInterruptedCloneResumes(t *testing.T) {
	relays := startRelays(t, 2)
	owner := newUser(t)
	dir := filepath.Join(t.TempDir(), "big")
	owner.ok("", "init", "--name", "big-model", "--segment-size", "1048576", dir)
	randomFile(t, filepath.Join(dir, "weights.bin"), 32<<20, 5) // 32 segments
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "big")
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	owner.ok(dir, "push")
	naddr := address(t, owner, dir)

	reader := newUser(t)
	work := t.TempDir()
	clone := filepath.Join(work, "c")
	cmd := reader.command(work, "clone", naddr, "c")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once some segments are done.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		done, _ := filepath.Glob(filepath.Join(clone, ".agigit", "tmp", "download-*", "segment-*.done"))
		if len(done) >= 4 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	done, _ := filepath.Glob(filepath.Join(clone, ".agigit", "tmp", "download-*", "segment-*.done"))
	if len(done) == 0 || len(done) >= 32 {
		t.Fatalf("kill landed after %d of 32 segments; the test needs it mid-download", len(done))
	}
	_, errs := reader.ok(clone, "pull")
	t.Logf("killed after %d of 32 segments; pull downloaded %d shards", len(done), downloadedShards(t, errs))
	// Each segment is k=1 of n=2: one shard per segment still missing.
	if got := downloadedShards(t, errs); got > 32-len(done) {
		t.Fatalf("pull downloaded %d shards after %d of 32 segments were done\n%s", got, len(done), errs)
	}
	sameTree(t, dir, clone)
}

// TestAuthenticatingRelays: relays that accept events only from
// authenticated connections (NIP-42) take a push.
func TestAuthenticatingRelays(t *testing.T) {
	relays := startRelays(t, 2, "--auth-writes")
	owner := newUser(t)
	dir := newModel(t, owner, relays)
	owner.ok(dir, "push")
	reader := newUser(t)
	work := t.TempDir()
	reader.ok(work, "clone", address(t, owner, dir), "c")
	sameTree(t, dir, filepath.Join(work, "c"))

	// An naddr without relay hints, and one relay given by hand: the
	// announcement names the other, which the clone adds for later.
	na, err := repo.DecodeNaddr(address(t, owner, dir))
	if err != nil {
		t.Fatal(err)
	}
	bare, _ := repo.EncodeNaddr(na.Coordinate, nil)
	if _, errs, code := reader.run(work, "clone", bare, "x"); code != 129 || !strings.Contains(errs, "--relay") {
		t.Fatalf("clone of an naddr without relays: exit %d\n%s", code, errs)
	}
	reader.ok(work, "clone", "--relay", relays[1].URL(), bare, "c2")
	sameTree(t, dir, filepath.Join(work, "c2"))
	out, _ := reader.ok(filepath.Join(work, "c2"), "relay", "list", "--offline")
	if !strings.Contains(out, relays[0].URL()) || !strings.Contains(out, relays[1].URL()) {
		t.Fatalf("relays of the clone:\n%s", out)
	}
}

// TestPushPrivate: a repository made private at its first push, after
// commits were made, is published encrypted.
func TestPushPrivate(t *testing.T) {
	relays := startRelays(t, 2)
	owner := newUser(t)
	friend := newUser(t)
	dir := newModel(t, owner, relays)
	_, errs := owner.ok(dir, "push", "--private", "--to", friend.Npub)
	if !strings.Contains(errs, "encrypted 1 unpublished commit(s)") {
		t.Fatalf("push --private:\n%s", errs)
	}
	for _, ev := range queryAll(t, relays[0].URL()) {
		if strings.Contains(ev.String(), "first weights") || strings.Contains(ev.String(), "model.safetensors") {
			t.Fatalf("event kind %d leaks the history: %s", ev.Kind, ev.String())
		}
	}
	work := t.TempDir()
	friend.ok(work, "clone", address(t, owner, dir), "c")
	sameTree(t, dir, filepath.Join(work, "c"))
	out, _ := friend.ok(filepath.Join(work, "c"), "log", "--oneline")
	if !strings.Contains(out, "first weights") {
		t.Fatalf("the reader's log: %s", out)
	}
	// Published in private: it cannot go back to public, and a later
	// --private is a no-op.
	owner.ok(dir, "push", "--private")
}

// TestSearch: repositories pushed by two authors are found by words of
// their descriptions through the relays' NIP-50 search, and the address a
// hit prints clones the repository.
func TestSearch(t *testing.T) {
	relays := startRelays(t, 2)
	for i, desc := range []string{"a 1B llama fine-tuned for Move", "a small mistral for chat"} {
		u := newUser(t)
		dir := filepath.Join(t.TempDir(), fmt.Sprint("m", i))
		u.ok("", "init", "--name", fmt.Sprint("model-", i), "--description", desc, dir)
		randomFile(t, filepath.Join(dir, "weights.bin"), 4096, byte(i))
		u.ok(dir, "add", ".")
		u.ok(dir, "commit", "-m", "w")
		u.ok(dir, "relay", "add", relays[i].URL())
		u.ok(dir, "push")
	}
	searcher := newUser(t)
	work := t.TempDir()
	out, _ := searcher.ok(work, "search", "--relay", relays[0].URL(), "--relay", relays[1].URL(), "LLAMA", "move")
	if !strings.Contains(out, "model-0  a 1B llama fine-tuned for Move") || strings.Contains(out, "model-1") {
		t.Fatalf("search output:\n%s", out)
	}
	lines := strings.Fields(out)
	naddr := lines[len(lines)-1]
	searcher.ok(work, "clone", naddr, "found")
	if _, err := os.Stat(filepath.Join(work, "found", "weights.bin")); err != nil {
		t.Fatalf("clone of the hit: %v", err)
	}
	if _, _, code := searcher.run(work, "search", "--relay", relays[0].URL(), "gpt"); code != 1 {
		t.Fatalf("search without a match exited %d, want 1", code)
	}
}

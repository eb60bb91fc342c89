package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
	"github.com/agi-nostr/agi-nostr/internal/object"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// ObjectError says why an object could not be downloaded, naming it and
// the relays tried.
type ObjectError struct {
	Label  string
	ID     merkle.ID
	Reason error
}

func (e *ObjectError) Error() string {
	return fmt.Sprintf("cannot download %s (object %s): %v", e.Label, e.ID.String()[:12], e.Reason)
}

func (e *ObjectError) Unwrap() error { return e.Reason }

// ErrNotRecipient is wrapped when a private object's key was not shared
// with this user.
var ErrNotRecipient = errors.New("the object is private and your key is not among its readers")

// FetchObjects downloads files into the local object store: each segment
// from any k good shards fetched in parallel from the relays' Blossom
// servers, rebuilt and checked against its object id. Interrupted
// downloads resume where they stopped (shards by HTTP range, files by
// segment).
func (s *Session) FetchObjects(ctx context.Context, files []repo.FileEntry) error {
	var need []repo.FileEntry
	for _, f := range files {
		if s.Repo.Available(f.ID) {
			continue
		}
		if d, err := f.Delta(); err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		} else if d != nil {
			if err := s.fetchDelta(ctx, f, d); err != nil {
				return err
			}
			continue
		}
		need = append(need, f)
	}
	var total int64
	for _, f := range need {
		total += int64(f.Size)
	}
	s.bar = s.stage("download", total)
	err := forObjects(ctx, need, largeParallel, func(f repo.FileEntry) uint64 { return f.Size }, func(ctx context.Context, _ int, f repo.FileEntry) error {
		return s.fetchFile(ctx, f)
	})
	s.bar.Finish()
	s.bar = progress.Nop
	return err
}

// offsetWriter writes at a fixed offset of another WriterAt.
type offsetWriter struct {
	w   io.WriterAt
	off int64
}

func (o offsetWriter) WriteAt(p []byte, off int64) (int, error) { return o.w.WriteAt(p, o.off+off) }

func (s *Session) fetchFile(ctx context.Context, f repo.FileEntry) error {
	r := s.Repo
	segs, err := f.Segments()
	if err != nil {
		return err
	}
	dir := filepath.Join(r.Dir, "tmp", "download-"+f.ID.String())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	partPath := filepath.Join(dir, "file.part")
	out, err := os.OpenFile(partPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := out.Truncate(int64(f.Size)); err != nil {
		return err
	}
	for i, sg := range segs {
		done := filepath.Join(dir, fmt.Sprintf("segment-%d.done", i))
		if _, err := os.Stat(done); err == nil {
			continue
		}
		label := f.Path
		if len(segs) > 1 {
			label = fmt.Sprintf("%s [%d/%d]", f.Path, i+1, len(segs))
		}
		if err := s.fetchSegment(ctx, sg, label, offsetWriter{out, int64(sg.Offset)}, dir); err != nil {
			return err
		}
		// The segment must be durable before it is marked done.
		if err := out.Sync(); err != nil {
			return err
		}
		if err := os.WriteFile(done, nil, 0o644); err != nil {
			return err
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	// Every segment was checked against its id, and the segment ids were
	// checked against the file id when the commit was read.
	if err := r.AddFetched(partPath, f.ID); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// candidates returns the manifests that rebuild an object, the owner's
// and the base's first, newest first; the relays are asked when the local
// catalog has none.
func (s *Session) candidates(ctx context.Context, id merkle.ID) ([]*ManifestEvent, error) {
	cat := catalog{s.Repo}
	evs, err := cat.get(id)
	if err != nil {
		return nil, err
	}
	owners, _ := s.baseChain()
	if len(evs) == 0 {
		pool := s.dial(ctx, s.fetchRelays())
		defer pool.Close()
		found := s.queryIDsByX(ctx, pool, owners, id)
		for _, ev := range found {
			if err := cat.add(id, ev); err != nil {
				return nil, err
			}
		}
		evs = found
	}
	var out []*ManifestEvent
	notRecipient := false
	for _, ev := range evs {
		if !slices.Contains(owners, ev.PubKey) {
			continue
		}
		got, me, err := s.objectOf(ev)
		if errors.Is(err, objcrypt.ErrNotRecipient) {
			notRecipient = true
		}
		if err == nil && got == id {
			out = append(out, me)
		}
	}
	if len(out) == 0 && notRecipient {
		return nil, ErrNotRecipient
	}
	sort.SliceStable(out, func(i, j int) bool {
		oi := slices.Index(owners, out[i].Event.PubKey)
		oj := slices.Index(owners, out[j].Event.PubKey)
		if oi != oj {
			return oi < oj
		}
		return out[i].Event.CreatedAt > out[j].Event.CreatedAt
	})
	return out, nil
}

// queryIDsByX finds the manifests of a public object by its id.
func (s *Session) queryIDsByX(ctx context.Context, pool *Pool, owners []string, id merkle.ID) []*nostr.Event {
	var out []*nostr.Event
	seen := make(map[string]bool)
	for _, c := range pool.Conns {
		evs, err := c.Query(ctx, nostr.Filter{Kinds: []int{repo.KindManifest}, Authors: owners, Tags: nostr.TagMap{"x": {id.String()}}})
		if err != nil {
			s.warnf("relay %s: %v", c.URL, err)
			continue
		}
		for _, ev := range evs {
			if !seen[ev.ID] {
				seen[ev.ID] = true
				out = append(out, ev)
			}
		}
	}
	return out
}

// knownServers are every Blossom server the repository mentions: its
// relays', the announcement's, and its base's relays'.
func (s *Session) knownServers() []string {
	cfg := s.Repo.Config
	var out []string
	add := func(srv string) {
		if srv != "" && !slices.Contains(out, srv) {
			out = append(out, srv)
		}
	}
	for _, rl := range cfg.Relays {
		b, _ := BlossomURL(rl.URL)
		add(b)
	}
	if a := s.announcement(); a != nil {
		for _, srv := range a.Servers {
			add(srv)
		}
	}
	if cfg.Base != nil {
		for _, u := range cfg.Base.Relays {
			b, _ := BlossomURL(u)
			add(b)
		}
	}
	return out
}

func (s *Session) announcement() *Announcement {
	s.annMu.Lock()
	defer s.annMu.Unlock()
	if s.announced != nil {
		return s.announced
	}
	ev := s.lastAnnouncement()
	if ev == nil {
		return nil
	}
	a, err := ParseAnnouncement(ev, s.Repo.Config.Owner, s.Repo.Config.Name)
	if err != nil {
		return nil
	}
	s.announced = a
	return a
}

// fetchSegment downloads and rebuilds one object into dst.
func (s *Session) fetchSegment(ctx context.Context, sg repo.Segment, label string, dst io.WriterAt, dir string) error {
	cands, err := s.candidates(ctx, sg.ID)
	oe := &ObjectError{Label: label, ID: sg.ID}
	if err != nil {
		oe.Reason = err
		return oe
	}
	if len(cands) == 0 {
		oe.Reason = fmt.Errorf("%w (run agigit fetch, or the object was never pushed)", errNoManifest)
		return oe
	}
	known := s.knownServers()
	var lastErr error
	for _, me := range cands {
		m := me.Manifest
		var key *objcrypt.DataKey
		if m.Private() {
			if !s.HasKey {
				lastErr = ErrNotRecipient
				continue
			}
			k, err := m.DataKey(s.Key.Secret)
			if err != nil {
				lastErr = ErrNotRecipient
				continue
			}
			key = &k
		}
		sources := func(i int) shardSources {
			placed := me.ShardServers(i)
			var others []string
			for _, srv := range known {
				if !slices.Contains(placed, srv) {
					others = append(others, srv)
				}
			}
			return shardSources{placed, others}
		}
		shardDir := filepath.Join(dir, "shards-"+short(me.Event.ID))
		// First, stream k shards straight into the rebuild: nothing but the
		// object touches the disk. Any trouble (a server failing mid-way, a
		// corrupt shard, fewer than k reachable) hands the segment to the
		// downloader below, which keeps shards on disk to resume, hedges
		// stragglers and says per shard what went wrong.
		if _, err := os.Stat(shardDir); os.IsNotExist(err) {
			err := s.streamJoin(ctx, m, sources, dst, key)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			lastErr = err
		}
		// Shards left by an interrupted run were checked when they landed
		// but not synced: if they do not rebuild the object (a crash lost
		// their bytes), download them again, once.
		for attempt := 0; attempt < 2; attempt++ {
			if err := s.downloadShards(ctx, m, sources, shardDir, label); err != nil {
				lastErr = err
				break
			}
			_, err := object.Join(ctx, m, object.Dir(shardDir), dst, object.JoinOptions{Key: key})
			if err == nil {
				os.RemoveAll(shardDir)
				return nil
			}
			lastErr = err
			if ctx.Err() != nil {
				return ctx.Err()
			}
			os.RemoveAll(shardDir)
		}
	}
	oe.Reason = lastErr
	return oe
}

type shardResult struct {
	index int
	err   error
}

// downloadShards brings k verified shards of a manifest into dir. It
// starts k downloads (data shards first: no decoding needed), starts
// another whenever one fails, and a spare when one lags far behind the
// others; once k have arrived, the rest are cancelled. Shards already in
// dir from an earlier run count; partial ones resume.
func (s *Session) downloadShards(ctx context.Context, m *object.Manifest, sources func(int) shardSources, dir, label string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	size := int64(m.Layout().ShardSize())
	have := 0
	var order []int
	for i, sum := range m.Shards {
		if _, err := os.Stat(filepath.Join(dir, hex.EncodeToString(sum[:]))); err == nil {
			have++
			continue
		}
		order = append(order, i)
	}
	if have >= m.K {
		return nil
	}

	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan shardResult)
	active, next := 0, 0
	start := func() bool {
		if next >= len(order) {
			return false
		}
		i := order[next]
		next++
		active++
		go func() {
			err := s.fetchShard(dctx, m.Shards[i], size, sources(i), dir)
			results <- shardResult{i, err}
		}()
		return true
	}
	for active < m.K-have && start() {
	}
	failures := make(map[int]error)
	lastDone := time.Now()
	var durations []time.Duration
	began := time.Now()
	ticker := time.NewTicker(250 * time.Millisecond)
	defer ticker.Stop()
	for have < m.K {
		if active == 0 {
			return notEnough(m, have, failures)
		}
		select {
		case res := <-results:
			active--
			if res.err != nil {
				failures[res.index] = res.err
				start()
				continue
			}
			have++
			durations = append(durations, time.Since(began))
			lastDone = time.Now()
		case <-ticker.C:
			// Hedge a straggler: the others finished long ago.
			if len(durations) > 0 && active > 0 && active+have <= m.K {
				avg := durations[len(durations)-1]
				if since := time.Since(lastDone); since > 2*time.Second && since > avg {
					if start() {
						lastDone = time.Now()
					}
				}
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	cancel()
	for ; active > 0; active-- {
		<-results
	}
	return nil
}

func notEnough(m *object.Manifest, have int, failures map[int]error) error {
	var b strings.Builder
	fmt.Fprintf(&b, "only %d of the %d shards needed could be downloaded", have, m.K)
	idx := make([]int, 0, len(failures))
	for i := range failures {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		fmt.Fprintf(&b, "\n  shard %d: %v", i, failures[i])
	}
	return errors.New(b.String())
}

// fetchShard downloads one shard blob into dir, trying its placement
// servers, then the other known servers. The bytes are checked against the
// shard's sha256 before the file gets its final name; a partial file from
// an earlier attempt is resumed with a range request (any server will do:
// blobs are named by their hash).
func (s *Session) fetchShard(ctx context.Context, sum object.Hash, size int64, src shardSources, dir string) error {
	name := hex.EncodeToString(sum[:])
	final := filepath.Join(dir, name)
	part := final + ".part"
	var reasons []string
	missing := 0
	for i, srv := range append(slices.Clone(src.placed), src.others...) {
		err := s.deadServer(srv)
		if err == nil {
			err = s.fetchBlob(ctx, srv, name, sum, size, part)
			s.noteServer(srv, err)
		}
		if err == nil {
			return os.Rename(part, final)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if i >= len(src.placed) && errors.Is(err, ErrBlobNotFound) {
			missing++
			continue
		}
		reasons = append(reasons, srv+" "+briefError(err))
	}
	if missing > 0 {
		reasons = append(reasons, fmt.Sprintf("not on the %d other server(s)", missing))
	}
	if len(reasons) == 0 {
		return errors.New("no server to fetch it from")
	}
	return errors.New(strings.Join(reasons, "; "))
}

// shardSources are where a shard is looked for: the servers its manifest
// placed it on, then every other server the repository knows.
type shardSources struct{ placed, others []string }

// briefError says in a few words why a server failed.
func briefError(err error) string {
	var opErr *net.OpError
	switch {
	case errors.Is(err, ErrBlobNotFound):
		return "does not have it"
	case errors.Is(err, errCorruptBlob):
		return "served a corrupt copy (sha256 mismatch)"
	case errors.As(err, &opErr):
		return "is unreachable (" + opErr.Err.Error() + ")"
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return fmt.Sprintf("answered HTTP %d %s", he.Status, he.Reason)
	}
	return err.Error()
}

var errCorruptBlob = errors.New("blob is corrupt (its sha256 does not match the manifest)")

func (s *Session) fetchBlob(ctx context.Context, srv, name string, sum object.Hash, size int64, part string) error {
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if off > size {
		if err := f.Truncate(0); err != nil {
			return err
		}
		off = 0
	}
	if off > 0 {
		// Resume: the bytes already here count towards the hash.
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, off)); err != nil {
			return err
		}
		s.bar.Add(off)
	}
	if off < size {
		body, _, err := s.blossom(srv).Get(ctx, name, off)
		if err != nil {
			return err
		}
		defer body.Close()
		w := io.MultiWriter(f, h, progressWriter{s})
		n, err := io.Copy(w, io.LimitReader(body, size-off+1))
		s.Stats.BytesDownloaded.Add(n)
		if err != nil {
			return fmt.Errorf("after %d bytes: %w", off+n, err)
		}
		off += n
	}
	if off != size {
		f.Truncate(0)
		return fmt.Errorf("blob has %d bytes, the manifest says %d", off, size)
	}
	var got object.Hash
	h.Sum(got[:0])
	if got != sum {
		f.Truncate(0)
		return errCorruptBlob
	}
	s.Stats.ShardsDownloaded.Add(1)
	// No fsync: a shard is a temporary copy checked by its hash, and the
	// object rebuilt from it is checked again against its id.
	return nil
}

type progressWriter struct{ s *Session }

func (p progressWriter) Write(b []byte) (int, error) {
	p.s.bar.Add(int64(len(b)))
	return len(b), nil
}

// deadServer returns the error that showed a server unreachable earlier in
// this session: it is not tried again, so a dead relay costs one timeout,
// not one per shard.
func (s *Session) deadServer(srv string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dead[srv]
}

func (s *Session) noteServer(srv string, err error) {
	var opErr *net.OpError
	if err == nil || !errors.As(err, &opErr) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead == nil {
		s.dead = make(map[string]error)
	}
	s.dead[srv] = err
}

// streamJoin rebuilds an object from k shards read straight from the
// servers. The join hashes each shard as it reads it and checks it against
// the manifest's sha256: a corrupt shard is set aside and the join starts
// over with others.
func (s *Session) streamJoin(ctx context.Context, m *object.Manifest, sources func(int) shardSources, dst io.WriterAt, key *objcrypt.DataKey) error {
	src := &streamSource{s: s, ctx: ctx, sources: sources}
	res, err := object.Join(ctx, m, src, dst, object.JoinOptions{Key: key, VerifyShards: true})
	if err == nil {
		s.Stats.ShardsDownloaded.Add(int64(len(res.Used)))
	}
	return err
}

// streamSource opens shards as HTTP streams (object.ShardSource).
type streamSource struct {
	s       *Session
	ctx     context.Context
	sources func(int) shardSources
}

func (src *streamSource) Open(i int, sum object.Hash) (io.ReadCloser, error) {
	s := src.s
	name := hex.EncodeToString(sum[:])
	ss := src.sources(i)
	var last error
	for _, srv := range append(slices.Clone(ss.placed), ss.others...) {
		if err := s.deadServer(srv); err != nil {
			last = err
			continue
		}
		body, _, err := s.blossom(srv).Get(src.ctx, name, 0)
		s.noteServer(srv, err)
		if err != nil {
			last = err
			continue
		}
		return &countingReader{s: s, r: body}, nil
	}
	if last == nil {
		last = errors.New("no server to fetch it from")
	}
	return nil, fmt.Errorf("shard %d: %w: %w", i, fs.ErrNotExist, last)
}

// countingReader passes a shard's bytes through, counting them for the
// progress display and the download summary.
type countingReader struct {
	s *Session
	r io.ReadCloser
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.s.bar.Add(int64(n))
	c.s.Stats.BytesDownloaded.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

package remote

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/object"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// PushOptions tune Push.
type PushOptions struct {
	// K and N override the erasure coding of new objects (0: the
	// repository's setting, else chosen from the number of relays).
	K, N int
	// Force publishes refs that do not descend from the relays' refs.
	Force bool
}

// PushResult summarizes a push.
type PushResult struct {
	Objects   int // objects the pushed commits need
	Stored    int // objects stored by this push
	Reused    int // objects found already stored (earlier pushes, the base)
	Rewrapped int // private objects whose key was wrapped to new readers
	Commits   int
	State     *nostr.Event
	Relays    []string // relays that took the new state
	K, N      int
	Tolerate  int // relays that may fail with every object still whole
}

// ChooseCoding picks k and n for r push relays when not given: n = r, and
// k leaves a third of the shards (at least one) as parity, so that any
// third of the relays may fail. One relay gets one shard: coding buys
// nothing without a second place to put parity.
func ChooseCoding(r int) (k, n int) {
	n = max(1, min(r, object.MaxShards))
	if n == 1 {
		return 1, 1
	}
	return n - max(1, n/3), n
}

// Tolerance is how many of r relays may fail with every object whole when
// n shards are spread round-robin: a relay holds at most ceil(n/r) shards
// of an object, and n-k may be lost.
func Tolerance(k, n, r int) int {
	if r == 0 {
		return 0
	}
	per := (n + r - 1) / r
	return min(r, (n-k)/per)
}

// placement assigns shard i of an object to a server: round-robin from an
// offset taken from the object id, so that objects spread over all relays
// when n is smaller than the number of relays.
func placement(id merkle.ID, n int, servers []string) []string {
	out := make([]string, n)
	off := int(binary.BigEndian.Uint32(id[:4]) % uint32(len(servers)))
	for i := range out {
		out[i] = servers[(off+i)%len(servers)]
	}
	return out
}

// objRef is one stored object a commit needs: a file or a segment of one.
type objRef struct {
	ID     merkle.ID
	Size   uint64
	File   merkle.ID
	Offset uint64
	Path   string
	Part   int // segment number (1-based) when the file has several
	Parts  int
}

func (o objRef) label() string {
	if o.Parts > 1 {
		return fmt.Sprintf("%s [%d/%d]", o.Path, o.Part, o.Parts)
	}
	return o.Path
}

// objectsOf lists the objects of a set of commits, each once.
func objectsOf(commits []*repo.Commit) ([]objRef, error) {
	seen := make(map[merkle.ID]bool)
	var out []objRef
	for _, c := range commits {
		if c.Encrypted && c.Files == nil {
			return nil, fmt.Errorf("commit %s: %w", short(c.ID), repo.ErrNoRepoKey)
		}
		for _, f := range c.Files {
			// A file stored as a delta of its base is pushed as its delta
			// object, never whole.
			src, segs, err := f.StoredObjects()
			if err != nil {
				return nil, fmt.Errorf("commit %s, %s: %w", short(c.ID), f.Path, err)
			}
			for i, sg := range segs {
				if seen[sg.ID] {
					continue
				}
				seen[sg.ID] = true
				out = append(out, objRef{ID: sg.ID, Size: sg.Size, File: src, Offset: sg.Offset, Path: f.Path, Part: i + 1, Parts: len(segs)})
			}
		}
	}
	return out, nil
}

// pusher holds one push's state.
type pusher struct {
	mu      sync.Mutex // events and res, for objects pushed in parallel
	s       *Session
	pool    *Pool
	servers []string
	k, n    int
	cat     catalog
	// existing maps object ids to manifests found on the relays (earlier
	// pushes, the base repository).
	existing map[merkle.ID][]*ManifestEvent
	// events are the manifest events of the pushed objects, to publish.
	events   map[string]*nostr.Event
	owners   []string
	baseAddr []string
	res      *PushResult
	// splitting holds a token while an object is split (both passes): of
	// the objects in flight, only splitParallel use the processors; the
	// others wait for their relays to sync what was sent.
	splitting chan struct{}
}

// Push publishes the repository: it stores every object the local
// branches and tags need that the relays lack, then publishes manifests,
// commits, the announcement and, last, the state on every push relay that
// took everything else. Running it again after a crash or a failure
// uploads only what is missing.
func (s *Session) Push(ctx context.Context, opts PushOptions) (*PushResult, error) {
	r := s.Repo
	cfg := r.Config
	if !s.HasKey {
		return nil, keys.ErrNoKey
	}
	if cfg.Owner != s.Key.Public {
		return nil, fmt.Errorf("this repository belongs to %s and your key is %s: only the owner can push (use 'agigit fork' to publish your own copy)", keys.Npub(cfg.Owner), s.Key.Npub())
	}
	urls := cfg.PushRelays()
	if len(urls) == 0 {
		return nil, errors.New("no relay to push to: add one with 'agigit relay add URL'")
	}
	k, n := opts.K, opts.N
	if k == 0 && n == 0 {
		k, n = cfg.K, cfg.N
	}
	if k == 0 && n == 0 {
		k, n = ChooseCoding(len(urls))
	}
	if err := object.CheckCoding(k, n, object.DefaultBlockSizeFor(n)); err != nil {
		return nil, err
	}

	pool := s.dial(ctx, urls)
	defer pool.Close()
	if len(pool.Conns) == 0 {
		return nil, fmt.Errorf("no push relay could be reached (tried %s)", strings.Join(urls, ", "))
	}
	p := &pusher{splitting: make(chan struct{}, splitParallel), s: s, pool: pool, servers: serversOf(pool), k: k, n: n, cat: catalog{r},
		existing: make(map[merkle.ID][]*ManifestEvent), events: make(map[string]*nostr.Event),
		res: &PushResult{K: k, N: n}}
	p.res.Tolerate = Tolerance(k, n, len(p.servers))

	// The refs to publish, checked against what the relays have.
	refs, head, err := localRefs(r)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, errors.New("nothing to push: no commits yet")
	}
	remote, err := s.newest(ctx, pool, stateFilter(cfg), func(ev *nostr.Event) error {
		_, err := ParseState(ev, cfg.Owner, cfg.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	var remoteState *State
	if remote != nil {
		remoteState, _ = ParseState(remote, cfg.Owner, cfg.Name)
		if err := checkFastForward(r, remoteState, refs, opts.Force); err != nil {
			return nil, err
		}
		for name, id := range remoteState.Refs {
			if _, ok := refs[name]; !ok && r.HasCommit(id) {
				refs[name] = id // keep branches and tags only the relays have
			}
		}
	}

	// Commits and the objects they need.
	var tips []string
	for _, id := range refs {
		tips = append(tips, id)
	}
	var commits []*repo.Commit
	if _, err := r.Walk(tips, func(c *repo.Commit) bool { commits = append(commits, c); return true }); err != nil {
		return nil, err
	}
	slices.Reverse(commits) // oldest first: parents are published before children
	for _, c := range commits {
		if cfg.Private && !c.Encrypted && c.Repo == cfg.Address() {
			return nil, fmt.Errorf("commit %s of this private repository is not encrypted; run 'agigit push --private' to encrypt the unpublished history", short(c.ID))
		}
	}
	objs, err := objectsOf(commits)
	if err != nil {
		return nil, err
	}
	p.res.Objects, p.res.Commits = len(objs), len(commits)

	p.owners, p.baseAddr = s.baseChain()
	if err := p.loadExisting(ctx); err != nil {
		return nil, err
	}
	if p.res.Tolerate == 0 && len(p.servers) > 1 {
		s.warnf("k=%d n=%d over %d relays: losing any relay loses objects; use a smaller --k", k, n, len(p.servers))
	}
	// One progress display for the whole upload, in shard bytes.
	var pending int64
	for _, o := range objs {
		if p.cat.pushed(o.ID) == "" {
			pending += int64(o.Size) * int64(n) / int64(k)
		}
	}
	s.bar = s.stage("upload", pending)
	err = forObjects(ctx, objs, pushParallel, func(o objRef) uint64 { return o.Size }, func(ctx context.Context, i int, o objRef) error {
		return p.pushObject(ctx, o, i+1, len(objs))
	})
	s.bar.Finish()
	s.bar = progress.Nop
	if err != nil {
		return nil, err
	}

	// Events, then the state last on each relay that took all of them.
	var evs []*nostr.Event
	for _, ev := range p.events {
		evs = append(evs, ev)
	}
	slices.SortFunc(evs, func(a, b *nostr.Event) int { return strings.Compare(a.ID, b.ID) })
	for _, c := range commits {
		evs = append(evs, c.Event)
	}
	now := time.Now().Unix()
	ann, err := p.announcement(commits, now)
	if err != nil {
		return nil, err
	}
	evs = append(evs, ann)
	created := now
	if remote != nil && int64(remote.CreatedAt) >= created {
		created = int64(remote.CreatedAt) + 1 // must replace the relays' state
	}
	if last := s.lastState(); last != nil && int64(last.CreatedAt) >= created {
		created = int64(last.CreatedAt) + 1
	}
	state := BuildState(cfg.Name, refs, head, created)
	if err := s.Key.Sign(state); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	errs := pool.Each(func(c *Conn) error {
		if err := s.publishMissing(ctx, c, evs); err != nil {
			return err
		}
		if err := c.Publish(ctx, state); err != nil {
			return err
		}
		s.Stats.EventsPublished.Add(1)
		mu.Lock()
		p.res.Relays = append(p.res.Relays, c.URL)
		mu.Unlock()
		return nil
	})
	for u, err := range errs {
		s.warnf("relay %s did not take the push: %v", u, err)
	}
	if len(p.res.Relays) == 0 {
		return nil, errors.New("no relay took the repository state; nothing was published")
	}
	slices.Sort(p.res.Relays)
	p.res.State = state
	if err := s.saveState(state); err != nil {
		return nil, err
	}
	st, _ := ParseState(state, cfg.Owner, cfg.Name)
	if err := updateRelayRefs(r, st); err != nil {
		return nil, err
	}
	if opts.K != 0 || opts.N != 0 {
		cfg.K, cfg.N = k, n
		if err := r.SaveConfig(); err != nil {
			return nil, err
		}
	}
	return p.res, nil
}

// localRefs are the local branches and tags, and the branch HEAD is on.
func localRefs(r *repo.Repo) (map[string]string, string, error) {
	refs := make(map[string]string)
	for _, prefix := range []string{repo.HeadsPrefix, repo.TagsPrefix} {
		m, err := r.ListRefs(prefix)
		if err != nil {
			return nil, "", err
		}
		for k, v := range m {
			refs[k] = v
		}
	}
	h, err := r.ReadHead()
	if err != nil {
		return nil, "", err
	}
	return refs, h.Branch, nil
}

// RejectedError lists refs a push would move backwards or sideways.
type RejectedError struct{ Refs []string }

func (e *RejectedError) Error() string {
	var b strings.Builder
	for _, r := range e.Refs {
		fmt.Fprintf(&b, " ! [rejected]        %s (fetch first)\n", r)
	}
	b.WriteString("Updates were rejected because the relays hold commits that are not in your branch.\n")
	b.WriteString("Fetch and integrate them ('agigit pull'), or use 'agigit push --force' to overwrite them.")
	return b.String()
}

func checkFastForward(r *repo.Repo, remote *State, local map[string]string, force bool) error {
	if force {
		return nil
	}
	var rejected []string
	for name, rid := range remote.Refs {
		lid, ok := local[name]
		if !ok || lid == rid {
			continue
		}
		if strings.HasPrefix(name, repo.TagsPrefix) {
			rejected = append(rejected, strings.TrimPrefix(name, repo.TagsPrefix))
			continue
		}
		if !r.HasCommit(rid) {
			rejected = append(rejected, strings.TrimPrefix(name, repo.HeadsPrefix))
			continue
		}
		ok, err := r.IsAncestor(rid, lid)
		if err != nil {
			return err
		}
		if !ok {
			rejected = append(rejected, strings.TrimPrefix(name, repo.HeadsPrefix))
		}
	}
	if len(rejected) > 0 {
		slices.Sort(rejected)
		return &RejectedError{Refs: rejected}
	}
	return nil
}

func stateFilter(cfg *repo.Config) nostr.Filter {
	return nostr.Filter{Kinds: []int{repo.KindRepoState}, Authors: []string{cfg.Owner}, Tags: nostr.TagMap{"d": {cfg.Name}}}
}

func announcementFilter(cfg *repo.Config) nostr.Filter {
	return nostr.Filter{Kinds: []int{repo.KindRepoAnnouncement}, Authors: []string{cfg.Owner}, Tags: nostr.TagMap{"d": {cfg.Name}}}
}

// baseChain lists the owners and addresses whose manifests a repository
// may reference: its own and its base's.
func (s *Session) baseChain() (owners, addrs []string) {
	cfg := s.Repo.Config
	owners = []string{cfg.Owner}
	addrs = []string{cfg.Address()}
	if b := cfg.Base; b != nil {
		if c, err := repo.ParseCoordinate(b.Address); err == nil {
			if !slices.Contains(owners, c.Pubkey) {
				owners = append(owners, c.Pubkey)
			}
			addrs = append(addrs, b.Address)
		}
	}
	return owners, addrs
}

// loadExisting finds the manifests already on the relays for this
// repository and its base, so that stored objects are referenced, never
// uploaded again.
func (p *pusher) loadExisting(ctx context.Context) error {
	evs := p.s.queryManifests(ctx, p.pool, p.owners, p.baseAddr)
	base := &lazyPool{s: p.s, urls: p.s.baseRelays(p.s.Repo.Config.PushRelays())}
	defer base.close()
	if bp := base.get(ctx); len(bp.Conns) > 0 {
		evs = append(evs, p.s.queryManifests(ctx, bp, p.owners, p.baseAddr)...)
	}
	for _, ev := range evs {
		id, me, err := p.s.objectOf(ev)
		if err != nil {
			continue
		}
		p.existing[id] = append(p.existing[id], me)
	}
	return nil
}

// queryManifests fetches the manifest events of some repositories by some
// authors from every relay of a pool, verified and deduplicated.
func (s *Session) queryManifests(ctx context.Context, pool *Pool, authors, addrs []string) []*nostr.Event {
	var mu sync.Mutex
	seen := make(map[string]bool)
	var out []*nostr.Event
	errs := pool.Each(func(c *Conn) error {
		evs, err := c.QueryAll(ctx, nostr.Filter{Kinds: []int{repo.KindManifest}, Authors: authors, Tags: nostr.TagMap{"a": addrs}}, 1000)
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			if seen[ev.ID] || !slices.Contains(authors, ev.PubKey) {
				continue
			}
			seen[ev.ID] = true
			out = append(out, ev)
		}
		return err
	})
	for u, err := range errs {
		s.warnf("relay %s: manifests: %v", u, err)
	}
	return out
}

// objectOf checks a manifest event and returns the id of the object it
// rebuilds: the stored id for a public object, the sealed plaintext id for
// a private one (which needs this user to be a recipient).
func (s *Session) objectOf(ev *nostr.Event) (merkle.ID, *ManifestEvent, error) {
	me, err := ParseManifestEvent(ev)
	if err != nil {
		return merkle.ID{}, nil, err
	}
	m := me.Manifest
	if !m.Private() {
		return m.ID, me, nil
	}
	if !s.HasKey {
		return merkle.ID{}, nil, errors.New("private object: a key is needed")
	}
	key, err := m.DataKey(s.Key.Secret)
	if err != nil {
		return merkle.ID{}, nil, err
	}
	id, _, err := m.Object(&key)
	if err != nil {
		return merkle.ID{}, nil, err
	}
	return id, me, nil
}

// pushJournal records an object's push in progress, so that a push cut
// short resumes with the same shards: the seed makes a split after a crash
// draw the same keys and nonces as the first.
// It is key material, kept in a file only the user can read, and removed
// once the object is stored.
type pushJournal struct {
	Seed     string       `json:"seed"`
	K        int          `json:"k"`
	N        int          `json:"n"`
	Servers  []string     `json:"servers"`
	Manifest string       `json:"manifest,omitempty"`
	Event    *nostr.Event `json:"event,omitempty"`
}

func journalName(id merkle.ID) string { return "push/" + id.String() + ".json" }

func (p *pusher) loadJournal(id merkle.ID) *pushJournal {
	b, err := p.s.Repo.ReadState(journalName(id))
	if err != nil {
		return nil
	}
	var j pushJournal
	if json.Unmarshal(b, &j) != nil || len(j.Seed) != 64 || j.N != len(j.Servers) {
		return nil
	}
	return &j
}

func (p *pusher) saveJournal(id merkle.ID, j *pushJournal) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return p.s.Repo.WriteStateSecret(journalName(id), b)
}

// seededRand is the deterministic randomness of one object's split.
func seededRand(seedHex string) (io.Reader, error) {
	b, err := hex.DecodeString(seedHex)
	if err != nil || len(b) != 32 {
		return nil, errors.New("damaged push journal seed")
	}
	var seed [32]byte
	copy(seed[:], b)
	return mrand.NewChaCha8(seed), nil
}

func (p *pusher) recipients() []string {
	cfg := p.s.Repo.Config
	if !cfg.Private {
		return nil
	}
	out := []string{cfg.Owner}
	for _, r := range cfg.Recipients {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// pushObject makes sure one object is stored: known from an earlier push,
// found on the relays, or split and uploaded now.
func (p *pusher) pushObject(ctx context.Context, o objRef, i, total int) error {
	s := p.s
	if evID := p.cat.pushed(o.ID); evID != "" {
		if ev := p.catalogEvent(o.ID, evID); ev != nil {
			if nev, err := p.rewrap(ctx, o, ev); err != nil {
				return fmt.Errorf("add readers to %s: %w", o.label(), err)
			} else if nev != nil {
				ev = nev
			}
			p.mu.Lock()
			p.events[ev.ID] = ev
			p.res.Reused++
			p.mu.Unlock()
			return nil
		}
	}
	// Manifests fetched earlier (a fork's base) are candidates too.
	cands := p.existing[o.ID]
	if evs, _ := p.cat.get(o.ID); len(evs) > 0 {
		for _, ev := range evs {
			if !slices.Contains(p.owners, ev.PubKey) {
				continue
			}
			if id, me, err := s.objectOf(ev); err == nil && id == o.ID {
				cands = append(cands, me)
			}
		}
	}
	// A journal means an earlier push of this object did not finish: go on
	// with it rather than settle for what it left on the relays.
	for _, me := range cands {
		if p.loadJournal(o.ID) != nil {
			break
		}
		if p.available(ctx, me) >= me.Manifest.K {
			if err := p.cat.add(o.ID, me.Event); err != nil {
				return err
			}
			if err := p.cat.markPushed(o.ID, me.Event.ID); err != nil {
				return err
			}
			p.mu.Lock()
			p.events[me.Event.ID] = me.Event
			p.res.Reused++
			p.mu.Unlock()
			s.bar.Add(int64(o.Size) * int64(p.n) / int64(p.k))
			return nil
		}
	}
	if o.Size >= quietThreshold && s.bar == progress.Nop {
		s.infof("storing %s (%s, object %d of %d)", o.label(), humanBytes(o.Size), i, total)
	}
	ev, err := p.store(ctx, o)
	if err != nil {
		return fmt.Errorf("push %s: %w", o.label(), err)
	}
	p.mu.Lock()
	p.events[ev.ID] = ev
	p.res.Stored++
	p.mu.Unlock()
	return nil
}

func (p *pusher) catalogEvent(id merkle.ID, evID string) *nostr.Event {
	evs, _ := p.cat.get(id)
	for _, ev := range evs {
		if ev.ID == evID {
			return ev
		}
	}
	return nil
}

// available counts the shards of a manifest its servers hold.
func (p *pusher) available(ctx context.Context, me *ManifestEvent) int {
	var count int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, sum := range me.Manifest.Shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, srv := range appendNew(me.ShardServers(i), p.servers...) {
				ok, _, err := p.s.blossom(srv).Has(ctx, hex.EncodeToString(sum[:]))
				if err == nil && ok {
					mu.Lock()
					count++
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return count
}

// store splits an object and uploads its shards, in two passes over the
// file and no copy on disk. A Blossom upload must name its blob's hash
// before sending it, and the hashes are known only once a split is done:
// the first pass splits into nothing, to learn the manifest; the second
// splits again, sure to give the same bytes (the journal's seed draws the
// same keys and nonces), without hashing, and streams each shard its
// server lacks straight into its upload. The servers check every shard
// against its name, so a file that changes between the passes fails the
// push rather than storing wrong bytes.
func (p *pusher) store(ctx context.Context, o objRef) (*nostr.Event, error) {
	s := p.s
	r := s.Repo
	j := p.loadJournal(o.ID)
	if j != nil && j.Event != nil {
		return p.finish(o, j.Event)
	}
	if j == nil || j.K != p.k || j.N != p.n {
		var seed [32]byte
		if _, err := rand.Read(seed[:]); err != nil {
			return nil, err
		}
		j = &pushJournal{Seed: hex.EncodeToString(seed[:]), K: p.k, N: p.n, Servers: placement(o.ID, p.n, p.servers)}
	}
	f, err := r.OpenContent(o.File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src := io.NewSectionReader(f, int64(o.Offset), int64(o.Size))
	opts := func() (object.SplitOptions, error) {
		rnd, err := seededRand(j.Seed)
		return object.SplitOptions{K: j.K, N: j.N, Recipients: p.recipients(), Rand: rnd}, err
	}

	select {
	case p.splitting <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	splitDone := sync.OnceFunc(func() { <-p.splitting })
	defer splitDone()

	// First pass. It checks what it reads against the object id (for a
	// public object while it codes: one read of the file).
	so, err := opts()
	if err != nil {
		return nil, err
	}
	so.ID = &o.ID
	res, err := object.Split(ctx, src, o.Size, so, discardSink{})
	if errors.Is(err, object.ErrWrongID) {
		return nil, fmt.Errorf("the local copy of %s no longer has id %s (changed since it was added or checked out)", o.label(), o.ID)
	}
	if err != nil {
		return nil, err
	}
	if j.Manifest != "" && j.Manifest != string(res.Manifest.Encode()) {
		return nil, errors.New("the object split differently than before its push was interrupted")
	}
	m := res.Manifest
	if j.Manifest == "" {
		j.Manifest = string(m.Encode())
		if err := p.saveJournal(o.ID, j); err != nil {
			return nil, err
		}
	}

	// Shards whose server is gone since the journal was made move to a
	// live one; shards a server already holds are not sent again.
	live := make(map[string]bool)
	for _, srv := range p.servers {
		live[srv] = true
	}
	shardSize := int64(m.Layout().ShardSize())
	failed := make([]error, m.N)
	send := make([]bool, m.N)
	var wg sync.WaitGroup
	for i, sum := range m.Shards {
		if !live[j.Servers[i]] {
			j.Servers[i] = p.servers[i%len(p.servers)]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, size, err := s.blossom(j.Servers[i]).Has(ctx, hex.EncodeToString(sum[:]))
			if err == nil && ok && size == shardSize {
				s.bar.Add(shardSize)
				return
			}
			send[i] = true
		}()
	}
	wg.Wait()
	if slices.Contains(send, true) {
		// Second pass.
		sink := &uploadSink{p: p, ctx: ctx, m: m, servers: j.Servers, send: send, done: make([]chan error, m.N)}
		so, err := opts()
		if err != nil {
			return nil, err
		}
		so.Expect = m
		_, err = object.Split(ctx, src, o.Size, so, sink)
		// The relays now sync what they received; another object can be
		// split meanwhile.
		splitDone()
		for i, ch := range sink.done {
			if ch != nil {
				failed[i] = <-ch
			}
		}
		if err != nil {
			return nil, err
		}
	}
	stored := make([]string, m.N)
	count := 0
	var why []string
	for i := range stored {
		if failed[i] == nil {
			stored[i] = j.Servers[i]
			count++
		} else {
			why = append(why, fmt.Sprintf("shard %d to %s: %s", i, j.Servers[i], briefError(failed[i])))
		}
	}
	if count < m.N {
		if count < m.K {
			return nil, fmt.Errorf("only %d of %d shards stored, %d needed: %s", count, m.N, m.K, strings.Join(why, "; "))
		}
		s.warnf("%s stored with %d of %d shards (%s); push again to complete it", o.label(), count, m.N, strings.Join(why, "; "))
	}
	ev := BuildManifestEvent(m, r.Config.Address(), stored, time.Now().Unix())
	if err := s.Key.Sign(ev); err != nil {
		return nil, err
	}
	if count < m.N {
		// Incomplete: the journal stays, so the next push fills the gaps.
		return ev, p.cat.add(o.ID, ev)
	}
	j.Event = ev
	if err := p.saveJournal(o.ID, j); err != nil {
		return nil, err
	}
	return p.finish(o, ev)
}

func (p *pusher) finish(o objRef, ev *nostr.Event) (*nostr.Event, error) {
	if err := p.cat.add(o.ID, ev); err != nil {
		return nil, err
	}
	if rs := p.recipients(); len(rs) > 0 {
		// Keep what it takes to wrap the data key to readers added later.
		if j := p.loadJournal(o.ID); j != nil {
			if err := p.saveWrapRecord(o.ID, wrapRecord{Seed: j.Seed, K: j.K, N: j.N, Recipients: rs}); err != nil {
				return nil, err
			}
		}
	}
	if err := p.cat.markPushed(o.ID, ev.ID); err != nil {
		return nil, err
	}
	return ev, p.s.Repo.RemoveState(journalName(o.ID))
}

// uploadSink streams the shards marked in send into uploads to their
// servers and drops the others. An upload that fails only fails its shard:
// the split goes on for the rest, and done[i] reports each upload's end.
type uploadSink struct {
	p       *pusher
	ctx     context.Context
	m       *object.Manifest
	servers []string
	send    []bool
	done    []chan error
}

func (u *uploadSink) Create(i int) (object.ShardWriter, error) {
	if !u.send[i] {
		return discardShard{}, nil
	}
	s := u.p.s
	sum := u.m.Shards[i]
	size := int64(u.m.Layout().ShardSize())
	ctx, cancel := context.WithCancelCause(u.ctx)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	u.done[i] = done
	go func() {
		defer cancel(nil)
		_, err := s.blossom(u.servers[i]).Upload(ctx, hex.EncodeToString(sum[:]), size, pr)
		if c := context.Cause(ctx); err != nil && c != nil && u.ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", c, err)
		}
		// Unblock the split if the upload ended before reading everything.
		pr.CloseWithError(errUploadEnded)
		if err == nil {
			s.Stats.BytesUploaded.Add(size)
			s.Stats.ShardsUploaded.Add(1)
		}
		done <- err
	}()
	return &uploadShard{bar: s.bar, pw: pw, cancel: cancel}, nil
}

var errUploadEnded = errors.New("upload ended")

// uploadShard is the split's end of one upload. A server that stops
// reading the body is given up on after StallTimeout without progress,
// counted only while a write waits for it (the answer to a complete upload
// may take longer: the server syncs the blob first).
type uploadShard struct {
	bar    progress.Reporter
	pw     *io.PipeWriter
	cancel context.CancelCauseFunc
	failed bool
}

func (w *uploadShard) Write(b []byte) (int, error) {
	if w.failed {
		return len(b), nil
	}
	t := time.AfterFunc(StallTimeout, func() { w.cancel(errors.New("upload stalled")) })
	_, err := w.pw.Write(b)
	t.Stop()
	if err != nil {
		// The upload's own error is what done reports.
		w.failed = true
		return len(b), nil
	}
	w.bar.Add(int64(len(b)))
	return len(b), nil
}

func (w *uploadShard) Commit(object.Hash) error { return w.pw.Close() }

func (w *uploadShard) Abort() error {
	w.pw.CloseWithError(errors.New("push of the object stopped"))
	return nil
}

// announcement builds and signs the repository announcement.
func (p *pusher) announcement(commits []*repo.Commit, now int64) (*nostr.Event, error) {
	s := p.s
	cfg := s.Repo.Config
	info := AnnouncementInfo{Name: cfg.Name, Description: cfg.Description, Relays: cfg.PushRelays(), Servers: p.servers, Base: cfg.Base, Private: cfg.Private}
	for _, c := range commits {
		if len(c.Parents) == 0 && c.Repo == cfg.Address() {
			info.Root = c.ID
			break
		}
	}
	if cfg.Private {
		rk, err := s.Repo.RepoKey()
		if err != nil {
			return nil, err
		}
		readers := append([]string{cfg.Owner}, cfg.Recipients...)
		if info.Keys, err = WrapRepoKey(s.Key, rk, readers); err != nil {
			return nil, err
		}
	}
	if last := s.lastAnnouncement(); last != nil && int64(last.CreatedAt) >= now {
		now = int64(last.CreatedAt) + 1
	}
	ev := BuildAnnouncement(info, now)
	if err := s.Key.Sign(ev); err != nil {
		return nil, err
	}
	if err := s.Repo.WriteState("announcement.json", mustJSON(ev)); err != nil {
		return nil, err
	}
	return ev, nil
}

// publishMissing sends a relay the events it does not have yet, in order.
// Addressable events (the announcement) are always sent.
func (s *Session) publishMissing(ctx context.Context, c *Conn, evs []*nostr.Event) error {
	var ids []string
	for _, ev := range evs {
		if ev.Kind < 30000 {
			ids = append(ids, ev.ID)
		}
	}
	have := make(map[string]bool)
	found, err := c.QueryIDs(ctx, ids)
	if err != nil {
		return err
	}
	for _, ev := range found {
		have[ev.ID] = true
	}
	for _, ev := range evs {
		if have[ev.ID] {
			continue
		}
		if err := c.Publish(ctx, ev); err != nil {
			return err
		}
		s.Stats.EventsPublished.Add(1)
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // events always marshal
	}
	return b
}

// lastState is the newest state this repository has seen (pushed or
// fetched); a relay serving an older one is behind, not authoritative.
func (s *Session) lastState() *nostr.Event { return s.readEvent("remote-state.json") }

func (s *Session) lastAnnouncement() *nostr.Event { return s.readEvent("announcement.json") }

func (s *Session) readEvent(name string) *nostr.Event {
	b, err := s.Repo.ReadState(name)
	if err != nil {
		return nil
	}
	var ev nostr.Event
	if json.Unmarshal(b, &ev) != nil {
		return nil
	}
	return &ev
}

func (s *Session) saveState(ev *nostr.Event) error {
	return s.Repo.WriteState("remote-state.json", mustJSON(ev))
}

// updateRelayRefs mirrors a state into refs/relays/.
func updateRelayRefs(r *repo.Repo, st *State) error {
	old, err := r.ListRefs("refs/relays/")
	if err != nil {
		return err
	}
	want := make(map[string]string)
	for name, id := range st.Refs {
		want["refs/relays/"+strings.TrimPrefix(name, "refs/")] = id
	}
	for name, id := range want {
		if old[name] != id {
			if err := r.UpdateRef(name, id); err != nil {
				return err
			}
		}
	}
	for name := range old {
		if _, ok := want[name]; !ok {
			if err := r.DeleteRef(name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// appendNew appends the values not already in s.
func appendNew(s []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(s, v) {
			s = append(s, v)
		}
	}
	return s
}

// smallParallel is how many small objects move at once: their cost is
// round trips, not bandwidth or CPU. A clone rebuilds large ones two at a
// time (largeParallel), so that one is rebuilt while the other's shards
// travel. A push keeps four in flight (pushParallel), at most two of them
// splitting (splitParallel): the others wait for their relays to sync
// the shards they were sent, which would otherwise leave the processors
// idle.
const (
	smallParallel = 4
	largeParallel = 2
	pushParallel  = 4
	splitParallel = 2
)

// forObjects runs f on every item, small ones (below a quarter of
// quietThreshold) smallParallel at a time, then large ones large at a
// time. The first error stops it.
func forObjects[T any](ctx context.Context, items []T, large int, size func(T) uint64, f func(context.Context, int, T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first error
	run := func(small bool, parallel int) {
		sem := make(chan struct{}, parallel)
		var wg sync.WaitGroup
		for i, it := range items {
			if (size(it) < quietThreshold/4) != small {
				continue
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				if ctx.Err() != nil {
					return
				}
				if err := f(ctx, i, it); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	run(true, smallParallel)
	if first == nil {
		run(false, large)
	}
	return first
}

// wrapRecord keeps, for a private object this machine pushed, the seed of
// its split and the readers its data key is wrapped to, so that readers
// added later ('push --to') can be given the key: the same seed splits the
// object into the same shards, and only the manifest's wrapped keys grow.
// It is key material, in a file only the user can read.
type wrapRecord struct {
	Seed       string   `json:"seed"`
	K          int      `json:"k"`
	N          int      `json:"n"`
	Recipients []string `json:"recipients"`
}

func wrapName(id merkle.ID) string { return "keys/" + id.String() + ".json" }

func (p *pusher) saveWrapRecord(id merkle.ID, w wrapRecord) error {
	b, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return p.s.Repo.WriteStateSecret(wrapName(id), b)
}

// rewrap gives a private object's data key to readers added since it was
// pushed: it splits the object again with the recorded seed and the
// current readers, checks the shards are the ones stored, and signs a new
// manifest event with the same placement. Nothing is uploaded. It returns
// nil when there is nothing to do.
func (p *pusher) rewrap(ctx context.Context, o objRef, old *nostr.Event) (*nostr.Event, error) {
	rs := p.recipients()
	if len(rs) == 0 {
		return nil, nil
	}
	b, err := p.s.Repo.ReadState(wrapName(o.ID))
	if err != nil {
		return nil, nil // pushed from elsewhere, or public: nothing to extend
	}
	var w wrapRecord
	if json.Unmarshal(b, &w) != nil {
		return nil, nil
	}
	missing := false
	for _, r := range rs {
		if !slices.Contains(w.Recipients, r) {
			missing = true
		}
	}
	if !missing {
		return nil, nil
	}
	me, err := ParseManifestEvent(old)
	if err != nil {
		return nil, err
	}
	// The readers already wrapped to come first, in their order: the split
	// then draws the same randomness up to the new ones.
	readers := slices.Clone(w.Recipients)
	for _, r := range rs {
		if !slices.Contains(readers, r) {
			readers = append(readers, r)
		}
	}
	rnd, err := seededRand(w.Seed)
	if err != nil {
		return nil, err
	}
	f, err := p.s.Repo.OpenContent(o.File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := object.Split(ctx, io.NewSectionReader(f, int64(o.Offset), int64(o.Size)), o.Size,
		object.SplitOptions{K: w.K, N: w.N, Recipients: readers, Rand: rnd}, discardSink{})
	if err != nil {
		return nil, err
	}
	if res.ObjectID != o.ID || !slices.Equal(res.Manifest.Shards, me.Manifest.Shards) {
		return nil, errors.New("the object no longer splits into the stored shards")
	}
	placed := make([]string, res.Manifest.N)
	for i := range placed {
		if srv := me.ShardServers(i); len(srv) > 0 {
			placed[i] = srv[0]
		}
	}
	ev := BuildManifestEvent(res.Manifest, p.s.Repo.Config.Address(), placed, time.Now().Unix())
	if err := p.s.Key.Sign(ev); err != nil {
		return nil, err
	}
	if err := p.cat.add(o.ID, ev); err != nil {
		return nil, err
	}
	if err := p.cat.markPushed(o.ID, ev.ID); err != nil {
		return nil, err
	}
	w.Recipients = readers
	if err := p.saveWrapRecord(o.ID, w); err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.res.Rewrapped++
	p.mu.Unlock()
	return ev, nil
}

// discardSink takes shards and keeps nothing (the split computes their
// hashes itself).
type discardSink struct{}

func (discardSink) Create(int) (object.ShardWriter, error) { return discardShard{}, nil }

type discardShard struct{}

func (discardShard) Write(p []byte) (int, error) { return len(p), nil }
func (discardShard) Commit(object.Hash) error    { return nil }
func (discardShard) Abort() error                { return nil }

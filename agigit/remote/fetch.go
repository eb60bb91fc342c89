package remote

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// RefChange is a ref moved by a fetch.
type RefChange struct {
	Name     string // refs/heads/main, refs/tags/v1
	Old, New string // "" when created or deleted
}

// FetchResult summarizes a fetch.
type FetchResult struct {
	// State is the repository state now known, nil if no relay has one.
	State *State
	// Announcement is the newest announcement, nil if none was found.
	Announcement *Announcement
	Changes      []RefChange
	Commits      int // commits downloaded
	Manifests    int // manifests recorded
	// Stale is set when the relays served an older state than one seen
	// before, which is kept.
	Stale bool
}

// ErrNotFound is returned when no relay knows the repository.
var ErrNotFound = errors.New("repository not found on the relays")

// Fetch downloads the repository's events: the newest state signed by its
// owner (an older state than one already seen, or one signed by anyone
// else, never changes the refs), the announcement, the commits the refs
// reach and the manifests of the repository and its base. Objects are not
// downloaded.
func (s *Session) Fetch(ctx context.Context) (*FetchResult, error) {
	r := s.Repo
	cfg := r.Config
	urls := s.fetchRelays()
	if len(urls) == 0 {
		return nil, errors.New("no relay to fetch from: add one with 'agigit relay add URL'")
	}
	pool := s.dial(ctx, urls)
	defer pool.Close()
	if len(pool.Conns) == 0 {
		return nil, fmt.Errorf("no relay could be reached (tried %s)", strings.Join(urls, ", "))
	}
	res := &FetchResult{}

	stateEv, err := s.newest(ctx, pool, stateFilter(cfg), func(ev *nostr.Event) error {
		_, err := ParseState(ev, cfg.Owner, cfg.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	annEv, err := s.newest(ctx, pool, announcementFilter(cfg), func(ev *nostr.Event) error {
		_, err := ParseAnnouncement(ev, cfg.Owner, cfg.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if annEv != nil {
		if err := s.applyAnnouncement(annEv); err != nil {
			return nil, err
		}
		res.Announcement = s.announcement()
	}
	last := s.lastState()
	if last != nil && (stateEv == nil || Newer(last, stateEv)) {
		if stateEv != nil {
			res.Stale = true
			s.warnf("the relays serve an older state of the repository (%s) than one seen before; keeping the newer", stateEv.CreatedAt.Time().UTC().Format("2006-01-02 15:04:05"))
		}
		stateEv = last
	}
	if stateEv == nil {
		return res, ErrNotFound
	}
	st, err := ParseState(stateEv, cfg.Owner, cfg.Name)
	if err != nil {
		return nil, err
	}
	for _, sk := range st.Skipped {
		s.warnf("state: ignored ref %q", sk)
	}
	res.State = st

	// Commits, then manifests, then the refs: a ref is only moved once
	// what it points to is here.
	var tips []string
	for _, id := range st.Refs {
		tips = append(tips, id)
	}
	basePool := &lazyPool{s: s, urls: s.baseRelays(urls)}
	defer basePool.close()
	n, err := s.fetchCommits(ctx, pool, basePool, tips)
	res.Commits = n
	if err != nil {
		return nil, err
	}
	res.Manifests, err = s.fetchManifests(ctx, pool, basePool)
	if err != nil {
		return nil, err
	}
	old, err := r.ListRefs("refs/relays/")
	if err != nil {
		return nil, err
	}
	for name, id := range st.Refs {
		rel := "refs/relays/" + strings.TrimPrefix(name, "refs/")
		if !r.HasCommit(id) {
			s.warnf("%s points to commit %s, which no relay served; left unchanged", name, short(id))
			delete(st.Refs, name)
			continue
		}
		if old[rel] != id {
			res.Changes = append(res.Changes, RefChange{Name: name, Old: old[rel], New: id})
		}
	}
	for rel, id := range old {
		name := "refs/" + strings.TrimPrefix(rel, "refs/relays/")
		if _, ok := st.Refs[name]; !ok {
			res.Changes = append(res.Changes, RefChange{Name: name, Old: id})
		}
	}
	slices.SortFunc(res.Changes, func(a, b RefChange) int { return strings.Compare(a.Name, b.Name) })
	if err := updateRelayRefs(r, st); err != nil {
		return nil, err
	}
	if err := s.saveState(stateEv); err != nil {
		return nil, err
	}
	return res, nil
}

// applyAnnouncement records what the announcement says: the base of a
// cloned repository, and for a private repository its key (when this user
// is among its readers).
func (s *Session) applyAnnouncement(ev *nostr.Event) error {
	r := s.Repo
	cfg := r.Config
	a, err := ParseAnnouncement(ev, cfg.Owner, cfg.Name)
	if err != nil {
		return err
	}
	changed := false
	if cfg.Base == nil && a.Base != nil {
		cfg.Base, changed = a.Base, true
	}
	if a.Description != "" && cfg.Description != a.Description {
		cfg.Description, changed = a.Description, true
	}
	if a.Private && !cfg.Private {
		cfg.Private, changed = true, true
	}
	if changed {
		if err := r.SaveConfig(); err != nil {
			return err
		}
	}
	if a.Private {
		if _, err := r.RepoKey(); errors.Is(err, repo.ErrNoRepoKey) && s.HasKey {
			if k, err := UnwrapRepoKey(s.Key, cfg.Owner, a.Keys); err == nil {
				if err := r.SetRepoKey(k); err != nil {
					return err
				}
			}
		}
	}
	s.annMu.Lock()
	s.announced = a
	s.annMu.Unlock()
	return r.WriteState("announcement.json", mustJSON(ev))
}

// baseRelays are the relays of the repository's base not already in urls.
func (s *Session) baseRelays(urls []string) []string {
	var out []string
	if b := s.Repo.Config.Base; b != nil {
		for _, u := range b.Relays {
			if !slices.Contains(urls, u) && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// lazyPool dials its relays the first time they are needed.
type lazyPool struct {
	s    *Session
	urls []string
	once sync.Once
	pool *Pool
}

func (l *lazyPool) get(ctx context.Context) *Pool {
	l.once.Do(func() {
		if len(l.urls) > 0 {
			l.pool = l.s.dial(ctx, l.urls)
		} else {
			l.pool = &Pool{Failed: map[string]error{}}
		}
	})
	return l.pool
}

func (l *lazyPool) close() {
	if l.pool != nil {
		l.pool.Close()
	}
}

// fetchCommits downloads the commits reachable from tips that are not
// stored yet, walking parents, from the repository's relays and then its
// base's. Every commit is checked (id, signature, tags) before it is kept;
// a commit no relay serves is reported and its history left unfetched.
func (s *Session) fetchCommits(ctx context.Context, pool *Pool, base *lazyPool, tips []string) (int, error) {
	r := s.Repo
	var want []string
	for _, id := range tips {
		if !r.HasCommit(id) && !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	count := 0
	for len(want) > 0 {
		got := s.queryIDsAll(ctx, pool, want)
		var still []string
		for _, id := range want {
			if got[id] == nil {
				still = append(still, id)
			}
		}
		if len(still) > 0 {
			for id, ev := range s.queryIDsAll(ctx, base.get(ctx), still) {
				got[id] = ev
			}
		}
		var next []string
		for _, id := range want {
			ev := got[id]
			if ev == nil {
				s.warnf("commit %s is on no relay; history before it is not fetched", short(id))
				continue
			}
			if err := r.SaveCommitEvent(ev); err != nil {
				s.warnf("ignored commit %s: %v", short(id), err)
				continue
			}
			count++
			c, err := r.LoadCommit(id)
			if err != nil {
				return count, err
			}
			for _, p := range c.Parents {
				if !r.HasCommit(p) && !slices.Contains(next, p) {
					next = append(next, p)
				}
			}
		}
		want = next
	}
	return count, nil
}

// queryIDsAll asks every relay of a pool for events by id and keeps, for
// each id, an event that really has it.
func (s *Session) queryIDsAll(ctx context.Context, pool *Pool, ids []string) map[string]*nostr.Event {
	out := make(map[string]*nostr.Event)
	if pool == nil || len(pool.Conns) == 0 {
		return out
	}
	var mu sync.Mutex
	errs := pool.Each(func(c *Conn) error {
		evs, err := c.QueryIDs(ctx, ids)
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			if out[ev.ID] == nil && slices.Contains(ids, ev.ID) && ev.CheckID() {
				out[ev.ID] = ev
			}
		}
		return err
	})
	for u, err := range errs {
		s.warnf("relay %s: %v", u, err)
	}
	return out
}

// fetchManifests records the manifests of the repository and its base by
// the objects they rebuild. Manifests of private objects this user cannot
// open are skipped.
func (s *Session) fetchManifests(ctx context.Context, pool *Pool, base *lazyPool) (int, error) {
	owners, addrs := s.baseChain()
	evs := s.queryManifests(ctx, pool, owners, addrs)
	if bp := base.get(ctx); len(bp.Conns) > 0 {
		evs = append(evs, s.queryManifests(ctx, bp, owners, addrs)...)
	}
	cat := catalog{s.Repo}
	n := 0
	for _, ev := range evs {
		id, _, err := s.objectOf(ev)
		if err != nil {
			continue
		}
		if err := cat.add(id, ev); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

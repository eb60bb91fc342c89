package remote

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// FetchBaseHead finds the newest state of the repository's base
// repository, signed by the base's owner, on the base's relays and the
// fetch relays; brings the commits its HEAD branch reaches and the
// manifests of the base's objects; and returns that branch's commit: the
// newest base to rebase a fine-tune onto.
func (s *Session) FetchBaseHead(ctx context.Context) (string, error) {
	cfg := s.Repo.Config
	if cfg.Base == nil {
		return "", errors.New("the repository has no base; name the commit to rebase onto")
	}
	co, err := repo.ParseCoordinate(cfg.Base.Address)
	if err != nil {
		return "", err
	}
	urls := slices.Clone(cfg.Base.Relays)
	for _, u := range s.fetchRelays() {
		if !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		return "", errors.New("no relay to find the base on: add one with 'agigit relay add URL'")
	}
	pool := s.dial(ctx, urls)
	defer pool.Close()
	if len(pool.Conns) == 0 {
		return "", fmt.Errorf("no relay could be reached (tried %s)", strings.Join(urls, ", "))
	}
	f := nostr.Filter{Kinds: []int{repo.KindRepoState}, Authors: []string{co.Pubkey}, Tags: nostr.TagMap{"d": {co.Name}}}
	ev, err := s.newest(ctx, pool, f, func(ev *nostr.Event) error {
		_, err := ParseState(ev, co.Pubkey, co.Name)
		return err
	})
	if err != nil {
		return "", err
	}
	if ev == nil {
		return "", fmt.Errorf("no relay has the state of the base repository %s", co.Name)
	}
	st, err := ParseState(ev, co.Pubkey, co.Name)
	if err != nil {
		return "", err
	}
	head := st.Head
	if head == "" {
		head = "main"
	}
	id := st.Refs[repo.HeadsPrefix+head]
	if id == "" {
		return "", fmt.Errorf("the base repository %s has no branch %s", co.Name, head)
	}
	none := &lazyPool{s: s}
	if _, err := s.fetchCommits(ctx, pool, none, []string{id}); err != nil {
		return "", err
	}
	if !s.Repo.HasCommit(id) {
		return "", fmt.Errorf("the base's commit %s is on no relay", short(id))
	}
	if _, err := s.fetchManifests(ctx, pool, none); err != nil {
		return "", err
	}
	return id, nil
}

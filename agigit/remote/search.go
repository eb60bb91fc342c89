package remote

import (
	"context"
	"slices"
	"sort"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// SearchHit is a repository a search found: its newest announcement and
// the relays that answered with it.
type SearchHit struct {
	*Announcement
	Owner   string   // public key, hex
	FoundOn []string // relays that returned it
}

// Search asks relays for repository announcements matching query (NIP-50
// search, which looks at a repository's name, description and topics) and
// returns one hit per repository, newest announcement first, at most limit.
// Relays that could not be reached or refused the search are reported by
// URL; the others' answers still count.
func Search(ctx context.Context, urls []string, query string, limit int) ([]SearchHit, map[string]error) {
	pool := DialAll(ctx, urls, nil)
	defer pool.Close()
	failed := pool.Failed
	type found struct {
		ev  *nostr.Event
		url string
	}
	results := make(chan found)
	go func() {
		errs := pool.Each(func(c *Conn) error {
			evs, err := c.Query(ctx, nostr.Filter{Kinds: []int{repo.KindRepoAnnouncement}, Search: query, Limit: limit})
			for _, ev := range evs {
				results <- found{ev, c.URL}
			}
			return err
		})
		for u, err := range errs {
			failed[u] = err
		}
		close(results)
	}()
	byRepo := make(map[string]*SearchHit)
	for f := range results {
		d := f.ev.Tags.GetD()
		if f.ev.Kind != repo.KindRepoAnnouncement || d == "" {
			continue
		}
		key := f.ev.PubKey + ":" + d
		h := byRepo[key]
		if h == nil || f.ev.CreatedAt > h.Event.CreatedAt {
			var foundOn []string
			if h != nil {
				foundOn = h.FoundOn
			}
			h = &SearchHit{Announcement: parseAnnouncementFields(f.ev), Owner: f.ev.PubKey, FoundOn: foundOn}
			byRepo[key] = h
		}
		if !slices.Contains(h.FoundOn, f.url) {
			h.FoundOn = append(h.FoundOn, f.url)
		}
	}
	hits := make([]SearchHit, 0, len(byRepo))
	for _, h := range byRepo {
		hits = append(hits, *h)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Event.CreatedAt != hits[j].Event.CreatedAt {
			return hits[i].Event.CreatedAt > hits[j].Event.CreatedAt
		}
		return hits[i].Event.ID < hits[j].Event.ID
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, failed
}

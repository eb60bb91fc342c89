package remote

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// Session runs network commands for one repository.
type Session struct {
	Repo *repo.Repo
	// Key is the user's identity; HasKey is false for anonymous reads of
	// public repositories.
	Key    keys.Key
	HasKey bool
	// Log receives warnings and summaries (stderr).
	Log io.Writer
	// Progress reports transfers; nil for none.
	Progress progress.Reporter
	// bar is the stage of the transfer under way (push or download).
	bar  progress.Reporter
	HTTP *http.Client

	Stats Stats

	annMu     sync.Mutex
	announced *Announcement

	mu     sync.Mutex
	warned map[string]bool
	dead   map[string]error
}

// Stats count what a session moved, for summaries and tests.
type Stats struct {
	ShardsUploaded   atomic.Int64
	BytesUploaded    atomic.Int64
	ShardsDownloaded atomic.Int64
	BytesDownloaded  atomic.Int64
	EventsPublished  atomic.Int64
}

// NewSession prepares a session.
func NewSession(r *repo.Repo, key *keys.Key, log io.Writer, p progress.Reporter) *Session {
	s := &Session{Repo: r, Log: log, Progress: p, HTTP: newHTTPClient(), warned: make(map[string]bool), bar: progress.Nop}
	if key != nil {
		s.Key, s.HasKey = *key, true
	}
	if s.Progress == nil {
		s.Progress = progress.Nop
	}
	return s
}

// warnf prints a warning once per distinct message.
func (s *Session) warnf(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.warned[msg] {
		return
	}
	s.warned[msg] = true
	fmt.Fprintln(s.Log, "warning: "+msg)
}

func (s *Session) infof(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.Log, format+"\n", a...)
}

func (s *Session) signer() repo.Signer {
	if !s.HasKey {
		return nil
	}
	return s.Key
}

func (s *Session) blossom(server string) *Blossom {
	return &Blossom{Base: server, Client: s.HTTP, Signer: s.signer()}
}

// dial connects to relays, warning about those that cannot be reached.
func (s *Session) dial(ctx context.Context, urls []string) *Pool {
	p := DialAll(ctx, urls, s.signer())
	for _, u := range urls {
		if err := p.Failed[u]; err != nil {
			s.warnf("relay %s skipped: %s", u, briefError(err))
		}
	}
	return p
}

// fetchRelays are the relays read from: those marked for fetching, else
// those for pushing.
func (s *Session) fetchRelays() []string {
	cfg := s.Repo.Config
	if r := cfg.FetchRelays(); len(r) > 0 {
		return r
	}
	return cfg.PushRelays()
}

// newest queries every relay of the pool with a filter and returns the
// newest event that check accepts. Events check rejects are reported and
// never chosen, so a forged event cannot win by being newer.
func (s *Session) newest(ctx context.Context, pool *Pool, f nostr.Filter, check func(*nostr.Event) error) (*nostr.Event, error) {
	var mu sync.Mutex
	var best *nostr.Event
	answered := 0
	errs := pool.Each(func(c *Conn) error {
		evs, err := c.Query(ctx, f)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		answered++
		for _, ev := range evs {
			if err := check(ev); err != nil {
				s.warnf("ignored event %s from %s: %v", short(ev.ID), c.URL, err)
				continue
			}
			if Newer(ev, best) {
				best = ev
			}
		}
		return nil
	})
	for u, err := range errs {
		s.warnf("relay %s: %v", u, err)
	}
	if answered == 0 {
		return nil, fmt.Errorf("no relay answered (tried %d)", len(pool.Conns)+len(pool.Failed))
	}
	return best, nil
}

// servers are the Blossom servers of the pool's relays, in pool order.
func serversOf(p *Pool) []string {
	var out []string
	for _, c := range p.Conns {
		if b, err := BlossomURL(c.URL); err == nil && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// stage starts a progress stage when its total is worth showing and
// returns the reporter to use for it (progress.Nop otherwise).
func (s *Session) stage(name string, total int64) progress.Reporter {
	if total < quietThreshold {
		return progress.Nop
	}
	s.Progress.Start(name, total)
	return s.Progress
}

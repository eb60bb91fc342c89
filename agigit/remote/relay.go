// Package remote moves a repository between the local store and Nostr
// relays: events (commits, manifests, the repository announcement and
// state) over the Nostr protocol on websockets, shard blobs over Blossom
// HTTP on the same host and port.
package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// Timeouts for relay conversations. A relay slower than this is skipped
// with a warning, not waited for.
var (
	DialTimeout    = 10 * time.Second
	QueryTimeout   = 30 * time.Second
	PublishTimeout = 30 * time.Second
)

// Conn is a connection to one relay.
type Conn struct {
	URL    string
	relay  *nostr.Relay
	signer repo.Signer

	mu      sync.Mutex
	notices []string
}

// Dial connects to a relay. signer, when set, answers NIP-42
// authentication requests.
func Dial(ctx context.Context, url string, signer repo.Signer) (*Conn, error) {
	c := &Conn{URL: url, signer: signer}
	dctx, cancel := context.WithTimeout(ctx, DialTimeout)
	defer cancel()
	r, err := nostr.RelayConnect(dctx, url, nostr.WithNoticeHandler(func(n string) {
		c.mu.Lock()
		if len(c.notices) < 16 {
			c.notices = append(c.notices, n)
		}
		c.mu.Unlock()
	}))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	c.relay = r
	return c, nil
}

// Close ends the connection.
func (c *Conn) Close() {
	if c.relay != nil {
		c.relay.Close()
	}
}

// Publish sends an event and waits for the relay's OK. A relay that asks
// for authentication (NIP-42) gets it and the event is sent again; a
// rate-limited event is retried with backoff.
func (c *Conn) Publish(ctx context.Context, ev *nostr.Event) error {
	authed := false
	for attempt := 0; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, PublishTimeout)
		err := c.relay.Publish(pctx, *ev)
		cancel()
		if err == nil {
			return nil
		}
		msg := err.Error()
		switch {
		case strings.Contains(msg, "duplicate:"):
			return nil // the relay already has it
		case strings.Contains(msg, "auth-required:") && !authed && c.signer != nil:
			authed = true
			actx, cancel := context.WithTimeout(ctx, PublishTimeout)
			aerr := c.relay.Auth(actx, func(e *nostr.Event) error { return c.signer.Sign(e) })
			cancel()
			if aerr != nil {
				return fmt.Errorf("%s: authenticate: %w", c.URL, aerr)
			}
		case strings.Contains(msg, "rate-limited:") && attempt < 8:
			t := time.NewTimer(time.Duration(250<<min(attempt, 4)) * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		default:
			return fmt.Errorf("%s refused event %s (kind %d): %w", c.URL, short(ev.ID), ev.Kind, err)
		}
	}
}

// ErrClosed is wrapped when a relay closes a subscription (CLOSED).
var ErrClosed = errors.New("subscription closed by relay")

// Query returns the stored events matching a filter, until the relay says
// it has sent them all (EOSE).
func (c *Conn) Query(ctx context.Context, f nostr.Filter) ([]*nostr.Event, error) {
	qctx, cancel := context.WithTimeout(ctx, QueryTimeout)
	defer cancel()
	sub, err := c.relay.Subscribe(qctx, nostr.Filters{f})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.URL, err)
	}
	defer sub.Unsub()
	var out []*nostr.Event
	for {
		select {
		case ev, ok := <-sub.Events:
			if !ok {
				return out, nil
			}
			out = append(out, ev)
		case <-sub.EndOfStoredEvents:
			// Events dispatched before EOSE may still sit in the channel.
			for {
				select {
				case ev := <-sub.Events:
					out = append(out, ev)
				default:
					return out, nil
				}
			}
		case reason := <-sub.ClosedReason:
			return out, fmt.Errorf("%s: %w: %s", c.URL, ErrClosed, reason)
		case <-qctx.Done():
			return out, fmt.Errorf("%s: query: %w", c.URL, qctx.Err())
		case <-c.relay.Context().Done():
			return out, fmt.Errorf("%s: connection lost", c.URL)
		}
	}
}

// QueryAll pages through a filter with "until", for relays that cap how
// many events one query returns.
func (c *Conn) QueryAll(ctx context.Context, f nostr.Filter, page int) ([]*nostr.Event, error) {
	seen := make(map[string]bool)
	var out []*nostr.Event
	f.Limit = page
	for {
		evs, err := c.Query(ctx, f)
		if err != nil {
			return out, err
		}
		fresh := 0
		oldest := nostr.Timestamp(1<<62 - 1)
		for _, ev := range evs {
			if ev.CreatedAt < oldest {
				oldest = ev.CreatedAt
			}
			if !seen[ev.ID] {
				seen[ev.ID] = true
				out = append(out, ev)
				fresh++
			}
		}
		if len(evs) < page || fresh == 0 {
			return out, nil
		}
		// The oldest second may hold more events than fit: ask again from
		// it (inclusive) and keep only the ones not seen.
		until := oldest
		f.Until = &until
	}
}

// QueryIDs fetches events by id in batches the relay accepts.
func (c *Conn) QueryIDs(ctx context.Context, ids []string) ([]*nostr.Event, error) {
	const batch = 500
	var out []*nostr.Event
	for i := 0; i < len(ids); i += batch {
		part := ids[i:min(i+batch, len(ids))]
		evs, err := c.Query(ctx, nostr.Filter{IDs: part, Limit: len(part)})
		if err != nil {
			return out, err
		}
		out = append(out, evs...)
	}
	return out, nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Pool holds connections to several relays, dialled in parallel; relays
// that cannot be reached are reported, not fatal.
type Pool struct {
	Conns  []*Conn
	Failed map[string]error
}

// DialAll connects to every URL in parallel.
func DialAll(ctx context.Context, urls []string, signer repo.Signer) *Pool {
	p := &Pool{Failed: make(map[string]error)}
	conns := make([]*Conn, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conns[i], errs[i] = Dial(ctx, u, signer)
		}()
	}
	wg.Wait()
	for i, u := range urls {
		if errs[i] != nil {
			p.Failed[u] = errs[i]
			continue
		}
		p.Conns = append(p.Conns, conns[i])
	}
	return p
}

// Close closes every connection.
func (p *Pool) Close() {
	for _, c := range p.Conns {
		c.Close()
	}
}

// Each runs f on every connected relay in parallel and returns the errors
// by relay URL.
func (p *Pool) Each(f func(c *Conn) error) map[string]error {
	errs := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range p.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(c); err != nil {
				mu.Lock()
				errs[c.URL] = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// Package remote moves a repository between the local store and Nostr
// relays: events (commits, manifests, the repository announcement and
// state) over the Nostr protocol on websockets, shard blobs over Blossom
// HTTP on the same host and port.
package remote

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
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

// Conn is a connection to one relay: the client side of NIP-01 (EVENT and
// OK, REQ, EOSE, CLOSED, CLOSE; NOTICE is read and ignored) and NIP-42
// (AUTH) over one websocket, with one goroutine reading. Every event
// received is checked
// (id, signature, and that it matches the filter asked for) before a query
// returns it.
type Conn struct {
	URL    string
	signer repo.Signer

	ws     *websocket.Conn
	ctx    context.Context // ends when the connection does
	cancel context.CancelCauseFunc
	done   chan struct{} // the reading goroutine has returned
	nextID atomic.Int64

	mu        sync.Mutex
	challenge string                    // the relay's latest AUTH challenge
	oks       map[string][]chan okReply // by event id
	subs      map[string]*subscription  // by subscription id
}

type okReply struct {
	ok     bool
	reason string
}

// subscription collects one query's events until EOSE or CLOSED.
type subscription struct {
	filter nostr.Filter
	events []*nostr.Event
	end    chan struct{} // closed at EOSE or CLOSED
	closed string        // CLOSED's reason, when it ended so
	ended  bool
}

// maxRelayMessage bounds one message from a relay (an event of the
// largest content the relayer accepts fits).
const maxRelayMessage = 16 << 20

// Dial connects to a relay. signer, when set, answers NIP-42
// authentication requests.
func Dial(ctx context.Context, url string, signer repo.Signer) (*Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, DialTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	ws.SetReadLimit(maxRelayMessage)
	c := &Conn{URL: url, signer: signer, ws: ws, done: make(chan struct{}),
		oks: make(map[string][]chan okReply), subs: make(map[string]*subscription)}
	c.ctx, c.cancel = context.WithCancelCause(context.Background())
	go c.read()
	return c, nil
}

// read dispatches the relay's messages until the connection ends.
func (c *Conn) read() {
	defer close(c.done)
	for {
		_, msg, err := c.ws.Read(c.ctx)
		if err != nil {
			c.cancel(fmt.Errorf("connection lost: %w", err))
			return
		}
		switch env := nostr.ParseMessage(string(msg)).(type) {
		case *nostr.EventEnvelope:
			if env.SubscriptionID == nil {
				continue
			}
			c.mu.Lock()
			sub := c.subs[*env.SubscriptionID]
			c.mu.Unlock()
			if sub == nil {
				continue
			}
			ev := env.Event
			if ok, _ := ev.CheckSignature(); !ok || !sub.filter.Matches(&ev) {
				continue // forged or not asked for: dropped
			}
			c.mu.Lock()
			if !sub.ended {
				sub.events = append(sub.events, &ev)
			}
			c.mu.Unlock()
		case *nostr.EOSEEnvelope:
			c.endSub(string(*env), "", false)
		case *nostr.ClosedEnvelope:
			c.endSub(env.SubscriptionID, env.Reason, true)
		case *nostr.OKEnvelope:
			c.mu.Lock()
			waiters := c.oks[env.EventID]
			delete(c.oks, env.EventID)
			c.mu.Unlock()
			for _, w := range waiters {
				w <- okReply{env.OK, env.Reason}
			}
		case *nostr.AuthEnvelope:
			if env.Challenge != nil {
				c.mu.Lock()
				c.challenge = *env.Challenge
				c.mu.Unlock()
			}
		}
	}
}

func (c *Conn) endSub(id, reason string, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sub := c.subs[id]
	if sub == nil || sub.ended {
		return
	}
	sub.ended = true
	if closed {
		sub.closed = reason
	}
	close(sub.end)
}

// send writes one message.
func (c *Conn) send(ctx context.Context, env nostr.Envelope) error {
	b, err := env.MarshalJSON()
	if err != nil {
		return err
	}
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("%s: send %s: %w", c.URL, env.Label(), err)
	}
	return nil
}

// Close ends the connection.
func (c *Conn) Close() {
	c.ws.Close(websocket.StatusNormalClosure, "")
	c.cancel(errors.New("closed"))
	<-c.done
}

// sendAndWaitOK sends an event (as EVENT, or as AUTH) and waits for the
// relay's OK about it. A refusal is an error carrying the relay's reason
// ("duplicate: ...", "auth-required: ...").
func (c *Conn) sendAndWaitOK(ctx context.Context, id string, env nostr.Envelope) error {
	ch := make(chan okReply, 1)
	c.mu.Lock()
	c.oks[id] = append(c.oks[id], ch)
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		ws := c.oks[id]
		for i, w := range ws {
			if w == ch {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(c.oks, id)
		} else {
			c.oks[id] = ws
		}
	}
	if err := c.send(ctx, env); err != nil {
		forget()
		return err
	}
	select {
	case r := <-ch:
		if !r.ok {
			return errors.New(r.reason)
		}
		return nil
	case <-ctx.Done():
		forget()
		return ctx.Err()
	case <-c.ctx.Done():
		forget()
		return context.Cause(c.ctx)
	}
}

// auth answers the relay's latest challenge (NIP-42).
func (c *Conn) auth(ctx context.Context) error {
	c.mu.Lock()
	challenge := c.challenge
	c.mu.Unlock()
	if challenge == "" {
		return errors.New("the relay sent no AUTH challenge")
	}
	ev := &nostr.Event{Kind: nostr.KindClientAuthentication, CreatedAt: nostr.Now(),
		Tags: nostr.Tags{{"relay", c.URL}, {"challenge", challenge}}}
	if err := c.signer.Sign(ev); err != nil {
		return err
	}
	return c.sendAndWaitOK(ctx, ev.ID, &nostr.AuthEnvelope{Event: *ev})
}

// Publish sends an event and waits for the relay's OK. A relay that asks
// for authentication (NIP-42) gets it and the event is sent again; a
// rate-limited event is retried with backoff.
func (c *Conn) Publish(ctx context.Context, ev *nostr.Event) error {
	authed := false
	for attempt := 0; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, PublishTimeout)
		err := c.sendAndWaitOK(pctx, ev.ID, &nostr.EventEnvelope{Event: *ev})
		cancel()
		if err == nil {
			return nil
		}
		msg := err.Error()
		switch {
		case strings.HasPrefix(msg, "duplicate:"):
			return nil // the relay already has it
		case strings.HasPrefix(msg, "auth-required:") && !authed && c.signer != nil:
			authed = true
			actx, cancel := context.WithTimeout(ctx, PublishTimeout)
			aerr := c.auth(actx)
			cancel()
			if aerr != nil {
				return fmt.Errorf("%s: authenticate: %w", c.URL, aerr)
			}
		case strings.HasPrefix(msg, "rate-limited:") && attempt < 8:
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
	id := "q" + strconv.FormatInt(c.nextID.Add(1), 10)
	sub := &subscription{filter: f, end: make(chan struct{})}
	c.mu.Lock()
	c.subs[id] = sub
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.subs, id)
		sub.ended = true // nothing more is appended to what was returned
		closed := sub.closed != ""
		c.mu.Unlock()
		if !closed && c.ctx.Err() == nil {
			// The relay forgets it too (a CLOSE for a finished query is
			// harmless).
			cctx, cancel := context.WithTimeout(context.Background(), time.Second)
			ce := nostr.CloseEnvelope(id)
			c.send(cctx, &ce)
			cancel()
		}
	}()
	if err := c.send(qctx, &nostr.ReqEnvelope{SubscriptionID: id, Filters: nostr.Filters{f}}); err != nil {
		return nil, err
	}
	select {
	case <-sub.end:
		c.mu.Lock()
		defer c.mu.Unlock()
		if sub.closed != "" {
			return sub.events, fmt.Errorf("%s: %w: %s", c.URL, ErrClosed, sub.closed)
		}
		return sub.events, nil
	case <-qctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		return sub.events, fmt.Errorf("%s: query: %w", c.URL, qctx.Err())
	case <-c.ctx.Done():
		return nil, fmt.Errorf("%s: %w", c.URL, context.Cause(c.ctx))
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

package relay

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

// subscription is one REQ of one connection. Until its stored events are
// sent (EOSE), live events that match are held in pending so they follow
// EOSE instead of interleaving with stored ones.
type subscription struct {
	c       *conn
	id      string
	idJSON  []byte
	filters []nostr.Filter
	cancel  context.CancelFunc

	mu      sync.Mutex
	live    bool
	closed  bool
	pending []pendingEvent
	// stored holds the ids sent as stored events for a short while after
	// EOSE: an event committed before the query read it but broadcast
	// after the subscription went live must not arrive twice.
	stored map[string]bool
}

// storedGrace is how long after EOSE live events are checked against the
// stored ones; the gap between an event's commit and its broadcast is far
// shorter.
const storedGrace = 10 * time.Second

type pendingEvent struct {
	id  string
	msg []byte
}

// maxPending bounds the live events held for a subscription whose stored
// query is still running.
const maxPending = 1000

func newSubscription(c *conn, id string, filters []nostr.Filter) *subscription {
	idJSON, _ := json.Marshal(id)
	return &subscription{c: c, id: id, idJSON: idJSON, filters: filters}
}

func (s *subscription) matches(evt *nostr.Event) bool {
	for i := range s.filters {
		f := &s.filters[i]
		if f.Matches(evt) && (f.Search == "" || nostrkind.SearchMatches(f.Search, nostrkind.SearchText(evt.Content, evt.Tags))) {
			return true
		}
	}
	return false
}

// eventMessage builds ["EVENT",<sub id>,<event>] around an event's raw JSON.
func (s *subscription) eventMessage(raw []byte) []byte {
	msg := make([]byte, 0, len(raw)+len(s.idJSON)+12)
	msg = append(msg, `["EVENT",`...)
	msg = append(msg, s.idJSON...)
	msg = append(msg, ',')
	msg = append(msg, raw...)
	msg = append(msg, ']')
	return msg
}

// deliver queues a live event. It never blocks: a connection that cannot
// take it is dropped (see conn.trySend).
func (s *subscription) deliver(evt *nostr.Event, raw []byte) {
	msg := s.eventMessage(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if !s.live {
		if len(s.pending) >= maxPending {
			s.closed = true
			go s.c.closeSubscription(s, "error: too many new events while stored events were loading; subscribe again")
			return
		}
		s.pending = append(s.pending, pendingEvent{evt.ID, msg})
		return
	}
	if s.stored[evt.ID] {
		return
	}
	if s.c.trySend(msg) {
		s.c.rl.metrics.EventsSent.Inc()
	}
}

// goLive sends EOSE and then the live events held meanwhile, skipping those
// already sent as stored events.
func (s *subscription) goLive(sent map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.live = true
	eose := make([]byte, 0, len(s.idJSON)+10)
	eose = append(append(append(eose, `["EOSE",`...), s.idJSON...), ']')
	s.c.trySend(eose)
	for _, p := range s.pending {
		if !sent[p.id] && s.c.trySend(p.msg) {
			s.c.rl.metrics.EventsSent.Inc()
		}
	}
	s.pending = nil
	if len(sent) > 0 {
		s.stored = sent
		time.AfterFunc(storedGrace, func() {
			s.mu.Lock()
			s.stored = nil
			s.mu.Unlock()
		})
	}
}

// registry holds every open subscription of every connection, for
// broadcasting new events.
type registry struct {
	mu   sync.RWMutex
	subs map[*subscription]struct{}
}

func newRegistry() *registry { return &registry{subs: map[*subscription]struct{}{}} }

func (r *registry) add(s *subscription) {
	r.mu.Lock()
	r.subs[s] = struct{}{}
	r.mu.Unlock()
}

func (r *registry) remove(s *subscription) {
	r.mu.Lock()
	delete(r.subs, s)
	r.mu.Unlock()
}

func (r *registry) count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.subs)
}

// broadcast offers an event to every matching subscription the reader may
// see. Delivery never blocks on a client.
func (r *registry) broadcast(evt *nostr.Event, raw []byte, visible func(*conn, *nostr.Event) bool) {
	r.mu.RLock()
	var targets []*subscription
	for s := range r.subs {
		if s.matches(evt) {
			targets = append(targets, s)
		}
	}
	r.mu.RUnlock()
	for _, s := range targets {
		if visible(s.c, evt) {
			s.deliver(evt, raw)
		}
	}
}

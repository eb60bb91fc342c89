package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/nbd-wtf/go-nostr"
	"github.com/tidwall/gjson"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

var connSeq atomic.Uint64

// conn is one websocket client.
type conn struct {
	rl        *Relay
	ws        *websocket.Conn
	batch     *batchConn // nil if the connection could not be wrapped
	ip        string
	host      string // host[:port] that AUTH events must name
	challenge string
	log       *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	out    chan []byte   // messages waiting for the writer
	sem    chan struct{} // handlers in flight
	wrote  chan struct{} // closed when the writer exits

	dropOnce sync.Once

	mu   sync.Mutex
	keys []string // authenticated pubkeys (NIP-42 allows several)
	subs map[string]*subscription
}

func newConn(rl *Relay, ws *websocket.Conn, batch *batchConn, ip, host string) *conn {
	var ch [16]byte
	rand.Read(ch[:])
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		rl: rl, ws: ws, batch: batch, ip: ip, host: host,
		challenge: hex.EncodeToString(ch[:]),
		log:       rl.log.With("conn", connSeq.Add(1), "ip", ip),
		ctx:       ctx, cancel: cancel,
		out:   make(chan []byte, rl.cfg.SendQueue),
		sem:   make(chan struct{}, rl.cfg.InFlight),
		wrote: make(chan struct{}),
		subs:  map[string]*subscription{},
	}
	return c
}

// hardReadLimit is the largest message read at all. Messages between the
// advertised limit and this one are answered with a clear refusal; larger
// ones close the connection (websocket status 1009).
func (c *conn) hardReadLimit() int64 {
	return int64(c.rl.cfg.Limits.MaxMessageBytes)*2 + 64<<10
}

func (c *conn) serve() {
	c.log.Debug("connected")
	c.ws.SetReadLimit(c.hardReadLimit())
	go c.writer()
	go c.pinger()
	c.send(authMessage(c.challenge))
	c.readLoop()
	c.cancel()
	c.ws.CloseNow()
	<-c.wrote
	c.mu.Lock()
	subs := c.subs
	c.subs = map[string]*subscription{}
	c.mu.Unlock()
	for _, s := range subs {
		c.endSubscription(s)
	}
	c.log.Debug("disconnected")
}

func (c *conn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			if s := websocket.CloseStatus(err); s == websocket.StatusMessageTooBig {
				c.rl.metrics.Messages.WithLabelValues("too-big").Inc()
			}
			return
		}
		if typ != websocket.MessageText {
			c.rl.metrics.Messages.WithLabelValues("invalid").Inc()
			c.send(noticeMessage("invalid: binary messages are not part of the Nostr protocol"))
			continue
		}
		if !c.handle(data) {
			return
		}
	}
}

// handle processes one message; false stops reading.
func (c *conn) handle(data []byte) bool {
	start := time.Now()
	lim := &c.rl.cfg.Limits
	if lim.MaxMessageBytes > 0 && len(data) > lim.MaxMessageBytes {
		c.rl.metrics.Messages.WithLabelValues("too-big").Inc()
		reason := policy.Reject(policy.Invalid, "message of %d bytes exceeds the relay's limit of %d", len(data), lim.MaxMessageBytes)
		if gjson.GetBytes(data, "0").Str == typeEvent {
			if id := gjson.GetBytes(data, "1.id"); policy.IsLowerHex(id.Str, 64) {
				c.rl.metrics.EventsRejected.WithLabelValues(policy.Invalid).Inc()
				c.send(okMessage(id.Str, false, reason.Error()))
				return true
			}
		}
		c.send(noticeMessage(reason.Error()))
		return true
	}
	m, perr := parseMessage(data, lim)
	if perr != nil {
		c.refuseMalformed(perr)
		return true
	}
	c.rl.metrics.Messages.WithLabelValues(m.Type).Inc()
	switch m.Type {
	case typeEvent:
		return c.spawn(func() { c.handleEvent(m.Event, start) }, true, func() {
			c.send(okMessage(m.Event.ID, false, "error: the relay is shutting down; publish elsewhere or retry"))
		})
	case typeReq:
		c.handleReq(m, start)
	case typeCount:
		c.handleCount(m, start)
	case typeClose:
		c.mu.Lock()
		s := c.subs[m.SubID]
		delete(c.subs, m.SubID)
		c.mu.Unlock()
		if s != nil {
			c.endSubscription(s)
		}
	case typeAuth:
		c.handleAuth(m.Event, start)
	}
	return true
}

func (c *conn) refuseMalformed(perr *parseError) {
	label := perr.Type
	switch label {
	case typeEvent, typeReq, typeCount, typeClose, typeAuth:
	default:
		label = "invalid"
	}
	c.rl.metrics.Messages.WithLabelValues(label).Inc()
	switch {
	case (perr.Type == typeEvent || perr.Type == typeAuth) && perr.EventID != "":
		if perr.Type == typeEvent {
			c.rl.metrics.EventsRejected.WithLabelValues(perr.Reason.Prefix).Inc()
		}
		c.send(okMessage(perr.EventID, false, perr.Reason.Error()))
	case (perr.Type == typeReq || perr.Type == typeCount) && perr.SubID != "":
		c.send(closedMessage(perr.SubID, perr.Reason.Error()))
	default:
		c.send(noticeMessage(perr.Reason.Error()))
	}
}

// spawn runs fn as a handler: at most InFlight at once per connection
// (reading waits for a free slot, which pushes back on the client). Writes
// (tracked) are waited for by Shutdown; when the relay is closing, refuse
// runs instead.
func (c *conn) spawn(fn func(), tracked bool, refuse func()) bool {
	select {
	case c.sem <- struct{}{}:
	case <-c.ctx.Done():
		return false
	}
	if tracked && !c.rl.work.add() {
		<-c.sem
		refuse()
		return true
	}
	go func() {
		defer func() {
			<-c.sem
			if tracked {
				c.rl.work.done()
			}
		}()
		fn()
	}()
	return true
}

func (c *conn) authed() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys
}

func (c *conn) handleEvent(evt *nostr.Event, start time.Time) {
	reason := c.acceptEvent(evt)
	if reason != nil {
		c.rl.metrics.EventsRejected.WithLabelValues(reason.Prefix).Inc()
		c.log.Debug("event refused", "id", evt.ID, "kind", evt.Kind, "pubkey", evt.PubKey, "reason", reason.Error())
		c.send(okMessage(evt.ID, false, reason.Error()))
	}
	c.rl.metrics.MessageSeconds.WithLabelValues(typeEvent).Observe(time.Since(start).Seconds())
}

// acceptEvent validates, stores and broadcasts an event, sending OK true
// itself once the store has committed; a non-nil result is the refusal.
func (c *conn) acceptEvent(evt *nostr.Event) *policy.Rejection {
	rl := c.rl
	if rej := rl.cfg.Limits.CheckEvent(evt, time.Now()); rej != nil {
		return rej
	}
	switch evt.Kind {
	case nostrkind.ClientAuth:
		return policy.Reject(policy.Invalid, "kind %d authenticates with an AUTH message, it is not published", evt.Kind)
	case nostrkind.BlossomAuth:
		// Relaying an authorization token would let anyone replay it.
		return policy.Reject(policy.Blocked, "kind %d authorizes one Blossom request, it is not relayed", evt.Kind)
	}
	// Per-IP limit before the expensive signature check; per-author after
	// it, so forged events cannot spend someone else's budget.
	if !rl.cfg.IPEvents.Allow(c.ip) {
		rl.metrics.RateLimited.WithLabelValues("event-ip").Inc()
		return policy.Reject(policy.RateLimited, "too many events from your address; slow down")
	}
	if !evt.CheckID() {
		return policy.Reject(policy.Invalid, "id does not match the event's contents")
	}
	if ok, err := evt.CheckSignature(); err != nil || !ok {
		return policy.Reject(policy.Invalid, "signature does not verify")
	}
	if !rl.cfg.PubkeyEvents.Allow(evt.PubKey) {
		rl.metrics.RateLimited.WithLabelValues("event-pubkey").Inc()
		return policy.Reject(policy.RateLimited, "too many events from this author; slow down")
	}
	authed := c.authed()
	rej := policy.CheckProtected(evt, authed)
	if rej == nil {
		rej = rl.cfg.Access.CheckWrite(evt, authed)
	}
	if rej != nil {
		if rej.Prefix == policy.AuthRequired {
			c.send(authMessage(c.challenge))
		}
		return rej
	}
	if rl.cfg.Validate != nil {
		if rej := rl.cfg.Validate(evt); rej != nil {
			return rej
		}
	}
	raw, err := evt.MarshalJSON()
	if err != nil {
		return policy.Reject(policy.Error, "could not encode the event")
	}
	class := nostrkind.ClassOf(evt.Kind)
	if class == nostrkind.Ephemeral {
		rl.metrics.EventsRelayed.Inc()
		c.send(okMessage(evt.ID, true, ""))
		rl.Broadcast(evt, raw)
		return nil
	}
	// The write finishes even if the client leaves: it may already be
	// committed, and Shutdown waits for it.
	ctx, cancel := context.WithTimeout(context.Background(), rl.cfg.StoreTimeout)
	res, err := rl.store.SaveEvent(ctx, evt, raw)
	cancel()
	if err != nil {
		rl.metrics.StoreErrors.WithLabelValues("save").Inc()
		c.log.Error("store event", "id", evt.ID, "err", err)
		return policy.Reject(policy.Error, "could not store the event; retry later")
	}
	switch res.Outcome {
	case store.Duplicate:
		rl.metrics.EventsRejected.WithLabelValues(policy.Duplicate).Inc()
		c.send(okMessage(evt.ID, true, "duplicate: already have this event"))
		return nil
	case store.Superseded:
		return policy.Reject(policy.Duplicate, "a newer version of this replaceable event is stored")
	case store.Deleted:
		return policy.Reject(policy.Blocked, "this event was deleted by its author (NIP-09)")
	}
	rl.metrics.EventsStored.WithLabelValues(class.String()).Inc()
	if res.Removed > 0 {
		rl.metrics.EventsDeleted.Add(float64(res.Removed))
	}
	c.send(okMessage(evt.ID, true, ""))
	rl.Broadcast(evt, raw)
	return nil
}

func (c *conn) handleAuth(evt *nostr.Event, start time.Time) {
	defer func() { c.rl.metrics.MessageSeconds.WithLabelValues(typeAuth).Observe(time.Since(start).Seconds()) }()
	if rej := checkAuth(evt, c.challenge, c.host, time.Now()); rej != nil {
		c.rl.metrics.AuthFailure.Inc()
		c.send(okMessage(evt.ID, false, rej.Error()))
		return
	}
	c.mu.Lock()
	if !slices.Contains(c.keys, evt.PubKey) {
		// Copy on write: readers hold the old slice without locking.
		c.keys = append(slices.Clip(c.keys), evt.PubKey)
	}
	c.mu.Unlock()
	c.rl.metrics.AuthSuccess.Inc()
	c.log.Debug("authenticated", "pubkey", evt.PubKey)
	c.send(okMessage(evt.ID, true, ""))
}

// checkRead applies the read rules shared by REQ and COUNT.
func (c *conn) checkRead(filters []nostr.Filter) *policy.Rejection {
	rl := c.rl
	if rl.isClosing() {
		return policy.Reject(policy.Error, "the relay is shutting down")
	}
	authed := c.authed()
	for i := range filters {
		if rej := rl.cfg.Access.CheckFilter(&filters[i], authed); rej != nil {
			return rej
		}
	}
	if !rl.cfg.IPReqs.Allow(c.ip) {
		rl.metrics.RateLimited.WithLabelValues("req-ip").Inc()
		return policy.Reject(policy.RateLimited, "too many requests from your address; slow down")
	}
	return nil
}

func (c *conn) visibility() store.Visibility {
	kinds := c.rl.cfg.Access.ProtectedKinds
	if len(kinds) == 0 {
		return store.Visibility{}
	}
	return store.Visibility{Kinds: policy.SortedKinds(kinds), Readers: c.authed()}
}

func (c *conn) handleReq(m *message, start time.Time) {
	if rej := c.checkRead(m.Filters); rej != nil {
		if rej.Prefix == policy.AuthRequired {
			c.send(authMessage(c.challenge))
		}
		c.send(closedMessage(m.SubID, rej.Error()))
		return
	}
	sub := newSubscription(c, m.SubID, m.Filters)
	ctx, cancel := context.WithCancel(c.ctx)
	sub.cancel = cancel
	c.mu.Lock()
	old := c.subs[m.SubID]
	if old == nil && len(c.subs) >= c.rl.cfg.Limits.MaxSubscriptions && c.rl.cfg.Limits.MaxSubscriptions > 0 {
		c.mu.Unlock()
		cancel()
		c.send(closedMessage(m.SubID, "blocked: at most "+strconv.Itoa(c.rl.cfg.Limits.MaxSubscriptions)+" open subscriptions per connection; close one first"))
		return
	}
	c.subs[m.SubID] = sub
	c.mu.Unlock()
	if old != nil {
		// A REQ with an open id replaces that subscription (NIP-01).
		c.endSubscription(old)
	}
	c.rl.subs.add(sub)
	c.rl.metrics.Subscriptions.Inc()
	c.spawn(func() { c.runQuery(ctx, sub, start) }, false, nil)
}

// runQuery sends a subscription's stored events, then EOSE, then makes it
// live.
func (c *conn) runQuery(ctx context.Context, sub *subscription, start time.Time) {
	rl := c.rl
	lim := rl.cfg.Limits
	vis := c.visibility()
	sent := map[string]bool{}
	for i := range sub.filters {
		f := &sub.filters[i]
		if f.LimitZero {
			continue
		}
		limit := f.Limit
		if limit <= 0 {
			limit = lim.DefaultLimit
		}
		if lim.MaxLimit > 0 && limit > lim.MaxLimit {
			limit = lim.MaxLimit
		}
		if err := c.sendStored(ctx, sub, f, limit, vis, sent); err != nil {
			if ctx.Err() != nil {
				return // closed by the client, replaced, or disconnected
			}
			rl.metrics.StoreErrors.WithLabelValues("query").Inc()
			c.log.Error("query events", "sub", sub.id, "err", err)
			c.closeSubscription(sub, "error: could not query the events; retry later")
			return
		}
	}
	sub.goLive(sent)
	rl.metrics.MessageSeconds.WithLabelValues(typeReq).Observe(time.Since(start).Seconds())
}

// Pages of stored events: the database connection is released after each
// page is read, before the events are queued for the client.
const (
	pageEvents = 500
	pageBytes  = 4 << 20
)

// sendStored queues up to limit stored events of one filter, skipping
// those already sent for another filter of the same REQ.
func (c *conn) sendStored(ctx context.Context, sub *subscription, f *nostr.Filter, limit int, vis store.Visibility, sent map[string]bool) error {
	var after *store.Cursor
	for limit > 0 {
		n := min(limit, pageEvents)
		qctx, cancel := context.WithTimeout(ctx, c.rl.cfg.StoreTimeout)
		rows, err := c.rl.store.QueryPage(qctx, f, n, pageBytes, vis, after)
		cancel()
		if err != nil {
			return err
		}
		for _, r := range rows {
			k := hex.EncodeToString(r.ID)
			if sent[k] {
				continue
			}
			sent[k] = true
			if err := c.sendWait(ctx, sub.eventMessage(r.Raw)); err != nil {
				return err
			}
			c.rl.metrics.EventsSent.Inc()
		}
		if len(rows) == 0 {
			return nil
		}
		last := rows[len(rows)-1]
		after = &store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
		limit -= len(rows)
		if len(rows) < n {
			// A short page is the end, unless the byte budget cut it
			// (then its rows add up to the budget).
			size := 0
			for _, r := range rows {
				size += len(r.Raw)
			}
			if size < pageBytes {
				return nil
			}
		}
	}
	return nil
}

func (c *conn) handleCount(m *message, start time.Time) {
	if rej := c.checkRead(m.Filters); rej != nil {
		if rej.Prefix == policy.AuthRequired {
			c.send(authMessage(c.challenge))
		}
		c.send(closedMessage(m.SubID, rej.Error()))
		return
	}
	c.spawn(func() {
		ctx, cancel := context.WithTimeout(c.ctx, c.rl.cfg.StoreTimeout)
		defer cancel()
		n, err := c.rl.store.CountEvents(ctx, m.Filters, c.visibility())
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			c.rl.metrics.StoreErrors.WithLabelValues("count").Inc()
			c.log.Error("count events", "sub", m.SubID, "err", err)
			c.send(closedMessage(m.SubID, "error: could not count the events; retry later"))
			return
		}
		c.send(countMessage(m.SubID, n))
		c.rl.metrics.MessageSeconds.WithLabelValues(typeCount).Observe(time.Since(start).Seconds())
	}, false, nil)
}

// endSubscription stops a subscription already removed from c.subs.
func (c *conn) endSubscription(s *subscription) {
	s.mu.Lock()
	s.closed = true
	s.pending = nil
	s.mu.Unlock()
	s.cancel()
	c.rl.subs.remove(s)
	c.rl.metrics.Subscriptions.Dec()
}

// closeSubscription ends a subscription from the relay's side with CLOSED,
// unless the client already replaced or closed it.
func (c *conn) closeSubscription(s *subscription, reason string) {
	c.mu.Lock()
	current := c.subs[s.id] == s
	if current {
		delete(c.subs, s.id)
	}
	c.mu.Unlock()
	if current {
		c.endSubscription(s)
		c.send(closedMessage(s.id, reason))
	}
}

// send queues a message without waiting.
func (c *conn) send(msg []byte) { c.trySend(msg) }

// trySend queues a message; if the queue is full the client is not
// reading fast enough and is dropped, so nobody waits for it.
func (c *conn) trySend(msg []byte) bool {
	if c.ctx.Err() != nil {
		return false
	}
	select {
	case c.out <- msg:
		return true
	default:
		c.drop("send queue full")
		return false
	}
}

// sendWait queues a message for this client's own request, waiting for
// room at most WriteTimeout.
func (c *conn) sendWait(ctx context.Context, msg []byte) error {
	select {
	case c.out <- msg:
		return nil
	default:
	}
	t := time.NewTimer(c.rl.cfg.WriteTimeout)
	defer t.Stop()
	select {
	case c.out <- msg:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		c.drop("send queue stayed full")
		return errors.New("client too slow")
	}
}

// drop disconnects a client that does not keep up.
func (c *conn) drop(why string) {
	c.dropOnce.Do(func() {
		c.rl.metrics.SlowClientsKilled.Inc()
		c.log.Info("dropping slow client", "why", why)
		c.cancel()
		c.ws.CloseNow()
	})
}

// writer sends queued messages. Whatever is queued when it wakes up goes
// out in one batch (one system call for many small messages), which is
// where a REQ's stored events spend their time otherwise.
func (c *conn) writer() {
	defer close(c.wrote)
	for {
		select {
		case <-c.ctx.Done():
			return
		case msg := <-c.out:
			if err := c.writeBatch(msg); err != nil {
				if c.ctx.Err() == nil {
					c.drop("write failed: " + err.Error())
				}
				return
			}
		}
	}
}

func (c *conn) writeBatch(msg []byte) error {
	if c.batch == nil {
		ctx, cancel := context.WithTimeout(c.ctx, c.rl.cfg.WriteTimeout)
		defer cancel()
		return c.ws.Write(ctx, websocket.MessageText, msg)
	}
	// The batching connection puts a deadline on every network write, so
	// the messages themselves need no context of their own (which would
	// cost a timer per message).
	c.batch.hold()
	err := c.ws.Write(context.Background(), websocket.MessageText, msg)
	for err == nil {
		select {
		case msg = <-c.out:
			err = c.ws.Write(context.Background(), websocket.MessageText, msg)
			continue
		default:
		}
		break
	}
	if rerr := c.batch.release(); err == nil {
		err = rerr
	}
	return err
}

func (c *conn) pinger() {
	t := time.NewTicker(c.rl.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(c.ctx, c.rl.cfg.PingInterval)
			err := c.ws.Ping(ctx)
			cancel()
			if err != nil && c.ctx.Err() == nil {
				c.drop("no pong")
				return
			}
		}
	}
}

// shutdown lets queued messages (OKs of committed events) go out, then
// closes the connection politely.
func (c *conn) shutdown(ctx context.Context) {
	for len(c.out) > 0 && ctx.Err() == nil && c.ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	c.ws.Close(websocket.StatusGoingAway, "relay shutting down")
	c.cancel()
}

func (rl *Relay) isClosing() bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.closing
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

func okMessage(id string, ok bool, reason string) []byte {
	b := make([]byte, 0, 96+len(reason))
	b = append(b, `["OK",`...)
	b = append(b, jsonString(id)...)
	b = append(b, ',')
	b = strconv.AppendBool(b, ok)
	b = append(b, ',')
	b = append(b, jsonString(reason)...)
	return append(b, ']')
}

func closedMessage(subID, reason string) []byte {
	b := append([]byte(`["CLOSED",`), jsonString(subID)...)
	b = append(b, ',')
	b = append(b, jsonString(reason)...)
	return append(b, ']')
}

func noticeMessage(text string) []byte {
	return append(append([]byte(`["NOTICE",`), jsonString(text)...), ']')
}

func authMessage(challenge string) []byte {
	return append(append([]byte(`["AUTH",`), jsonString(challenge)...), ']')
}

func countMessage(subID string, n int64) []byte {
	b := append([]byte(`["COUNT",`), jsonString(subID)...)
	b = append(b, `,{"count":`...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, "}]"...)
}

package service

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nbd-wtf/go-nostr"
	"github.com/nbd-wtf/go-nostr/nip11"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
)

func TestPublishAndQueryEveryFilterField(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	r := tr.connect(t)
	a, b := newKey(t), newKey(t)
	now := nostr.Now()
	var all []nostr.Event
	for i := 0; i < 30; i++ {
		k := a
		if i%3 == 0 {
			k = b
		}
		kind := 1
		if i%4 == 0 {
			kind = 7
		}
		evt := k.sign(t, nostr.Event{
			Kind: kind, CreatedAt: now - nostr.Timestamp(100-i), Content: fmt.Sprint("event ", i),
			Tags: nostr.Tags{
				{"t", fmt.Sprint("topic", i%5)},
				{"x", fmt.Sprintf("%064x", i%7)},
				{"e", fmt.Sprintf("%064x", i%2)},
				{"p", a.pk},
				{"alt", "multi-letter tags are not indexed"},
			},
		})
		publish(t, r, evt)
		all = append(all, evt)
	}
	raw := tr.dialRaw(t)
	since, until := now-80, now-75
	cases := []struct {
		name   string
		filter nostr.Filter
	}{
		{"ids", nostr.Filter{IDs: []string{all[2].ID, all[29].ID, strings.Repeat("0", 64)}}},
		{"authors", nostr.Filter{Authors: []string{b.pk}}},
		{"kinds", nostr.Filter{Kinds: []int{7}}},
		{"#t", nostr.Filter{Tags: nostr.TagMap{"t": {"topic1", "topic3"}}}},
		{"#x", nostr.Filter{Tags: nostr.TagMap{"x": {fmt.Sprintf("%064x", 4)}}}},
		{"#e and #p", nostr.Filter{Tags: nostr.TagMap{"e": {fmt.Sprintf("%064x", 1)}, "p": {a.pk}}}},
		{"since", nostr.Filter{Since: &since}},
		{"until", nostr.Filter{Until: &until}},
		{"since+until", nostr.Filter{Since: &since, Until: &until}},
		{"limit", nostr.Filter{Limit: 4}},
		{"combined", nostr.Filter{Authors: []string{a.pk}, Kinds: []int{1}, Tags: nostr.TagMap{"t": {"topic2"}}, Until: &until, Limit: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []string
			for i := len(all) - 1; i >= 0; i-- { // newest first
				if c.filter.Matches(&all[i]) {
					want = append(want, all[i].ID)
				}
			}
			if c.filter.Limit > 0 && len(want) > c.filter.Limit {
				want = want[:c.filter.Limit]
			}
			if len(want) == 0 {
				t.Fatal("test case matches nothing")
			}
			fb, _ := json.Marshal(c.filter)
			var fm map[string]any
			json.Unmarshal(fb, &fm)
			got, closed := raw.req("q-"+c.name, fm)
			if closed != "" {
				t.Fatalf("CLOSED: %s", closed)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
				if !e.CheckID() {
					t.Errorf("event %s fails its id check as served", e.ID)
				}
			}
			if !slices.Equal(ids, want) {
				t.Fatalf("got %d events %v\nwant %d %v", len(ids), ids, len(want), want)
			}
			// The go-nostr client sees the same.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			evs, err := r.QuerySync(ctx, c.filter)
			if err != nil || len(evs) != len(want) {
				t.Fatalf("go-nostr QuerySync: %d events, %v", len(evs), err)
			}
		})
	}
	// Several filters in one REQ: the union, without duplicates.
	got, _ := raw.req("union", map[string]any{"authors": []string{b.pk}}, map[string]any{"kinds": []int{7}})
	want := 0
	for _, e := range all {
		if e.PubKey == b.pk || e.Kind == 7 {
			want++
		}
	}
	seen := map[string]bool{}
	for _, e := range got {
		if seen[e.ID] {
			t.Fatalf("event %s sent twice in one REQ", e.ID)
		}
		seen[e.ID] = true
	}
	if len(got) != want {
		t.Fatalf("union of two filters: %d events, want %d", len(got), want)
	}
	// COUNT over the same union (NIP-45), through go-nostr.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, _, err := r.Count(ctx, nostr.Filters{{Authors: []string{b.pk}}})
	if err != nil || n != 10 {
		t.Fatalf("COUNT authors=b: %d, %v; want 10", n, err)
	}
	raw.sendJSON("COUNT", "c1", map[string]any{"authors": []string{b.pk}}, map[string]any{"kinds": []int{7}})
	if m := raw.recv(); m[0] != "COUNT" || m[1] != "c1" || m[2].(map[string]any)["count"].(float64) != float64(want) {
		t.Fatalf("COUNT of two filters: %v, want %d", m, want)
	}
}

func TestLiveSubscription(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	pub, sub := tr.connect(t), tr.connect(t)
	a := newKey(t)
	old := a.note(t, "before", nostr.Tag{"t", "live"})
	publish(t, pub, old)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := sub.Subscribe(ctx, nostr.Filters{{Tags: nostr.TagMap{"t": {"live"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if e := <-s.Events; e.ID != old.ID {
		t.Fatalf("stored event %s, want %s", e.ID, old.ID)
	}
	select {
	case <-s.EndOfStoredEvents:
	case <-ctx.Done():
		t.Fatal("no EOSE")
	}
	fresh := a.note(t, "after", nostr.Tag{"t", "live"})
	other := a.note(t, "unrelated", nostr.Tag{"t", "dead"})
	publish(t, pub, other)
	publish(t, pub, fresh)
	select {
	case e := <-s.Events:
		if e.ID != fresh.ID {
			t.Fatalf("live event %s, want %s", e.ID, fresh.ID)
		}
	case <-ctx.Done():
		t.Fatal("live event never arrived")
	}

	// CLOSE stops delivery; the raw client sees nothing more for that id.
	raw := tr.dialRaw(t)
	raw.sendJSON("REQ", "s", map[string]any{"kinds": []int{1}, "limit": 0})
	if m := raw.recv(); m[0] != "EOSE" {
		t.Fatalf("limit 0: got %v, want EOSE at once", m)
	}
	raw.sendJSON("CLOSE", "s")
	publish(t, pub, a.note(t, "nobody listens"))
	ok, _ := raw.ok(a.note(t, "mine"))
	if !ok {
		t.Fatal("publish on raw connection failed")
	}
}

func TestReplaceableAndAddressable(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	raw := tr.dialRaw(t)
	a := newKey(t)
	now := nostr.Now()
	v1 := a.sign(t, nostr.Event{Kind: nostrkind.BlossomServerList, CreatedAt: now - 10, Tags: nostr.Tags{{"server", "https://one.example"}}})
	v2 := a.sign(t, nostr.Event{Kind: nostrkind.BlossomServerList, CreatedAt: now - 5, Tags: nostr.Tags{{"server", "https://two.example"}}})
	if ok, msg := raw.ok(v1); !ok {
		t.Fatal(msg)
	}
	if ok, msg := raw.ok(v2); !ok {
		t.Fatal(msg)
	}
	if ok, msg := raw.ok(v1); ok || !hasPrefix(msg, "duplicate") {
		t.Fatalf("older version: ok=%v %q, want OK false duplicate", ok, msg)
	}
	got, _ := raw.req("r", map[string]any{"kinds": []int{nostrkind.BlossomServerList}, "authors": []string{a.pk}})
	if len(got) != 1 || got[0].ID != v2.ID {
		t.Fatalf("replaceable: got %v, want only the newest", got)
	}
	// Addressable: one per d tag.
	s1 := a.sign(t, nostr.Event{Kind: nostrkind.RepoState, CreatedAt: now - 3, Tags: nostr.Tags{{"d", "llm"}, {"refs/heads/main", strings.Repeat("a", 64)}}})
	s2 := a.sign(t, nostr.Event{Kind: nostrkind.RepoState, CreatedAt: now - 2, Tags: nostr.Tags{{"d", "llm"}, {"refs/heads/main", strings.Repeat("b", 64)}}})
	s3 := a.sign(t, nostr.Event{Kind: nostrkind.RepoState, CreatedAt: now - 1, Tags: nostr.Tags{{"d", "vision"}}})
	for _, e := range []nostr.Event{s1, s2, s3} {
		if ok, msg := raw.ok(e); !ok {
			t.Fatal(msg)
		}
	}
	got, _ = raw.req("a", map[string]any{"kinds": []int{nostrkind.RepoState}, "authors": []string{a.pk}})
	if len(got) != 2 || got[0].ID != s3.ID || got[1].ID != s2.ID {
		t.Fatalf("addressable: got %d events, want the latest per d tag", len(got))
	}
	if ok, msg := raw.ok(v2); !ok || !hasPrefix(msg, "duplicate") {
		t.Fatalf("same event again: ok=%v %q, want OK true duplicate", ok, msg)
	}
}

func TestDeletion(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	raw := tr.dialRaw(t)
	a, b := newKey(t), newKey(t)
	mine := a.note(t, "oops")
	theirs := b.note(t, "b's note")
	repo := a.sign(t, nostr.Event{Kind: nostrkind.RepoAnnouncement, Tags: nostr.Tags{{"d", "gone"}}, CreatedAt: nostr.Now() - 10})
	for _, e := range []nostr.Event{mine, theirs, repo} {
		if ok, msg := raw.ok(e); !ok {
			t.Fatal(msg)
		}
	}
	del := a.sign(t, nostr.Event{Kind: nostrkind.Deletion, Tags: nostr.Tags{
		{"e", mine.ID}, {"e", theirs.ID}, {"a", fmt.Sprintf("%d:%s:gone", nostrkind.RepoAnnouncement, a.pk)}, {"k", "1"},
	}})
	if ok, msg := raw.ok(del); !ok {
		t.Fatal(msg)
	}
	got, _ := raw.req("d", map[string]any{"ids": []string{mine.ID, theirs.ID, repo.ID, del.ID}})
	ids := map[string]bool{}
	for _, e := range got {
		ids[e.ID] = true
	}
	if ids[mine.ID] || ids[repo.ID] || !ids[theirs.ID] || !ids[del.ID] {
		t.Fatalf("after deletion the relay serves %v; want b's note and the deletion only", ids)
	}
	if ok, msg := raw.ok(mine); ok || !hasPrefix(msg, "blocked") {
		t.Fatalf("republishing a deleted event: ok=%v %q", ok, msg)
	}
}

func TestBadEventsAreRefusedAndNotStored(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Relay.Limits.MaxMessageBytes = 4096
	cfg.Relay.Limits.MaxEventTags = 10
	tr := startRelayer(t, cfg)
	raw := tr.dialRaw(t)
	a := newKey(t)

	good := a.note(t, "fine")
	badID := good
	badID.Content = "tampered"
	other := a.note(t, "other")
	badSig := other
	badSig.Sig = good.Sig
	wrongKey := a.note(t, "x")
	wrongKey.PubKey = newKey(t).pk
	big := a.note(t, strings.Repeat("x", 5000))
	manyTags := a.sign(t, nostr.Event{Kind: 1, Tags: func() nostr.Tags {
		var ts nostr.Tags
		for i := 0; i < 11; i++ {
			ts = append(ts, nostr.Tag{"t", fmt.Sprint(i)})
		}
		return ts
	}()})
	future := a.sign(t, nostr.Event{Kind: 1, CreatedAt: nostr.Now() + 3600})
	authEvt := a.sign(t, nostr.Event{Kind: nostrkind.ClientAuth})
	blossomAuth := a.sign(t, nostr.Event{Kind: nostrkind.BlossomAuth, Tags: nostr.Tags{{"t", "upload"}}})

	for _, c := range []struct {
		name   string
		evt    nostr.Event
		prefix string
	}{
		{"bad id", badID, policy.Invalid},
		{"bad signature", badSig, policy.Invalid},
		{"pubkey that did not sign", wrongKey, policy.Invalid},
		{"oversized", big, policy.Invalid},
		{"too many tags", manyTags, policy.Invalid},
		{"created far in the future", future, policy.Invalid},
		{"AUTH event as EVENT", authEvt, policy.Invalid},
		{"Blossom token as EVENT", blossomAuth, policy.Blocked},
	} {
		ok, msg := raw.ok(c.evt)
		if ok || !hasPrefix(msg, c.prefix) {
			t.Errorf("%s: OK %v %q, want false %s:", c.name, ok, msg, c.prefix)
		}
	}
	// Malformed messages: each gets a protocol answer, the connection lives.
	for _, c := range []struct {
		name, msg, want string
	}{
		{"not JSON", `["EVENT", {"id": `, "NOTICE"},
		{"not an array", `{"EVENT": 1}`, "NOTICE"},
		{"unknown type", `["PUBLISH", {}]`, "NOTICE"},
		{"event not an object", `["EVENT", "x"]`, "NOTICE"},
		{"kind as string", strings.Replace(mustJSON(a.note(t, "k")), `"kind":1`, `"kind":"1"`, 1), "OK"},
		{"tags with a number", strings.Replace(mustJSON(a.note(t, "t", nostr.Tag{"t", "v"})), `["t","v"]`, `["t",5]`, 1), "OK"},
		{"missing sig", strings.Replace(mustJSON(a.note(t, "s")), `"sig":`, `"nosig":`, 1), "OK"},
		{"REQ without filters", `["REQ","s"]`, "CLOSED"},
		{"REQ with unknown field", `["REQ","s",{"bogus":[1]}]`, "CLOSED"},
		{"REQ with short ids", `["REQ","s",{"ids":["abc"]}]`, "CLOSED"},
		{"REQ with a numeric search", `["REQ","s",{"search":5}]`, "CLOSED"},
		{"REQ with a huge search", `["REQ","s",{"search":"` + strings.Repeat("a", 600) + `"}]`, "CLOSED"},
		{"REQ with empty id", `["REQ","",{}]`, "NOTICE"},
	} {
		msg := c.msg
		if c.want == "OK" {
			msg = `["EVENT",` + msg + `]`
		}
		raw.send(msg)
		m := raw.recv()
		if m[0] != c.want {
			t.Errorf("%s: got %v, want %s", c.name, m, c.want)
		}
		if m[0] == "OK" && m[2] != false {
			t.Errorf("%s: accepted", c.name)
		}
	}
	// Nothing of the above was stored.
	n, err := tr.svc.DB().CountEvents(context.Background(), []nostr.Filter{{}}, storeVisibilityAll)
	if err != nil || n != 0 {
		t.Fatalf("store holds %d events after only bad input (%v)", n, err)
	}
	if ok, msg := raw.ok(good); !ok {
		t.Fatalf("a good event after all that: %s", msg)
	}
}

func mustJSON(evt nostr.Event) string {
	b, _ := evt.MarshalJSON()
	return string(b)
}

func TestLimitsOnSubscriptions(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Relay.Limits.MaxSubscriptions = 3
	cfg.Relay.Limits.MaxFilters = 2
	tr := startRelayer(t, cfg)
	raw := tr.dialRaw(t)
	for i := 0; i < 3; i++ {
		if _, closed := raw.req(fmt.Sprint("s", i), map[string]any{"kinds": []int{1}}); closed != "" {
			t.Fatal(closed)
		}
	}
	if _, closed := raw.req("s3", map[string]any{}); !hasPrefix(closed, "blocked") {
		t.Fatalf("fourth subscription: %q, want CLOSED blocked", closed)
	}
	// Reusing an id replaces rather than adds.
	if _, closed := raw.req("s0", map[string]any{"kinds": []int{2}}); closed != "" {
		t.Fatalf("replacing s0: %q", closed)
	}
	raw.sendJSON("CLOSE", "s1")
	if _, closed := raw.req("s4", map[string]any{}, map[string]any{}); closed != "" {
		t.Fatalf("after CLOSE: %q", closed)
	}
	if _, closed := raw.req("s5", map[string]any{}, map[string]any{}, map[string]any{}); !hasPrefix(closed, "blocked") {
		t.Fatalf("three filters: %q, want blocked", closed)
	}
}

func TestRateLimits(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Relay.PubkeyEvents = policy.NewRateLimiter(0.001, 3)
	cfg.Relay.IPReqs = policy.NewRateLimiter(0.001, 2)
	tr := startRelayer(t, cfg)
	raw := tr.dialRaw(t)
	a, b := newKey(t), newKey(t)
	for i := 0; i < 3; i++ {
		if ok, msg := raw.ok(a.note(t, fmt.Sprint(i))); !ok {
			t.Fatal(msg)
		}
	}
	if ok, msg := raw.ok(a.note(t, "one too many")); ok || !hasPrefix(msg, "rate-limited") {
		t.Fatalf("fourth event of one author: %v %q", ok, msg)
	}
	if ok, msg := raw.ok(b.note(t, "another author")); !ok {
		t.Fatalf("another author is limited too: %q", msg)
	}
	raw.req("r1", map[string]any{})
	raw.req("r2", map[string]any{})
	if _, closed := raw.req("r3", map[string]any{}); !hasPrefix(closed, "rate-limited") {
		t.Fatalf("third REQ: %q, want rate-limited", closed)
	}
}

func TestAuthRequiredPaths(t *testing.T) {
	cfg := baseConfig(t)
	writer := newKey(t)
	cfg.Relay.Access = &policy.Access{
		AuthWrites:     true,
		Writers:        policy.KeySet{writer.pk: {}},
		ProtectedKinds: map[int]bool{4: true},
	}
	tr := startRelayer(t, cfg)

	// Writes need AUTH, and then a writer's key.
	r := tr.connect(t)
	evt := writer.note(t, "hello")
	if err := publishErr(t, r, evt); err == nil || !strings.Contains(err.Error(), "auth-required:") {
		t.Fatalf("unauthenticated publish: %v, want auth-required", err)
	}
	stranger := newKey(t)
	r2 := tr.connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	authenticate(t, r2, stranger)
	if err := publishErr(t, r2, stranger.note(t, "spam")); err == nil || !strings.Contains(err.Error(), "restricted:") {
		t.Fatalf("stranger's publish: %v, want restricted", err)
	}
	authenticate(t, r, writer)
	publish(t, r, evt)

	// A bad AUTH: wrong challenge, wrong relay, wrong kind.
	raw := tr.dialRaw(t)
	for _, bad := range []nostr.Event{
		writer.sign(t, nostr.Event{Kind: nostrkind.ClientAuth, Tags: nostr.Tags{{"relay", tr.wsURL}, {"challenge", "not-it"}}}),
		writer.sign(t, nostr.Event{Kind: 1, Tags: nostr.Tags{{"relay", tr.wsURL}, {"challenge", "x"}}}),
	} {
		b, _ := bad.MarshalJSON()
		raw.send(`["AUTH",` + string(b) + `]`)
		if ok, msg := raw.expectOK(bad.ID); ok || !hasPrefix(msg, "invalid") {
			t.Fatalf("bad AUTH accepted: %v %q", ok, msg)
		}
	}

	// Protected kind 4: only author and recipient read it.
	recipient := newKey(t)
	dm := writer.sign(t, nostr.Event{Kind: 4, Content: "secret", Tags: nostr.Tags{{"p", recipient.pk}}})
	publish(t, r, dm)
	if _, closed := raw.req("dm", map[string]any{"kinds": []int{4}}); !hasPrefix(closed, "auth-required") {
		t.Fatalf("unauthenticated read of kind 4: %q, want auth-required", closed)
	}
	all, _ := raw.req("all", map[string]any{})
	for _, e := range all {
		if e.Kind == 4 {
			t.Fatal("kind 4 served to an unauthenticated reader through an open filter")
		}
	}
	rr := tr.connect(t)
	authenticate(t, rr, recipient)
	got, err := rr.QuerySync(ctx, nostr.Filter{Kinds: []int{4}})
	if err != nil || len(got) != 1 || got[0].ID != dm.ID {
		t.Fatalf("recipient reads %d events (%v), want the message", len(got), err)
	}
	authenticate(t, r2, stranger)
	got, err = r2.QuerySync(ctx, nostr.Filter{Kinds: []int{4}})
	if err != nil || len(got) != 0 {
		t.Fatalf("stranger reads %d protected events (%v)", len(got), err)
	}
}

func TestInfoDocument(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Relay.Info.Name = "test relay"
	tr := startRelayer(t, cfg)
	req, _ := http.NewRequest("GET", tr.httpURL+"/", nil)
	req.Header.Set("Accept", "application/nostr+json")
	resp, body := httpDo(t, req)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/nostr+json" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("NIP-11: %d %v", resp.StatusCode, resp.Header)
	}
	var doc nip11.RelayInformationDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Name != "test relay" || doc.Limitation == nil || doc.Limitation.MaxMessageLength != cfg.Relay.Limits.MaxMessageBytes {
		t.Fatalf("NIP-11 document %s", body)
	}
	for _, nip := range []float64{1, 9, 11, 40, 42, 45, 50, 70} {
		if !slices.Contains(doc.SupportedNIPs, any(nip)) {
			t.Errorf("NIP-%v not advertised", nip)
		}
	}
}

// A client that stops reading is dropped; the others keep receiving at
// full speed.
func TestSlowClientDoesNotStallOthers(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Relay.SendQueue = 16
	cfg.Relay.WriteTimeout = 500 * time.Millisecond
	tr := startRelayer(t, cfg)
	a := newKey(t)

	slow := tr.dialRaw(t)
	slow.sendJSON("REQ", "all", map[string]any{"kinds": []int{1}})
	if m := slow.recv(); m[0] != "EOSE" {
		t.Fatal(m)
	}
	// From now on the slow client reads nothing.

	fast := tr.connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := fast.Subscribe(ctx, nostr.Filters{{Kinds: []int{1}, Limit: 0}})
	if err != nil {
		t.Fatal(err)
	}
	pub := tr.connect(t)
	const n = 300
	payload := strings.Repeat("w", 60<<10) // fills socket buffers quickly
	var wg sync.WaitGroup
	wg.Add(1)
	received := 0
	go func() {
		defer wg.Done()
		for received < n {
			select {
			case <-sub.Events:
				received++
			case <-ctx.Done():
				return
			}
		}
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		publish(t, pub, a.note(t, fmt.Sprint(i, payload)))
	}
	wg.Wait()
	if received != n {
		t.Fatalf("fast subscriber got %d of %d events", received, n)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("publishing took %s: the slow client stalled the relay", d)
	}
	if v := counterValue(t, tr, "relayer_slow_clients_dropped_total"); v < 1 {
		t.Fatal("the slow client was not dropped")
	}
}

// Shutdown answers the events in flight before closing connections, and
// every event answered OK true is in the store afterwards. (A raw client
// counts the OKs: go-nostr's Publish reports success when the connection
// drops before any OK.)
func TestGracefulShutdownAcknowledgesInFlight(t *testing.T) {
	cfg := baseConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := svc.Listen()
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	tr := &testRelayer{svc: svc, cfg: cfg, wsURL: "ws://" + addr.String()}
	raw := tr.dialRaw(t)
	a := newKey(t)
	const n = 200
	go func() {
		for i := 0; i < n; i++ {
			b, _ := json.Marshal([]any{"EVENT", a.note(t, fmt.Sprint("in flight ", i))})
			wctx, wcancel := context.WithTimeout(context.Background(), time.Second)
			err := raw.ws.Write(wctx, 1, b)
			wcancel()
			if err != nil {
				return
			}
			if i == n/4 {
				cancel() // shut down while events are arriving
			}
		}
	}()
	acked, refused := map[string]bool{}, 0
	for {
		rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, data, err := raw.ws.Read(rctx)
		rcancel()
		if err != nil {
			break // the relay closed the connection
		}
		var m []any
		json.Unmarshal(data, &m)
		if len(m) == 4 && m[0] == "OK" {
			if m[2] == true {
				acked[m[1].(string)] = true
			} else {
				refused++
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(acked) == 0 {
		t.Fatal("no event was acknowledged before shutdown")
	}
	db := reopen(t, cfg)
	for id := range acked {
		f := nostr.Filter{IDs: []string{id}}
		found := 0
		db.QueryEvents(context.Background(), &f, 1, storeVisibilityAll, func(id, raw []byte) error {
			found++
			return nil
		})
		if found != 1 {
			t.Fatalf("acknowledged event %s missing after shutdown", id)
		}
	}
	t.Logf("%d events acknowledged, %d refused while shutting down", len(acked), refused)
}

// The repository kinds go through the relay's checks: a commit, its
// manifest, and the repository's announcement and state are accepted and
// found by the filters agigit uses; broken ones are refused.
func TestProjectKinds(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	raw := tr.dialRaw(t)
	owner := newKey(t)
	repo := fmt.Sprintf("%d:%s:tiny-llama", nostrkind.RepoAnnouncement, owner.pk)
	// The public test vector of docs/FORMAT.md.
	obj := "7319b65f164a51c3a1b4297f9ac8a89426ade90f6cdec04b688a0f3c3625e847"
	manifest := `{"version":1,"id":"7319b65f164a51c3a1b4297f9ac8a89426ade90f6cdec04b688a0f3c3625e847","size":20481,"coding":{"scheme":"reed-solomon-gf256","k":2,"n":3,"block_size":4096},"shard_size":10305,"shards":["91b0c418a0bb99db174c85588184fc5cd791e046a7839b4f70dee3b913290df9","d1c673e18ad6de38003e62724c0a0a111b76969f2cfcbb4c89b62d3bfeb8806a","470b27d226d7236620712f523b22da185627860b49cbc55cacced64792c0e381"]}`
	announce := owner.sign(t, nostr.Event{Kind: nostrkind.RepoAnnouncement, Tags: nostr.Tags{{"d", "tiny-llama"}, {"name", "Tiny Llama"}}})
	man := owner.sign(t, nostr.Event{Kind: nostrkind.Manifest, Content: manifest, Tags: nostr.Tags{{"x", obj}, {"a", repo}}})
	commit := owner.sign(t, nostr.Event{Kind: nostrkind.Commit, Content: "first weights", Tags: nostr.Tags{
		{"a", repo}, {"file", "model.safetensors", obj, "20481", "100644"}, {"alt", "agigit commit: first weights"}}})
	state := owner.sign(t, nostr.Event{Kind: nostrkind.RepoState, Tags: nostr.Tags{{"d", "tiny-llama"}, {"refs/heads/main", commit.ID}, {"HEAD", "ref: refs/heads/main"}}})
	for _, e := range []nostr.Event{announce, man, commit, state} {
		if ok, msg := raw.ok(e); !ok {
			t.Fatalf("kind %d refused: %s", e.Kind, msg)
		}
	}
	if got, _ := raw.req("m", map[string]any{"kinds": []int{nostrkind.Manifest}, "#x": []string{obj}}); len(got) != 1 || got[0].ID != man.ID {
		t.Fatalf("manifest by object id: %d events", len(got))
	}
	if got, _ := raw.req("c", map[string]any{"kinds": []int{nostrkind.Commit}, "#a": []string{repo}}); len(got) != 1 || got[0].ID != commit.ID {
		t.Fatalf("commits by repository: %d events", len(got))
	}
	if got, _ := raw.req("s", map[string]any{"kinds": []int{nostrkind.RepoState}, "authors": []string{owner.pk}, "#d": []string{"tiny-llama"}}); len(got) != 1 || got[0].ID != state.ID {
		t.Fatalf("repository state: %d events", len(got))
	}
	broken := owner.sign(t, nostr.Event{Kind: nostrkind.Commit, Content: "no repository", Tags: nostr.Tags{{"file", "x", obj, "1", "100644"}}})
	if ok, msg := raw.ok(broken); ok || !hasPrefix(msg, "invalid") {
		t.Fatalf("commit without repository: %v %q", ok, msg)
	}
}

// A subscription opened while events are being published sees every one of
// them exactly once, whether it arrives as a stored event or a live one:
// nothing falls in the gap between the stored query and going live.
func TestNoGapBetweenStoredAndLive(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	a := newKey(t)
	const n = 300
	evs := make([]nostr.Event, n)
	for i := range evs {
		evs[i] = a.note(t, fmt.Sprint("gap ", i), nostr.Tag{"t", "gap"})
	}
	pub := tr.dialRaw(t)
	sub := tr.dialRaw(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range evs {
			b, _ := json.Marshal([]any{"EVENT", evs[i]})
			pub.send(string(b))
			if i == n/3 {
				sub.sendJSON("REQ", "gap", map[string]any{"#t": []string{"gap"}, "limit": n})
			}
		}
		for range evs {
			if m := pub.recv(); m[0] != "OK" || m[2] != true {
				t.Errorf("publish: %v", m)
			}
		}
	}()
	seen := map[string]int{}
	eose := false
	deadline := time.Now().Add(20 * time.Second)
	for len(seen) < n && time.Now().Before(deadline) {
		m := sub.recv()
		switch m[0] {
		case "EVENT":
			seen[m[2].(map[string]any)["id"].(string)]++
		case "EOSE":
			eose = true
		}
	}
	<-done
	if !eose || len(seen) != n {
		t.Fatalf("subscriber saw %d of %d events (EOSE %v)", len(seen), n, eose)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("event %s delivered %d times", id, k)
		}
	}
}

// Concurrent writers of one replaceable address leave exactly the winning
// version, whatever the interleaving.
func TestConcurrentReplaceableWrites(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	a := newKey(t)
	base := nostr.Now() - 1000
	const n = 40
	evs := make([]nostr.Event, n)
	for i := range evs {
		evs[i] = a.sign(t, nostr.Event{Kind: nostrkind.RepoState, CreatedAt: base + nostr.Timestamp(i%10),
			Tags: nostr.Tags{{"d", "race"}, {"refs/heads/main", fmt.Sprintf("%064x", i)}}})
	}
	winner := evs[0]
	for _, e := range evs[1:] {
		if e.CreatedAt > winner.CreatedAt || (e.CreatedAt == winner.CreatedAt && e.ID < winner.ID) {
			winner = e
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := tr.connect(t)
			for i := w; i < n; i += 8 {
				publishErr(t, r, evs[i]) // losers are refused: fine
			}
		}()
	}
	wg.Wait()
	raw := tr.dialRaw(t)
	got, _ := raw.req("w", map[string]any{"kinds": []int{nostrkind.RepoState}, "authors": []string{a.pk}})
	if len(got) != 1 || got[0].ID != winner.ID {
		t.Fatalf("stored %d versions (%v), want only %s", len(got), got, winner.ID)
	}
}

func TestEphemeralEventsAreRelayedNotStored(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	listener := tr.dialRaw(t)
	listener.sendJSON("REQ", "eph", map[string]any{"kinds": []int{21000}})
	if m := listener.recv(); m[0] != "EOSE" {
		t.Fatal(m)
	}
	a := newKey(t)
	eph := a.sign(t, nostr.Event{Kind: 21000, Content: "now or never"})
	pub := tr.dialRaw(t)
	if ok, msg := pub.ok(eph); !ok {
		t.Fatal(msg)
	}
	if m := listener.recv(); m[0] != "EVENT" || m[2].(map[string]any)["id"] != eph.ID {
		t.Fatalf("listener got %v", m)
	}
	if got, _ := pub.req("later", map[string]any{"ids": []string{eph.ID}}); len(got) != 0 {
		t.Fatal("ephemeral event was stored")
	}
}

func TestConnectionsPerAddressAreCapped(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Relay.MaxConnsPerIP = 2
	tr := startRelayer(t, cfg)
	tr.dialRaw(t)
	second := tr.dialRaw(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, tr.wsURL, nil); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connection from one address: %v, %v", resp, err)
	}
	second.ws.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for {
		ws, _, err := websocket.Dial(ctx, tr.wsURL, nil)
		if err == nil {
			ws.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a slot never freed after a close: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Clients that ask for many stored events and then stop reading do not hold
// database connections: writes still go through with a two-connection pool.
func TestStalledReadersDoNotHoldTheDatabase(t *testing.T) {
	cfg := baseConfig(t)
	cfg.DBMaxConns = 2
	cfg.Relay.SendQueue = 8
	cfg.Relay.WriteTimeout = time.Minute
	tr := startRelayer(t, cfg)
	a := newKey(t)
	big := strings.Repeat("z", 4000)
	evs := make([]nostr.Event, 1500)
	for i := range evs {
		evs[i] = a.note(t, fmt.Sprint(i, big), nostr.Tag{"t", "stall"})
	}
	parallel(4, len(evs), func(_, i int) {
		raw, _ := evs[i].MarshalJSON()
		if _, err := tr.svc.DB().SaveEvent(context.Background(), &evs[i], raw); err != nil {
			t.Error(err)
		}
	})
	for i := 0; i < 3; i++ {
		c := tr.dialRaw(t)
		c.sendJSON("REQ", "all", map[string]any{"#t": []string{"stall"}, "limit": len(evs)})
		// ...and never read again.
	}
	time.Sleep(500 * time.Millisecond)
	pub := tr.dialRaw(t)
	start := time.Now()
	if ok, msg := pub.ok(a.note(t, "still writable")); !ok {
		t.Fatal(msg)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("a write took %s while readers stalled", d)
	}
}

// NIP-70: an event tagged ["-"] is accepted only from its authenticated
// author.
func TestProtectedEvents(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	author, other := newKey(t), newKey(t)
	evt := author.note(t, "members only", nostr.Tag{"-"})
	r := tr.connect(t)
	if err := publishErr(t, r, evt); err == nil || !strings.Contains(err.Error(), "auth-required:") {
		t.Fatalf("unauthenticated: %v", err)
	}
	r2 := tr.connect(t)
	authenticate(t, r2, other)
	if err := publishErr(t, r2, evt); err == nil || !strings.Contains(err.Error(), "restricted:") {
		t.Fatalf("republished by another key: %v", err)
	}
	authenticate(t, r, author)
	publish(t, r, evt)
}

// NIP-40: an event that has already expired is refused; one that expires
// later is served until then.
func TestExpiration(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	r := tr.connect(t)
	a := newKey(t)
	now := time.Now().Unix()
	expired := a.sign(t, nostr.Event{Kind: 1, CreatedAt: nostr.Timestamp(now), Content: "too late",
		Tags: nostr.Tags{{"expiration", strconv.FormatInt(now-1, 10)}}})
	if err := publishErr(t, r, expired); err == nil || !strings.Contains(err.Error(), "invalid: event has expired") {
		t.Fatalf("expired event: %v", err)
	}
	soon := a.sign(t, nostr.Event{Kind: 1, CreatedAt: nostr.Timestamp(now), Content: "short-lived",
		Tags: nostr.Tags{{"expiration", strconv.FormatInt(now+2, 10)}}})
	publish(t, r, soon)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := r.QuerySync(ctx, nostr.Filter{IDs: []string{soon.ID}})
	if err != nil || len(got) != 1 {
		t.Fatalf("before expiry: %d events, %v", len(got), err)
	}
	time.Sleep(time.Until(time.Unix(now+3, 0)))
	got, err = r.QuerySync(ctx, nostr.Filter{IDs: []string{soon.ID}})
	if err != nil || len(got) != 0 {
		t.Fatalf("after expiry: %d events, %v", len(got), err)
	}
}

// NIP-50: search finds events by the words of their content and of their
// name, description and topic tags, stored ones and live ones alike, and
// combines with the other filter fields.
func TestSearch(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	r := tr.connect(t)
	a := newKey(t)
	ann := func(d, name, desc string) nostr.Event {
		return a.sign(t, nostr.Event{Kind: nostrkind.RepoAnnouncement, CreatedAt: nostr.Now(),
			Tags: nostr.Tags{{"d", d}, {"name", name}, {"description", desc}, {"t", "llm"}}})
	}
	llama := ann("tiny-llama", "Tiny Llama", "a 1B model fine-tuned for Move")
	mistral := ann("small-mistral", "Small Mistral", "instruction-tuned, 7B")
	note := a.note(t, "I tried the Tiny Llama model today")
	for _, e := range []nostr.Event{llama, mistral, note} {
		publish(t, r, e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ids := func(f nostr.Filter) []string {
		t.Helper()
		evs, err := r.QuerySync(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.ID)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	for _, c := range []struct {
		f    nostr.Filter
		want []string
	}{
		{nostr.Filter{Search: "llama"}, sorted(llama.ID, note.ID)},
		{nostr.Filter{Search: "LLAMA move"}, sorted(llama.ID)},
		{nostr.Filter{Search: "llama", Kinds: []int{nostrkind.RepoAnnouncement}}, sorted(llama.ID)},
		{nostr.Filter{Search: "llm"}, sorted(llama.ID, mistral.ID)},
		{nostr.Filter{Search: "llm -mistral"}, sorted(llama.ID)},
		{nostr.Filter{Search: "gpt"}, nil},
	} {
		if got := ids(c.f); !slices.Equal(got, c.want) {
			t.Errorf("search %q kinds %v: %d events, want %d", c.f.Search, c.f.Kinds, len(got), len(c.want))
		}
	}

	// A live search subscription receives the new events that match only.
	sub, err := r.Subscribe(ctx, nostr.Filters{{Search: "falcon", Limit: 0, LimitZero: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsub()
	<-sub.EndOfStoredEvents
	publish(t, r, a.note(t, "nothing to see"))
	falcon := a.note(t, "a Falcon checkpoint")
	publish(t, r, falcon)
	select {
	case e := <-sub.Events:
		if e.ID != falcon.ID {
			t.Fatalf("live search delivered %q", e.Content)
		}
	case <-ctx.Done():
		t.Fatal("live search delivered nothing")
	}
}

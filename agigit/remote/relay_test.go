package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nbd-wtf/go-nostr"
	"github.com/tidwall/gjson"
)

// scriptedRelay answers each client message with what reply returns for
// it (raw websocket messages), the way a relay — honest or not — might.
func scriptedRelay(t testing.TB, reply func(msg string) []string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			_, msg, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			for _, out := range reply(string(msg)) {
				if err := ws.Write(r.Context(), websocket.MessageText, []byte(out)); err != nil {
					return
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func signed(t testing.TB, kind int, content string) *nostr.Event {
	ev := &nostr.Event{Kind: kind, CreatedAt: nostr.Now(), Content: content, Tags: nostr.Tags{}}
	if err := key(t).Sign(ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func envelope(t testing.TB, sub string, ev *nostr.Event) string {
	b, err := (&nostr.EventEnvelope{SubscriptionID: &sub, Event: *ev}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A query keeps only events that are genuine and match its filter: a relay
// cannot slip in a forged event or one that was not asked for.
func TestConnQueryDropsForgedAndUnasked(t *testing.T) {
	good := signed(t, 30617, "good")
	other := signed(t, 1, "another kind")
	forged := signed(t, 30617, "forged")
	forged.Content = "changed after signing"
	url := scriptedRelay(t, func(msg string) []string {
		a := gjson.Parse(msg).Array()
		if a[0].Str != "REQ" {
			return nil
		}
		sub := a[1].Str
		return []string{
			`["NOTICE","hello"]`,
			envelope(t, sub, forged),
			envelope(t, sub, other),
			envelope(t, "someone-else", good),
			`not json at all`,
			`["EVENT"]`,
			envelope(t, sub, good),
			fmt.Sprintf(`["EOSE",%q]`, sub),
		}
	})
	ctx := context.Background()
	c, err := Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	evs, err := c.Query(ctx, nostr.Filter{Kinds: []int{30617}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].ID != good.ID {
		t.Fatalf("query returned %d events, want only the genuine matching one", len(evs))
	}
}

// OK false carries the relay's reason; "duplicate:" counts as stored;
// CLOSED ends a query with ErrClosed; a relay asking for auth gets it.
func TestConnPublishAndClosed(t *testing.T) {
	authed := false
	url := scriptedRelay(t, func(msg string) []string {
		a := gjson.Parse(msg).Array()
		switch a[0].Str {
		case "EVENT":
			id := a[1].Get("id").Str
			switch a[1].Get("content").Str {
			case "dup":
				return []string{fmt.Sprintf(`["OK",%q,true,"duplicate: have it"]`, id)}
			case "blocked":
				return []string{fmt.Sprintf(`["OK",%q,false,"blocked: not here"]`, id)}
			case "needs-auth":
				if !authed {
					return []string{`["AUTH","chal-1"]`, fmt.Sprintf(`["OK",%q,false,"auth-required: who are you"]`, id)}
				}
			}
			return []string{fmt.Sprintf(`["OK",%q,true,""]`, id)}
		case "AUTH":
			ev := a[1]
			ok := int(ev.Get("kind").Int()) == nostr.KindClientAuthentication && strings.Contains(ev.Get("tags").Raw, `"chal-1"`)
			authed = ok
			return []string{fmt.Sprintf(`["OK",%q,%v,""]`, ev.Get("id").Str, ok)}
		case "REQ":
			return []string{fmt.Sprintf(`["CLOSED",%q,"restricted: no reading"]`, a[1].Str)}
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, url, key(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Publish(ctx, signed(t, 1, "fine")); err != nil {
		t.Fatalf("accepted event: %v", err)
	}
	if err := c.Publish(ctx, signed(t, 1, "dup")); err != nil {
		t.Fatalf("duplicate: %v", err)
	}
	if err := c.Publish(ctx, signed(t, 1, "blocked")); err == nil || !strings.Contains(err.Error(), "blocked: not here") {
		t.Fatalf("refused event: %v", err)
	}
	if err := c.Publish(ctx, signed(t, 1, "needs-auth")); err != nil || !authed {
		t.Fatalf("auth-required event: %v (authenticated %v)", err, authed)
	}
	if _, err := c.Query(ctx, nostr.Filter{Kinds: []int{1}}); !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "restricted") {
		t.Fatalf("closed query: %v", err)
	}
}

// A relay that goes away fails what waits on it instead of hanging.
func TestConnRelayGone(t *testing.T) {
	url := scriptedRelay(t, func(msg string) []string { return nil }) // never answers
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Query(ctx, nostr.Filter{Kinds: []int{1}}); done <- err }()
	time.Sleep(100 * time.Millisecond)
	c.ws.CloseNow() // as if the network dropped
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("query on a lost connection succeeded")
		}
	case <-ctx.Done():
		t.Fatal("query hung on a lost connection")
	}
	c.Close()
}

// FuzzRelayMessages feeds arbitrary messages from a relay to a query: none
// may crash the client, and only genuine matching events come back.
func FuzzRelayMessages(f *testing.F) {
	f.Add(`["EVENT","q1",{"id":"00","pubkey":"00","created_at":1,"kind":1,"tags":[],"content":"","sig":"00"}]`)
	f.Add(`["OK","x",false,"nope"]`)
	f.Add(`["CLOSED","q1","bye"]`)
	f.Add(`["AUTH",{"kind":22242}]`)
	f.Add(`["EOSE"]`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, msg string) {
		url := scriptedRelay(t, func(in string) []string {
			a := gjson.Parse(in).Array()
			if len(a) < 2 || a[0].Str != "REQ" {
				return nil
			}
			return []string{msg, strings.ReplaceAll(msg, "q1", a[1].Str), fmt.Sprintf(`["EOSE",%q]`, a[1].Str)}
		})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := Dial(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		evs, _ := c.Query(ctx, nostr.Filter{Kinds: []int{1}})
		for _, ev := range evs {
			if ok, _ := ev.CheckSignature(); !ok || ev.Kind != 1 {
				t.Fatalf("query returned %+v", ev)
			}
		}
	})
}

package relay

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/relayer/policy"
)

func signed(t testing.TB) nostr.Event {
	sk := nostr.GeneratePrivateKey()
	evt := nostr.Event{Kind: 1, CreatedAt: 1700000000, Content: "hi \"there\"\n", Tags: nostr.Tags{{"t", "x"}, {"e", strings.Repeat("a", 64), "wss://r"}}}
	if err := evt.Sign(sk); err != nil {
		t.Fatal(err)
	}
	return evt
}

func TestParseEventRoundTrip(t *testing.T) {
	lim := policy.DefaultLimits()
	evt := signed(t)
	b, _ := json.Marshal([]any{"EVENT", evt})
	m, perr := parseMessage(b, &lim)
	if perr != nil {
		t.Fatal(perr.Reason)
	}
	got := *m.Event
	if got.ID != evt.ID || got.Sig != evt.Sig || got.Content != evt.Content || !got.CheckID() {
		t.Fatalf("parsed %+v, want %+v", got, evt)
	}
	if ok, _ := got.CheckSignature(); !ok {
		t.Fatal("parsed event's signature does not verify")
	}
}

func TestParseFilter(t *testing.T) {
	lim := policy.DefaultLimits()
	pk := strings.Repeat("b", 64)
	m, perr := parseMessage([]byte(`["REQ","s",{"ids":[],"authors":["`+pk+`"],"kinds":[1,30617],"#d":["x"],"#p":["`+pk+`"],"since":5,"until":10,"limit":0}]`), &lim)
	if perr != nil {
		t.Fatal(perr.Reason)
	}
	f := m.Filters[0]
	if f.IDs == nil || len(f.IDs) != 0 || f.Authors[0] != pk || len(f.Kinds) != 2 || f.Tags["d"][0] != "x" ||
		*f.Since != 5 || *f.Until != 10 || !f.LimitZero {
		t.Fatalf("parsed filter %+v", f)
	}
	for _, bad := range []string{
		`["REQ","s",{"kinds":[1.5]}]`,
		`["REQ","s",{"kinds":[70000]}]`,
		`["REQ","s",{"since":-1}]`,
		`["REQ","s",{"limit":"5"}]`,
		`["REQ","s",{"#e":["short"]}]`,
		`["REQ","s",{"#ab":["x"]}]`,
		`["REQ","s",{"#t":"x"}]`,
		`["REQ","s",{"authors":["` + strings.ToUpper(pk) + `"]}]`,
		`["REQ","s",[]]`,
		`["REQ",5,{}]`,
		`["COUNT","s"]`,
		`["CLOSE"]`,
		"[\"REQ\",\"s\",{\"#t\":[\"\xff\"]}]",
		`["REQ","s",{"#t":["a\u0000b"]}]`,
		"[\"REQ\",\"\xfe\",{}]",
	} {
		if _, perr := parseMessage([]byte(bad), &lim); perr == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzParseMessage(f *testing.F) {
	evt := signed(f)
	eb, _ := json.Marshal([]any{"EVENT", evt})
	ab, _ := json.Marshal([]any{"AUTH", evt})
	for _, s := range []string{
		string(eb), string(ab),
		`["REQ","sub",{"ids":["` + evt.ID + `"],"kinds":[1],"#t":["x"],"since":1,"until":2,"limit":3}]`,
		`["COUNT","c",{"authors":["` + evt.PubKey + `"]},{"kinds":[0]}]`,
		`["CLOSE","sub"]`, `["EVENT",{}]`, `[]`, `{}`, `["`, `[1,2,3]`, `["REQ","s",{"#e":[1]}]`,
		`["EVENT",{"id":"` + evt.ID + `","kind":1e3}]`,
	} {
		f.Add([]byte(s))
	}
	lim := policy.DefaultLimits()
	lim.MaxFilters = 4
	f.Fuzz(func(t *testing.T, data []byte) {
		m, perr := parseMessage(data, &lim)
		if (m == nil) == (perr == nil) {
			t.Fatalf("parseMessage returned %v and %v", m, perr)
		}
		if perr != nil {
			if perr.Reason == nil || perr.Reason.Prefix == "" {
				t.Fatal("refusal without a reason")
			}
			return
		}
		switch m.Type {
		case typeEvent, typeAuth:
			if m.Event == nil {
				t.Fatal("event message without event")
			}
			// Whatever parsed must survive the shape check without panicking
			// and re-encode to JSON that parses to the same id.
			_ = lim.CheckEvent(m.Event, timeZero)
			b, err := m.Event.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var back nostr.Event
			if err := back.UnmarshalJSON(b); err != nil || back.ID != m.Event.ID {
				t.Fatalf("re-encoded event does not parse back: %v", err)
			}
		case typeReq, typeCount:
			if len(m.Filters) == 0 || len(m.Filters) > lim.MaxFilters || m.SubID == "" {
				t.Fatalf("accepted %d filters, sub %q", len(m.Filters), m.SubID)
			}
			for _, f := range m.Filters {
				for _, id := range f.IDs {
					if !policy.IsLowerHex(id, 64) {
						t.Fatalf("accepted id %q", id)
					}
				}
			}
		}
	})
}

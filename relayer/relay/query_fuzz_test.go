package relay

import (
	"context"
	"testing"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/pgtest"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// FuzzFilterQuery: every filter the parser accepts must run on PostgreSQL
// without an error (a failing query would be an "error:" CLOSED for a
// well-formed request), and the events it returns must match the filter.
func FuzzFilterQuery(f *testing.F) {
	url, schema := pgtest.Schema(f)
	db, err := store.Open(context.Background(), url, schema, store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(db.Close)
	sk := nostr.GeneratePrivateKey()
	for i, tags := range []nostr.Tags{{{"t", "a"}}, {{"d", "x"}, {"e", "0000000000000000000000000000000000000000000000000000000000000001"}}, {{"T", "Ü"}}} {
		e := nostr.Event{Kind: 1 + i*30000, CreatedAt: nostr.Timestamp(1000 + i), Tags: tags, Content: "c"}
		e.Sign(sk)
		raw, _ := e.MarshalJSON()
		if _, err := db.SaveEvent(context.Background(), &e, raw); err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range []string{
		`{}`, `{"limit":0}`, `{"kinds":[1,30001],"#t":["a"]}`, `{"#T":["Ü"],"since":0,"until":9223372036854775807}`,
		`{"ids":[],"authors":[]}`, `{"#d":["x"],"#e":["0000000000000000000000000000000000000000000000000000000000000001"]}`,
		`{"since":5000,"until":1}`, `{"kinds":[65535],"limit":1073741824}`,
		`{"search":"c"}`, `{"search":"\"c a\" -x or y","kinds":[1]}`, `{"search":"!!! & | : * ( ' \\"}`,
	} {
		f.Add(s)
	}
	lim := policy.DefaultLimits()
	f.Fuzz(func(t *testing.T, filter string) {
		m, perr := parseMessage([]byte(`["REQ","f",`+filter+`]`), &lim)
		if perr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for i := range m.Filters {
			flt := &m.Filters[i]
			err := db.QueryEvents(ctx, flt, 100, store.Visibility{Kinds: []int{4}, Readers: []string{"79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"}},
				func(id, raw []byte) error {
					var e nostr.Event
					if err := e.UnmarshalJSON(raw); err != nil {
						return err
					}
					if !flt.Matches(&e) {
						t.Errorf("filter %s returned non-matching event %s", filter, raw)
					}
					return nil
				})
			if err != nil {
				t.Fatalf("filter %s: %v", filter, err)
			}
		}
		if _, err := db.CountEvents(ctx, m.Filters, store.Visibility{}); err != nil {
			t.Fatalf("count %s: %v", filter, err)
		}
	})
}

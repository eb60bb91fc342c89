package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/internal/pgtest"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	url, schema := pgtest.Schema(t)
	db, err := Open(context.Background(), url, schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

type signer struct{ sk, pk string }

func newSigner(t *testing.T) signer {
	sk := nostr.GeneratePrivateKey()
	pk, err := nostr.GetPublicKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	return signer{sk, pk}
}

func (s signer) event(t *testing.T, kind int, createdAt int64, content string, tags ...nostr.Tag) *nostr.Event {
	t.Helper()
	evt := &nostr.Event{Kind: kind, CreatedAt: nostr.Timestamp(createdAt), Content: content, Tags: nostr.Tags(tags)}
	if evt.Tags == nil {
		evt.Tags = nostr.Tags{}
	}
	if err := evt.Sign(s.sk); err != nil {
		t.Fatal(err)
	}
	return evt
}

func save(t *testing.T, db *DB, evt *nostr.Event) SaveResult {
	t.Helper()
	raw, err := evt.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.SaveEvent(context.Background(), evt, raw)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func query(t *testing.T, db *DB, f nostr.Filter, limit int) []string {
	t.Helper()
	var ids []string
	err := db.QueryEvents(context.Background(), &f, limit, Visibility{}, func(id, raw []byte) error {
		var evt nostr.Event
		if err := evt.UnmarshalJSON(raw); err != nil {
			return fmt.Errorf("stored raw does not parse: %w", err)
		}
		if evt.ID != hex.EncodeToString(id) {
			return fmt.Errorf("id column %x does not match raw %s", id, evt.ID)
		}
		if !evt.CheckID() {
			return fmt.Errorf("stored event %s fails its id check", evt.ID)
		}
		ids = append(ids, evt.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestSaveAndDuplicate(t *testing.T) {
	db := openTest(t)
	a := newSigner(t)
	e := a.event(t, 1, 1000, "hello", nostr.Tag{"t", "x"})
	if r := save(t, db, e); r.Outcome != Stored {
		t.Fatalf("first save: %v", r.Outcome)
	}
	if r := save(t, db, e); r.Outcome != Duplicate {
		t.Fatalf("second save: %v, want duplicate", r.Outcome)
	}
	if got := query(t, db, nostr.Filter{IDs: []string{e.ID}}, 10); len(got) != 1 {
		t.Fatalf("query by id: %v", got)
	}
}

func TestReplaceable(t *testing.T) {
	db := openTest(t)
	a := newSigner(t)
	v1 := a.event(t, 0, 1000, "v1")
	v2 := a.event(t, 0, 2000, "v2")
	old := a.event(t, 0, 500, "old")
	if r := save(t, db, v1); r.Outcome != Stored {
		t.Fatal(r.Outcome)
	}
	if r := save(t, db, v2); r.Outcome != Stored || r.Replaced != 1 {
		t.Fatalf("newer version: %+v", r)
	}
	if r := save(t, db, old); r.Outcome != Superseded {
		t.Fatalf("older version: %+v, want superseded", r)
	}
	if r := save(t, db, v1); r.Outcome != Superseded {
		t.Fatalf("replaced version again: %+v, want superseded", r)
	}
	got := query(t, db, nostr.Filter{Authors: []string{a.pk}, Kinds: []int{0}}, 10)
	if len(got) != 1 || got[0] != v2.ID {
		t.Fatalf("stored versions %v, want only %s", got, v2.ID)
	}

	// Same timestamp: the lowest id wins, whatever the arrival order.
	var x, y *nostr.Event
	for {
		x = a.event(t, 10063, 3000, "x")
		y = a.event(t, 10063, 3000, "y")
		if x.ID != y.ID {
			break
		}
	}
	lo, hi := x, y
	if hi.ID < lo.ID {
		lo, hi = hi, lo
	}
	if r := save(t, db, hi); r.Outcome != Stored {
		t.Fatal(r.Outcome)
	}
	if r := save(t, db, lo); r.Outcome != Stored || r.Replaced != 1 {
		t.Fatalf("lower id at same time: %+v", r)
	}
	if r := save(t, db, hi); r.Outcome != Superseded {
		t.Fatalf("higher id at same time: %+v, want superseded", r)
	}
	got = query(t, db, nostr.Filter{Authors: []string{a.pk}, Kinds: []int{10063}}, 10)
	if len(got) != 1 || got[0] != lo.ID {
		t.Fatalf("stored %v, want %s", got, lo.ID)
	}
}

func TestAddressable(t *testing.T) {
	db := openTest(t)
	a, b := newSigner(t), newSigner(t)
	r1 := a.event(t, nostrkind.RepoState, 1000, "", nostr.Tag{"d", "model"}, nostr.Tag{"refs/heads/main", "aa"})
	r2 := a.event(t, nostrkind.RepoState, 1001, "", nostr.Tag{"d", "model"}, nostr.Tag{"refs/heads/main", "bb"})
	other := a.event(t, nostrkind.RepoState, 999, "", nostr.Tag{"d", "other"})
	byB := b.event(t, nostrkind.RepoState, 500, "", nostr.Tag{"d", "model"})
	for _, e := range []*nostr.Event{r1, r2, other, byB} {
		if r := save(t, db, e); r.Outcome != Stored {
			t.Fatal(r.Outcome)
		}
	}
	got := query(t, db, nostr.Filter{Kinds: []int{nostrkind.RepoState}, Tags: nostr.TagMap{"d": {"model"}}}, 10)
	if len(got) != 2 || got[0] != r2.ID || got[1] != byB.ID {
		t.Fatalf("got %v, want [%s %s]", got, r2.ID, byB.ID)
	}
	if got := query(t, db, nostr.Filter{Authors: []string{a.pk}}, 10); len(got) != 2 {
		t.Fatalf("author a has %d events, want 2", len(got))
	}
}

func TestDeletion(t *testing.T) {
	db := openTest(t)
	a, b := newSigner(t), newSigner(t)
	note := a.event(t, 1, 1000, "note")
	keep := a.event(t, 1, 1000, "keep")
	notMine := b.event(t, 1, 1000, "b's")
	addr1 := a.event(t, 30617, 1000, "", nostr.Tag{"d", "repo"})
	for _, e := range []*nostr.Event{note, keep, notMine, addr1} {
		save(t, db, e)
	}
	del := a.event(t, nostrkind.Deletion, 2000, "oops",
		nostr.Tag{"e", note.ID}, nostr.Tag{"e", notMine.ID},
		nostr.Tag{"a", "30617:" + a.pk + ":repo"}, nostr.Tag{"k", "1"})
	r := save(t, db, del)
	if r.Outcome != Stored || r.Removed != 2 {
		t.Fatalf("deletion: %+v, want 2 removed", r)
	}
	if got := query(t, db, nostr.Filter{IDs: []string{note.ID, notMine.ID, keep.ID, addr1.ID, del.ID}}, 10); len(got) != 3 {
		t.Fatalf("after deletion: %v, want keep, b's note and the deletion", got)
	}
	// A deleted event cannot come back, nor an older version of a deleted address.
	if r := save(t, db, note); r.Outcome != Deleted {
		t.Fatalf("republished deleted note: %v", r.Outcome)
	}
	if r := save(t, db, a.event(t, 30617, 1500, "", nostr.Tag{"d", "repo"})); r.Outcome != Deleted {
		t.Fatalf("older version of deleted address: %v", r.Outcome)
	}
	// A newer version of the address is a new repository state: accepted.
	if r := save(t, db, a.event(t, 30617, 2500, "", nostr.Tag{"d", "repo"})); r.Outcome != Stored {
		t.Fatalf("newer version after deletion: %v", r.Outcome)
	}
	// Deleting a deletion has no effect.
	del2 := a.event(t, nostrkind.Deletion, 3000, "", nostr.Tag{"e", del.ID})
	if r := save(t, db, del2); r.Outcome != Stored || r.Removed != 0 {
		t.Fatalf("deletion of deletion: %+v", r)
	}
	if got := query(t, db, nostr.Filter{IDs: []string{del.ID}}, 10); len(got) != 1 {
		t.Fatal("deletion request was deleted")
	}
	// A deletion arriving before its target still wins.
	late := a.event(t, 1, 1200, "late")
	save(t, db, a.event(t, nostrkind.Deletion, 2000, "", nostr.Tag{"e", late.ID}))
	if r := save(t, db, late); r.Outcome != Deleted {
		t.Fatalf("event deleted before arrival: %v", r.Outcome)
	}
	// b cannot delete a's events.
	if r := save(t, db, b.event(t, nostrkind.Deletion, 2000, "", nostr.Tag{"e", keep.ID})); r.Removed != 0 {
		t.Fatalf("b removed %d of a's events", r.Removed)
	}
	if got := query(t, db, nostr.Filter{IDs: []string{keep.ID}}, 10); len(got) != 1 {
		t.Fatal("b deleted a's event")
	}
	// Nor a's addressable events by naming their address.
	repo2 := a.event(t, 30617, 1000, "", nostr.Tag{"d", "kept"})
	save(t, db, repo2)
	if r := save(t, db, b.event(t, nostrkind.Deletion, 2000, "", nostr.Tag{"a", "30617:" + a.pk + ":kept"})); r.Removed != 0 {
		t.Fatalf("b removed %d of a's addressable events", r.Removed)
	}
	if r := save(t, db, a.event(t, 30617, 1100, "", nostr.Tag{"d", "kept"})); r.Outcome != Stored {
		t.Fatalf("a's newer version after b's deletion attempt: %v", r.Outcome)
	}
}

func TestFilters(t *testing.T) {
	db := openTest(t)
	a, b := newSigner(t), newSigner(t)
	var all []*nostr.Event
	for i := 0; i < 20; i++ {
		s := a
		if i%2 == 1 {
			s = b
		}
		kind := 1
		if i%3 == 0 {
			kind = nostrkind.Commit
		}
		e := s.event(t, kind, int64(1000+i), fmt.Sprint("event ", i),
			nostr.Tag{"t", fmt.Sprint("mod", i%4)}, nostr.Tag{"x", fmt.Sprintf("%064x", i%5)}, nostr.Tag{"alt", "not indexed"})
		save(t, db, e)
		all = append(all, e)
	}
	expect := func(name string, f nostr.Filter, limit int) {
		t.Helper()
		var want []string
		for i := len(all) - 1; i >= 0; i-- {
			if f.Matches(all[i]) {
				want = append(want, all[i].ID)
			}
		}
		if len(want) > limit {
			want = want[:limit]
		}
		got := query(t, db, f, limit)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %d events %v\nwant %d %v", name, len(got), got, len(want), want)
		}
	}
	since, until := nostr.Timestamp(1005), nostr.Timestamp(1014)
	expect("all", nostr.Filter{}, 100)
	expect("limit", nostr.Filter{}, 7)
	expect("ids", nostr.Filter{IDs: []string{all[3].ID, all[17].ID}}, 100)
	expect("authors", nostr.Filter{Authors: []string{b.pk}}, 100)
	expect("kinds", nostr.Filter{Kinds: []int{nostrkind.Commit}}, 100)
	expect("since", nostr.Filter{Since: &since}, 100)
	expect("until", nostr.Filter{Until: &until}, 100)
	expect("range", nostr.Filter{Since: &since, Until: &until}, 100)
	expect("tag", nostr.Filter{Tags: nostr.TagMap{"t": {"mod1", "mod2"}}}, 100)
	expect("two tags", nostr.Filter{Tags: nostr.TagMap{"t": {"mod1"}, "x": {fmt.Sprintf("%064x", 1)}}}, 100)
	expect("everything", nostr.Filter{Authors: []string{a.pk}, Kinds: []int{1, nostrkind.Commit},
		Tags: nostr.TagMap{"t": {"mod0", "mod2"}}, Since: &since, Until: &until}, 3)
	expect("unindexed tag", nostr.Filter{Tags: nostr.TagMap{"a": {"not indexed"}}}, 100)
	expect("empty ids", nostr.Filter{IDs: []string{}}, 100)

	n, err := db.CountEvents(context.Background(), []nostr.Filter{
		{Authors: []string{a.pk}}, {Kinds: []int{nostrkind.Commit}},
	}, Visibility{})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range all {
		if e.PubKey == a.pk || e.Kind == nostrkind.Commit {
			want++
		}
	}
	if n != int64(want) {
		t.Fatalf("count = %d, want %d (union of both filters)", n, want)
	}
}

func TestVisibility(t *testing.T) {
	db := openTest(t)
	a, b, c := newSigner(t), newSigner(t), newSigner(t)
	dm := a.event(t, 4, 1000, "secret", nostr.Tag{"p", b.pk})
	pub := a.event(t, 1, 1000, "public")
	save(t, db, dm)
	save(t, db, pub)
	for _, tc := range []struct {
		readers []string
		want    int
	}{{nil, 1}, {[]string{c.pk}, 1}, {[]string{a.pk}, 2}, {[]string{b.pk}, 2}, {[]string{c.pk, b.pk}, 2}} {
		n, err := db.CountEvents(context.Background(), []nostr.Filter{{}}, Visibility{Kinds: []int{4}, Readers: tc.readers})
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(tc.want) {
			t.Errorf("readers %v see %d events, want %d", tc.readers, n, tc.want)
		}
	}
}

func TestSchemaIsolationAndReopen(t *testing.T) {
	url, schema := pgtest.Schema(t)
	ctx := context.Background()
	db1, err := Open(ctx, url, schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := newSigner(t)
	save(t, db1, a.event(t, 1, 1, "in the first schema"))
	db1.Close()

	// Reopening migrates nothing and keeps the data.
	db2, err := Open(ctx, url, schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if v, err := db2.Version(ctx); err != nil || v != len(migrations) {
		t.Fatalf("version %d, %v", v, err)
	}
	if n, _ := db2.CountEvents(ctx, []nostr.Filter{{}}, Visibility{}); n != 1 {
		t.Fatalf("reopened store has %d events", n)
	}

	// A second schema in the same database is independent.
	other := schema + "_b"
	db3, err := Open(ctx, url, other, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		db3.Pool().Exec(ctx, "DROP SCHEMA "+other+" CASCADE")
		db3.Close()
	}()
	if n, _ := db3.CountEvents(ctx, []nostr.Filter{{}}, Visibility{}); n != 0 {
		t.Fatalf("second schema sees %d events", n)
	}
}

// Paging returns exactly what one query with the same limit returns, in the
// same order, whatever the page and byte sizes.
func TestQueryPages(t *testing.T) {
	db := openTest(t)
	a := newSigner(t)
	for i := 0; i < 57; i++ {
		// Several events per second, so pages split ties by id.
		save(t, db, a.event(t, 1, int64(1000+i/4), fmt.Sprint(i, " ", strings.Repeat("p", i*37)), nostr.Tag{"t", "page"}))
	}
	f := nostr.Filter{Tags: nostr.TagMap{"t": {"page"}}}
	for _, limit := range []int{1, 10, 57, 100} {
		want := query(t, db, f, limit)
		for _, pc := range []struct {
			n     int
			bytes int64
		}{{1, 1 << 20}, {7, 1 << 20}, {500, 1 << 20}, {500, 600}, {3, 1}} {
			var got []string
			var after *Cursor
			for len(got) < limit {
				rows, err := db.QueryPage(context.Background(), &f, min(pc.n, limit-len(got)), pc.bytes, Visibility{}, after)
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) == 0 {
					break
				}
				for _, r := range rows {
					got = append(got, hex.EncodeToString(r.ID))
				}
				last := rows[len(rows)-1]
				after = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("limit %d, pages of %d events / %d bytes: %d events, differ from one query (%d)", limit, pc.n, pc.bytes, len(got), len(want))
			}
		}
	}
}

// NIP-40: an event whose expiration has passed is kept out of every query
// and count, whatever else matches it.
func TestExpiredEventsNotServed(t *testing.T) {
	db := openTest(t)
	s := newSigner(t)
	now := time.Now().Unix()
	live := s.event(t, 1, now, "live", nostr.Tag{"expiration", strconv.FormatInt(now+3600, 10)})
	gone := s.event(t, 1, now, "gone", nostr.Tag{"expiration", strconv.FormatInt(now-10, 10)}, nostr.Tag{"t", "x"})
	plain := s.event(t, 1, now, "plain", nostr.Tag{"t", "x"})
	for _, e := range []*nostr.Event{live, gone, plain} {
		save(t, db, e)
	}
	got := query(t, db, nostr.Filter{Kinds: []int{1}}, 10)
	if len(got) != 2 || slices.Contains(got, gone.ID) {
		t.Fatalf("query returned %v", got)
	}
	if got := query(t, db, nostr.Filter{IDs: []string{gone.ID}}, 10); len(got) != 0 {
		t.Fatalf("expired event found by id: %v", got)
	}
	if got := query(t, db, nostr.Filter{Tags: nostr.TagMap{"t": {"x"}}}, 10); len(got) != 1 || got[0] != plain.ID {
		t.Fatalf("tag query returned %v", got)
	}
	n, err := db.CountEvents(context.Background(), []nostr.Filter{{Kinds: []int{1}}}, Visibility{})
	if err != nil || n != 2 {
		t.Fatalf("count %d, %v", n, err)
	}

	// The purge removes the expired one only, with its tags.
	if n, err := db.DeleteExpired(context.Background(), now, 100); err != nil || n != 1 {
		t.Fatalf("purge removed %d, %v", n, err)
	}
	var rows, tags int64
	db.pool.QueryRow(context.Background(), "SELECT count(*) FROM events").Scan(&rows)
	db.pool.QueryRow(context.Background(), "SELECT count(*) FROM tags WHERE value = 'x'").Scan(&tags)
	if rows != 2 || tags != 1 {
		t.Fatalf("after the purge: %d events, %d x tags", rows, tags)
	}
	if n, err := db.DeleteExpired(context.Background(), now+3600, 100); err != nil || n != 1 {
		t.Fatalf("purge an hour later removed %d, %v", n, err)
	}
}

// NIP-50 through the store, and the migration that adds the index to a
// database holding events already: they become searchable too.
func TestSearchAndItsMigration(t *testing.T) {
	ctx := context.Background()
	url, schema := pgtest.Schema(t)
	db, err := Open(ctx, url, schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSigner(t)
	now := time.Now().Unix()
	old := s.event(t, 30617, now, "", nostr.Tag{"d", "tiny-llama"}, nostr.Tag{"description", "fine-tuned for Move"})
	save(t, db, old)
	// Back to the schema before the search migration, with the event in it.
	if _, err := db.pool.Exec(ctx, `ALTER TABLE events DROP COLUMN search; DELETE FROM schema_migrations WHERE version = 4`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, url, schema, Options{})
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	t.Cleanup(db.Close)
	fresh := s.event(t, 1, now, "the move prover, in Go")
	save(t, db, fresh)
	for q, want := range map[string][]string{
		"llama":       {old.ID},
		"move":        {fresh.ID, old.ID},
		"move -llama": {fresh.ID},
		"\"in go\"":   {fresh.ID},
	} {
		got := query(t, db, nostr.Filter{Search: q}, 10)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("search %q: %v, want %v", q, got, want)
		}
	}
}

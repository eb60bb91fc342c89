package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

// Outcome says what SaveEvent did with an event.
type Outcome int

const (
	// Stored: the event is committed.
	Stored Outcome = iota
	// Duplicate: the same event was already stored.
	Duplicate
	// Superseded: a newer version of the replaceable or addressable event
	// is stored (newer created_at, or equal created_at and lower id).
	Superseded
	// Deleted: the author deleted this event (NIP-09) before it arrived.
	Deleted
)

func (o Outcome) String() string {
	return [...]string{"stored", "duplicate", "superseded", "deleted"}[o]
}

// SaveResult reports a save.
type SaveResult struct {
	Outcome Outcome
	// Replaced counts older versions removed by a replaceable event.
	Replaced int64
	// Removed counts events removed by a deletion request (kind 5).
	Removed int64
}

// SaveEvent stores an event whose id and signature the caller verified,
// with raw its canonical JSON. It applies NIP-01 replaceable and addressable
// semantics and NIP-09 deletions atomically; when it returns Stored the
// transaction has committed. Ephemeral kinds must not reach it.
func (db *DB) SaveEvent(ctx context.Context, evt *nostr.Event, raw []byte) (SaveResult, error) {
	if nostrkind.ClassOf(evt.Kind) == nostrkind.Ephemeral {
		return SaveResult{}, fmt.Errorf("save event %s: kind %d is ephemeral", evt.ID, evt.Kind)
	}
	r, err := newRow(evt, raw)
	if err != nil {
		return SaveResult{}, err
	}
	for attempt := 0; ; attempt++ {
		var res SaveResult
		if evt.Kind == nostrkind.Deletion {
			res, err = db.saveDeletion(ctx, r, evt)
		} else {
			res, err = db.save(ctx, r)
		}
		if err != nil && retryable(err) && attempt < 4 {
			continue
		}
		if err != nil {
			return SaveResult{}, fmt.Errorf("save event %s: %w", evt.ID, err)
		}
		return res, nil
	}
}

// retryable reports errors after which the same transaction can simply be
// run again: deadlocks and serialization failures.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// row is an event in the form the tables want.
type row struct {
	id, pubkey []byte
	idHex      string
	createdAt  int64
	kind       int
	dTag       *string // nil for regular kinds
	address    string  // "" for regular kinds
	raw        string
	tagNames   []string
	tagValues  []string
	expiresAt  *int64 // NIP-40; nil when the event does not expire
	search     string // NIP-50: nostrkind.SearchText
}

func newRow(evt *nostr.Event, raw []byte) (*row, error) {
	id, err := hex.DecodeString(evt.ID)
	if err != nil || len(id) != 32 {
		return nil, fmt.Errorf("save event: bad id %q", evt.ID)
	}
	pk, err := hex.DecodeString(evt.PubKey)
	if err != nil || len(pk) != 32 {
		return nil, fmt.Errorf("save event %s: bad pubkey", evt.ID)
	}
	r := &row{id: id, pubkey: pk, idHex: evt.ID, createdAt: int64(evt.CreatedAt), kind: evt.Kind, raw: string(raw)}
	switch nostrkind.ClassOf(evt.Kind) {
	case nostrkind.Replaceable:
		d := ""
		r.dTag = &d
	case nostrkind.Addressable:
		d := DTag(evt)
		r.dTag = &d
	}
	if r.dTag != nil {
		r.address = nostrkind.Address{Kind: evt.Kind, PubKey: evt.PubKey, D: *r.dTag}.String()
	}
	r.search = nostrkind.SearchText(evt.Content, evt.Tags)
	// NIP-40; a malformed tag was refused before (policy), so here it
	// only means no expiry.
	if at, ok, err := nostrkind.Expiration(evt.Tags); ok && err == nil {
		r.expiresAt = &at
	}
	// NIP-01: only the first value of single-letter tags is indexed.
	seen := map[[2]string]bool{}
	for _, t := range evt.Tags {
		if len(t) < 2 || len(t[0]) != 1 || !isLetter(t[0][0]) {
			continue
		}
		k := [2]string{t[0], t[1]}
		if seen[k] {
			continue
		}
		seen[k] = true
		r.tagNames = append(r.tagNames, t[0])
		r.tagValues = append(r.tagValues, t[1])
	}
	return r, nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// DTag returns the value of an event's first "d" tag, or "".
func DTag(evt *nostr.Event) string {
	for _, t := range evt.Tags {
		if len(t) >= 2 && t[0] == "d" {
			return t[1]
		}
	}
	return ""
}

// lockKeys are the advisory locks a write takes, in a global order so two
// writers never wait on each other in a cycle. A writer locks the id it
// inserts and the address it replaces; a deletion locks every target, so a
// deletion and the insert of its target are serialized.
func lockKeys(keys ...string) []string {
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "" })
	sort.Strings(keys)
	return slices.Compact(keys)
}

const lockSQL = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"

// Statements of a plain save. They run as one pipelined batch, which
// PostgreSQL executes as one implicit transaction; each statement sees the
// effects of the previous ones.
const (
	// Removes the stored version of an address if the new event wins.
	replaceSQL = `DELETE FROM events
WHERE pubkey = $1 AND kind = $2 AND d_tag = $3
  AND (created_at < $4 OR (created_at = $4 AND id > $5))`

	// Inserts the event and its tags unless it was deleted by its author or
	// a winning version of its address remains.
	insertSQL = `WITH ins AS (
	INSERT INTO events (id, pubkey, created_at, kind, d_tag, raw, expires_at, search)
	SELECT $1, $2, $3, $4, $5, $6, $11, to_tsvector('simple', $12)
	WHERE NOT EXISTS (
		SELECT 1 FROM deletions
		WHERE pubkey = $2 AND (target = $7 OR (target = $8 AND until >= $3)))
	  AND ($5::text IS NULL OR NOT EXISTS (
		SELECT 1 FROM events WHERE pubkey = $2 AND kind = $4 AND d_tag = $5))
	ON CONFLICT (id) DO NOTHING
	RETURNING seq
), t AS (
	INSERT INTO tags (seq, name, value, created_at)
	SELECT ins.seq, u.n, u.v, $3 FROM ins, unnest($9::text[], $10::text[]) AS u(n, v)
)
SELECT seq FROM ins`
)

func (db *DB) save(ctx context.Context, r *row) (SaveResult, error) {
	var res SaveResult
	b := &pgx.Batch{}
	for _, k := range lockKeys("id:"+r.idHex, r.address) {
		b.Queue(lockSQL, k)
	}
	if r.dTag != nil {
		b.Queue(replaceSQL, r.pubkey, r.kind, *r.dTag, r.createdAt, r.id).Exec(func(ct pgconn.CommandTag) error {
			res.Replaced = ct.RowsAffected()
			return nil
		})
	}
	inserted := false
	b.Queue(insertSQL, r.id, r.pubkey, r.createdAt, r.kind, r.dTag, r.raw, r.idHex, r.address, r.tagNames, r.tagValues, r.expiresAt, r.search).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				inserted = true
			}
			return rows.Err()
		})
	if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
		return SaveResult{}, err
	}
	if inserted {
		res.Outcome = Stored
		return res, nil
	}
	// Not inserted: find out why (a rare path, so a second round trip).
	var dup, deleted bool
	err := db.pool.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM events WHERE id = $1),
		EXISTS (SELECT 1 FROM deletions WHERE pubkey = $2 AND (target = $3 OR (target = $4 AND until >= $5)))`,
		r.id, r.pubkey, r.idHex, r.address, r.createdAt).Scan(&dup, &deleted)
	if err != nil {
		return SaveResult{}, err
	}
	switch {
	case dup:
		res.Outcome = Duplicate
	case deleted:
		res.Outcome = Deleted
	default:
		res.Outcome = Superseded
	}
	return res, nil
}

// saveDeletion stores a kind 5 event and applies it: events it names by id
// or address that have the same author are removed, and the targets are
// remembered so the removed events cannot be stored again. Deletion
// requests themselves cannot be deleted (NIP-09).
func (db *DB) saveDeletion(ctx context.Context, r *row, evt *nostr.Event) (SaveResult, error) {
	var ids [][]byte
	var idTargets, addrs []string
	for _, t := range evt.Tags {
		if len(t) < 2 {
			continue
		}
		switch t[0] {
		case "e":
			if id, err := hex.DecodeString(t[1]); err == nil && len(id) == 32 && strings.ToLower(t[1]) == t[1] {
				ids = append(ids, id)
				idTargets = append(idTargets, t[1])
			}
		case "a":
			if a, ok := nostrkind.ParseAddress(t[1]); ok && a.PubKey == evt.PubKey {
				addrs = append(addrs, a.String())
			}
		}
	}
	keys := []string{"id:" + r.idHex}
	for _, id := range idTargets {
		keys = append(keys, "id:"+id)
	}
	keys = append(keys, addrs...)

	var res SaveResult
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		res = SaveResult{}
		for _, k := range lockKeys(keys...) {
			if _, err := tx.Exec(ctx, lockSQL, k); err != nil {
				return err
			}
		}
		var seq int64
		err := tx.QueryRow(ctx, `INSERT INTO events (id, pubkey, created_at, kind, raw, expires_at, search) VALUES ($1, $2, $3, $4, $5, $6, to_tsvector('simple', $7))
			ON CONFLICT (id) DO NOTHING RETURNING seq`, r.id, r.pubkey, r.createdAt, r.kind, r.raw, r.expiresAt, r.search).Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			res.Outcome = Duplicate
			return nil
		}
		if err != nil {
			return err
		}
		if len(r.tagNames) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO tags (seq, name, value, created_at)
				SELECT $1, u.n, u.v, $2 FROM unnest($3::text[], $4::text[]) AS u(n, v)`,
				seq, r.createdAt, r.tagNames, r.tagValues); err != nil {
				return err
			}
		}
		if len(ids) > 0 {
			ct, err := tx.Exec(ctx, `DELETE FROM events WHERE id = ANY($1) AND pubkey = $2 AND kind <> $3`,
				ids, r.pubkey, nostrkind.Deletion)
			if err != nil {
				return err
			}
			res.Removed += ct.RowsAffected()
		}
		for _, s := range addrs {
			a, _ := nostrkind.ParseAddress(s)
			ct, err := tx.Exec(ctx, `DELETE FROM events WHERE pubkey = $1 AND kind = $2 AND d_tag = $3 AND created_at <= $4`,
				r.pubkey, a.Kind, a.D, r.createdAt)
			if err != nil {
				return err
			}
			res.Removed += ct.RowsAffected()
		}
		targets := append(slices.Clone(idTargets), addrs...)
		if len(targets) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO deletions (pubkey, target, until)
				SELECT $1, t, $2 FROM unnest($3::text[]) AS t
				ON CONFLICT (pubkey, target) DO UPDATE SET until = greatest(deletions.until, excluded.until)`,
				r.pubkey, r.createdAt, targets); err != nil {
				return err
			}
		}
		res.Outcome = Stored
		return nil
	})
	return res, err
}

// Visibility hides protected kinds from readers who are neither the author
// nor tagged with "p" (see policy.Access).
type Visibility struct {
	Kinds   []int
	Readers []string // hex pubkeys the reader authenticated as
}

// QueryEvents runs one filter, newest first and ties by lowest id, at most
// limit events, calling fn with each event's id (32 bytes) and canonical
// JSON. The slices passed to fn are only valid during the call. Filter
// values must already be validated (hex ids and authors).
func (db *DB) QueryEvents(ctx context.Context, f *nostr.Filter, limit int, vis Visibility, fn func(id, raw []byte) error) error {
	if limit <= 0 || matchesNothing(f) {
		return nil
	}
	var args []any
	where, err := whereClause(f, vis, &args)
	if err != nil {
		return err
	}
	args = append(args, limit)
	sql := "SELECT e.id, e.raw FROM events e WHERE " + where +
		" ORDER BY e.created_at DESC, e.id LIMIT $" + strconv.Itoa(len(args))
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		// RawValues avoids copying: the bytes are the text as received.
		v := rows.RawValues()
		if len(v) != 2 {
			return fmt.Errorf("query events: unexpected row shape")
		}
		if err := fn(v[0], v[1]); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query events: %w", err)
	}
	return nil
}

// Cursor marks the last event of a page: the next page starts after it in
// newest-first order (older, or as old with a higher id).
type Cursor struct {
	CreatedAt int64
	ID        []byte
}

// Row is an event read by QueryPage.
type Row struct {
	ID        []byte
	CreatedAt int64
	Raw       []byte
}

// QueryPage reads the next page of a filter's events, newest first and ties
// by lowest id: at most n events after the cursor (nil: from the newest),
// and at most about maxBytes of JSON (always at least one event). It copies
// the rows and returns the database connection before the caller sends
// them anywhere, so a slow client never holds a connection. A page shorter
// than n with room left under maxBytes is the last.
func (db *DB) QueryPage(ctx context.Context, f *nostr.Filter, n int, maxBytes int64, vis Visibility, after *Cursor) ([]Row, error) {
	if n <= 0 || matchesNothing(f) {
		return nil, nil
	}
	var args []any
	where, err := whereClause(f, vis, &args)
	if err != nil {
		return nil, err
	}
	if after != nil {
		args = append(args, after.CreatedAt, after.ID)
		c, id := "$"+strconv.Itoa(len(args)-1), "$"+strconv.Itoa(len(args))
		where += " AND (e.created_at < " + c + " OR (e.created_at = " + c + " AND e.id > " + id + "))"
	}
	args = append(args, n, maxBytes)
	lim, budget := "$"+strconv.Itoa(len(args)-1), "$"+strconv.Itoa(len(args))
	// The running total keeps a page of large events to about maxBytes.
	sql := `SELECT id, created_at, raw FROM (
		SELECT e.id, e.created_at, e.raw,
			sum(octet_length(e.raw)) OVER (ORDER BY e.created_at DESC, e.id ROWS UNBOUNDED PRECEDING) - octet_length(e.raw) AS before
		FROM events e WHERE ` + where + `
		ORDER BY e.created_at DESC, e.id LIMIT ` + lim + `) page
	WHERE before < ` + budget + ` ORDER BY created_at DESC, id`
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Row, error) {
		var row Row
		err := r.Scan(&row.ID, &row.CreatedAt, &row.Raw)
		return row, err
	})
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	return out, nil
}

// CountEvents counts the events matching any of the filters (NIP-45);
// limits are ignored.
func (db *DB) CountEvents(ctx context.Context, filters []nostr.Filter, vis Visibility) (int64, error) {
	var args []any
	var parts []string
	for i := range filters {
		if matchesNothing(&filters[i]) {
			continue
		}
		w, err := whereClause(&filters[i], vis, &args)
		if err != nil {
			return 0, err
		}
		parts = append(parts, "("+w+")")
	}
	if len(parts) == 0 {
		return 0, nil
	}
	var n int64
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM events e WHERE "+strings.Join(parts, " OR "), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}

// matchesNothing is true for filters with an empty list, which match no
// event (as nostr.Filter.Matches does).
func matchesNothing(f *nostr.Filter) bool {
	if (f.IDs != nil && len(f.IDs) == 0) || (f.Authors != nil && len(f.Authors) == 0) || (f.Kinds != nil && len(f.Kinds) == 0) {
		return true
	}
	for _, v := range f.Tags {
		if v != nil && len(v) == 0 {
			return true
		}
	}
	if f.Since != nil && f.Until != nil && *f.Since > *f.Until {
		return true
	}
	return false
}

func whereClause(f *nostr.Filter, vis Visibility, args *[]any) (string, error) {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	// NIP-40: expired events are not served.
	conds := []string{"(e.expires_at IS NULL OR e.expires_at > " + arg(time.Now().Unix()) + ")"}
	if f.IDs != nil {
		ids, err := decodeHex(f.IDs)
		if err != nil {
			return "", fmt.Errorf("filter ids: %w", err)
		}
		conds = append(conds, "e.id = ANY("+arg(ids)+")")
	}
	if f.Authors != nil {
		pks, err := decodeHex(f.Authors)
		if err != nil {
			return "", fmt.Errorf("filter authors: %w", err)
		}
		conds = append(conds, "e.pubkey = ANY("+arg(pks)+")")
	}
	if f.Kinds != nil {
		kinds := make([]int32, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = int32(k)
		}
		conds = append(conds, "e.kind = ANY("+arg(kinds)+")")
	}
	var timeConds []string
	if f.Since != nil {
		p := arg(int64(*f.Since))
		conds = append(conds, "e.created_at >= "+p)
		timeConds = append(timeConds, "t.created_at >= "+p)
	}
	if f.Until != nil {
		p := arg(int64(*f.Until))
		conds = append(conds, "e.created_at <= "+p)
		timeConds = append(timeConds, "t.created_at <= "+p)
	}
	names := make([]string, 0, len(f.Tags))
	for name, values := range f.Tags {
		if values != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		c := "e.seq IN (SELECT t.seq FROM tags t WHERE t.name = " + arg(name) + " AND t.value = ANY(" + arg(f.Tags[name]) + ")"
		for _, tc := range timeConds {
			c += " AND " + tc
		}
		conds = append(conds, c+")")
	}
	if f.Search != "" {
		conds = append(conds, "e.search @@ websearch_to_tsquery('simple', "+arg(f.Search)+")")
	}
	if len(vis.Kinds) > 0 {
		kinds := make([]int32, len(vis.Kinds))
		for i, k := range vis.Kinds {
			kinds[i] = int32(k)
		}
		readers, err := decodeHex(vis.Readers)
		if err != nil {
			return "", fmt.Errorf("readers: %w", err)
		}
		conds = append(conds, "(e.kind <> ALL("+arg(kinds)+") OR e.pubkey = ANY("+arg(readers)+
			") OR EXISTS (SELECT 1 FROM tags t WHERE t.seq = e.seq AND t.name = 'p' AND t.value = ANY("+arg(vis.Readers)+")))")
	}
	return strings.Join(conds, " AND "), nil
}

func decodeHex(list []string) ([][]byte, error) {
	out := make([][]byte, len(list))
	for i, s := range list {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%q is not 64 hex digits", s)
		}
		out[i] = b
	}
	return out, nil
}

// DeleteExpired removes at most batch events whose NIP-40 expiration is at
// or before now (their tags go with them) and reports how many it removed.
// Queries already skip them; this gives the space back.
func (db *DB) DeleteExpired(ctx context.Context, now int64, batch int) (int64, error) {
	ct, err := db.pool.Exec(ctx, `DELETE FROM events WHERE seq IN (
		SELECT seq FROM events WHERE expires_at <= $1 LIMIT $2)`, now, batch)
	if err != nil {
		return 0, fmt.Errorf("delete expired events: %w", err)
	}
	return ct.RowsAffected(), nil
}

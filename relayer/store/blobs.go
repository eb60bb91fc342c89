package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Blob is the metadata of a stored blob.
type Blob struct {
	SHA256   []byte
	Size     int64
	Type     string
	Uploaded int64 // unix seconds: first upload, or the owner's upload in listings
}

// ErrQuota is returned when a blob would take an owner over its quota.
var ErrQuota = errors.New("quota exceeded")

// Blob returns a blob's metadata, or ok=false.
func (db *DB) Blob(ctx context.Context, sha []byte) (Blob, bool, error) {
	b := Blob{SHA256: sha}
	err := db.pool.QueryRow(ctx, "SELECT size, type, uploaded FROM blobs WHERE sha256 = $1", sha).Scan(&b.Size, &b.Type, &b.Uploaded)
	if errors.Is(err, pgx.ErrNoRows) {
		return Blob{}, false, nil
	}
	if err != nil {
		return Blob{}, false, fmt.Errorf("blob %x: %w", sha, err)
	}
	return b, true, nil
}

// AddBlobOwner records that owner uploaded b, whose bytes are already
// durable on disk. It creates the blob's row if needed and charges the
// owner b.Size unless it already owned the blob; when that would exceed
// quota (>0) nothing changes and ErrQuota is returned. created reports
// whether the blob row is new.
func (db *DB) AddBlobOwner(ctx context.Context, b Blob, owner []byte, quota int64) (created bool, err error) {
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		created = false
		// Lock the owner's usage row: concurrent uploads by one key are
		// charged one after the other.
		if _, err := tx.Exec(ctx, `INSERT INTO blob_usage (pubkey, bytes, blobs) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING`, owner); err != nil {
			return err
		}
		var used int64
		if err := tx.QueryRow(ctx, `SELECT bytes FROM blob_usage WHERE pubkey = $1 FOR UPDATE`, owner).Scan(&used); err != nil {
			return err
		}
		ct, err := tx.Exec(ctx, `INSERT INTO blobs (sha256, size, type, uploaded) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			b.SHA256, b.Size, b.Type, b.Uploaded)
		if err != nil {
			return err
		}
		created = ct.RowsAffected() == 1
		ct, err = tx.Exec(ctx, `INSERT INTO blob_owners (pubkey, sha256, uploaded) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			owner, b.SHA256, b.Uploaded)
		if err != nil {
			return err
		}
		if ct.RowsAffected() == 0 {
			return nil // already owned: nothing to charge
		}
		if quota > 0 && used+b.Size > quota {
			return ErrQuota
		}
		_, err = tx.Exec(ctx, `UPDATE blob_usage SET bytes = bytes + $2, blobs = blobs + 1 WHERE pubkey = $1`, owner, b.Size)
		return err
	})
	if err != nil && !errors.Is(err, ErrQuota) {
		err = fmt.Errorf("record blob %x: %w", b.SHA256, err)
	}
	return created, err
}

// RemoveBlobOwner forgets that owner uploaded sha and refunds its usage.
// owned is false when the owner did not own it; orphaned is true when no
// owner remains, in which case the blob row is gone too and the caller
// removes the bytes.
func (db *DB) RemoveBlobOwner(ctx context.Context, sha, owner []byte) (owned, orphaned bool, err error) {
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		owned, orphaned = false, false
		var size int64
		err := tx.QueryRow(ctx, `DELETE FROM blob_owners o USING blobs b
			WHERE o.pubkey = $1 AND o.sha256 = $2 AND b.sha256 = o.sha256 RETURNING b.size`, owner, sha).Scan(&size)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		owned = true
		if _, err := tx.Exec(ctx, `UPDATE blob_usage SET bytes = bytes - $2, blobs = blobs - 1 WHERE pubkey = $1`, owner, size); err != nil {
			return err
		}
		ct, err := tx.Exec(ctx, `DELETE FROM blobs b WHERE b.sha256 = $1 AND NOT EXISTS (SELECT 1 FROM blob_owners o WHERE o.sha256 = b.sha256)`, sha)
		if err != nil {
			return err
		}
		orphaned = ct.RowsAffected() == 1
		return nil
	})
	if err != nil {
		err = fmt.Errorf("remove blob %x: %w", sha, err)
	}
	return owned, orphaned, err
}

// BlobUsage returns the bytes charged to owner.
func (db *DB) BlobUsage(ctx context.Context, owner []byte) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce((SELECT bytes FROM blob_usage WHERE pubkey = $1), 0)`, owner).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("blob usage: %w", err)
	}
	return n, nil
}

// ListQuery selects an owner's blobs, newest upload first (BUD-12).
type ListQuery struct {
	Owner        []byte
	Cursor       []byte // sha256 of the last blob of the previous page
	Since, Until int64  // 0 = unbounded
	Limit        int
}

// ListBlobs lists an owner's blobs, each with the owner's upload time.
func (db *DB) ListBlobs(ctx context.Context, q ListQuery) ([]Blob, error) {
	args := []any{q.Owner, q.Limit}
	sql := `SELECT b.sha256, b.size, b.type, o.uploaded FROM blob_owners o JOIN blobs b ON b.sha256 = o.sha256 WHERE o.pubkey = $1`
	if q.Cursor != nil {
		args = append(args, q.Cursor)
		sql += ` AND (o.uploaded, o.sha256) < (SELECT c.uploaded, c.sha256 FROM blob_owners c WHERE c.pubkey = $1 AND c.sha256 = $3)`
	}
	if q.Since > 0 {
		args = append(args, q.Since)
		sql += fmt.Sprintf(" AND o.uploaded >= $%d", len(args))
	}
	if q.Until > 0 {
		args = append(args, q.Until)
		sql += fmt.Sprintf(" AND o.uploaded <= $%d", len(args))
	}
	sql += " ORDER BY o.uploaded DESC, o.sha256 DESC LIMIT $2"
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list blobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Blob, error) {
		var b Blob
		err := r.Scan(&b.SHA256, &b.Size, &b.Type, &b.Uploaded)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("list blobs: %w", err)
	}
	return out, nil
}

// HasBlobs reports which of the given hashes have a blob row; the blob
// store's startup sweep uses it to find files no committed row names.
func (db *DB) HasBlobs(ctx context.Context, shas [][]byte) (map[string]bool, error) {
	rows, err := db.pool.Query(ctx, `SELECT sha256 FROM blobs WHERE sha256 = ANY($1)`, shas)
	if err != nil {
		return nil, fmt.Errorf("find blobs: %w", err)
	}
	found := map[string]bool{}
	var sha []byte
	_, err = pgx.ForEachRow(rows, []any{&sha}, func() error {
		found[string(sha)] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find blobs: %w", err)
	}
	return found, nil
}

// BlobStats totals the stored blobs (for metrics and startup logs).
func (db *DB) BlobStats(ctx context.Context) (count, bytes int64, err error) {
	err = db.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(size), 0) FROM blobs`).Scan(&count, &bytes)
	if err != nil {
		err = fmt.Errorf("blob stats: %w", err)
	}
	return count, bytes, err
}

// ForEachBlob calls fn for every blob row, in hash order.
func (db *DB) ForEachBlob(ctx context.Context, fn func(Blob) error) error {
	rows, err := db.pool.Query(ctx, `SELECT sha256, size, type, uploaded FROM blobs ORDER BY sha256`)
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	var b Blob
	_, err = pgx.ForEachRow(rows, []any{&b.SHA256, &b.Size, &b.Type, &b.Uploaded}, func() error {
		return fn(Blob{SHA256: append([]byte(nil), b.SHA256...), Size: b.Size, Type: b.Type, Uploaded: b.Uploaded})
	})
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	return nil
}

// UsageMismatch is an owner whose charged bytes differ from the blobs it
// owns.
type UsageMismatch struct {
	Owner           []byte
	Charged, Actual int64
}

// CheckUsage compares every owner's charged bytes with the sizes of the
// blobs it owns.
func (db *DB) CheckUsage(ctx context.Context) ([]UsageMismatch, error) {
	rows, err := db.pool.Query(ctx, `
		WITH actual AS (
			SELECT o.pubkey, sum(b.size)::bigint AS bytes
			FROM blob_owners o JOIN blobs b ON b.sha256 = o.sha256 GROUP BY o.pubkey)
		SELECT coalesce(u.pubkey, a.pubkey), coalesce(u.bytes, 0), coalesce(a.bytes, 0)
		FROM blob_usage u FULL JOIN actual a ON a.pubkey = u.pubkey
		WHERE coalesce(u.bytes, 0) <> coalesce(a.bytes, 0)`)
	if err != nil {
		return nil, fmt.Errorf("check usage: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UsageMismatch, error) {
		var m UsageMismatch
		err := r.Scan(&m.Owner, &m.Charged, &m.Actual)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("check usage: %w", err)
	}
	return out, nil
}

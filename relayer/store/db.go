// Package store keeps the relayer's state in PostgreSQL through pgx: Nostr
// events with the indexes their filters need, deletion records, and the
// metadata of Blossom blobs (the bytes live on disk, see package blob).
//
// Every table lives in one schema, chosen at open time, so several relays
// can share a database. Open creates the schema and applies pending
// migrations under an advisory lock, so relays starting together on the
// same schema migrate it once.
package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is an open store.
type DB struct {
	pool   *pgxpool.Pool
	schema string
}

// Options tune the connection pool.
type Options struct {
	// MaxConns is the pool size; 0 keeps pgx's default (4 or the number
	// of CPUs, whichever is larger).
	MaxConns int32
}

// Open connects to PostgreSQL, creates schema if needed, points every
// connection's search_path at it and migrates it to the current version.
func Open(ctx context.Context, connString, schema string, opts Options) (*DB, error) {
	if schema == "" {
		return nil, errors.New("open store: empty schema name")
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("open store: parse database URL: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{pool: pool, schema: schema}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close releases every connection.
func (db *DB) Close() { db.pool.Close() }

// Schema is the schema the store lives in.
func (db *DB) Schema() string { return db.schema }

// Ping checks that the database answers (for health checks).
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return db.pool.Ping(ctx)
}

// Pool exposes the connection pool to components that keep their own
// tables in the same schema (their migrations run through Migrate).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// lockKey derives the advisory lock that serializes migrations of one
// schema across processes.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("agi-nostr relayer schema " + schema))
	return int64(h.Sum64())
}

func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate schema %s: %w", db.schema, err)
	}
	defer conn.Release()
	key := lockKey(db.schema)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("migrate schema %s: lock: %w", db.schema, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)

	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{db.schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema %s: %w", db.schema, err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("migrate schema %s: %w", db.schema, err)
	}
	var current int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("migrate schema %s: read version: %w", db.schema, err)
	}
	if current > len(migrations) {
		return fmt.Errorf("schema %s is at version %d, newer than this relayer (%d): upgrade the relayer", db.schema, current, len(migrations))
	}
	for i := current; i < len(migrations); i++ {
		m := migrations[i]
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", i+1, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate schema %s to version %d (%s): %w", db.schema, i+1, m.name, err)
		}
	}
	return nil
}

// Version returns the schema's migration version.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

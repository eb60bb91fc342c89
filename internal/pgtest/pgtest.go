// Package pgtest gives each test its own PostgreSQL schema or database, so
// tests run in parallel and never see each other's rows.
//
// The server comes from DATABASE_URL. `make test` sets it, starting a
// throwaway cluster (scripts/with-postgres.sh) when the caller has none.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URL returns DATABASE_URL or stops the test with a message saying how to
// get one.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a throwaway PostgreSQL, " +
			"or set DATABASE_URL to a server where this user may create schemas and databases")
	}
	return u
}

func uniqueName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

func connect(t testing.TB, connString string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		t.Fatalf("pgtest: connect to DATABASE_URL: %v", err)
	}
	return conn
}

// Schema creates an empty schema, drops it when the test ends, and returns
// its name and a connection string whose search_path points at it.
func Schema(t testing.TB) (connString, schema string) {
	t.Helper()
	base := URL(t)
	schema = uniqueName("t")
	conn := connect(t, base)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		c := connect(t, base)
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return WithParam(t, base, "search_path", schema), schema
}

// Database creates an empty database, drops it when the test ends, and
// returns a connection string for it.
func Database(t testing.TB) string {
	t.Helper()
	base := URL(t)
	name := uniqueName("t")
	conn := connect(t, base)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		c := connect(t, base)
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("pgtest: parse DATABASE_URL: %v", err)
	}
	return withDatabase(t, base, cfg.Database, name)
}

// WithParam adds a run-time parameter to a connection string in either of
// PostgreSQL's two forms (URL or key=value).
func WithParam(t testing.TB, connString, key, value string) string {
	t.Helper()
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		u, err := url.Parse(connString)
		if err != nil {
			t.Fatalf("pgtest: parse DATABASE_URL: %v", err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return fmt.Sprintf("%s %s='%s'", connString, key, value)
}

func withDatabase(t testing.TB, connString, old, name string) string {
	t.Helper()
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		u, err := url.Parse(connString)
		if err != nil {
			t.Fatalf("pgtest: parse DATABASE_URL: %v", err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return fmt.Sprintf("%s dbname='%s'", connString, name)
}

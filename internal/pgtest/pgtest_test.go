package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestSchemaIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	urlA, schemaA := Schema(t)
	urlB, _ := Schema(t)

	a, err := pgx.Connect(ctx, urlA)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	if _, err := a.Exec(ctx, "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, "INSERT INTO notes VALUES (1, 'shard 7 stored')"); err != nil {
		t.Fatal(err)
	}
	var body, where string
	if err := a.QueryRow(ctx, "SELECT body, current_schema() FROM notes WHERE id = 1").Scan(&body, &where); err != nil {
		t.Fatal(err)
	}
	if body != "shard 7 stored" || where != schemaA {
		t.Fatalf("read back %q in schema %q, want %q in %q", body, where, "shard 7 stored", schemaA)
	}

	b, err := pgx.Connect(ctx, urlB)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	var n int
	err = b.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n)
	if err == nil {
		t.Fatalf("second schema sees the first one's table (%d rows)", n)
	}
}

func TestDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := Database(t)
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var db string
	if err := c.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || db == "postgres" || db == "test" {
		t.Fatalf("connected to %q (%v), want a fresh database", db, err)
	}
	var got int
	if _, err := c.Exec(ctx, "CREATE TABLE x (v int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO x VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, "SELECT v FROM x").Scan(&got); err != nil || got != 42 {
		t.Fatalf("read %d, %v; want 42", got, err)
	}
}

func TestWithParam(t *testing.T) {
	if got := WithParam(t, "postgres://u@h:5/db?sslmode=disable", "search_path", "s1"); got != "postgres://u@h:5/db?search_path=s1&sslmode=disable" {
		t.Errorf("url form: %s", got)
	}
	if got := WithParam(t, "host=h dbname=db", "search_path", "s1"); got != "host=h dbname=db search_path='s1'" {
		t.Errorf("key=value form: %s", got)
	}
}

package store

// migrations are applied in order, each in its own transaction; a schema's
// version is the number applied. Never edit a released migration: append.
var migrations = []struct {
	name string
	sql  string
}{
	{"events", `
CREATE TABLE events (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         bytea  NOT NULL,
	pubkey     bytea  NOT NULL,
	created_at bigint NOT NULL,
	kind       integer NOT NULL,
	-- replaceable: '', addressable: the "d" tag, regular: NULL
	d_tag      text,
	-- the event as sent to clients (canonical JSON)
	raw        text   NOT NULL,
	stored_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT events_id_unique UNIQUE (id)
);
-- Every filter is answered newest first, ties by lowest id (NIP-01), so each
-- index ends with created_at DESC.
CREATE INDEX events_created ON events (created_at DESC, id);
CREATE INDEX events_pubkey ON events (pubkey, created_at DESC);
CREATE INDEX events_kind ON events (kind, created_at DESC);
CREATE INDEX events_pubkey_kind ON events (pubkey, kind, created_at DESC);
-- At most one stored version per replaceable or addressable coordinate.
CREATE UNIQUE INDEX events_address ON events (pubkey, kind, d_tag) WHERE d_tag IS NOT NULL;

-- The first value of every single-letter tag (NIP-01), for "#x" filters.
CREATE TABLE tags (
	seq        bigint NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
	name       text   NOT NULL,
	value      text   NOT NULL,
	created_at bigint NOT NULL,
	PRIMARY KEY (seq, name, value)
);
CREATE INDEX tags_value ON tags (name, value, created_at DESC);

-- NIP-09 deletion requests, kept so a deleted event cannot come back.
-- target is an event id (hex) or an address "kind:pubkey:d"; for an address
-- every version created at or before "until" stays deleted.
CREATE TABLE deletions (
	pubkey bytea  NOT NULL,
	target text   NOT NULL,
	until  bigint NOT NULL,
	PRIMARY KEY (pubkey, target)
);
`},
	{"blobs", `
CREATE TABLE blobs (
	sha256   bytea  PRIMARY KEY,
	size     bigint NOT NULL,
	type     text   NOT NULL,
	uploaded bigint NOT NULL
);
-- Who uploaded what: a blob lives while it has an owner.
CREATE TABLE blob_owners (
	pubkey   bytea  NOT NULL,
	sha256   bytea  NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
	uploaded bigint NOT NULL,
	PRIMARY KEY (pubkey, sha256)
);
CREATE INDEX blob_owners_sha256 ON blob_owners (sha256);
CREATE INDEX blob_owners_list ON blob_owners (pubkey, uploaded DESC, sha256 DESC);
-- Bytes charged to each owner (the full size of every blob it owns).
CREATE TABLE blob_usage (
	pubkey bytea  PRIMARY KEY,
	bytes  bigint NOT NULL,
	blobs  bigint NOT NULL
);
`},
	{"expiration", `
-- NIP-40: when the event stops being served (unix seconds), from its first
-- "expiration" tag; NULL for events that do not expire.
ALTER TABLE events ADD COLUMN expires_at bigint;
CREATE INDEX events_expires ON events (expires_at) WHERE expires_at IS NOT NULL;
`},
	{"search", `
-- NIP-50: the words of an event's content and of its name, description
-- and topic tags (nostrkind.SearchText), for full-text search.
ALTER TABLE events ADD COLUMN search tsvector;
UPDATE events SET search = to_tsvector('simple', left(
	coalesce(raw::jsonb->>'content', '') || ' ' || coalesce((
		SELECT string_agg(t->>1, ' ') FROM jsonb_array_elements(raw::jsonb->'tags') AS t
		WHERE t->>0 IN ('d', 'name', 'description', 't', 'title', 'summary', 'alt')), ''),
	65536));
CREATE INDEX events_search ON events USING gin (search);
`},
}

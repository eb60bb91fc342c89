package remote

import (
	"context"
	"fmt"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// fetchDelta brings a file stored as a delta: the delta object (kept in
// the store: it is small, and show --stat, merges and a later push read
// it), then its reference (itself perhaps a delta, rebuilt first; kept in
// the store, so the next commit is encoded against it without the
// network), then the file materialized from both and checked against its
// object id, waiting for its checkout like any download.
func (s *Session) fetchDelta(ctx context.Context, f repo.FileEntry, d *repo.DeltaClause) error {
	r := s.Repo
	// A bounded chain, or a clear error (not a deep recursion).
	if _, err := r.DeltaDepth(f); err != nil {
		return err
	}
	err := r.LocalObject(d.Object(f), func(fs []repo.FileEntry) error { return s.fetchFile(ctx, fs[0]) })
	if err != nil {
		return fmt.Errorf("%s (delta): %w", f.Path, err)
	}
	ref, err := r.DeltaRef(d)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	had := r.Available(ref.ID)
	if err := r.LocalObject(ref, func(fs []repo.FileEntry) error { return s.FetchObjects(ctx, fs) }); err != nil {
		return fmt.Errorf("%s (delta reference %s): %w", f.Path, ref.Path, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.MaterializeDelta(f); err != nil {
		return err
	}
	// The base's file stays: the next commit is encoded against it. An
	// older version brought in only to rebuild this one (a link of a
	// chain of checkpoints) goes, so a chain does not fill the disk.
	if b := r.Config.Base; !had && (b == nil || b.Commit != d.RefCommit) {
		return r.RemoveObject(ref.ID)
	}
	return nil
}

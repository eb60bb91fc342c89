package remote

import (
	"context"
	"fmt"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// maxDeltaChain bounds the references followed to rebuild one file.
const maxDeltaChain = 64

// fetchDelta brings a file stored as a delta into the local store: the
// delta object, then its reference (itself perhaps a delta), then the file
// materialized from both and checked against its object id.
func (s *Session) fetchDelta(ctx context.Context, f repo.FileEntry, d *repo.DeltaClause, depth int) error {
	if depth >= maxDeltaChain {
		return fmt.Errorf("%s: delta chain longer than %d", f.Path, maxDeltaChain)
	}
	r := s.Repo
	if !r.HasObject(d.ID) {
		if err := s.fetchFile(ctx, d.Object(f)); err != nil {
			return fmt.Errorf("%s (delta): %w", f.Path, err)
		}
	}
	ref, err := r.DeltaRef(d)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if !r.HasObject(ref.ID) {
		if rd, err := ref.Delta(); err != nil {
			return fmt.Errorf("%s: %w", ref.Path, err)
		} else if rd != nil {
			if err := s.fetchDelta(ctx, ref, rd, depth+1); err != nil {
				return err
			}
		} else if err := s.fetchFile(ctx, ref); err != nil {
			return fmt.Errorf("%s (delta reference): %w", f.Path, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.MaterializeDelta(f)
}

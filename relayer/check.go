package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/progress"
	"github.com/agi-nostr/agi-nostr/relayer/blob"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// errProblems makes the command exit non-zero after printing its report.
var errProblems = errors.New("the blob store has problems (listed above)")

func newCheckCmd() *cobra.Command {
	var blobDir, schema string
	var rehash bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check that blob files and their metadata agree (and optionally rehash every blob)",
		Long: `Compare the blob directory with the metadata in PostgreSQL (DATABASE_URL):
every recorded blob must have a file of its size, and with --rehash bytes that
hash to its name; files without metadata and leftovers of interrupted uploads
are counted (the relayer removes them at its next start); each uploader's
charged bytes must match what it owns. Nothing is changed. The exit status is
1 when a recorded blob is missing or damaged or a usage total is off.
Run it while the relayer is stopped, or expect uploads and deletes in
progress to show up. Flags can also come from RELAYER_<FLAG>.`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return flagsFromEnv(cmd.Flags()) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			if blobDir == "" {
				return fmt.Errorf("--blob-dir is required (or RELAYER_BLOB_DIR)")
			}
			url := os.Getenv("DATABASE_URL")
			if url == "" {
				return fmt.Errorf("DATABASE_URL is not set")
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			db, err := store.Open(ctx, url, schema, store.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			r, err := blob.Check(ctx, blobDir, db, rehash, progress.New(os.Stderr))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d blobs recorded, %d bytes\n", r.Recorded, r.Bytes)
			for _, p := range r.Problems {
				fmt.Fprintf(out, "damaged %s: %s\n", p.SHA256, p.What)
			}
			for _, u := range r.Usage {
				fmt.Fprintf(out, "usage of %s: charged %d bytes, owns %d\n", hex.EncodeToString(u.Owner), u.Charged, u.Actual)
			}
			fmt.Fprintf(out, "%d files without metadata, %d partial uploads (removed at the next start)\n", r.Unrecorded, r.Partial)
			if !r.OK() {
				return errProblems
			}
			fmt.Fprintln(out, "ok")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&blobDir, "blob-dir", "", "directory of blob bytes (required)")
	fl.StringVar(&schema, "schema", "relayer", "PostgreSQL schema of the relay's tables")
	fl.BoolVar(&rehash, "rehash", false, "read and hash every blob (slow: reads everything)")
	return cmd
}

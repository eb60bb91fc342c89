package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
	"github.com/agi-nostr/agi-nostr/internal/object"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// newObjectCmd holds the plumbing commands that work on single objects.
func newObjectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "object",
		Short: "Plumbing: object ids, shards and manifests",
		Long: `Plumbing commands on single objects, in the manner of git's.

An object is a file named by its object id (a Merkle root over 4 KiB leaves).
split erasure-codes it into n shard blobs of which any k rebuild it, named by
sha256 like Blossom blobs, and writes a manifest; join rebuilds the file from
any k shards; repair regenerates missing or corrupt shards. Progress goes to
stderr: a bar on a terminal, plain lines otherwise.`,
	}
	var quiet bool
	cmd.PersistentFlags().BoolVarP(&quiet, "quiet", "q", false, "do not report progress")
	reporter := func(c *cobra.Command) progress.Reporter {
		if quiet {
			return progress.Nop
		}
		return progress.New(c.ErrOrStderr())
	}
	cmd.AddCommand(newObjectHashCmd(reporter), newObjectSplitCmd(reporter), newObjectJoinCmd(reporter),
		newObjectRepairCmd(reporter), newObjectShowCmd())
	return cmd
}

type reporterFunc func(*cobra.Command) progress.Reporter

func newObjectHashCmd(reporter reporterFunc) *cobra.Command {
	return &cobra.Command{
		Use:   "hash FILE...",
		Short: "Print the object id of each file",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range args {
				id, err := hashFile(cmd.Context(), name, reporter(cmd))
				if err != nil {
					return err
				}
				if len(args) == 1 {
					fmt.Fprintln(cmd.OutOrStdout(), id)
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "%s  %s\n", id, name)
				}
			}
			return nil
		},
	}
}

func hashFile(ctx context.Context, name string, p progress.Reporter) (merkle.ID, error) {
	f, size, err := openInput(name)
	if err != nil {
		return merkle.ID{}, err
	}
	defer f.Close()
	id, err := object.Sum(ctx, f, size, p)
	if err != nil {
		return merkle.ID{}, fmt.Errorf("hash %s: %w", name, err)
	}
	return id, nil
}

// openInput opens a regular file for random access.
func openInput(name string) (*os.File, uint64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s: not a regular file", name)
	}
	return f, uint64(fi.Size()), nil
}

func newObjectSplitCmd(reporter reporterFunc) *cobra.Command {
	var (
		k, n         int
		out          string
		manifestPath string
		encryptTo    []string
		blockSize    uint64
	)
	cmd := &cobra.Command{
		Use:   "split FILE --k K --n N --out DIR [--encrypt-to NPUB]...",
		Short: "Erasure-code a file into n shards (any k rebuild it) and a manifest",
		Long: `Erasure-code FILE into N shard blobs, any K of which rebuild it, and write
them to DIR, each named by its sha256. The manifest goes to DIR/<id>.manifest
(or --manifest). With --encrypt-to the object is private: encrypted under a
random data key wrapped (NIP-44) to each given Nostr public key; its manifest
then names the encrypted stream, not the file.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var recipients []string
			for _, r := range encryptTo {
				pk, err := objcrypt.ParsePublicKey(r)
				if err != nil {
					return fmt.Errorf("--encrypt-to: %w", err)
				}
				recipients = append(recipients, pk)
			}
			f, size, err := openInput(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			res, err := object.Split(cmd.Context(), f, size, object.SplitOptions{
				K: k, N: n, BlockSize: blockSize, Recipients: recipients, Progress: reporter(cmd),
			}, object.Dir(out))
			if err != nil {
				return fmt.Errorf("split %s: %w", args[0], err)
			}
			m := res.Manifest
			if manifestPath == "" {
				manifestPath = filepath.Join(out, m.ID.String()+".manifest")
			}
			if err := writeFileAtomic(manifestPath, m.Encode()); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "object   %s\n", res.ObjectID)
			fmt.Fprintf(w, "size     %d\n", res.Size)
			if m.Private() {
				fmt.Fprintf(w, "stored   %s (encrypted, %d bytes, %d recipients)\n", m.ID, m.Size, len(recipients))
			}
			fmt.Fprintf(w, "shards   %d of %d, %d bytes each, in %s\n", m.K, m.N, m.Layout().ShardSize(), out)
			fmt.Fprintf(w, "manifest %s\n", manifestPath)
			return nil
		},
	}
	cmd.Flags().IntVar(&k, "k", 0, "shards needed to rebuild the object")
	cmd.Flags().IntVar(&n, "n", 0, "shards written (at most 256)")
	cmd.Flags().StringVar(&out, "out", "", "directory for the shards (created if needed)")
	cmd.Flags().StringVar(&manifestPath, "manifest", "", "manifest file (default DIR/<id>.manifest)")
	cmd.Flags().StringArrayVar(&encryptTo, "encrypt-to", nil, "encrypt to this Nostr public key (npub or hex); repeatable")
	cmd.Flags().Uint64Var(&blockSize, "block-size", 0, "bytes of each shard per stripe (default 1 MiB, less for large n)")
	for _, f := range []string{"k", "n", "out"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}

// keyFlags are the ways to give a secret key.
type keyFlags struct{ key, keyFile string }

func (kf *keyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&kf.key, "key", "", "Nostr secret key (nsec or hex) of a recipient of a private object; visible to other local users, prefer --key-file")
	cmd.Flags().StringVar(&kf.keyFile, "key-file", "", "file holding the secret key")
}

// dataKey unwraps a private object's key from the flags (nil for public).
func (kf *keyFlags) dataKey(m *object.Manifest) (*objcrypt.DataKey, error) {
	if !m.Private() {
		return nil, nil
	}
	secret := kf.key
	if kf.keyFile != "" {
		b, err := os.ReadFile(kf.keyFile)
		if err != nil {
			return nil, err
		}
		secret = strings.TrimSpace(string(b))
	}
	if secret == "" {
		return nil, errors.New("the object is private: give a recipient's secret key with --key or --key-file")
	}
	sk, _, err := objcrypt.ParseSecretKey(secret)
	if err != nil {
		return nil, err
	}
	k, err := m.DataKey(sk)
	if err != nil {
		return nil, err
	}
	return &k, nil
}

func readManifest(path string) (*object.Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := object.ParseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

func newObjectJoinCmd(reporter reporterFunc) *cobra.Command {
	var shards, out string
	var kf keyFlags
	cmd := &cobra.Command{
		Use:   "join MANIFEST --shards DIR --out FILE [--key NSEC]",
		Short: "Rebuild a file from any k of its shards",
		Long: `Rebuild the object of MANIFEST from any k of its shards in DIR and write it
to FILE. The output is checked against the object id before it replaces FILE;
corrupt shards are found by their hash and left out.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := readManifest(args[0])
			if err != nil {
				return err
			}
			key, err := kf.dataKey(m)
			if err != nil {
				return err
			}
			var res *object.JoinResult
			err = writeAtomic(out, func(f *os.File) error {
				var err error
				res, err = object.Join(cmd.Context(), m, object.Dir(shards), f, object.JoinOptions{Key: key, Progress: reporter(cmd)})
				return err
			})
			if err != nil {
				return fmt.Errorf("join: %w", err)
			}
			w := cmd.OutOrStdout()
			for _, p := range res.Bad {
				fmt.Fprintf(w, "warning  %s\n", p)
			}
			fmt.Fprintf(w, "object   %s\n", res.ObjectID)
			fmt.Fprintf(w, "size     %d\n", res.Size)
			fmt.Fprintf(w, "written  %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&shards, "shards", "", "directory holding the shards")
	cmd.Flags().StringVar(&out, "out", "", "file to write")
	kf.add(cmd)
	cmd.MarkFlagRequired("shards")
	cmd.MarkFlagRequired("out")
	return cmd
}

func newObjectRepairCmd(reporter reporterFunc) *cobra.Command {
	var shards string
	var check bool
	cmd := &cobra.Command{
		Use:   "repair MANIFEST --shards DIR [--check]",
		Short: "Regenerate missing or corrupt shards, byte-identical",
		Long: `Check every shard of MANIFEST in DIR against its hash and regenerate the
missing and corrupt ones from any k good shards. No key is needed, even for a
private object: repair works on the encrypted bytes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := readManifest(args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if check {
				bad, err := object.Check(cmd.Context(), m, object.Dir(shards), reporter(cmd))
				if err != nil {
					return fmt.Errorf("check: %w", err)
				}
				for _, p := range bad {
					fmt.Fprintf(w, "bad      %s\n", p)
				}
				switch {
				case len(bad) == 0:
					fmt.Fprintf(w, "all %d shards are healthy\n", m.N)
				case m.N-len(bad) < m.K:
					return failf("%d of %d shards are bad: fewer than k=%d remain, the object cannot be repaired from here", len(bad), m.N, m.K)
				default:
					return failf("%d of %d shards are bad (repairable: run without --check)", len(bad), m.N)
				}
				return nil
			}
			res, err := object.Repair(cmd.Context(), m, object.Dir(shards), object.Dir(shards), reporter(cmd))
			if err != nil {
				return fmt.Errorf("repair: %w", err)
			}
			if len(res.Bad) == 0 {
				fmt.Fprintf(w, "all %d shards are healthy\n", m.N)
				return nil
			}
			for _, p := range res.Bad {
				fmt.Fprintf(w, "repaired %s\n", p)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&shards, "shards", "", "directory holding the shards")
	cmd.Flags().BoolVar(&check, "check", false, "only check the shards; exit non-zero if any is missing or corrupt")
	cmd.MarkFlagRequired("shards")
	return cmd
}

func newObjectShowCmd() *cobra.Command {
	var kf keyFlags
	cmd := &cobra.Command{
		Use:   "show MANIFEST [--key NSEC]",
		Short: "Describe a manifest (with a key, also a private object's id and size)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := readManifest(args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			l := m.Layout()
			if m.Private() {
				fmt.Fprintf(w, "stored   %s\n", m.ID)
				fmt.Fprintf(w, "size     %d (encrypted)\n", m.Size)
				e := m.Encryption
				fmt.Fprintf(w, "cipher   %s, %d-byte chunks, %d wrapped keys\n", object.EncryptionScheme, e.ChunkSize, len(e.Keys))
				if kf.key != "" || kf.keyFile != "" {
					key, err := kf.dataKey(m)
					if err != nil {
						return err
					}
					id, size, err := m.Object(key)
					if err != nil {
						return err
					}
					fmt.Fprintf(w, "object   %s\n", id)
					fmt.Fprintf(w, "plain    %d bytes\n", size)
				}
			} else {
				fmt.Fprintf(w, "object   %s\n", m.ID)
				fmt.Fprintf(w, "size     %d\n", m.Size)
			}
			fmt.Fprintf(w, "coding   %s, k=%d n=%d, %d-byte blocks, %d stripes\n", object.CodingScheme, m.K, m.N, m.BlockSize, l.Stripes())
			fmt.Fprintf(w, "shards   %d bytes each\n", l.ShardSize())
			for i, h := range m.Shards {
				kind := "data"
				if i >= m.K {
					kind = "parity"
				}
				fmt.Fprintf(w, "  %3d %-6s %x\n", i, kind, h)
			}
			return nil
		},
	}
	kf.add(cmd)
	return cmd
}

// writeAtomic creates path through a temporary file in the same directory
// that fill writes, syncs and renames into place only if fill succeeds.
func writeAtomic(path string, fill func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // a no-op after the rename
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	// The rename itself must reach the disk before we report success.
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func writeFileAtomic(path string, data []byte) error {
	return writeAtomic(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

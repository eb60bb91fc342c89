package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

func newInitCmd() *cobra.Command {
	var name, base, description string
	var private bool
	var to []string
	var segSize uint64
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a repository (in DIR or the current directory)",
		Long: `Create a repository owned by your identity. Its address is the NIP-34
coordinate 30617:<your public key>:<name>; 'agigit address' prints it as an
naddr once relays are added.

--base NADDR:COMMIT names a commit of another repository (a foundation model)
this one builds on: objects equal to the base's are referenced, never
uploaded again. --private encrypts objects and commit contents; --to adds
readers besides you.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := workDir(cmd)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				if filepath.IsAbs(args[0]) {
					dir = args[0]
				} else {
					dir = filepath.Join(dir, args[0])
				}
			}
			k, err := loadKey()
			if err != nil {
				return err
			}
			if segSize != 0 {
				if err := repo.CheckSegmentSize(segSize); err != nil {
					return usageError{err}
				}
			}
			opts := repo.InitOptions{Name: name, Owner: k.Public, Private: private}
			if base != "" {
				b, err := repo.ParseBaseSpec(base)
				if err != nil {
					return usageError{err}
				}
				opts.Base = b
			}
			for _, s := range to {
				pk, err := keys.ParsePublic(s)
				if err != nil {
					return usageError{err}
				}
				opts.Recipients = appendUnique(opts.Recipients, pk)
			}
			if len(to) > 0 && !private {
				return usageError{fmt.Errorf("--to needs --private")}
			}
			r, err := repo.Init(dir, opts)
			if err != nil {
				return err
			}
			if description != "" || segSize != 0 {
				r.Config.Description = description
				r.Config.SegmentSize = segSize
				if err := r.SaveConfig(); err != nil {
					return err
				}
			}
			if private {
				rk, err := repo.NewRepoKey()
				if err != nil {
					return err
				}
				if err := r.SetRepoKey(rk); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Initialized empty agigit repository in %s%c\n", r.Dir, filepath.Separator)
			fmt.Fprintf(out, "name: %s, owner: %s\n", r.Config.Name, keys.Npub(r.Config.Owner))
			if private {
				fmt.Fprintf(out, "private: readable by you and %d other key(s)\n", len(opts.Recipients))
			}
			if opts.Base != nil {
				fmt.Fprintf(out, "base: %s at %s\n", opts.Base.Address, opts.Base.Commit)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "repository name (default: the directory's name)")
	cmd.Flags().StringVar(&description, "description", "", "one-line description published with the repository")
	cmd.Flags().StringVar(&base, "base", "", "base commit this repository builds on, as `NADDR:COMMIT`")
	cmd.Flags().BoolVar(&private, "private", false, "encrypt objects and commits")
	cmd.Flags().StringSliceVar(&to, "to", nil, "also let `NPUB` read the private repository (repeatable)")
	cmd.Flags().Uint64Var(&segSize, "segment-size", 0, "store files larger than `BYTES` (a power of two, default 256 MiB) as several objects")
	return cmd
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

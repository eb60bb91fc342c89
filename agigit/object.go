package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// newObjectCmd holds the plumbing commands that work on single objects.
func newObjectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "object",
		Short: "Plumbing: object ids, shards and manifests",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "hash FILE...",
		Short: "Print the object id of each file",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range args {
				id, err := hashFile(name)
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
	})
	return cmd
}

func hashFile(name string) (merkle.ID, error) {
	f, err := os.Open(name)
	if err != nil {
		return merkle.ID{}, err
	}
	defer f.Close()
	id, _, err := merkle.Sum(f)
	if err != nil {
		return merkle.ID{}, fmt.Errorf("hash %s: %w", name, err)
	}
	return id, nil
}

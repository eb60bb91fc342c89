// Command relayer is the relay operator's agent: a Nostr relay and Blossom blob
// server for model shards, and the agent that takes paid orders.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/version"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "relayer:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "relayer",
		Short:         "Serve model shards and metadata to agigit users",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRunCmd(), newCheckCmd())
	return root
}

// Command agigit is the model author's tool: git for AI models whose objects
// are erasure-coded over independent Nostr relays.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/version"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "agigit:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "agigit",
		Short:         "Version AI models over Nostr relays",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newObjectCmd())
	return root
}

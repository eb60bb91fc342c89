// Command indexer follows the chain's market and PoWoC events into PostgreSQL
// for analysts.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/version"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "indexer:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	return &cobra.Command{
		Use:           "indexer",
		Short:         "Index on-chain orders and rewards into PostgreSQL",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
}

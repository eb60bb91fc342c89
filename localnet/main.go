// Command localnet runs an embedded Aptos-compatible chain and the Move
// toolchain (test runner, checker) that executes the project's contracts.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/version"
	// The embedded Move framework installs itself in the Move toolchain.
	_ "github.com/agi-nostr/agi-nostr/localnet/framework"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		if err != errSilent {
			fmt.Fprintln(os.Stderr, "localnet:", err)
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "localnet",
		Short:         "Embedded Aptos-compatible chain and Move toolchain",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newMoveCmd())
	root.AddCommand(newRunCmd(), newKeysCmd())
	return root
}

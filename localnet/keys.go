package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
)

func newKeysCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "publisher-key",
		Short: "Print the package publisher's development key and address",
		Long: `Prints the fixed Ed25519 private key (hex) and the address of the account
that the localnet publishes the Move package at. The key is public: it is
what makes the package address the same on every localnet, including one
run with the aptos CLI (scripts/localnet-aptos.sh). Never fund it on a real
network.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr := movevm.PublisherAccount()
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", movevm.PublisherKey().ToHex(), addr.StringLong())
			return nil
		},
	}
}

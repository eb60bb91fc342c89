package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
)

func newKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Manage your identity (a Nostr key)",
		Long: `Your identity is a Nostr secret key kept as an nsec in a file only you can
read ($AGIGIT_HOME/key, by default ~/.config/agigit/key). Setting AGIGIT_KEY
to an nsec in the environment overrides the file.`,
	}
	var force bool
	newCmd := &cobra.Command{
		Use:   "new",
		Short: "Create a new identity",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := keys.Generate()
			if err != nil {
				return err
			}
			return saveKey(cmd, k, force)
		},
	}
	newCmd.Flags().BoolVarP(&force, "force", "f", false, "replace an existing key file")
	importCmd := &cobra.Command{
		Use:   "import [NSEC]",
		Short: "Import an existing identity (from the argument or standard input)",
		Long: `Import an existing identity. The nsec (or 64 hex characters) is read from the
argument or, to keep it out of the shell history, from standard input.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			var s string
			if len(args) == 1 {
				s = args[0]
			} else {
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 4096))
				if err != nil {
					return fmt.Errorf("read key from standard input: %w", err)
				}
				s = string(b)
			}
			k, err := keys.Parse(s)
			if err != nil {
				return err
			}
			return saveKey(cmd, k, force)
		},
	}
	importCmd.Flags().BoolVarP(&force, "force", "f", false, "replace an existing key file")
	var showSecret bool
	showCmd := &cobra.Command{
		Use:   "show",
		Short: "Show your public key (npub), and where the key comes from",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, src, err := keys.Load()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, k.Npub())
			fmt.Fprintf(cmd.ErrOrStderr(), "public key (hex): %s\nfrom: %s\n", k.Public, src)
			if showSecret {
				fmt.Fprintln(out, k.Nsec())
			}
			return nil
		},
	}
	showCmd.Flags().BoolVar(&showSecret, "secret", false, "also print the secret key (nsec)")
	cmd.AddCommand(newCmd, importCmd, showCmd)
	return cmd
}

func saveKey(cmd *cobra.Command, k keys.Key, force bool) error {
	path, err := keys.DefaultPath()
	if err != nil {
		return err
	}
	if err := keys.Save(path, k, force); err != nil {
		if errors.Is(err, keys.ErrExists) {
			return failf("%v", err)
		}
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), k.Npub())
	fmt.Fprintf(cmd.ErrOrStderr(), "key saved to %s (mode 0600); keep a copy: whoever holds it owns your repositories\n", path)
	if v := os.Getenv(keys.EnvKey); strings.TrimSpace(v) != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s is set and overrides this key file\n", keys.EnvKey)
	}
	return nil
}

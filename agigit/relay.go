package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nbd-wtf/go-nostr/nip11"
	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

func newRelayCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "relay",
		Short: "Manage the relays this repository fetches from and pushes to",
		Long: `A relay is given by its websocket address (ws:// or wss://); the relayer
serves Blossom blobs on the same host and port. A relay added without
--fetch or --push is used for both.`,
	}
	var fetch, push bool
	add := &cobra.Command{
		Use:   "add [--fetch|--push] URL...",
		Short: "Use relays for fetching, pushing or both",
		Args:  usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editRelays(cmd, args, func(c *repo.Config, u string) bool {
				f, p := fetch, push
				if !f && !p {
					f, p = true, true
				}
				return c.AddRelay(u, f, p)
			}, false)
		},
	}
	add.Flags().BoolVar(&fetch, "fetch", false, "fetch from this relay")
	add.Flags().BoolVar(&push, "push", false, "push to this relay")
	remove := &cobra.Command{
		Use:   "remove [--fetch|--push] URL...",
		Short: "Stop using relays for fetching, pushing or both",
		Args:  usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editRelays(cmd, args, func(c *repo.Config, u string) bool {
				f, p := fetch, push
				if !f && !p {
					f, p = true, true
				}
				return c.RemoveRelay(u, f, p)
			}, true)
		},
	}
	remove.Flags().BoolVar(&fetch, "fetch", false, "stop fetching from this relay")
	remove.Flags().BoolVar(&push, "push", false, "stop pushing to this relay")
	var offline bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the relays, with the public key each announces (NIP-11)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			infos := make([]string, len(r.Config.Relays))
			if !offline {
				ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
				defer cancel()
				var wg sync.WaitGroup
				for i, rl := range r.Config.Relays {
					wg.Add(1)
					go func() {
						defer wg.Done()
						infos[i] = relayInfo(ctx, rl.URL)
					}()
				}
				wg.Wait()
			}
			out := cmd.OutOrStdout()
			for i, rl := range r.Config.Relays {
				var use []string
				if rl.Fetch {
					use = append(use, "fetch")
				}
				if rl.Push {
					use = append(use, "push")
				}
				line := fmt.Sprintf("%s\t(%s)", rl.URL, strings.Join(use, ", "))
				if infos[i] != "" {
					line += "\t" + infos[i]
				}
				fmt.Fprintln(out, line)
			}
			return nil
		},
	}
	list.Flags().BoolVar(&offline, "offline", false, "do not ask the relays for their NIP-11 documents")
	cmd.AddCommand(add, remove, list)
	return cmd
}

// relayInfo describes a relay from its NIP-11 document: its public key
// (npub) when it gives one, or why it could not be asked.
func relayInfo(ctx context.Context, url string) string {
	info, err := nip11.Fetch(ctx, url)
	if err != nil {
		return "unreachable"
	}
	var parts []string
	if info.PubKey != "" {
		if pk, err := keys.ParsePublic(info.PubKey); err == nil {
			parts = append(parts, keys.Npub(pk))
		}
	}
	if info.Name != "" {
		parts = append(parts, fmt.Sprintf("%q", info.Name))
	}
	return strings.Join(parts, " ")
}

func editRelays(cmd *cobra.Command, args []string, edit func(*repo.Config, string) bool, mustExist bool) error {
	r, unlock, err := openLocked(cmd)
	if err != nil {
		return err
	}
	defer unlock()
	for _, a := range args {
		u, err := repo.NormalizeRelayURL(a)
		if err != nil {
			return usageError{err}
		}
		if !edit(r.Config, u) && mustExist {
			return failf("no such relay '%s'", u)
		}
	}
	return r.SaveConfig()
}

package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/remote"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

func newSearchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search [--relay URL]... [--limit N] WORDS...",
		Short: "Find repositories on relays by name, description or topic",
		Long: `Ask relays for the repositories whose name, description or topics match
WORDS (NIP-50 search; every word must match, "a phrase" in quotes, -word
excludes, 'or' between alternatives). Each hit shows its name, description
and the address to clone it with. The relays are those given with --relay,
else the current repository's. Exit status 1 when nothing matches.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			relays, err := searchRelays(cmd)
			if err != nil {
				return err
			}
			limit, _ := cmd.Flags().GetInt("limit")
			if limit < 1 {
				return usageError{errors.New("--limit must be at least 1")}
			}
			query := strings.Join(args, " ")
			ctx, cancel := signalContext(cmd)
			defer cancel()
			hits, failed := remote.Search(ctx, relays, query, limit)
			for _, u := range relays {
				if err := failed[u]; err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: relay %s: %v\n", u, err)
				}
			}
			if len(failed) == len(relays) {
				return fmt.Errorf("no relay answered the search")
			}
			out := cmd.OutOrStdout()
			for _, h := range hits {
				c := repo.Coordinate{Kind: repo.KindRepoAnnouncement, Pubkey: h.Owner, Name: h.Name}
				addr, err := repo.EncodeNaddr(c, mergeRelays(h.Relays, h.FoundOn))
				if err != nil {
					continue
				}
				label := h.Name
				if h.Private {
					label += " (private)"
				}
				if h.Description != "" {
					label += "  " + h.Description
				}
				fmt.Fprintf(out, "%s\n    %s\n", label, addr)
			}
			if len(hits) == 0 {
				return failf("no repository matches %q", query)
			}
			return nil
		},
	}
	addRelayFlag(cmd)
	cmd.Flags().Int("limit", 20, "most repositories to show")
	return cmd
}

// searchRelays are the --relay URLs, else the current repository's fetch
// relays.
func searchRelays(cmd *cobra.Command) ([]string, error) {
	extra, _ := cmd.Flags().GetStringSlice("relay")
	var out []string
	for _, u := range extra {
		n, err := repo.NormalizeRelayURL(u)
		if err != nil {
			return nil, usageError{err}
		}
		out = appendUnique(out, n)
	}
	if len(out) > 0 {
		return out, nil
	}
	if r, _, err := openRepo(cmd); err == nil {
		out = r.Config.FetchRelays()
	}
	if len(out) == 0 {
		return nil, usageError{errors.New("no relays to search: give one with --relay URL")}
	}
	return out, nil
}

// mergeRelays lists a's relays, then b's not among them.
func mergeRelays(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, u := range b {
		out = appendUnique(out, u)
	}
	return out
}

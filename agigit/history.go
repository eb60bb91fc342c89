package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

const gitDate = "Mon Jan 2 15:04:05 2006 -0700"

func newLogCmd() *cobra.Command {
	var max int
	var oneline, all bool
	cmd := &cobra.Command{
		Use:   "log [REV...]",
		Short: "Show the commit history",
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			var starts []string
			if all {
				refs, err := r.AllRefs()
				if err != nil {
					return err
				}
				for _, id := range refs {
					starts = append(starts, id)
				}
			}
			if len(args) == 0 && !all {
				args = []string{"HEAD"}
			}
			for _, a := range args {
				id, err := r.ResolveRev(a)
				if err != nil {
					h, herr := r.ReadHead()
					if a == "HEAD" && herr == nil && h.Commit == "" {
						return fmt.Errorf("your current branch '%s' does not have any commits yet", h.Branch)
					}
					return err
				}
				starts = append(starts, id)
			}
			deco, err := decorations(r)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			n := 0
			first := true
			missing, err := r.Walk(starts, func(c *repo.Commit) bool {
				if max > 0 && n >= max {
					return false
				}
				n++
				if oneline {
					fmt.Fprintf(out, "%s%s %s\n", shortID(c.ID), deco(c.ID), c.Subject())
					return true
				}
				if !first {
					fmt.Fprintln(out)
				}
				first = false
				printCommitHeader(out, c, deco(c.ID))
				return true
			})
			if err != nil {
				return err
			}
			if len(missing) > 0 && (max == 0 || n < max) {
				fmt.Fprintf(cmd.ErrOrStderr(), "(history continues in %d commit(s) not fetched yet, e.g. %s; run agigit fetch)\n", len(missing), shortID(missing[0]))
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&max, "max-count", "n", 0, "show at most `N` commits")
	cmd.Flags().BoolVar(&oneline, "oneline", false, "one line per commit")
	cmd.Flags().BoolVar(&all, "all", false, "every branch and tag, local and fetched")
	return cmd
}

func printCommitHeader(out io.Writer, c *repo.Commit, deco string) {
	fmt.Fprintf(out, "commit %s%s\n", c.ID, deco)
	if len(c.Parents) > 1 {
		var ps []string
		for _, p := range c.Parents {
			ps = append(ps, shortID(p))
		}
		fmt.Fprintf(out, "Merge: %s\n", strings.Join(ps, " "))
	}
	fmt.Fprintf(out, "Author: %s\n", keys.Npub(c.Author))
	fmt.Fprintf(out, "Date:   %s\n", c.Time.Local().Format(gitDate))
	if c.Base != nil && len(c.Parents) == 0 {
		fmt.Fprintf(out, "Base:   %s %s\n", c.Base.Address, shortID(c.Base.Commit))
	}
	fmt.Fprintln(out)
	msg := c.Message
	if c.Encrypted && c.Files == nil {
		msg = "(private commit: this key cannot read it)"
	}
	for _, l := range strings.Split(msg, "\n") {
		fmt.Fprintf(out, "    %s\n", l)
	}
}

// decorations labels commits with the refs pointing at them, as git log
// --decorate does.
func decorations(r *repo.Repo) (func(string) string, error) {
	h, err := r.ReadHead()
	if err != nil {
		return nil, err
	}
	refs, err := r.AllRefs()
	if err != nil {
		return nil, err
	}
	labels := make(map[string][]string)
	names := make([]string, 0, len(refs))
	for name := range refs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		id := refs[name]
		var label string
		switch {
		case strings.HasPrefix(name, repo.HeadsPrefix):
			b := strings.TrimPrefix(name, repo.HeadsPrefix)
			if b == h.Branch {
				continue
			}
			label = b
		case strings.HasPrefix(name, repo.TagsPrefix):
			label = "tag: " + strings.TrimPrefix(name, repo.TagsPrefix)
		case strings.HasPrefix(name, repo.RelayHeadsPrefix):
			label = "relays/" + strings.TrimPrefix(name, repo.RelayHeadsPrefix)
		default:
			continue
		}
		labels[id] = append(labels[id], label)
	}
	if h.Commit != "" {
		head := "HEAD"
		if h.Branch != "" {
			head = "HEAD -> " + h.Branch
		}
		labels[h.Commit] = append([]string{head}, labels[h.Commit]...)
	}
	return func(id string) string {
		if l := labels[id]; len(l) > 0 {
			return " (" + strings.Join(l, ", ") + ")"
		}
		return ""
	}, nil
}

func newShowCmd() *cobra.Command {
	var stat bool
	cmd := &cobra.Command{
		Use:   "show [REV]",
		Short: "Show a commit and its files",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			rev := "HEAD"
			if len(args) == 1 {
				rev = args[0]
			}
			id, err := r.ResolveRev(rev)
			if err != nil {
				return err
			}
			c, err := r.LoadCommit(id)
			if err != nil {
				return err
			}
			deco, err := decorations(r)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			printCommitHeader(out, c, deco(c.ID))
			fmt.Fprintln(out)
			parentTree := map[string]repo.FileEntry{}
			if len(c.Parents) > 0 {
				if p, err := r.LoadCommit(c.Parents[0]); err == nil {
					parentTree = p.Tree()
				}
			}
			changes := repo.DiffTrees(parentTree, c.Tree())
			changed := make(map[string]repo.ChangeKind)
			for _, ch := range changes {
				changed[ch.Path] = ch.Kind
			}
			if stat {
				// How each file is stored (agigit/delta.go).
				return printStorageStat(out, r, c, changed)
			}
			var total uint64
			for _, f := range c.Files {
				mark := " "
				if k, ok := changed[f.Path]; ok {
					mark = map[repo.ChangeKind]string{repo.Added: "A", repo.Modified: "M"}[k]
				}
				fmt.Fprintf(out, " %s %s  %10s  %s\n", mark, f.ID.String()[:12], humanBytes(f.Size), f.Path)
				total += f.Size
			}
			for _, ch := range changes {
				if ch.Kind == repo.Deleted {
					fmt.Fprintf(out, " D %12s  %10s  %s\n", "", "", ch.Path)
				}
			}
			fmt.Fprintf(out, " %d file(s), %s; %d changed\n", len(c.Files), humanBytes(total), len(changes))
			return nil
		},
	}
	cmd.Flags().BoolVar(&stat, "stat", false, "show how each file and tensor is stored and its stored size")
	return cmd
}

func newBranchCmd() *cobra.Command {
	var del, remote, all bool
	cmd := &cobra.Command{
		Use:   "branch [NAME [START]]",
		Short: "List branches, or create NAME at HEAD (or START)",
		Args:  usageArgs(cobra.MaximumNArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			h, err := r.ReadHead()
			if err != nil {
				return err
			}
			if del {
				if len(args) != 1 {
					return usageError{errors.New("branch -d needs a branch name")}
				}
				if args[0] == h.Branch {
					return failf("Cannot delete branch '%s' checked out at '%s'", args[0], r.Root)
				}
				id, err := r.ReadRef(repo.HeadsPrefix + args[0])
				if err != nil {
					return err
				}
				if id == "" {
					return failf("branch '%s' not found.", args[0])
				}
				unlock, err := r.Lock()
				if err != nil {
					return err
				}
				defer unlock()
				if err := r.DeleteRef(repo.HeadsPrefix + args[0]); err != nil {
					return err
				}
				fmt.Fprintf(out, "Deleted branch %s (was %s).\n", args[0], shortID(id))
				return nil
			}
			if len(args) == 0 {
				if !remote {
					local, err := r.ListRefs(repo.HeadsPrefix)
					if err != nil {
						return err
					}
					names := repo.SortedNames(local, repo.HeadsPrefix)
					if h.Branch == "" && h.Commit != "" {
						fmt.Fprintf(out, "* (HEAD detached at %s)\n", shortID(h.Commit))
					}
					for _, n := range names {
						mark := " "
						if n == h.Branch {
							mark = "*"
						}
						fmt.Fprintf(out, "%s %s\n", mark, n)
					}
				}
				if remote || all {
					rem, err := r.ListRefs(repo.RelayHeadsPrefix)
					if err != nil {
						return err
					}
					for _, n := range repo.SortedNames(rem, repo.RelayHeadsPrefix) {
						fmt.Fprintf(out, "  relays/%s\n", n)
					}
				}
				return nil
			}
			name := args[0]
			if err := repo.ValidateRefName(name); err != nil {
				return err
			}
			if id, _ := r.ReadRef(repo.HeadsPrefix + name); id != "" {
				return fmt.Errorf("a branch named '%s' already exists", name)
			}
			start := "HEAD"
			if len(args) == 2 {
				start = args[1]
			}
			id, err := r.ResolveRev(start)
			if err != nil {
				if start == "HEAD" && h.Commit == "" {
					return fmt.Errorf("not a valid object name: '%s' (no commits yet)", h.Branch)
				}
				return err
			}
			if !r.HasCommit(id) {
				return fmt.Errorf("not a valid commit: '%s'", start)
			}
			unlock, err := r.Lock()
			if err != nil {
				return err
			}
			defer unlock()
			return r.UpdateRef(repo.HeadsPrefix+name, id)
		},
	}
	cmd.Flags().BoolVarP(&del, "delete", "d", false, "delete a branch")
	cmd.Flags().BoolVarP(&remote, "remotes", "r", false, "list the branches fetched from the relays")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "list local and fetched branches")
	return cmd
}

func newTagCmd() *cobra.Command {
	var del, force bool
	cmd := &cobra.Command{
		Use:   "tag [NAME [COMMIT]]",
		Short: "List tags, or create tag NAME at HEAD (or COMMIT)",
		Args:  usageArgs(cobra.MaximumNArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(args) == 0 {
				if del {
					return usageError{errors.New("tag -d needs a tag name")}
				}
				tags, err := r.ListRefs(repo.TagsPrefix)
				if err != nil {
					return err
				}
				for _, n := range repo.SortedNames(tags, repo.TagsPrefix) {
					fmt.Fprintln(out, n)
				}
				return nil
			}
			name := args[0]
			if err := repo.ValidateRefName(name); err != nil {
				return err
			}
			unlock, err := r.Lock()
			if err != nil {
				return err
			}
			defer unlock()
			old, err := r.ReadRef(repo.TagsPrefix + name)
			if err != nil {
				return err
			}
			if del {
				if old == "" {
					return failf("tag '%s' not found.", name)
				}
				if err := r.DeleteRef(repo.TagsPrefix + name); err != nil {
					return err
				}
				fmt.Fprintf(out, "Deleted tag '%s' (was %s)\n", name, shortID(old))
				return nil
			}
			if old != "" && !force {
				return fmt.Errorf("tag '%s' already exists", name)
			}
			rev := "HEAD"
			if len(args) == 2 {
				rev = args[1]
			}
			id, err := r.ResolveRev(rev)
			if err != nil {
				return err
			}
			if !r.HasCommit(id) {
				return fmt.Errorf("not a valid commit: '%s'", rev)
			}
			return r.UpdateRef(repo.TagsPrefix+name, id)
		},
	}
	cmd.Flags().BoolVarP(&del, "delete", "d", false, "delete a tag")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "replace an existing tag")
	return cmd
}

func shortID(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func sortStrings(s []string) { slices.Sort(s) }

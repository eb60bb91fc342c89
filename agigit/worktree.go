package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

func newAddCmd() *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:   "add PATH...",
		Short: "Stage files (new, changed or removed) for the next commit",
		Long: `Stage files for the next commit. Each PATH is a file or a directory; a
directory stages everything under it, including files removed from the
working tree. '-A' stages the whole working tree. Files are copied into the
repository's object store as they are hashed, in bounded memory.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, cwd, err := openRepo(cmd)
			if err != nil {
				return err
			}
			if len(args) == 0 && !all {
				return usageError{errors.New("nothing specified, nothing added (maybe you wanted 'agigit add .'?)")}
			}
			var paths []string
			if all {
				paths = []string{""}
			}
			for _, a := range args {
				p, err := r.RelPath(cwd, a)
				if err != nil {
					return err
				}
				paths = append(paths, p)
			}
			unlock, err := r.Lock()
			if err != nil {
				return err
			}
			defer unlock()
			res, err := r.Add(paths, repo.AddOptions{Force: force, Progress: addProgress(cmd.ErrOrStderr())})
			if err != nil {
				return err
			}
			for _, s := range res.Skipped {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: skipped '%s': not a regular file\n", s)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "A", false, "stage every change in the working tree")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "add ignored files named explicitly")
	return cmd
}

// addProgress reports large files as they are hashed, so a multi-gigabyte
// add does not look stuck.
func addProgress(w io.Writer) func(string, int64) {
	return func(p string, size int64) {
		if size >= 64<<20 {
			fmt.Fprintf(w, "hashing %s (%s)\n", p, humanBytes(uint64(size)))
		}
	}
}

func newRmCmd() *cobra.Command {
	var cached bool
	cmd := &cobra.Command{
		Use:   "rm PATH...",
		Short: "Remove files from the working tree and the index",
		Args:  usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, cwd, err := openRepo(cmd)
			if err != nil {
				return err
			}
			var paths []string
			for _, a := range args {
				p, err := r.RelPath(cwd, a)
				if err != nil {
					return err
				}
				paths = append(paths, p)
			}
			unlock, err := r.Lock()
			if err != nil {
				return err
			}
			defer unlock()
			removed, err := r.Remove(paths, cached)
			if err != nil {
				return err
			}
			for _, p := range removed {
				fmt.Fprintf(cmd.OutOrStdout(), "rm '%s'\n", p)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&cached, "cached", false, "only unstage; keep the working tree files")
	return cmd
}

func newStatusCmd() *cobra.Command {
	var short bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the working tree status",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, cwd, err := openRepo(cmd)
			if err != nil {
				return err
			}
			st, err := r.Status()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rel := func(p string) string { return displayPath(r, cwd, p) }
			if short {
				printShortStatus(out, st, rel)
				return nil
			}
			printHeadLine(out, r, st.Head)
			if st.Head.Commit == "" {
				fmt.Fprint(out, "\nNo commits yet\n")
			}
			if len(st.Staged) > 0 {
				fmt.Fprint(out, "\nChanges to be committed:\n  (use \"agigit rm --cached <file>...\" to unstage)\n")
				for _, c := range st.Staged {
					fmt.Fprintf(out, "\t%-12s%s\n", c.Kind.String()+":", rel(c.Path))
				}
			}
			if len(st.Unstaged) > 0 {
				fmt.Fprint(out, "\nChanges not staged for commit:\n  (use \"agigit add <file>...\" to update what will be committed)\n  (use \"agigit checkout --force HEAD\" to discard changes in the working tree)\n")
				for _, c := range st.Unstaged {
					fmt.Fprintf(out, "\t%-12s%s\n", c.Kind.String()+":", rel(c.Path))
				}
			}
			if len(st.Untracked) > 0 {
				fmt.Fprint(out, "\nUntracked files:\n  (use \"agigit add <file>...\" to include in what will be committed)\n")
				for _, p := range st.Untracked {
					fmt.Fprintf(out, "\t%s\n", rel(p))
				}
			}
			fmt.Fprintln(out)
			switch {
			case len(st.Staged) > 0:
			case len(st.Unstaged) > 0:
				fmt.Fprintln(out, "no changes added to commit (use \"agigit add\" and/or \"agigit commit -a\")")
			case len(st.Untracked) > 0:
				fmt.Fprintln(out, "nothing added to commit but untracked files present (use \"agigit add\" to track)")
			case st.Head.Commit == "":
				fmt.Fprintln(out, "nothing to commit (create/copy files and use \"agigit add\" to track)")
			default:
				fmt.Fprintln(out, "nothing to commit, working tree clean")
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&short, "short", "s", false, "give the output in the short format")
	return cmd
}

func printHeadLine(out io.Writer, r *repo.Repo, h repo.Head) {
	if h.Branch != "" {
		fmt.Fprintf(out, "On branch %s\n", h.Branch)
		if h.Commit != "" {
			if up, _ := r.ReadRef(repo.RelayHeadsPrefix + h.Branch); up != "" {
				printTracking(out, r, h, up)
			}
		}
		return
	}
	fmt.Fprintf(out, "HEAD detached at %s\n", shortID(h.Commit))
}

func printTracking(out io.Writer, r *repo.Repo, h repo.Head, up string) {
	ahead, behind, err := aheadBehind(r, h.Commit, up)
	if err != nil {
		return
	}
	name := "relays/" + h.Branch
	switch {
	case ahead == 0 && behind == 0:
		fmt.Fprintf(out, "Your branch is up to date with '%s'.\n", name)
	case behind == 0:
		fmt.Fprintf(out, "Your branch is ahead of '%s' by %d commit(s).\n  (use \"agigit push\" to publish your local commits)\n", name, ahead)
	case ahead == 0:
		fmt.Fprintf(out, "Your branch is behind '%s' by %d commit(s).\n  (use \"agigit pull\" to update your local branch)\n", name, behind)
	default:
		fmt.Fprintf(out, "Your branch and '%s' have diverged,\nand have %d and %d different commits each, respectively.\n", name, ahead, behind)
	}
}

// aheadBehind counts the commits reachable from a but not b, and from b
// but not a.
func aheadBehind(r *repo.Repo, a, b string) (int, int, error) {
	reach := func(id string) (map[string]bool, error) {
		m := make(map[string]bool)
		_, err := r.Walk([]string{id}, func(c *repo.Commit) bool { m[c.ID] = true; return true })
		return m, err
	}
	ra, err := reach(a)
	if err != nil {
		return 0, 0, err
	}
	rb, err := reach(b)
	if err != nil {
		return 0, 0, err
	}
	ahead, behind := 0, 0
	for id := range ra {
		if !rb[id] {
			ahead++
		}
	}
	for id := range rb {
		if !ra[id] {
			behind++
		}
	}
	return ahead, behind, nil
}

func printShortStatus(out io.Writer, st *repo.Status, rel func(string) string) {
	codes := make(map[string][2]byte)
	letter := map[repo.ChangeKind]byte{repo.Added: 'A', repo.Modified: 'M', repo.Deleted: 'D'}
	for _, c := range st.Staged {
		v := codes[c.Path]
		v[0] = letter[c.Kind]
		codes[c.Path] = v
	}
	for _, c := range st.Unstaged {
		v := codes[c.Path]
		v[1] = letter[c.Kind]
		codes[c.Path] = v
	}
	var paths []string
	for p := range codes {
		paths = append(paths, p)
	}
	sortStrings(paths)
	for _, p := range paths {
		v := codes[p]
		for i := range v {
			if v[i] == 0 {
				v[i] = ' '
			}
		}
		fmt.Fprintf(out, "%c%c %s\n", v[0], v[1], rel(p))
	}
	for _, p := range st.Untracked {
		fmt.Fprintf(out, "?? %s\n", rel(p))
	}
}

// displayPath shows a root-relative path relative to the current directory,
// as git does.
func displayPath(r *repo.Repo, cwd, p string) string {
	abs := filepath.Join(r.Root, filepath.FromSlash(p))
	rel, err := filepath.Rel(cwd, abs)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

func newCommitCmd() *cobra.Command {
	var messages []string
	var all bool
	cmd := &cobra.Command{
		Use:   "commit -m MSG [-a]",
		Short: "Record the staged changes as a signed commit",
		Long: `Record the staged changes as a new commit: a Nostr event of kind 3617,
signed with your key and stored locally, ready to push. -a first stages
changes to tracked files (not new files).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(messages) == 0 {
				return usageError{errors.New("no commit message given: use -m MSG")}
			}
			msg := strings.TrimSpace(strings.Join(messages, "\n\n"))
			if msg == "" {
				return failf("Aborting commit due to empty commit message.")
			}
			r, unlock, err := openLocked(cmd)
			if err != nil {
				return err
			}
			defer unlock()
			k, err := loadKey()
			if err != nil {
				return err
			}
			if all {
				if _, err := r.Add([]string{""}, repo.AddOptions{OnlyTracked: true, Progress: addProgress(cmd.ErrOrStderr())}); err != nil {
					return err
				}
			}
			// Safetensors files with a counterpart in the base or parent
			// commit are stored as deltas of it (agigit/delta.go).
			reports, err := stageDeltas(cmd, r, nil)
			if err != nil {
				return err
			}
			_, headTree, err := r.HeadTree()
			if err != nil {
				return err
			}
			c, err := r.CreateCommit(k, msg, time.Now())
			if errors.Is(err, repo.ErrNothingToCommit) {
				st, serr := r.Status()
				if serr != nil {
					return serr
				}
				out := cmd.OutOrStdout()
				printHeadLine(out, r, st.Head)
				switch {
				case len(st.Unstaged) > 0:
					fmt.Fprintln(out, "no changes added to commit (use \"agigit add\" and/or \"agigit commit -a\")")
				case len(st.Untracked) > 0:
					fmt.Fprintln(out, "nothing added to commit but untracked files present (use \"agigit add\" to track)")
				default:
					fmt.Fprintln(out, "nothing to commit, working tree clean")
				}
				return &exitError{code: 1}
			}
			if err != nil {
				return err
			}
			h, err := r.ReadHead()
			if err != nil {
				return err
			}
			where := h.Branch
			if where == "" {
				where = "detached HEAD"
			}
			if len(c.Parents) == 0 {
				where += " (root-commit)"
			}
			changes := repo.DiffTrees(headTree, c.Tree())
			fmt.Fprintf(cmd.OutOrStdout(), "[%s %s] %s\n %d file(s) changed\n", where, shortID(c.ID), c.Subject(), len(changes))
			printDeltaReports(cmd.OutOrStdout(), reports)
			return forgetLoraHints(r, c)
		},
	}
	cmd.Flags().StringArrayVarP(&messages, "message", "m", nil, "commit message (repeat for more paragraphs)")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "stage changes to tracked files first")
	return cmd
}

func newCheckoutCmd() *cobra.Command {
	var force bool
	var newBranch string
	cmd := &cobra.Command{
		Use:   "checkout [--force] [-b NEW] COMMIT|BRANCH",
		Short: "Switch branches or check out a commit",
		Long: `Make the working tree match a branch or a commit. Local changes to files
the switch does not touch are kept; changes it would overwrite make it
refuse, unless --force discards them. A branch known only from the relays
(after 'agigit fetch') is created locally and checked out. Objects missing
from the local store are downloaded from the relays.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			if len(args) == 0 && newBranch == "" {
				return usageError{errors.New("checkout needs a COMMIT or BRANCH")}
			}
			unlock, err := r.Lock()
			if err != nil {
				return err
			}
			defer unlock()
			return checkout(cmd, r, args, newBranch, force)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "discard local changes that are in the way")
	cmd.Flags().StringVarP(&newBranch, "branch", "b", "", "create branch `NEW` at the commit and switch to it")
	return cmd
}

func checkout(cmd *cobra.Command, r *repo.Repo, args []string, newBranch string, force bool) error {
	out := cmd.OutOrStdout()
	errOut := cmd.ErrOrStderr()
	head, err := r.ReadHead()
	if err != nil {
		return err
	}
	var target, branch string
	created := ""
	switch {
	case newBranch != "":
		if err := repo.ValidateRefName(newBranch); err != nil {
			return err
		}
		if id, _ := r.ReadRef(repo.HeadsPrefix + newBranch); id != "" {
			return fmt.Errorf("a branch named '%s' already exists", newBranch)
		}
		target = head.Commit
		if len(args) == 1 {
			if target, err = r.ResolveRev(args[0]); err != nil {
				return err
			}
		}
		branch = newBranch
		created = newBranch
	default:
		arg := args[0]
		if id, err := r.ReadRef(repo.HeadsPrefix + arg); err != nil {
			return err
		} else if id != "" {
			target, branch = id, arg
		} else if id, err := r.ReadRef(repo.RelayHeadsPrefix + arg); err != nil {
			return err
		} else if id != "" && repo.ValidateRefName(arg) == nil {
			target, branch, created = id, arg, arg
			fmt.Fprintf(out, "branch '%s' set up from 'relays/%s'.\n", arg, arg)
		} else if target, err = r.ResolveRev(arg); err != nil {
			return err
		}
	}
	if target == "" {
		// -b on an unborn branch: only HEAD moves.
		if err := r.SetHeadBranch(branch); err != nil {
			return err
		}
		fmt.Fprintf(errOut, "Switched to a new branch '%s'\n", branch)
		return nil
	}
	if branch != "" && branch == head.Branch && target == head.Commit && !force {
		fmt.Fprintf(errOut, "Already on '%s'\n", branch)
		return nil
	}
	if created != "" {
		if err := r.UpdateRef(repo.HeadsPrefix+created, target); err != nil {
			return err
		}
	}
	res, err := r.Checkout(target, repo.CheckoutOptions{Force: force, Branch: branch, Fetch: objectFetcher(cmd, r)})
	if err != nil && created != "" {
		r.DeleteRef(repo.HeadsPrefix + created)
	}
	var conflict *repo.CheckoutConflictError
	if errors.As(err, &conflict) {
		return &exitError{code: 1, msg: "error: " + conflict.Error()}
	}
	if err != nil {
		return err
	}
	for _, p := range res.Kept {
		fmt.Fprintf(out, "M\t%s\n", p)
	}
	switch {
	case created != "" && newBranch != "":
		fmt.Fprintf(errOut, "Switched to a new branch '%s'\n", branch)
	case branch != "":
		fmt.Fprintf(errOut, "Switched to branch '%s'\n", branch)
	default:
		c, err := r.LoadCommit(target)
		if err != nil {
			return err
		}
		fmt.Fprintf(errOut, "Note: switching to '%s'.\n\nYou are in 'detached HEAD' state. To keep commits you make here,\ncreate a branch: agigit checkout -b <new-branch-name>\n\nHEAD is now at %s %s\n", args[0], shortID(target), c.Subject())
	}
	return nil
}

// objectFetcher returns how checkout brings missing objects from the
// relays; nil without network support.
var objectFetcher = func(cmd *cobra.Command, r *repo.Repo) func([]repo.FileEntry) error { return nil }

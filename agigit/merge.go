package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/modelmerge"
)

// mergeFlags are the options merge and rebase share.
type mergeFlags struct {
	method   string
	weights  string
	density  float32
	strategy string
}

func (f *mergeFlags) options(sides int) (repo.MergeOptions, error) {
	opts := repo.MergeOptions{Method: modelmerge.Method(f.method), Density: f.density, Prefer: -1}
	switch opts.Method {
	case modelmerge.TaskArithmetic, modelmerge.TIES:
	default:
		return opts, usageError{fmt.Errorf("unknown --method %q: use task-arithmetic or ties", f.method)}
	}
	if f.weights != "" {
		parts := strings.Split(f.weights, ",")
		if len(parts) != sides {
			return opts, usageError{fmt.Errorf("--weights needs %d comma-separated numbers, got %q", sides, f.weights)}
		}
		for _, p := range parts {
			w, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
			if err != nil {
				return opts, usageError{fmt.Errorf("--weights: %q is not a number", p)}
			}
			opts.Weights = append(opts.Weights, float32(w))
		}
	}
	if f.density < 0 || f.density > 1 {
		return opts, usageError{fmt.Errorf("--density %v must be in (0, 1]", f.density)}
	}
	switch f.strategy {
	case "":
	case "ours":
		opts.Prefer = 0
	case "theirs":
		opts.Prefer = 1
	default:
		return opts, usageError{fmt.Errorf("-X %q: use ours or theirs", f.strategy)}
	}
	return opts, nil
}

func newMergeCmd() *cobra.Command {
	var f mergeFlags
	var messages []string
	cmd := &cobra.Command{
		Use:   "merge [A] B [--method task-arithmetic|ties] [--weights wA,wB]",
		Short: "Merge two fine-tunes of a common base",
		Long: `Merge commits or branches A and B (A defaults to HEAD), fine-tunes of a
common ancestor, into a commit with parents A and B on the current branch,
and check it out. The current branch must be at A, at B, or at an ancestor
of one of them, without local changes.

Tensors of safetensors files changed on both sides are combined:
task-arithmetic (the default) gives ancestor + wA·(A − ancestor) +
wB·(B − ancestor), and LoRA fine-tunes stay their factors; ties applies
TIES-merging (trim to --density, elect signs, average the agreeing
changes). Other files merge like git's: changes to different lines of a
text file combine. A conflict (same lines changed differently, a binary
file or an integer tensor changed on both sides) stops the merge and
changes nothing, unless -X ours or -X theirs picks a side for conflicts.`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := f.options(2)
			if err != nil {
				return err
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
			revs := args
			if len(args) == 1 {
				revs = []string{"HEAD", args[0]}
			}
			var ids [2]string
			for i, rev := range revs {
				if ids[i], err = r.ResolveRev(rev); err != nil {
					return err
				}
			}
			h, err := r.ReadHead()
			if err != nil {
				return err
			}
			names := [2]string{revs[0], revs[1]}
			if names[0] == "HEAD" && h.Branch != "" {
				names[0] = h.Branch
			}
			msg := strings.Join(messages, "\n\n")
			if msg == "" {
				msg = fmt.Sprintf("Merge %s and %s (%s", names[0], names[1], opts.Method)
				if opts.Weights != nil {
					msg += fmt.Sprintf(", weights %s", f.weights)
				}
				if opts.Method == modelmerge.TIES {
					msg += fmt.Sprintf(", density %g", densityOr(opts.Density))
				}
				msg += ")"
			}
			opts.Fetch = objectFetcher(cmd, r)
			opts.Progress = func(p string) { fmt.Fprintf(cmd.ErrOrStderr(), "merging %s\n", p) }
			res, err := r.Merge(k, ids[0], ids[1], msg, opts, time.Now())
			out := cmd.OutOrStdout()
			var ce *repo.MergeConflictError
			switch {
			case errors.Is(err, repo.ErrUpToDate):
				fmt.Fprintln(out, "Already up to date.")
				return nil
			case errors.As(err, &ce):
				return &exitError{code: 1, msg: ce.Error()}
			case err != nil:
				return checkoutError(err)
			}
			if res.FastForward {
				fmt.Fprintf(out, "Fast-forward to %s\n", shortID(res.Commit.ID))
				return nil
			}
			fmt.Fprintf(out, "Merge made by the '%s' method (ancestor %s).\n", opts.Method, shortID(res.Base))
			printMergedFiles(out, res.Files)
			printDeltaReports(out, res.Deltas)
			fmt.Fprintf(out, "[%s %s] %s\n", branchOrDetached(r), shortID(res.Commit.ID), res.Commit.Subject())
			return nil
		},
	}
	cmd.Flags().StringVar(&f.method, "method", string(modelmerge.TaskArithmetic), "how tensors changed on both sides combine: task-arithmetic or ties")
	cmd.Flags().StringVar(&f.weights, "weights", "", "weights of A and B, `wA,wB` (default 1,1)")
	cmd.Flags().Float32Var(&f.density, "density", 0, "fraction of each change TIES keeps (default 0.2)")
	cmd.Flags().StringVarP(&f.strategy, "strategy-option", "X", "", "settle conflicts with `ours` (A) or theirs (B)")
	cmd.Flags().StringArrayVarP(&messages, "message", "m", nil, "commit message")
	return cmd
}

func densityOr(d float32) float32 {
	if d == 0 {
		return 0.2
	}
	return d
}

func branchOrDetached(r *repo.Repo) string {
	h, err := r.ReadHead()
	if err != nil || h.Branch == "" {
		return "detached HEAD"
	}
	return h.Branch
}

// printMergedFiles lists what a merge did to each file it had to merge.
func printMergedFiles(out io.Writer, files []repo.MergedFile) {
	for _, f := range files {
		switch f.How {
		case "tensors":
			n := map[modelmerge.How]int{}
			for _, h := range f.Tensors.How {
				n[h]++
			}
			var parts []string
			for _, h := range []modelmerge.How{modelmerge.Combined, modelmerge.LowRank, modelmerge.Taken, modelmerge.Kept} {
				if n[h] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n[h], h))
				}
			}
			fmt.Fprintf(out, " merged %s: %s tensor(s)\n", f.Path, strings.Join(parts, ", "))
		case "text":
			fmt.Fprintf(out, " merged %s\n", f.Path)
		case "deleted":
			fmt.Fprintf(out, " deleted %s\n", f.Path)
		}
		for _, r := range f.Resolved {
			fmt.Fprintf(out, "   conflict settled by -X: %s\n", r)
		}
	}
}

func newRebaseCmd() *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "rebase [COMMIT]",
		Short: "Re-apply the current branch's changes onto a newer base",
		Long: `Re-apply the commits of the current branch since its common ancestor with
COMMIT onto COMMIT, one by one, and move the branch there. Without COMMIT,
the newest commit of the repository's base (the foundation model the
repository was forked from) is fetched from the relays and used, and the
repository's base moves to it.

Each safetensors file is rebased tensor by tensor: new base + (yours − old
base), elementwise; a tensor your commit holds as LoRA factors is the new
base's tensor plus the same factors, stored as factors again. Other files
replay like git's. A conflict stops the rebase and changes nothing, unless
-X ours (keep the new base's side) or -X theirs (keep your commit's side)
settles it.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := f.options(2)
			if err != nil {
				return err
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
			var onto string
			if len(args) == 1 {
				if onto, err = r.ResolveRev(args[0]); err != nil {
					return err
				}
			} else {
				if r.Config.Base == nil {
					return usageError{errors.New("the repository has no base: name the COMMIT to rebase onto")}
				}
				s := newSession(cmd, r)
				if onto, err = s.FetchBaseHead(cmd.Context()); err != nil {
					return fmt.Errorf("find the newest base: %w", err)
				}
			}
			opts.Fetch = objectFetcher(cmd, r)
			opts.Progress = func(p string) { fmt.Fprintf(cmd.ErrOrStderr(), "rebasing %s\n", p) }
			res, err := r.Rebase(k, onto, opts, time.Now())
			out := cmd.OutOrStdout()
			var ce *repo.MergeConflictError
			switch {
			case errors.Is(err, repo.ErrUpToDate):
				fmt.Fprintf(out, "Current branch %s is up to date.\n", branchOrDetached(r))
				return nil
			case errors.As(err, &ce):
				return &exitError{code: 1, msg: ce.Error()}
			case err != nil:
				return checkoutError(err)
			}
			if res.FastForward {
				fmt.Fprintf(out, "Fast-forwarded %s to %s.\n", branchOrDetached(r), shortID(onto))
			} else {
				printMergedFiles(out, res.Files)
				printDeltaReports(out, res.Deltas)
				for _, c := range res.Skipped {
					fmt.Fprintf(out, " dropped %s %q: its changes are upstream already\n", shortID(c.ID), c.Subject())
				}
				fmt.Fprintf(out, "Successfully rebased %d commit(s) of %s onto %s.\n", len(res.Replayed), branchOrDetached(r), shortID(onto))
			}
			if res.NewBase != nil {
				fmt.Fprintf(out, "The repository's base is now %s %s.\n", res.NewBase.Address, shortID(res.NewBase.Commit))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&f.strategy, "strategy-option", "X", "", "settle conflicts with `ours` (the new base) or theirs (your commits)")
	f.method = string(modelmerge.TaskArithmetic)
	return cmd
}

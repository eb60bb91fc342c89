package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/remote"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

func init() {
	objectFetcher = func(cmd *cobra.Command, r *repo.Repo) func([]repo.FileEntry) error {
		return func(files []repo.FileEntry) error {
			s := newSession(cmd, r)
			err := s.FetchObjects(cmd.Context(), files)
			if n := s.Stats.ShardsDownloaded.Load(); n > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "downloaded: %d shard(s), %s\n", n, humanBytes(uint64(s.Stats.BytesDownloaded.Load())))
			}
			return err
		}
	}
}

// newSession opens a network session for a repository. Reading a public
// repository needs no key.
func newSession(cmd *cobra.Command, r *repo.Repo) *remote.Session {
	var kp *keys.Key
	if k, err := loadKey(); err == nil {
		kp = &k
	}
	return remote.NewSession(r, kp, cmd.ErrOrStderr(), progress.New(cmd.ErrOrStderr()))
}

func requireKey() (keys.Key, error) { return loadKey() }

func newPushCmd() *cobra.Command {
	var k, n int
	var force, private bool
	var to []string
	cmd := &cobra.Command{
		Use:   "push [--k K --n N] [--private] [--to NPUB...]",
		Short: "Publish the repository to its push relays",
		Long: `Publish every local branch and tag: objects the relays lack are erasure-coded
into n shards of which any k rebuild them, spread over the push relays and
uploaded to their Blossom servers; then manifests, commits, the repository
announcement and its state (refs) are published as signed events on every
push relay. Pushing again after a failure uploads only what is missing.

Without --k/--n, n is the number of push relays and k leaves a third of the
shards as parity; values given are remembered for later pushes.
--private (before the repository is first published) encrypts objects and
commit contents, re-signing the commits already made; --to adds readers.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			key, err := requireKey()
			if err != nil {
				return err
			}
			if (k == 0) != (n == 0) {
				return usageError{errors.New("--k and --n go together")}
			}
			unlock, err := r.Lock()
			if err != nil {
				return err
			}
			defer unlock()
			if err := applyPrivacy(cmd, r, key, private, to); err != nil {
				return err
			}
			before, _ := r.ListRefs("refs/relays/")
			s := remote.NewSession(r, &key, cmd.ErrOrStderr(), progress.New(cmd.ErrOrStderr()))
			res, err := s.Push(cmd.Context(), remote.PushOptions{K: k, N: n, Force: force})
			var rej *remote.RejectedError
			if errors.As(err, &rej) {
				return &exitError{code: 1, msg: "error: failed to push some refs\n" + rej.Error()}
			}
			if err != nil {
				return err
			}
			out := cmd.ErrOrStderr()
			fmt.Fprintf(out, "To %s\n", strings.Join(res.Relays, ", "))
			after, _ := r.ListRefs("refs/relays/")
			printRefUpdates(out, before, after, "")
			up := s.Stats.ShardsUploaded.Load()
			fmt.Fprintf(out, "objects: %d (%d stored now, %d already stored); shards uploaded: %d (%s); commits: %d\n",
				res.Objects, res.Stored, res.Reused, up, humanBytes(uint64(s.Stats.BytesUploaded.Load())), res.Commits)
			if res.Rewrapped > 0 {
				fmt.Fprintf(out, "data keys of %d private object(s) wrapped to new readers\n", res.Rewrapped)
			}
			fmt.Fprintf(out, "coding: k=%d n=%d over %d relay(s); any %d relay(s) may fail\n", res.K, res.N, len(r.Config.PushRelays()), res.Tolerate)
			return nil
		},
	}
	cmd.Flags().IntVar(&k, "k", 0, "shards needed to rebuild an object")
	cmd.Flags().IntVar(&n, "n", 0, "shards made of each object")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "publish refs even if the relays hold commits they do not contain")
	cmd.Flags().BoolVar(&private, "private", false, "make the repository private (before its first push)")
	cmd.Flags().StringSliceVar(&to, "to", nil, "let `NPUB` read the private repository (repeatable)")
	return cmd
}

// applyPrivacy handles push --private and --to: a repository becomes
// private only while nothing of it is published or committed in the
// clear; readers can be added at any time.
func applyPrivacy(cmd *cobra.Command, r *repo.Repo, key keys.Key, private bool, to []string) error {
	cfg := r.Config
	changed := false
	published := false
	if _, err := os.Stat(r.StatePath("remote-state.json")); err == nil {
		published = true
	}
	if private && !cfg.Private {
		if published {
			return errors.New("this repository is already published in the clear; make a private copy with 'agigit fork --private'")
		}
		rk, err := repo.NewRepoKey()
		if err != nil {
			return err
		}
		if err := r.SetRepoKey(rk); err != nil {
			return err
		}
		cfg.Private = true
		if err := r.SaveConfig(); err != nil {
			return err
		}
	}
	if cfg.Private && !published {
		// Commits made before the repository turned private are made again,
		// encrypted (their ids change: nothing was published yet).
		sealer, err := r.Sealer()
		if err != nil {
			return err
		}
		if sealer == nil {
			return repo.ErrNoRepoKey
		}
		n, err := r.SealHistory(key, key.Public, sealer)
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(cmd.ErrOrStderr(), "encrypted %d unpublished commit(s) for the private repository (their ids changed)\n", n)
		}
	}
	if len(to) > 0 && !cfg.Private {
		return usageError{errors.New("--to needs a private repository (--private)")}
	}
	for _, s := range to {
		pk, err := keys.ParsePublic(s)
		if err != nil {
			return usageError{err}
		}
		if pk != key.Public && !contains(cfg.Recipients, pk) {
			cfg.Recipients = append(cfg.Recipients, pk)
			changed = true
		}
	}
	if changed {
		return r.SaveConfig()
	}
	return nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// printRefUpdates prints ref changes the way git push and fetch do.
func printRefUpdates(out io.Writer, before, after map[string]string, arrow string) {
	var names []string
	for n := range after {
		names = append(names, n)
	}
	for n := range before {
		if _, ok := after[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		short := strings.TrimPrefix(n, "refs/relays/")
		kind := "branch"
		if strings.HasPrefix(short, "tags/") {
			kind = "tag"
		}
		short = strings.TrimPrefix(strings.TrimPrefix(short, "heads/"), "tags/")
		dst := short
		if arrow != "" {
			dst = arrow + short
		}
		o, ok1 := before[n]
		nw, ok2 := after[n]
		switch {
		case !ok1:
			fmt.Fprintf(out, " * [new %s]%s %s -> %s\n", kind, strings.Repeat(" ", max(1, 10-len(kind))), short, dst)
		case !ok2:
			fmt.Fprintf(out, " - [deleted]         %s\n", dst)
		case o != nw:
			fmt.Fprintf(out, "   %s..%s  %s -> %s\n", shortID(o), shortID(nw), short, dst)
		}
	}
}

func newFetchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "fetch",
		Short: "Download refs, commits and manifests from the relays",
		Long: `Download the repository's newest state signed by its owner, the commits its
refs reach and the manifests of its objects. Branches appear as relays/NAME.
Events signed by anyone else, and states older than one already seen, never
change the refs. Objects are downloaded by pull, clone and checkout.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, unlock, err := openLocked(cmd)
			if err != nil {
				return err
			}
			defer unlock()
			_, err = fetch(cmd, r)
			return err
		},
	}
}

func fetch(cmd *cobra.Command, r *repo.Repo) (*remote.FetchResult, error) {
	before, _ := r.ListRefs("refs/relays/")
	s := newSession(cmd, r)
	res, err := s.Fetch(cmd.Context())
	if err != nil {
		return res, err
	}
	after, _ := r.ListRefs("refs/relays/")
	// Tags follow, as in git: a tag the relays have and this repository
	// does not is created.
	for name, id := range after {
		if t, ok := strings.CutPrefix(name, repo.RelayTagsPrefix); ok {
			if cur, _ := r.ReadRef(repo.TagsPrefix + t); cur == "" {
				if err := r.UpdateRef(repo.TagsPrefix+t, id); err != nil {
					return res, err
				}
			}
		}
	}
	out := cmd.ErrOrStderr()
	if len(res.Changes) > 0 {
		fmt.Fprintf(out, "From %s\n", strings.Join(r.Config.FetchRelays(), ", "))
		printRefUpdates(out, before, after, "relays/")
	}
	return res, nil
}

func newPullCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "pull [COMMIT]",
		Short: "Fetch, then download and check out (fast-forward the current branch)",
		Long: `Fetch, then bring the current branch up to the relays' branch of the same name
(fast-forward only) and check it out, downloading the objects it needs: for
each object, any k good shards from the relays in parallel. With COMMIT,
check out that commit instead (fast-forwarding the branch when it descends
from it).`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, unlock, err := openLocked(cmd)
			if err != nil {
				return err
			}
			defer unlock()
			if _, err := fetch(cmd, r); err != nil {
				return err
			}
			return pullCheckout(cmd, r, args, force)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "discard local changes in the way")
	return cmd
}

func pullCheckout(cmd *cobra.Command, r *repo.Repo, args []string, force bool) error {
	out := cmd.OutOrStdout()
	h, err := r.ReadHead()
	if err != nil {
		return err
	}
	var target string
	if len(args) == 1 {
		if target, err = r.ResolveRev(args[0]); err != nil {
			return err
		}
	} else {
		if h.Branch == "" {
			return errors.New("you are not on a branch; name the commit to pull")
		}
		up, err := r.ReadRef(repo.RelayHeadsPrefix + h.Branch)
		if err != nil {
			return err
		}
		if up == "" {
			return fmt.Errorf("the relays have no branch '%s'", h.Branch)
		}
		target = up
	}
	if !r.HasCommit(target) {
		return fmt.Errorf("commit %s is not known here or on the relays", args[0])
	}
	opts := repo.CheckoutOptions{Force: force, Fetch: objectFetcher(cmd, r)}
	ff := false
	switch {
	case h.Commit == target:
		// Same commit: make sure its files are all here (a resumed clone).
		if _, err := r.Checkout(target, repo.CheckoutOptions{Force: force, Fetch: opts.Fetch, Branch: h.Branch}); err != nil {
			return checkoutError(err)
		}
		fmt.Fprintln(out, "Already up to date.")
		return nil
	case h.Branch != "" && h.Commit == "":
		ff = true
	case h.Branch != "":
		anc, err := r.IsAncestor(h.Commit, target)
		if err != nil {
			return err
		}
		if !anc {
			if back, _ := r.IsAncestor(target, h.Commit); back && len(args) == 0 {
				fmt.Fprintln(out, "Already up to date.")
				return nil
			}
			if len(args) == 0 {
				return errors.New("Not possible to fast-forward, aborting.\nThe branch and 'relays/" + h.Branch + "' have diverged.")
			}
		}
		ff = anc
	}
	if ff {
		opts.Branch = h.Branch
	}
	if _, err := r.Checkout(target, opts); err != nil {
		return checkoutError(err)
	}
	if ff {
		if err := r.UpdateRef(repo.HeadsPrefix+h.Branch, target); err != nil {
			return err
		}
		if h.Commit == "" {
			fmt.Fprintf(out, "Checked out %s at %s\n", h.Branch, shortID(target))
		} else {
			fmt.Fprintf(out, "Updating %s..%s\nFast-forward\n", shortID(h.Commit), shortID(target))
		}
	} else {
		fmt.Fprintf(out, "HEAD is now at %s (detached)\n", shortID(target))
	}
	return nil
}

func checkoutError(err error) error {
	var conflict *repo.CheckoutConflictError
	if errors.As(err, &conflict) {
		return &exitError{code: 1, msg: "error: " + conflict.Error()}
	}
	return err
}

func newCloneCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "clone NADDR [DIR]",
		Short: "Copy a repository from the relays into a new directory",
		Long: `Clone the repository an naddr names (NIP-19, as 'agigit address' prints):
fetch its state, commits and manifests from the relays in the naddr, then
check out its HEAD branch, downloading each object from any k good shards.
--relay adds relays to ask besides the naddr's hints. Relays the repository's
announcement lists are added for later fetches. A clone whose download is
cut short keeps its directory: run 'agigit pull' in it to finish.`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := cloneRepo(cmd, args, nil)
			return err
		},
	}
	addRelayFlag(cmd)
	return cmd
}

func addRelayFlag(cmd *cobra.Command) {
	cmd.Flags().StringSlice("relay", nil, "also ask relay `URL` (repeatable)")
}

// cloneRepo clones args[0] into args[1] (or a directory named after the
// repository); prepare, if set, runs between the fetch and the checkout.
func cloneRepo(cmd *cobra.Command, args []string, prepare func(*repo.Repo, *remote.FetchResult) error) (*repo.Repo, error) {
	na, err := repo.DecodeNaddr(args[0])
	if err != nil {
		return nil, usageError{err}
	}
	extra, _ := cmd.Flags().GetStringSlice("relay")
	for _, u := range extra {
		n, err := repo.NormalizeRelayURL(u)
		if err != nil {
			return nil, usageError{err}
		}
		na.Relays = appendUnique(na.Relays, n)
	}
	if len(na.Relays) == 0 {
		return nil, usageError{errors.New("the naddr names no relay to clone from: give one with --relay URL")}
	}
	cwd, err := workDir(cmd)
	if err != nil {
		return nil, err
	}
	dir := na.Name
	if len(args) == 2 {
		dir = args[1]
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cwd, dir)
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("destination path '%s' already exists and is not an empty directory", dir)
	}
	created := false
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		created = true
	}
	errOut := cmd.ErrOrStderr()
	fmt.Fprintf(errOut, "Cloning into '%s'...\n", filepath.Base(dir))
	r, err := repo.Init(dir, repo.InitOptions{Name: na.Name, Owner: na.Pubkey})
	if err != nil {
		return nil, err
	}
	cleanup := func() {
		if created {
			os.RemoveAll(dir)
		} else {
			os.RemoveAll(r.Dir)
		}
	}
	me, kerr := loadKey()
	owner := kerr == nil && me.Public == na.Pubkey
	for _, u := range na.Relays {
		r.Config.AddRelay(u, true, owner)
	}
	if err := r.SaveConfig(); err != nil {
		cleanup()
		return nil, err
	}
	unlock, err := r.Lock()
	if err != nil {
		cleanup()
		return nil, err
	}
	defer unlock()
	res, err := fetch(cmd, r)
	if err != nil {
		cleanup()
		if errors.Is(err, remote.ErrNotFound) {
			return nil, fmt.Errorf("repository %s not found on %s", na.Coordinate, strings.Join(na.Relays, ", "))
		}
		return nil, err
	}
	if a := res.Announcement; a != nil {
		changed := false
		for _, u := range a.Relays {
			changed = r.Config.AddRelay(u, true, owner) || changed
		}
		if changed {
			if err := r.SaveConfig(); err != nil {
				return nil, err
			}
		}
	}
	if prepare != nil {
		if err := prepare(r, res); err != nil {
			cleanup()
			return nil, err
		}
	}
	branch := res.State.Head
	if _, ok := res.State.Refs[repo.HeadsPrefix+branch]; !ok || branch == "" {
		branch = ""
		for name := range res.State.Refs {
			if b, ok := strings.CutPrefix(name, repo.HeadsPrefix); ok && (branch == "" || b < branch) {
				branch = b
			}
		}
	}
	if branch == "" {
		fmt.Fprintln(errOut, "warning: You appear to have cloned an empty repository.")
		return r, nil
	}
	target := res.State.Refs[repo.HeadsPrefix+branch]
	// HEAD names the branch, still unborn: the checkout writes every file,
	// and the branch exists once they are all there ('agigit pull'
	// finishes an interrupted clone).
	if err := r.SetHeadBranch(branch); err != nil {
		return nil, err
	}
	c, err := r.LoadCommit(target)
	if err != nil {
		return nil, err
	}
	if c.Encrypted && c.Files == nil {
		cleanup()
		return nil, fmt.Errorf("cannot clone %s: %w (ask its owner, %s, to add you with 'agigit push --to %s')", na.Name, repo.ErrNoRepoKey, keys.Npub(na.Pubkey), npubOrPlaceholder(me, kerr))
	}
	if _, err := r.Checkout(target, repo.CheckoutOptions{Branch: branch, Fetch: objectFetcher(cmd, r)}); err != nil {
		return nil, fmt.Errorf("%w\nthe clone is in '%s': run 'agigit pull' there to finish it", err, dir)
	}
	if err := r.UpdateRef(repo.HeadsPrefix+branch, target); err != nil {
		return nil, err
	}
	return r, nil
}

func npubOrPlaceholder(k keys.Key, err error) string {
	if err != nil {
		return "<your npub>"
	}
	return k.Npub()
}

func newForkCmd() *cobra.Command {
	var name string
	var private bool
	var to []string
	cmd := &cobra.Command{
		Use:   "fork NADDR [DIR]",
		Short: "Start your own repository from another one's HEAD",
		Long: `Clone a repository, then make the copy yours: a new repository owned by your
key whose base is the cloned HEAD commit. Objects it shares with the base
are referenced, never uploaded again. Add your relays and push.`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := requireKey()
			if err != nil {
				return err
			}
			var recipients []string
			for _, s := range to {
				pk, err := keys.ParsePublic(s)
				if err != nil {
					return usageError{err}
				}
				recipients = append(recipients, pk)
			}
			if len(to) > 0 && !private {
				return usageError{errors.New("--to needs --private")}
			}
			na, err := repo.DecodeNaddr(args[0])
			if err != nil {
				return usageError{err}
			}
			if name != "" {
				if err := repo.ValidateName(name); err != nil {
					return usageError{err}
				}
			}
			var base *repo.BaseRef
			r, err := cloneRepo(cmd, args, func(r *repo.Repo, res *remote.FetchResult) error {
				head := res.State.Refs[repo.HeadsPrefix+res.State.Head]
				if head == "" {
					return errors.New("the repository has no HEAD branch to fork")
				}
				base = &repo.BaseRef{Address: na.Coordinate.String(), Commit: head, Relays: na.Relays}
				return nil
			})
			if err != nil {
				return err
			}
			cfg := r.Config
			if cfg.Private {
				return errors.New("forking a private repository is not supported; clone it instead")
			}
			cfg.Owner = key.Public
			if name != "" {
				cfg.Name = name
			}
			cfg.Base = base
			cfg.Relays = nil
			cfg.Description = ""
			cfg.Private = private
			cfg.Recipients = recipients
			if private {
				rk, err := repo.NewRepoKey()
				if err != nil {
					return err
				}
				if err := r.SetRepoKey(rk); err != nil {
					return err
				}
			}
			if err := r.SaveConfig(); err != nil {
				return err
			}
			// The base's relay refs and published state are not this
			// repository's.
			old, _ := r.ListRefs("refs/relays/")
			for ref := range old {
				r.DeleteRef(ref)
			}
			r.RemoveState("remote-state.json")
			r.RemoveState("announcement.json")
			fmt.Fprintf(cmd.ErrOrStderr(), "Forked %s at %s as '%s' (owner %s).\nAdd your relays with 'agigit relay add URL', then 'agigit push'.\n",
				na.Coordinate.Name, shortID(base.Commit), cfg.Name, key.Npub())
			return nil
		},
	}
	addRelayFlag(cmd)
	cmd.Flags().StringVar(&name, "name", "", "name of the new repository (default: the base's)")
	cmd.Flags().BoolVar(&private, "private", false, "make the fork private")
	cmd.Flags().StringSliceVar(&to, "to", nil, "let `NPUB` read the private fork (repeatable)")
	return cmd
}

func newAddressCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "address",
		Short: "Print the repository's address (NIP-19 naddr with relay hints)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, _, err := openRepo(cmd)
			if err != nil {
				return err
			}
			cfg := r.Config
			relays := cfg.PushRelays()
			if len(relays) == 0 {
				relays = cfg.FetchRelays()
			}
			c, err := repo.ParseCoordinate(cfg.Address())
			if err != nil {
				return err
			}
			s, err := repo.EncodeNaddr(c, relays)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), s)
			if len(relays) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning: no relays yet; add them with 'agigit relay add URL' so the address says where to find the repository")
			}
			return nil
		},
	}
}

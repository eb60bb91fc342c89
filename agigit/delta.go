package main

import (
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/progress"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// stageDeltas decides how the staged safetensors files will be stored
// (delta of their base or parent, or whole) just before a commit, with
// the adapters `lora apply` remembered on offer.
func stageDeltas(cmd *cobra.Command, r *repo.Repo, hints map[string]*repo.DeltaHint) ([]repo.DeltaReport, error) {
	if hints == nil {
		var err error
		if hints, err = r.LoraDeltaHints(); err != nil {
			return nil, err
		}
	}
	pr := progress.New(cmd.ErrOrStderr())
	var cur string
	var last uint64
	var fetch func([]repo.FileEntry) error
	if len(r.Config.FetchRelays()) > 0 || r.Config.Base != nil && len(r.Config.Base.Relays) > 0 {
		// A reference replaced in the working tree by other tools comes
		// back from the relays: a download spares uploading the file whole.
		fetch = objectFetcher(cmd, r)
	}
	reports, err := r.StageDeltas(repo.DeltaOptions{
		Hints: hints,
		Fetch: fetch,
		Progress: func(p string, done, total uint64) {
			if total < 64<<20 {
				return
			}
			if p != cur {
				cur, last = p, 0
				pr.Start("delta "+p, int64(total))
			}
			pr.Add(int64(done - last))
			last = done
		},
	})
	if cur != "" {
		pr.Finish()
	}
	return reports, err
}

// printDeltaReports says how each candidate file was stored.
func printDeltaReports(out io.Writer, reports []repo.DeltaReport) {
	for _, rep := range reports {
		if rep.Delta == nil {
			if rep.Reason != "" && rep.Reason != "same as the reference" {
				fmt.Fprintf(out, " %s: stored whole (%s)\n", rep.Path, rep.Reason)
			}
			continue
		}
		fmt.Fprintf(out, " %s: stored as a delta of %s:%s, %s (%s, %s of %s)\n", rep.Path, shortID(rep.Delta.RefCommit), rep.Delta.RefPath,
			kindSummary(rep.Stat), humanBytes(rep.Delta.Size), percent(rep.Delta.Size, rep.Size), humanBytes(rep.Size))
	}
}

func kindSummary(st *delta.Stat) string {
	if st == nil {
		return ""
	}
	n := st.Count()
	var parts []string
	for _, k := range []delta.Kind{delta.KindRef, delta.KindLowRank, delta.KindDense, delta.KindRaw} {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

func percent(a, b uint64) string {
	if b == 0 {
		return "-"
	}
	p := 100 * float64(a) / float64(b)
	if p < 0.1 {
		return fmt.Sprintf("%.3f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// printStorageStat is `agigit show --stat`: per file how it is stored and
// the bytes it takes on the relays, and per tensor of a delta-stored file
// its encoding and stored size.
func printStorageStat(out io.Writer, r *repo.Repo, c *repo.Commit, changed map[string]repo.ChangeKind) error {
	var total, stored uint64
	for _, f := range c.Files {
		mark := " "
		if k, ok := changed[f.Path]; ok {
			mark = map[repo.ChangeKind]string{repo.Added: "A", repo.Modified: "M"}[k]
		}
		total += f.Size
		d, err := f.Delta()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		if d == nil {
			how := "whole"
			if segs, err := f.Segments(); err == nil && len(segs) > 1 {
				how = fmt.Sprintf("whole, %d segments", len(segs))
			}
			fmt.Fprintf(out, " %s %-40s %10s  %-36s stored %10s\n", mark, f.Path, humanBytes(f.Size), how, humanBytes(f.Size))
			stored += f.Size
			continue
		}
		stored += d.Size
		fmt.Fprintf(out, " %s %-40s %10s  %-36s stored %10s (%s)\n", mark, f.Path, humanBytes(f.Size),
			"delta of "+shortID(d.RefCommit)+":"+d.RefPath, humanBytes(d.Size), percent(d.Size, f.Size))
		st, err := r.DeltaStat(f)
		if err != nil {
			var missing *repo.MissingObjectError
			if errors.As(err, &missing) {
				fmt.Fprintf(out, "     (delta object %s not in the local store; agigit pull brings it)\n", d.ID.String()[:12])
				continue
			}
			return err
		}
		fmt.Fprintf(out, "     %-44s %7s %10s  %-28s %10s\n", fmt.Sprintf("header, %d tensors", len(st.Tensors)), "", "", "zstd", humanBytes(st.HeaderStored))
		for _, t := range st.Tensors {
			how := t.Kind.String()
			switch t.Kind {
			case delta.KindLowRank:
				var rs []string
				for _, rk := range t.Ranks {
					rs = append(rs, fmt.Sprint(rk))
				}
				how = "lowrank r=" + strings.Join(rs, "+")
				if t.Residual {
					how += " +residual"
				}
			case delta.KindDense:
				how = []string{"dense xor", "dense diff"}[min(int(t.Transform), 1)]
			case delta.KindRaw:
				how = []string{"raw", "raw zstd"}[min(int(t.Codec), 1)]
			}
			if t.RefName != "" && t.RefName != t.Name && t.Kind != delta.KindRaw {
				how += " of " + t.RefName
			}
			fmt.Fprintf(out, "     %-44s %7s %10s  %-28s %10s\n", t.Name, t.Dtype, humanBytes(t.Size), how, humanBytes(t.Stored))
		}
	}
	fmt.Fprintf(out, " %d file(s), %s; stored %s (%s)\n", len(c.Files), humanBytes(total), humanBytes(stored), percent(stored, total))
	return nil
}

func newLoraCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lora",
		Short: "Merge PEFT LoRA adapters into model files",
	}
	apply := &cobra.Command{
		Use:   "apply ADAPTER_DIR [FILE]",
		Short: "Merge a LoRA adapter into a safetensors file of the working tree",
		Long: `Merge the PEFT LoRA adapter in ADAPTER_DIR (adapter_config.json and
adapter_model.safetensors) into FILE, a safetensors file of the working
tree (by default the one whose tensors the adapter updates): each updated
tensor becomes W + scale·B·A, evaluated in the fixed float32 order of
docs/FORMAT.md, so any machine rebuilds the same bytes. The adapter is
remembered: the next commit of FILE stores those tensors as the adapter's
factors, a fraction of their size, even if the adapter stays out of the
repository.`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, cwd, err := openRepo(cmd)
			if err != nil {
				return err
			}
			dir := args[0]
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(cwd, dir)
			}
			var p string
			if len(args) == 2 {
				if p, err = r.RelPath(cwd, args[1]); err != nil {
					return err
				}
			} else if p, err = adapterTarget(r, dir); err != nil {
				return err
			}
			unlock, err := r.Lock()
			if err != nil {
				return err
			}
			defer unlock()
			applied, err := r.ApplyAdapter(dir, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "merged %d tensor(s) of %s into %s\n", len(applied), dir, p)
			return nil
		},
	}
	cmd.AddCommand(apply)
	return cmd
}

// adapterTarget finds the tracked safetensors file holding every tensor
// the adapter updates.
func adapterTarget(r *repo.Repo, dir string) (string, error) {
	ad, err := lora.Load(dir)
	if err != nil {
		return "", err
	}
	ix, err := r.LoadIndex()
	if err != nil {
		return "", err
	}
	var found []string
	for _, f := range ix.Files() {
		if !repo.IsSafetensorsPath(f.Path) || path.Base(f.Path) == lora.WeightsFile {
			continue
		}
		h, err := safetensors.Stat(filepath.Join(r.Root, filepath.FromSlash(f.Path)))
		if err != nil {
			continue
		}
		all := true
		for name := range ad.Updates {
			if _, ok := h.Tensor(name); !ok {
				all = false
				break
			}
		}
		if all {
			found = append(found, f.Path)
		}
	}
	slices.Sort(found)
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no tracked safetensors file has every tensor the adapter updates; name the FILE")
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("several files hold the adapter's tensors (%s); name the FILE", strings.Join(found, ", "))
}

// forgetLoraHints drops what lora apply remembered for the files a commit
// recorded.
func forgetLoraHints(r *repo.Repo, c *repo.Commit) error {
	paths := make([]string, 0, len(c.Files))
	for _, f := range c.Files {
		paths = append(paths, f.Path)
	}
	return r.ForgetLoraHints(paths)
}

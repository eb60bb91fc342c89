package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/powoc"
	"github.com/agi-nostr/agi-nostr/internal/powoc/claim"
	"github.com/agi-nostr/agi-nostr/internal/powoc/cm"
	"github.com/agi-nostr/agi-nostr/internal/powoc/corpus"
	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// exitRejected is agigit's exit status when a claim fails verification, so
// scripts can tell a bad claim (3) from a failure to check it (128).
const exitRejected = 3

func newPowocCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "powoc",
		Short: "Proof of Work of Compression: train, score and verify models on validation data",
		Long: `PoWoC measures a model by how well it compresses a repository's validation
data. "score" writes a claim, the compressed data with a header naming the
evaluator, model and data; "verify" decodes a claim and checks it reproduces
the validation object exactly. The score is the description length: code
bits plus the bits of the model (whole, or its delta from --parent).
See docs/POWOC.md.`,
	}
	cmd.AddCommand(newPowocInitCmd(), newPowocTrainCmd(), newPowocScoreCmd(), newPowocVerifyCmd(),
		newPowocInspectCmd(), newPowocCorpusCmd(), newPowocEvaluatorCmd())
	return cmd
}

// signalContext is cancelled by an interrupt, so long runs stop cleanly.
func signalContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt)
}

// stageProgress feeds cumulative byte counts to a progress.Reporter.
type stageProgress struct {
	r       progress.Reporter
	stage   string
	last    int64
	started bool
}

func newProgress(w io.Writer, stage string) *stageProgress {
	return &stageProgress{r: progress.New(w), stage: stage}
}

func (p *stageProgress) update(done, total int64) {
	if !p.started {
		p.r.Start(p.stage, total)
		p.started = true
	}
	p.r.Add(done - p.last)
	p.last = done
}

// updateStage is update for work of several stages.
func (p *stageProgress) updateStage(stage string, done, total int64) {
	if stage != p.stage {
		p.finish()
		p.stage, p.started, p.last = stage, false, 0
	}
	p.update(done, total)
}

func (p *stageProgress) finish() {
	if p.started {
		p.r.Finish()
	}
}

func parseParams(list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range list {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("--param %q: want KEY=VALUE", s)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("--param %s given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// evaluatorFor returns the evaluator of a command: the external program of
// --evaluator-cmd, else the built-in one named.
func evaluatorFor(ctx context.Context, name, command string) (powoc.Evaluator, error) {
	if command != "" {
		argv := strings.Fields(command)
		ev, err := powoc.NewExternal(ctx, argv)
		if err != nil {
			return nil, err
		}
		if name != "" && ev.Name() != name {
			return nil, fmt.Errorf("--evaluator-cmd runs evaluator %q, not %q", ev.Name(), name)
		}
		return ev, nil
	}
	if name == "" {
		name = powoc.CMName
	}
	return powoc.Builtin(name, "")
}

func printResult(w io.Writer, r *powoc.Result, asJSON bool, verified bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	status := "scored"
	if verified {
		status = "verified"
	}
	parent := "none (standalone)"
	if r.Parent != "" {
		parent = r.Parent
	}
	fmt.Fprintf(w, "claim %s\n", status)
	fmt.Fprintf(w, "evaluator           %s %s\n", r.Evaluator, r.EvaluatorVersion)
	fmt.Fprintf(w, "model               %s (%d bytes)\n", r.Model, r.ModelBytes)
	fmt.Fprintf(w, "parent              %s\n", parent)
	fmt.Fprintf(w, "data                %s (%d bytes)\n", r.Data, r.DataBytes)
	fmt.Fprintf(w, "code length         %d bits (%d bytes)\n", r.CodeBits, r.CodeBytes)
	fmt.Fprintf(w, "bits per byte       %.6f\n", r.BitsPerByte)
	fmt.Fprintf(w, "model cost          %d bits (%d bytes, %s)\n", 8*r.ModelCostBytes, r.ModelCostBytes, r.ModelCostKind)
	fmt.Fprintf(w, "description length  %d bits\n", r.DescriptionBits)
	return nil
}

func openOptionalModel(path string) (*powoc.Model, error) {
	if path == "" {
		return nil, nil
	}
	return powoc.OpenModel(path)
}

func newPowocInitCmd() *cobra.Command {
	var out, contexts string
	cmd := &cobra.Command{
		Use:   "init --out MODEL",
		Short: "Write an untrained model for the built-in evaluator",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := configFlag(contexts)
			if err != nil {
				return err
			}
			m := &powoc.CMModel{Config: cfg, Params: cm.DefaultParams(cfg)}
			return writeModel(cmd, out, m)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "model file to write (required)")
	cmd.Flags().StringVar(&contexts, "contexts", "", "comma-separated contexts (default "+cm.FormatContexts(cm.DefaultConfig().Contexts)+")")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func configFlag(contexts string) (cm.Config, error) {
	cfg := cm.DefaultConfig()
	if contexts != "" {
		cs, err := cm.ParseContexts(contexts)
		if err != nil {
			return cfg, err
		}
		cfg.Contexts = cs
	}
	return cfg, cfg.Validate()
}

func writeModel(cmd *cobra.Command, path string, m *powoc.CMModel) error {
	b, err := m.Encode()
	if err != nil {
		return err
	}
	if err := powoc.WriteFileAtomic(path, b); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s  %s (%d bytes)\n", merkle.SumBytes(b), path, len(b))
	return nil
}

func newPowocTrainCmd() *cobra.Command {
	var data []string
	var out, from, contexts string
	var params []string
	var search bool
	var sampleBytes int64
	var rounds, maxContexts int
	cmd := &cobra.Command{
		Use:   "train --data FILE... --out MODEL [--from MODEL]",
		Short: "Fit the built-in evaluator to training data (deterministic)",
		Long: `Fit the built-in evaluator to training data, in two steps. First the
architecture (which contexts, the learning rates) is fitted to a sample of
the training data (--sample-bytes, in 64 KiB blocks spread over all of it):
a greedy search keeps every change that shortens the sample's code. Then the
model codes the training files, in the order given, as one stream, and keeps
what its adaptive maps learned as its parameters.

With --from the given model's architecture is kept and only the second step
runs. The same files in the same order (and --from model) always give the
same model file. Training files may be given with --data (repeatable) or as
arguments.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			files := append(append([]string{}, data...), args...)
			if len(files) == 0 {
				return errors.New("give training data with --data")
			}
			ctx, cancel := signalContext(cmd)
			defer cancel()
			opt := powoc.TrainOptions{Runtime: cm.DefaultRuntime(), SearchRounds: rounds, MaxContexts: maxContexts}
			if from != "" {
				if contexts != "" {
					return errors.New("--contexts cannot change a model given with --from")
				}
				b, err := os.ReadFile(from)
				if err != nil {
					return fmt.Errorf("read --from model: %w", err)
				}
				if opt.From, err = powoc.DecodeCMModel(b); err != nil {
					return fmt.Errorf("--from %s: %w", from, err)
				}
			} else {
				cfg, err := configFlag(contexts)
				if err != nil {
					return err
				}
				opt.Config = cfg
			}
			p, err := parseParams(params)
			if err != nil {
				return err
			}
			if len(p) > 0 {
				full := cm.DefaultRuntime().Params()
				for k, v := range p {
					full[k] = v
				}
				if opt.Runtime, err = cm.RuntimeFromParams(full); err != nil {
					return err
				}
			}
			var readers []io.Reader
			var readersAt []io.ReaderAt
			var sizes []int64
			for _, name := range files {
				f, err := os.Open(name)
				if err != nil {
					return fmt.Errorf("open training data: %w", err)
				}
				defer f.Close()
				st, err := f.Stat()
				if err != nil {
					return fmt.Errorf("open training data: %w", err)
				}
				readers = append(readers, io.NewSectionReader(f, 0, st.Size()))
				readersAt = append(readersAt, f)
				sizes = append(sizes, st.Size())
			}
			if search && opt.From == nil && sampleBytes > 0 {
				if opt.Sample, err = cm.Sample(readersAt, sizes, sampleBytes); err != nil {
					return err
				}
			}
			prog := newProgress(cmd.ErrOrStderr(), "train")
			opt.Progress = prog.updateStage
			m, err := powoc.TrainCM(ctx, opt, readers...)
			prog.finish()
			if err != nil {
				return err
			}
			return writeModel(cmd, out, m)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&data, "data", nil, "training data file (repeatable)")
	f.StringVar(&out, "out", "", "model file to write (required)")
	f.StringVar(&from, "from", "", "continue from this model, keeping its architecture")
	f.StringVar(&contexts, "contexts", "", "contexts of a new model, where the search starts (default "+cm.FormatContexts(cm.DefaultConfig().Contexts)+")")
	f.BoolVar(&search, "search", true, "fit the architecture to a sample before training")
	f.Int64Var(&sampleBytes, "sample-bytes", 1<<20, "bytes of training data the architecture search codes per candidate")
	f.IntVar(&rounds, "rounds", 2, "passes of the architecture search, at most")
	f.IntVar(&maxContexts, "max-contexts", cm.DefaultMaxContexts, "most contexts the search may choose (each costs speed)")
	f.StringArrayVar(&params, "param", nil, "memory size while training, KEY=VALUE (e.g. cm.table_bits=24)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func newPowocScoreCmd() *cobra.Command {
	var model, parent, data, out, evName, evCmd string
	var params []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "score --model MODEL --data FILE --out CLAIM",
		Short: "Compress validation data under a model, write the claim and print its score",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signalContext(cmd)
			defer cancel()
			ev, err := evaluatorFor(ctx, evName, evCmd)
			if err != nil {
				return err
			}
			p, err := parseParams(params)
			if err != nil {
				return err
			}
			m, err := powoc.OpenModel(model)
			if err != nil {
				return err
			}
			pm, err := openOptionalModel(parent)
			if err != nil {
				return err
			}
			prog := newProgress(cmd.ErrOrStderr(), "score")
			res, err := powoc.Score(ctx, powoc.ScoreRequest{Evaluator: ev, Model: m, Parent: pm, Params: p,
				Data: data, Out: out, Progress: prog.update})
			prog.finish()
			if err != nil {
				return err
			}
			return printResult(cmd.OutOrStdout(), res, asJSON, false)
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "model file (required)")
	f.StringVar(&parent, "parent", "", "parent model: the model then costs its delta from it")
	f.StringVar(&data, "data", "", "validation data file (required)")
	f.StringVar(&out, "out", "", "claim file to write (required)")
	f.StringVar(&evName, "evaluator", "", "built-in evaluator (default cm)")
	f.StringVar(&evCmd, "evaluator-cmd", "", "run an external evaluator: program and arguments, split on spaces")
	f.StringArrayVar(&params, "param", nil, "evaluator parameter KEY=VALUE (repeatable)")
	f.BoolVar(&asJSON, "json", false, "print the score as JSON")
	for _, name := range []string{"model", "data", "out"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

func newPowocVerifyCmd() *cobra.Command {
	var model, parent, claimPath, data, dataID, evCmd, output string
	var dataSize, maxDataSize uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify --model MODEL --claim CLAIM [--data FILE | --data-id ID [--data-size N]]",
		Short: "Decode a claim and check it reproduces the validation data exactly",
		Long: `Decode a claim with the evaluator it names and the model given, and check
that the result is the validation object: its Merkle object id and length
must be the claim's, and the claim's data id must be --data-id, or the id of
--data. With --data-id alone, the claim's announced length is trusted only
up to --max-data-size (an id does not reveal its object's length); give
--data-size when the length is known. Prints the verified score. Exits with status 3 when the claim is
rejected (tampered, truncated, another model or data, wrong evaluator) and
128 when it could not be checked.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signalContext(cmd)
			defer cancel()
			if data != "" && dataID != "" {
				return errors.New("give --data or --data-id, not both")
			}
			req := powoc.VerifyRequest{Claim: claimPath, Data: data, DataLen: dataSize}
			if data == "" {
				req.MaxDataLen = maxDataSize
			}
			if dataID != "" {
				id, err := merkle.ParseID(dataID)
				if err != nil {
					return fmt.Errorf("--data-id: %w", err)
				}
				req.DataID = &id
			}
			var err error
			if req.Model, err = powoc.OpenModel(model); err != nil {
				return err
			}
			if req.Parent, err = openOptionalModel(parent); err != nil {
				return err
			}
			req.Resolve = func(h *claim.Header) (powoc.Evaluator, error) {
				if evCmd == "" {
					return powoc.Builtin(h.Evaluator, h.EvaluatorVersion)
				}
				return evaluatorFor(ctx, "", evCmd)
			}
			var outFile *os.File
			if output != "" {
				if outFile, err = os.Create(output); err != nil {
					return err
				}
				defer outFile.Close()
				req.Output = outFile
			}
			prog := newProgress(cmd.ErrOrStderr(), "verify")
			req.Progress = prog.update
			res, err := powoc.Verify(ctx, req)
			prog.finish()
			if err != nil {
				if outFile != nil {
					outFile.Close()
					os.Remove(output)
				}
				if errors.Is(err, powoc.ErrRejected) {
					return &exitError{code: exitRejected, msg: "rejected: " + strings.TrimPrefix(err.Error(), powoc.ErrRejected.Error()+": ")}
				}
				return err
			}
			if outFile != nil {
				if err := outFile.Close(); err != nil {
					return err
				}
			}
			return printResult(cmd.OutOrStdout(), res, asJSON, true)
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "model file (required)")
	f.StringVar(&parent, "parent", "", "parent model, required when the claim names one")
	f.StringVar(&claimPath, "claim", "", "claim file (required)")
	f.StringVar(&data, "data", "", "validation data file the claim must reproduce")
	f.StringVar(&dataID, "data-id", "", "object id the claim must reproduce")
	f.Uint64Var(&dataSize, "data-size", 0, "length in bytes of the validation object, when known")
	f.Uint64Var(&maxDataSize, "max-data-size", 1<<32, "refuse claims announcing more validation data than this (without --data)")
	f.StringVar(&evCmd, "evaluator-cmd", "", "run the claim's evaluator as this external program")
	f.StringVar(&output, "output", "", "also write the decoded data to this file")
	f.BoolVar(&asJSON, "json", false, "print the score as JSON")
	_ = cmd.MarkFlagRequired("model")
	_ = cmd.MarkFlagRequired("claim")
	return cmd
}

func newPowocInspectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inspect CLAIM",
		Short: "Print a claim's header without decoding it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			h, err := claim.ReadHeader(f)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			view := map[string]any{
				"evaluator": h.Evaluator, "evaluator_version": h.EvaluatorVersion,
				"model": h.Model.String(), "data": h.Data.String(), "data_bytes": h.DataLen,
				"params": h.Params, "code_bytes": h.CodeLen, "header_bytes": h.Size(),
			}
			if h.HasParent() {
				view["parent"] = h.Parent.String()
			}
			return enc.Encode(view)
		},
	}
	return cmd
}

func newPowocCorpusCmd() *cobra.Command {
	var validation, training, goroot string
	cmd := &cobra.Command{
		Use:   "corpus --validation FILE --training FILE",
		Short: "Write the reference data: the Go standard library sources, 10 MiB validation + 10 MiB training",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if goroot == "" {
				goroot = corpus.GoRoot()
			}
			for _, part := range []struct {
				path string
				off  int64
				n    int64
			}{{validation, 0, corpus.ValidationSize}, {training, corpus.ValidationSize, corpus.TrainingSize}} {
				if part.path == "" {
					continue
				}
				b, err := corpus.Read(goroot, part.off, part.n)
				if err != nil {
					return err
				}
				if err := powoc.WriteFileAtomic(part.path, b); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %s (%d bytes)\n", merkle.SumBytes(b), part.path, len(b))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&validation, "validation", "", "file for the validation set")
	cmd.Flags().StringVar(&training, "training", "", "file for the training set")
	cmd.Flags().StringVar(&goroot, "goroot", "", "Go installation to read (default: $GOROOT or this build's)")
	return cmd
}

func newPowocEvaluatorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "evaluator info|encode|decode [flags]",
		Short: "Run the built-in evaluator through the external evaluator protocol",
		Long: `Serve one command of the external evaluator protocol (docs/POWOC.md) with
the built-in evaluator, so "agigit powoc evaluator" can stand in for any
external evaluator and shows what one must do.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Flag parsing is off so the protocol's own flags pass through;
			// help still has to work.
			if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
				return cmd.Help()
			}
			ctx, cancel := signalContext(cmd)
			defer cancel()
			return powoc.Serve(ctx, powoc.CM{}, args, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
}

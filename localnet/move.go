package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/testrun"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// errSilent marks a failure already reported on the output.
var errSilent = errors.New("")

func newMoveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "move",
		Short: "Check Move packages and run their unit tests",
	}
	cmd.AddCommand(newMoveTestCmd(), newMoveCheckCmd())
	return cmd
}

type moveFlags struct {
	dir   string
	named string
}

func (f *moveFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "package-dir", ".", "directory of the Move package (holds Move.toml)")
	cmd.Flags().StringVar(&f.named, "named-addresses", "", "named addresses, e.g. market=0xcafe,admin=0xbeef")
}

func parseNamed(s string) (map[string]vm.Address, error) {
	out := map[string]vm.Address{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--named-addresses: %q is not name=0xADDRESS", part)
		}
		a, ok := vm.ParseAddress(strings.TrimSpace(val))
		if !ok {
			return nil, fmt.Errorf("--named-addresses: %q is not an address", val)
		}
		out[strings.TrimSpace(name)] = a
	}
	return out, nil
}

func printJSON(w io.Writer, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintln(w, string(b))
}

// buildPackage loads and compiles, printing the build log and diagnostics.
func buildPackage(cmd *cobra.Command, f *moveFlags, test bool) (*build.Built, error) {
	named, err := parseNamed(f.named)
	if err != nil {
		return nil, err
	}
	opts := build.Options{Test: test, NamedAddresses: named}
	l, err := build.Load(f.dir, opts)
	if err != nil {
		return nil, err
	}
	errw := cmd.ErrOrStderr()
	deps := append([]string(nil), l.Deps...)
	sort.Strings(deps) // as the Aptos CLI lists them
	for _, d := range deps {
		fmt.Fprintf(errw, "INCLUDING DEPENDENCY %s\n", d)
	}
	fmt.Fprintf(errw, "BUILDING %s\n", l.Root.Name)
	res, err := build.Compile(l, opts)
	if err != nil {
		var diags check.Errors
		if errors.As(err, &diags) {
			fmt.Fprintln(errw, diags.Error())
			return nil, fmt.Errorf("compilation failed with %d error(s)", len(diags))
		}
		return nil, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(errw, "warning: "+w.String())
	}
	return &build.Built{Loaded: l, Result: res}, nil
}

func newMoveTestCmd() *cobra.Command {
	var f moveFlags
	var filter string
	var budget uint64
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the package's Move unit tests (like aptos move test)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			b, err := buildPackage(cmd, &f, true)
			if err != nil {
				printJSON(out, map[string]string{"Error": "Move unit tests failed: " + err.Error()})
				return err
			}
			sum, err := testrun.Run(b.Result, testrun.Options{Filter: filter, Budget: budget, Genesis: build.TestGenesis(), Debug: out})
			if err != nil {
				return err
			}
			testrun.Report(out, sum)
			if !sum.OK() {
				printJSON(out, map[string]string{"Error": "Move unit tests failed"})
				return errSilent
			}
			printJSON(out, map[string]string{"Result": "Success"})
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVarP(&filter, "filter", "f", "", "run only tests whose module::name contains this string")
	cmd.Flags().Uint64Var(&budget, "instructions", testrun.DefaultInstructionBudget, "instruction budget per test (exceeding it is a TIMEOUT)")
	return cmd
}

func newMoveCheckCmd() *cobra.Command {
	var f moveFlags
	var test bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a Move package and report diagnostics without running anything",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := buildPackage(cmd, &f, test)
			if err != nil {
				return err
			}
			n := 0
			for _, m := range b.Program.Modules {
				if m.Package == b.Root.Name {
					n++
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d module(s) checked, no errors\n", b.Root.Name, n)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&test, "test", false, "also check #[test] and #[test_only] code (uses dev-addresses)")
	return cmd
}

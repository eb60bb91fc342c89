// Command agigit is the model author's tool: git for AI models whose objects
// are erasure-coded over independent Nostr relays.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code, with
// git's conventions: 0 success, 1 a command that did not do what was asked
// (nothing to commit, a refused checkout), 128 a fatal error, 129 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	// Ctrl-C cancels long work cleanly (temporary files are removed).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	case isUsageError(err):
		fmt.Fprintf(stderr, "error: %v\n", err)
		fmt.Fprintf(stderr, "(see 'agigit %s --help')\n", commandPath(root, args))
		return 129
	default:
		fmt.Fprintf(stderr, "fatal: %v\n", err)
		return 128
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "agigit",
		Short:         "Version AI models over Nostr relays",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringP("dir", "C", "", "run as if started in `DIR`")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newObjectCmd())
	root.AddCommand(newKeyCmd())
	root.AddCommand(newInitCmd(), newAddCmd(), newRmCmd(), newStatusCmd(), newCommitCmd(),
		newCheckoutCmd(), newLogCmd(), newShowCmd(), newBranchCmd(), newTagCmd())
	root.AddCommand(newPowocCmd())
	root.AddCommand(newMergeCmd(), newRebaseCmd(), newLoraCmd())
	root.AddCommand(newRelayCmd(), newPushCmd(), newFetchCmd(), newPullCmd(), newCloneCmd(),
		newForkCmd(), newAddressCmd(), newSearchCmd())
	return root
}

// exitError ends a command with a given exit code and message (printed as
// is; an empty message prints nothing).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// failf is an error that exits 1, printed with git's "error: " prefix.
func failf(format string, a ...any) error {
	return &exitError{code: 1, msg: "error: " + fmt.Sprintf(format, a...)}
}

// usageError marks bad arguments or flags (exit 129).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func isUsageError(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

func commandPath(root *cobra.Command, args []string) string {
	c, _, err := root.Find(args)
	if err != nil || c == root {
		return ""
	}
	return c.Name()
}

// usageArgs wraps a cobra argument check so that failures exit 129.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// workDir is the directory a command runs in: -C DIR or the current one.
func workDir(cmd *cobra.Command) (string, error) {
	d, _ := cmd.Flags().GetString("dir")
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if d == "" {
		return cwd, nil
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(cwd, d)
	}
	st, err := os.Stat(d)
	if err != nil {
		return "", fmt.Errorf("cannot change to '%s': %w", d, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("cannot change to '%s': not a directory", d)
	}
	return d, nil
}

// openRepo opens the repository the command runs in.
func openRepo(cmd *cobra.Command) (*repo.Repo, string, error) {
	cwd, err := workDir(cmd)
	if err != nil {
		return nil, "", err
	}
	r, err := repo.Open(cwd)
	if err != nil {
		return nil, "", err
	}
	return r, cwd, nil
}

// openLocked opens the repository the command runs in and takes its lock
// for a command that changes it; the caller defers the returned unlock.
func openLocked(cmd *cobra.Command) (*repo.Repo, func(), error) {
	r, _, err := openRepo(cmd)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := r.Lock()
	if err != nil {
		return nil, nil, err
	}
	return r, unlock, nil
}

// loadKey loads the user's identity.
func loadKey() (keys.Key, error) {
	k, _, err := keys.Load()
	return k, err
}

package repo

import "github.com/agi-nostr/agi-nostr/internal/nostrkind"

// Event kinds agigit writes (docs/NOSTR.md).
const (
	KindCommit           = nostrkind.Commit
	KindManifest         = nostrkind.Manifest
	KindRepoAnnouncement = nostrkind.RepoAnnouncement
	KindRepoState        = nostrkind.RepoState
)

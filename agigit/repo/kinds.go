package repo

// Event kinds agigit writes (docs/NOSTR.md).
const (
	// KindCommit is a commit (regular event).
	KindCommit = 3617
	// KindManifest holds an object's manifest (regular event).
	KindManifest = 3618
	// KindRepoAnnouncement announces a repository (NIP-34, addressable).
	KindRepoAnnouncement = 30617
	// KindRepoState carries a repository's refs (NIP-34, addressable).
	KindRepoState = 30618
)

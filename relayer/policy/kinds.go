package policy

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/internal/object"
)

// Bounds of the project's kinds (docs/NOSTR.md).
const (
	MaxCommitParents = 16
	MaxRepoNameLen   = 256
)

// CheckProjectKinds applies the relay's rules for the project's repository
// kinds: the tags that readers depend on must be present and well formed,
// so that a stored commit, manifest or repository event is never useless to
// agigit or unreachable by the filters it uses. Other kinds pass. Readers
// still verify everything; the relay only refuses what is certainly broken.
func CheckProjectKinds(evt *nostr.Event) *Rejection {
	switch evt.Kind {
	case nostrkind.RepoAnnouncement:
		return checkRepoName(evt, "repository announcement")
	case nostrkind.RepoState:
		if rej := checkRepoName(evt, "repository state"); rej != nil {
			return rej
		}
		for _, t := range evt.Tags {
			if len(t) >= 1 && (strings.HasPrefix(t[0], "refs/heads/") || strings.HasPrefix(t[0], "refs/tags/")) {
				if len(t) < 2 || !IsLowerHex(t[1], 64) {
					return Reject(Invalid, "repository state: ref %q must name a commit id (64 lowercase hex digits)", truncate(t[0], 64))
				}
			}
		}
	case nostrkind.Commit:
		return checkCommit(evt)
	case nostrkind.Manifest:
		return checkManifest(evt)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// checkRepoName requires the NIP-34 identifier: a non-empty "d" tag of
// letters, digits, '.', '_' and '-'.
func checkRepoName(evt *nostr.Event, what string) *Rejection {
	d := evt.Tags.Find("d")
	if len(d) < 2 || !validRepoName(d[1]) {
		return Reject(Invalid, "%s needs a \"d\" tag naming the repository (letters, digits, '.', '_', '-')", what)
	}
	return nil
}

func validRepoName(s string) bool {
	if s == "" || len(s) > MaxRepoNameLen || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// repoAddress checks "30617:<pubkey>:<name>".
func repoAddress(s string) bool {
	a, ok := nostrkind.ParseAddress(s)
	return ok && a.Kind == nostrkind.RepoAnnouncement && validRepoName(a.D)
}

func checkCommit(evt *nostr.Event) *Rejection {
	repos, parents, files, encrypted := 0, 0, 0, false
	for _, t := range evt.Tags {
		if len(t) == 0 {
			continue
		}
		switch t[0] {
		case "a":
			if len(t) < 2 || !repoAddress(t[1]) {
				return Reject(Invalid, "commit: the \"a\" tag must be a repository address 30617:<pubkey>:<name>")
			}
			repos++
		case "parent":
			if len(t) < 2 || !IsLowerHex(t[1], 64) {
				return Reject(Invalid, "commit: parent must be a commit id (64 lowercase hex digits)")
			}
			parents++
		case "base":
			if len(t) < 3 || !repoAddress(t[1]) || !IsLowerHex(t[2], 64) {
				return Reject(Invalid, "commit: base must be [\"base\", <repository address>, <commit id>]")
			}
		case "file":
			if len(t) < 5 || t[1] == "" || !IsLowerHex(t[2], 64) || !isDecimal(t[3]) || (t[4] != "100644" && t[4] != "100755") {
				return Reject(Invalid, "commit: file tags are [\"file\", <path>, <object id>, <size>, <mode>]")
			}
			files++
		case "encrypted":
			encrypted = true
		}
	}
	switch {
	case repos != 1:
		return Reject(Invalid, "commit: needs exactly one \"a\" tag naming its repository, has %d", repos)
	case parents > MaxCommitParents:
		return Reject(Invalid, "commit: %d parents, at most %d", parents, MaxCommitParents)
	case encrypted && files > 0:
		return Reject(Invalid, "commit: an encrypted commit carries its files in the content, not in tags")
	}
	return nil
}

func isDecimal(s string) bool {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// checkManifest requires the "x" tag that finds a manifest by object id,
// and content that is a canonical manifest (internal/object, the format of
// docs/FORMAT.md) naming the same id: a relay never stores a manifest that
// no reader could use.
func checkManifest(evt *nostr.Event) *Rejection {
	var x []string
	for _, t := range evt.Tags {
		if len(t) >= 1 && t[0] == "x" {
			if len(t) < 2 || !IsLowerHex(t[1], 64) {
				return Reject(Invalid, "manifest: the \"x\" tag must be an object id (64 lowercase hex digits)")
			}
			x = append(x, t[1])
		}
	}
	if len(x) != 1 {
		return Reject(Invalid, "manifest: needs exactly one \"x\" tag with the stored object id, has %d", len(x))
	}
	if len(evt.Content) > object.MaxManifestSize {
		return Reject(Invalid, "manifest: content of %d bytes exceeds %d", len(evt.Content), object.MaxManifestSize)
	}
	m, err := object.ParseManifest([]byte(evt.Content))
	if err != nil {
		return Reject(Invalid, "%s", truncate(err.Error(), 200))
	}
	if hex.EncodeToString(m.ID[:]) != x[0] {
		return Reject(Invalid, "manifest: the \"x\" tag does not match the manifest's id")
	}
	return nil
}

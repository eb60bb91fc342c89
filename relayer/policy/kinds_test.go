package policy

import (
	"strings"
	"testing"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

func TestCheckProjectKinds(t *testing.T) {
	pk := strings.Repeat("1", 64)
	h := func(c string) string { return strings.Repeat(c, 64) }
	repo := "30617:" + pk + ":tiny-llama"
	// The public test vector of docs/FORMAT.md.
	manifest := `{"version":1,"id":"7319b65f164a51c3a1b4297f9ac8a89426ade90f6cdec04b688a0f3c3625e847","size":20481,"coding":{"scheme":"reed-solomon-gf256","k":2,"n":3,"block_size":4096},"shard_size":10305,"shards":["91b0c418a0bb99db174c85588184fc5cd791e046a7839b4f70dee3b913290df9","d1c673e18ad6de38003e62724c0a0a111b76969f2cfcbb4c89b62d3bfeb8806a","470b27d226d7236620712f523b22da185627860b49cbc55cacced64792c0e381"]}`
	manifestID := "7319b65f164a51c3a1b4297f9ac8a89426ade90f6cdec04b688a0f3c3625e847"
	ok := []nostr.Event{
		{Kind: nostrkind.Commit, Content: "first", Tags: nostr.Tags{{"a", repo}, {"file", "model.safetensors", h("a"), "123", "100644"}, {"alt", "agigit commit"}}},
		{Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"parent", h("d")}, {"parent", h("e")}, {"base", repo, h("f")}, {"file", "x", h("a"), "0", "100755", "delta", h("b")}}},
		{Kind: nostrkind.Commit, Content: "c2VhbGVk", Tags: nostr.Tags{{"a", repo}, {"parent", h("d")}, {"encrypted", "xchacha20poly1305"}}},
		{Kind: nostrkind.Manifest, Content: manifest, Tags: nostr.Tags{{"x", manifestID}, {"a", repo}}},
		{Kind: nostrkind.RepoAnnouncement, Tags: nostr.Tags{{"d", "tiny-llama"}, {"name", "Tiny Llama"}}},
		{Kind: nostrkind.RepoState, Tags: nostr.Tags{{"d", "tiny-llama"}, {"refs/heads/main", h("d")}, {"HEAD", "ref: refs/heads/main"}}},
		{Kind: 1, Content: "not ours"},
	}
	for i, e := range ok {
		if rej := CheckProjectKinds(&e); rej != nil {
			t.Errorf("valid event %d (kind %d) refused: %v", i, e.Kind, rej)
		}
	}
	bad := map[string]nostr.Event{
		"commit without repository":    {Kind: nostrkind.Commit, Tags: nostr.Tags{{"file", "x", h("a"), "1", "100644"}}},
		"commit with two repositories": {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"a", repo}}},
		"commit in a non-repository":   {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", "30023:" + pk + ":x"}}},
		"short parent":                 {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"parent", "abc"}}},
		"bad base":                     {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"base", h("f")}}},
		"file with bad size":           {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"file", "x", h("a"), "-1", "100644"}}},
		"file with bad mode":           {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"file", "x", h("a"), "1", "777"}}},
		"file without id":              {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"file", "x"}}},
		"encrypted with files":         {Kind: nostrkind.Commit, Tags: nostr.Tags{{"a", repo}, {"encrypted", "xchacha20poly1305"}, {"file", "x", h("a"), "1", "100644"}}},
		"manifest without x":           {Kind: nostrkind.Manifest, Content: manifest},
		"manifest x mismatch":          {Kind: nostrkind.Manifest, Content: manifest, Tags: nostr.Tags{{"x", h("b")}}},
		"manifest not JSON":            {Kind: nostrkind.Manifest, Content: "{", Tags: nostr.Tags{{"x", manifestID}}},
		"manifest not canonical":       {Kind: nostrkind.Manifest, Content: strings.Replace(manifest, `"size":20481`, `"size": 20481`, 1), Tags: nostr.Tags{{"x", manifestID}}},
		"manifest without shards":      {Kind: nostrkind.Manifest, Content: `{"version":1,"id":"` + manifestID + `"}`, Tags: nostr.Tags{{"x", manifestID}}},
		"announcement without d":       {Kind: nostrkind.RepoAnnouncement, Tags: nostr.Tags{{"name", "x"}}},
		"announcement with bad name":   {Kind: nostrkind.RepoAnnouncement, Tags: nostr.Tags{{"d", "a/b"}}},
		"state with a bad ref":         {Kind: nostrkind.RepoState, Tags: nostr.Tags{{"d", "x"}, {"refs/heads/main", "HEAD~1"}}},
	}
	for name, e := range bad {
		if rej := CheckProjectKinds(&e); rej == nil || rej.Prefix != Invalid {
			t.Errorf("%s: %v, want invalid", name, rej)
		}
	}
}

package repo

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

func testKey(t testing.TB) keys.Key {
	t.Helper()
	k, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sampleCommit(k keys.Key) NewCommit {
	return NewCommit{
		Repo:    "30617:" + k.Public + ":model",
		Parents: []string{strings.Repeat("a", 64)},
		Base:    &BaseRef{Address: "30617:" + k.Public + ":base", Commit: strings.Repeat("b", 64)},
		Message: "tune the head\n\nlonger text",
		Files: []FileEntry{
			{Path: "weights/model.safetensors", ID: merkle.SumBytes([]byte("w")), Size: 1, Mode: ModeFile},
			{Path: "config.json", ID: merkle.SumBytes([]byte("{}")), Size: 2, Mode: ModeFile},
			{Path: "run.sh", ID: merkle.SumBytes([]byte("#!")), Size: 2, Mode: ModeExec, Extra: []string{"future"}},
		},
		Time: time.Unix(1700000000, 0),
	}
}

func signed(t *testing.T, k keys.Key, nc NewCommit, s Sealer) *nostr.Event {
	t.Helper()
	ev, err := BuildCommitEvent(nc, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Sign(ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestCommitRoundTrip(t *testing.T) {
	k := testKey(t)
	nc := sampleCommit(k)
	ev := signed(t, k, nc, nil)
	c, err := DecodeCommit(ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != ev.ID || c.Author != k.Public || c.Message != nc.Message || c.Repo != nc.Repo {
		t.Fatalf("decoded %+v", c)
	}
	if len(c.Parents) != 1 || c.Parents[0] != nc.Parents[0] || c.Base == nil || c.Base.Commit != nc.Base.Commit {
		t.Fatalf("parents/base %+v %+v", c.Parents, c.Base)
	}
	if len(c.Files) != 3 || c.Files[0].Path != "config.json" || c.Files[1].Mode != ModeExec || c.Files[1].Extra[0] != "future" {
		t.Fatalf("files %+v", c.Files)
	}
	if !c.Time.Equal(nc.Time) {
		t.Fatalf("time %v", c.Time)
	}
}

func TestCommitRejectsTampering(t *testing.T) {
	k := testKey(t)
	ev := signed(t, k, sampleCommit(k), nil)

	mutate := func(name string, f func(e *nostr.Event), resign bool) {
		t.Run(name, func(t *testing.T) {
			b, _ := json.Marshal(ev)
			var e nostr.Event
			json.Unmarshal(b, &e)
			f(&e)
			if resign {
				if err := k.Sign(&e); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := DecodeCommit(&e, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	mutate("content changed", func(e *nostr.Event) { e.Content = "evil" }, false)
	mutate("signature from another key", func(e *nostr.Event) {
		other := testKey(t)
		e.Sign(other.Secret)
		e.PubKey = k.Public
	}, false)
	mutate("wrong kind", func(e *nostr.Event) { e.Kind = 1 }, true)
	mutate("path escapes", func(e *nostr.Event) {
		e.Tags = append(e.Tags, nostr.Tag{"file", "../../etc/passwd", strings.Repeat("0", 64), "1", "100644"})
	}, true)
	mutate("path into store", func(e *nostr.Event) {
		e.Tags = append(e.Tags, nostr.Tag{"file", "x/.AGIGIT/config", strings.Repeat("0", 64), "1", "100644"})
	}, true)
	mutate("absolute path", func(e *nostr.Event) {
		e.Tags = append(e.Tags, nostr.Tag{"file", "/etc/x", strings.Repeat("0", 64), "1", "100644"})
	}, true)
	mutate("unsorted", func(e *nostr.Event) {
		e.Tags = append(e.Tags, nostr.Tag{"file", "a", strings.Repeat("0", 64), "1", "100644"})
	}, true)
	mutate("file and dir", func(e *nostr.Event) {
		e.Tags = append(e.Tags, nostr.Tag{"file", "weights", strings.Repeat("0", 64), "1", "100644"})
	}, true)
	mutate("bad size", func(e *nostr.Event) {
		e.Tags = append(e.Tags, nostr.Tag{"file", "zz", strings.Repeat("0", 64), "01", "100644"})
	}, true)
	mutate("bad mode", func(e *nostr.Event) {
		e.Tags = append(e.Tags, nostr.Tag{"file", "zz", strings.Repeat("0", 64), "1", "120000"})
	}, true)
	mutate("no repository", func(e *nostr.Event) { e.Tags = e.Tags.FilterOut([]string{"a"}) }, true)
	mutate("bad parent", func(e *nostr.Event) { e.Tags = append(e.Tags, nostr.Tag{"parent", "xyz"}) }, true)
}

func TestPrivateCommit(t *testing.T) {
	k := testKey(t)
	key, _ := NewRepoKey()
	s, _ := NewCommitSealer(key)
	nc := sampleCommit(k)
	ev := signed(t, k, nc, s)
	if strings.Contains(ev.String(), "safetensors") || strings.Contains(ev.String(), "tune the head") {
		t.Fatal("private commit leaks its tree or message")
	}
	c, err := DecodeCommit(ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Encrypted || c.Files != nil {
		t.Fatal("decoded a private tree without a key")
	}
	c, err = DecodeCommit(ev, s)
	if err != nil || len(c.Files) != 3 || c.Message != nc.Message {
		t.Fatalf("decrypt: %v %+v", err, c)
	}
	other, _ := NewRepoKey()
	s2, _ := NewCommitSealer(other)
	if _, err := DecodeCommit(ev, s2); err == nil {
		t.Fatal("decrypted with the wrong key")
	}
}

func TestValidatePath(t *testing.T) {
	good := []string{"a", "a/b.c", "model weights/ü.bin", ".agigitignore", "..a", "a..b/c"}
	bad := []string{"", "/a", "a/", "a//b", "./a", "a/../b", "..", ".agigit/x", "x/.agigit", "a\\b", "a\x00b", "a\nb", string([]byte{0xff})}
	for _, p := range good {
		if err := ValidatePath(p); err != nil {
			t.Errorf("ValidatePath(%q) = %v", p, err)
		}
	}
	for _, p := range bad {
		if err := ValidatePath(p); err == nil {
			t.Errorf("ValidatePath(%q) accepted", p)
		}
	}
}

func TestRefNames(t *testing.T) {
	for _, n := range []string{"main", "feature/x", "v1.0", "a-b_c"} {
		if err := ValidateRefName(n); err != nil {
			t.Errorf("%q: %v", n, err)
		}
	}
	for _, n := range []string{"", "-x", "a..b", "a b", "a:b", "x.lock", "a/", "/a", ".hidden", "a/.b", "HEAD", "a@{1}", "a~1", "a^"} {
		if err := ValidateRefName(n); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
}

func FuzzDecodeCommit(f *testing.F) {
	k := testKey(f)
	ev, _ := BuildCommitEvent(sampleCommit(k), nil)
	k.Sign(ev)
	b, _ := json.Marshal(ev)
	f.Add(b)
	f.Add([]byte(`{"kind":3617,"tags":[["file"]]}`))
	key, _ := NewRepoKey()
	s, _ := NewCommitSealer(key)
	pev, _ := BuildCommitEvent(sampleCommit(k), s)
	k.Sign(pev)
	pb, _ := json.Marshal(pev)
	f.Add(pb)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev nostr.Event
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		ev.Kind = KindCommit
		for _, sealer := range []Sealer{nil, s} {
			// The fields past the signature check: a fuzzed event is
			// never validly signed.
			c, err := decodeCommitFields(&ev, sealer)
			if err != nil {
				continue
			}
			if checkTree(c.Files) != nil {
				t.Fatal("decoded an invalid tree")
			}
		}
	})
}

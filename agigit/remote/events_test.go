package remote

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/object"
)

func key(t testing.TB) keys.Key {
	k, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestChooseCodingAndTolerance(t *testing.T) {
	cases := []struct{ r, k, n, tol int }{
		{1, 1, 1, 0}, {2, 1, 2, 1}, {3, 2, 3, 1}, {4, 3, 4, 1}, {6, 4, 6, 2}, {9, 6, 9, 3}, {12, 8, 12, 4},
	}
	for _, c := range cases {
		k, n := ChooseCoding(c.r)
		if k != c.k || n != c.n {
			t.Errorf("ChooseCoding(%d) = %d of %d, want %d of %d", c.r, k, n, c.k, c.n)
		}
		if tol := Tolerance(k, n, c.r); tol != c.tol {
			t.Errorf("Tolerance(%d, %d, %d) = %d, want %d", k, n, c.r, tol, c.tol)
		}
	}
	// Fewer relays than shards: a relay holds ceil(n/r) shards.
	if got := Tolerance(4, 6, 3); got != 1 {
		t.Errorf("k=4 n=6 on 3 relays tolerates %d", got)
	}
	if got := Tolerance(4, 6, 2); got != 0 {
		t.Errorf("k=4 n=6 on 2 relays tolerates %d", got)
	}
}

func TestPlacementSpreads(t *testing.T) {
	servers := []string{"http://a", "http://b", "http://c", "http://d"}
	counts := map[string]int{}
	for i := 0; i < 400; i++ {
		id := merkle.SumBytes([]byte{byte(i), byte(i >> 8)})
		p := placement(id, 2, servers)
		if p[0] == p[1] {
			t.Fatalf("two shards of one object on %s", p[0])
		}
		for _, s := range p {
			counts[s]++
		}
	}
	for _, s := range servers {
		if counts[s] < 150 || counts[s] > 250 {
			t.Fatalf("uneven placement: %v", counts)
		}
	}
	// More shards than servers: round-robin.
	p := placement(merkle.SumBytes(nil), 6, servers[:3])
	for i := range p {
		if p[i] != p[(i+3)%6] {
			t.Fatalf("placement %v is not round-robin", p)
		}
	}
}

func TestStateRoundTripAndForgery(t *testing.T) {
	owner, other := key(t), key(t)
	c := strings.Repeat("ab", 32)
	ev := BuildState("m", map[string]string{"refs/heads/main": c, "refs/tags/v1": c}, "main", 1700000000)
	owner.Sign(ev)
	st, err := ParseState(ev, owner.Public, "m")
	if err != nil || st.Head != "main" || st.Refs["refs/tags/v1"] != c || len(st.Refs) != 2 {
		t.Fatalf("state %+v %v", st, err)
	}
	if _, err := ParseState(ev, other.Public, "m"); err == nil {
		t.Fatal("state accepted for another owner")
	}
	if _, err := ParseState(ev, owner.Public, "other"); err == nil {
		t.Fatal("state accepted for another repository")
	}
	forged := *ev
	forged.Tags = slices.Clone(ev.Tags)
	forged.Tags[1] = nostr.Tag{"refs/heads/main", strings.Repeat("cd", 32)}
	if _, err := ParseState(&forged, owner.Public, "m"); err == nil {
		t.Fatal("tampered state accepted")
	}
	byOther := BuildState("m", map[string]string{"refs/heads/main": c}, "main", 1800000000)
	other.Sign(byOther)
	if _, err := ParseState(byOther, owner.Public, "m"); err == nil {
		t.Fatal("state signed by another key accepted")
	}
	// Newer: later created_at, then lower id.
	a := &nostr.Event{CreatedAt: 2, ID: "b"}
	b := &nostr.Event{CreatedAt: 1, ID: "a"}
	if !Newer(a, b) || Newer(b, a) || !Newer(&nostr.Event{CreatedAt: 2, ID: "a"}, a) {
		t.Fatal("Newer")
	}
}

func TestAnnouncementAndRepoKey(t *testing.T) {
	owner, reader, stranger := key(t), key(t), key(t)
	rk, _ := repo.NewRepoKey()
	wraps, err := WrapRepoKey(owner, rk, []string{owner.Public, reader.Public})
	if err != nil {
		t.Fatal(err)
	}
	base := &repo.BaseRef{Address: "30617:" + owner.Public + ":base", Commit: strings.Repeat("1", 64), Relays: []string{"ws://h:1"}}
	ev := BuildAnnouncement(AnnouncementInfo{Name: "m", Description: "d", Relays: []string{"ws://h:2"}, Servers: []string{"http://h:2"},
		Root: strings.Repeat("2", 64), Base: base, Private: true, Keys: wraps}, 1700000000)
	owner.Sign(ev)
	a, err := ParseAnnouncement(ev, owner.Public, "m")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Private || a.Base == nil || a.Base.Commit != base.Commit || a.Servers[0] != "http://h:2" || a.Relays[0] != "ws://h:2" {
		t.Fatalf("announcement %+v", a)
	}
	for _, k := range []keys.Key{owner, reader} {
		got, err := UnwrapRepoKey(k, owner.Public, a.Keys)
		if err != nil || string(got) != string(rk) {
			t.Fatalf("reader could not unwrap: %v", err)
		}
	}
	if _, err := UnwrapRepoKey(stranger, owner.Public, a.Keys); err == nil {
		t.Fatal("a stranger unwrapped the repository key")
	}
}

func testManifest(t testing.TB) *object.Manifest {
	m := &object.Manifest{ID: merkle.SumBytes([]byte("x")), Size: 1, K: 1, N: 2, BlockSize: 4096}
	m.Shards = make([]object.Hash, 2)
	m.Shards[1][0] = 1
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestManifestEvent(t *testing.T) {
	k := key(t)
	m := testManifest(t)
	ev := BuildManifestEvent(m, "30617:"+k.Public+":m", []string{"http://a:1", "http://b:1"}, 1700000000)
	k.Sign(ev)
	me, err := ParseManifestEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	if me.Manifest.ID != m.ID || !slices.Equal(me.ShardServers(1), []string{"http://b:1"}) || me.Repo == "" {
		t.Fatalf("manifest event %+v", me)
	}
	// Another id in the x tag, or content that is not canonical, is refused.
	bad := *ev
	bad.Tags = nostr.Tags{{"x", strings.Repeat("0", 64)}}
	k.Sign(&bad)
	if _, err := ParseManifestEvent(&bad); err == nil {
		t.Fatal("mismatched x tag accepted")
	}
	bad = *ev
	bad.Content = strings.Replace(ev.Content, `"version":1`, `"version": 1`, 1)
	k.Sign(&bad)
	if _, err := ParseManifestEvent(&bad); err == nil {
		t.Fatal("non-canonical manifest accepted")
	}
}

// The decoders below run after an event's signature is checked; the fuzz
// targets call them directly, since a fuzzed event is never validly signed.

func FuzzParseState(f *testing.F) {
	k := key(f)
	ev := BuildState("m", map[string]string{"refs/heads/main": strings.Repeat("ab", 32)}, "main", 1)
	k.Sign(ev)
	b, _ := json.Marshal(ev)
	f.Add(b)
	f.Add([]byte(`{"kind":30618,"tags":[["d","m"],["refs/heads/../x","zz"],["HEAD","ref: refs/heads/"]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev nostr.Event
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		st, err := parseStateFields(&ev)
		if err != nil {
			return
		}
		for name, id := range st.Refs {
			if !repo.IsCommitID(id) || !strings.HasPrefix(name, "refs/") {
				t.Fatalf("bad ref %q=%q", name, id)
			}
		}
	})
}

func FuzzParseAnnouncement(f *testing.F) {
	k := key(f)
	ev := BuildAnnouncement(AnnouncementInfo{Name: "m", Relays: []string{"ws://h:1"}, Servers: []string{"http://h:1"}, Private: true, Keys: []string{"x"}}, 1)
	k.Sign(ev)
	b, _ := json.Marshal(ev)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev nostr.Event
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		a := parseAnnouncementFields(&ev)
		for _, s := range a.Servers {
			if _, err := normalizeServer(s); err != nil {
				t.Fatalf("kept bad server %q", s)
			}
		}
	})
}

func FuzzDecodeManifestEvent(f *testing.F) {
	k := key(f)
	ev := BuildManifestEvent(testManifest(f), "30617:"+k.Public+":m", []string{"http://a:1", "http://b:1"}, 1)
	k.Sign(ev)
	b, _ := json.Marshal(ev)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev nostr.Event
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		me, err := decodeManifestEvent(&ev)
		if err != nil {
			return
		}
		for s, idx := range me.Placement {
			for _, i := range idx {
				if i < 0 || i >= me.Manifest.N {
					t.Fatalf("placement %s lists shard %d of %d", s, i, me.Manifest.N)
				}
			}
		}
	})
}

package remote

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nbd-wtf/go-nostr"
	"github.com/nbd-wtf/go-nostr/nip44"

	"github.com/agi-nostr/agi-nostr/agigit/keys"
	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/object"
)

// verify checks an event's id and signature.
func verify(ev *nostr.Event) error {
	if !ev.CheckID() {
		return fmt.Errorf("event %s: id does not match its content", short(ev.ID))
	}
	if ok, err := ev.CheckSignature(); !ok {
		return fmt.Errorf("event %s: bad signature (%v)", short(ev.ID), err)
	}
	return nil
}

// Newer reports whether a replaces b under NIP-01's rule for addressable
// events: the later created_at, and on a tie the lower id.
func Newer(a, b *nostr.Event) bool {
	if b == nil {
		return true
	}
	if a.CreatedAt != b.CreatedAt {
		return a.CreatedAt > b.CreatedAt
	}
	return a.ID < b.ID
}

// State is a decoded repository state (kind 30618).
type State struct {
	Event *nostr.Event
	// Refs maps full ref names (refs/heads/main, refs/tags/v1) to commit
	// ids.
	Refs map[string]string
	// Head is the branch HEAD names, "" if none.
	Head string
	// Skipped lists ref tags that were not understood.
	Skipped []string
}

// BuildState makes the unsigned state event of a repository.
func BuildState(name string, refs map[string]string, head string, createdAt int64) *nostr.Event {
	ev := &nostr.Event{Kind: repo.KindRepoState, CreatedAt: nostr.Timestamp(createdAt)}
	ev.Tags = append(ev.Tags, nostr.Tag{"d", name})
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		ev.Tags = append(ev.Tags, nostr.Tag{n, refs[n]})
	}
	if head != "" {
		ev.Tags = append(ev.Tags, nostr.Tag{"HEAD", "ref: " + repo.HeadsPrefix + head})
	}
	ev.Tags = append(ev.Tags, nostr.Tag{"alt", "agigit repository state"})
	return ev
}

// ParseState checks a state event: kind, author (the owner), name, id and
// signature. Events failing any check never become the repository's state.
func ParseState(ev *nostr.Event, owner, name string) (*State, error) {
	if ev.Kind != repo.KindRepoState {
		return nil, fmt.Errorf("event %s is kind %d, not a repository state", short(ev.ID), ev.Kind)
	}
	if ev.PubKey != owner {
		return nil, fmt.Errorf("state %s is signed by %s, not the owner %s", short(ev.ID), keys.Npub(ev.PubKey), keys.Npub(owner))
	}
	if d := ev.Tags.GetD(); d != name {
		return nil, fmt.Errorf("state %s is for repository %q, not %q", short(ev.ID), d, name)
	}
	if err := verify(ev); err != nil {
		return nil, err
	}
	return parseStateFields(ev)
}

// parseStateFields reads the refs of a checked state event.
func parseStateFields(ev *nostr.Event) (*State, error) {
	st := &State{Event: ev, Refs: make(map[string]string)}
	for _, t := range ev.Tags {
		if len(t) < 2 {
			continue
		}
		switch {
		case t[0] == "HEAD":
			if b, ok := strings.CutPrefix(t[1], "ref: "+repo.HeadsPrefix); ok && repo.ValidateRefName(b) == nil {
				st.Head = b
			}
		case strings.HasPrefix(t[0], repo.HeadsPrefix), strings.HasPrefix(t[0], repo.TagsPrefix):
			short := strings.TrimPrefix(strings.TrimPrefix(t[0], repo.HeadsPrefix), repo.TagsPrefix)
			if repo.ValidateRefName(short) != nil || !repo.IsCommitID(t[1]) {
				st.Skipped = append(st.Skipped, t[0])
				continue
			}
			st.Refs[t[0]] = t[1]
		}
	}
	return st, nil
}

// Announcement is a decoded repository announcement (kind 30617).
type Announcement struct {
	Event       *nostr.Event
	Name        string
	Description string
	Relays      []string
	// Servers are the Blossom servers holding the repository's shards.
	Servers []string
	Base    *repo.BaseRef
	Private bool
	// Keys are the repository key wrapped to each reader (NIP-44).
	Keys []string
}

// AnnouncementInfo is what BuildAnnouncement publishes.
type AnnouncementInfo struct {
	Name, Description string
	Relays, Servers   []string
	Root              string // the first commit, NIP-34's "euc"
	Base              *repo.BaseRef
	Private           bool
	Keys              []string
}

// BuildAnnouncement makes the unsigned announcement event.
func BuildAnnouncement(a AnnouncementInfo, createdAt int64) *nostr.Event {
	ev := &nostr.Event{Kind: repo.KindRepoAnnouncement, CreatedAt: nostr.Timestamp(createdAt)}
	ev.Tags = append(ev.Tags, nostr.Tag{"d", a.Name}, nostr.Tag{"name", a.Name})
	if a.Description != "" {
		ev.Tags = append(ev.Tags, nostr.Tag{"description", a.Description})
	}
	if len(a.Relays) > 0 {
		ev.Tags = append(ev.Tags, append(nostr.Tag{"relays"}, a.Relays...))
	}
	if a.Root != "" {
		ev.Tags = append(ev.Tags, nostr.Tag{"r", a.Root, "euc"})
	}
	if a.Base != nil {
		ev.Tags = append(ev.Tags, nostr.Tag{"u", a.Base.Address})
		ev.Tags = append(ev.Tags, append(nostr.Tag{"base", a.Base.Address, a.Base.Commit}, a.Base.Relays...))
	}
	for _, s := range a.Servers {
		ev.Tags = append(ev.Tags, nostr.Tag{"server", s})
	}
	if a.Private {
		ev.Tags = append(ev.Tags, nostr.Tag{"private", repo.CommitCipher})
		for _, k := range a.Keys {
			ev.Tags = append(ev.Tags, nostr.Tag{"key", k})
		}
	}
	ev.Tags = append(ev.Tags, nostr.Tag{"t", "agigit"}, nostr.Tag{"alt", "agigit model repository " + a.Name})
	return ev
}

// ParseAnnouncement checks an announcement like ParseState does.
func ParseAnnouncement(ev *nostr.Event, owner, name string) (*Announcement, error) {
	if ev.Kind != repo.KindRepoAnnouncement {
		return nil, fmt.Errorf("event %s is kind %d, not a repository announcement", short(ev.ID), ev.Kind)
	}
	if ev.PubKey != owner {
		return nil, fmt.Errorf("announcement %s is signed by %s, not the owner", short(ev.ID), keys.Npub(ev.PubKey))
	}
	if d := ev.Tags.GetD(); d != name {
		return nil, fmt.Errorf("announcement %s is for repository %q, not %q", short(ev.ID), d, name)
	}
	if err := verify(ev); err != nil {
		return nil, err
	}
	return parseAnnouncementFields(ev), nil
}

// parseAnnouncementFields reads a checked announcement; tags it does not
// understand are skipped.
func parseAnnouncementFields(ev *nostr.Event) *Announcement {
	a := &Announcement{Event: ev, Name: ev.Tags.GetD()}
	for _, t := range ev.Tags {
		if len(t) < 2 {
			continue
		}
		switch t[0] {
		case "description":
			a.Description = t[1]
		case "relays":
			for _, u := range t[1:] {
				if n, err := repo.NormalizeRelayURL(u); err == nil {
					a.Relays = append(a.Relays, n)
				}
			}
		case "server":
			if s, err := normalizeServer(t[1]); err == nil {
				a.Servers = append(a.Servers, s)
			}
		case "base":
			if len(t) >= 3 && repo.IsCommitID(t[2]) {
				if _, err := repo.ParseCoordinate(t[1]); err == nil {
					b := &repo.BaseRef{Address: t[1], Commit: t[2]}
					for _, u := range t[3:] {
						if n, err := repo.NormalizeRelayURL(u); err == nil {
							b.Relays = append(b.Relays, n)
						}
					}
					a.Base = b
				}
			}
		case "private":
			a.Private = true
		case "key":
			a.Keys = append(a.Keys, t[1])
		}
	}
	return a
}

// normalizeServer checks a Blossom server URL (http or https, a host, no
// path) and puts it in canonical form.
func normalizeServer(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("bad server URL %q", s)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// WrapRepoKey wraps a private repository's key to each reader with NIP-44
// (the owner signs the announcement that carries the wraps, so each is
// encrypted with the conversation key of the owner and the reader).
func WrapRepoKey(owner keys.Key, repoKey []byte, readers []string) ([]string, error) {
	var out []string
	for _, r := range readers {
		ck, err := owner.ConversationKey(r)
		if err != nil {
			return nil, err
		}
		w, err := nip44.Encrypt(hex.EncodeToString(repoKey), ck)
		if err != nil {
			return nil, fmt.Errorf("wrap repository key: %w", err)
		}
		out = append(out, w)
	}
	return out, nil
}

// UnwrapRepoKey tries every wrapped key of an announcement with the
// reader's key.
func UnwrapRepoKey(me keys.Key, owner string, wraps []string) ([]byte, error) {
	ck, err := me.ConversationKey(owner)
	if err != nil {
		return nil, err
	}
	for _, w := range wraps {
		s, err := nip44.Decrypt(w, ck)
		if err != nil {
			continue
		}
		k, err := hex.DecodeString(s)
		if err == nil && len(k) == repo.RepoKeySize {
			return k, nil
		}
	}
	return nil, repo.ErrNoRepoKey
}

// ManifestEvent is a decoded manifest event (kind 3618).
type ManifestEvent struct {
	Event    *nostr.Event
	Manifest *object.Manifest
	// Repo is the repository the manifest was pushed for, if named.
	Repo string
	// Placement maps Blossom servers to the shard indexes pushed there.
	Placement map[string][]int
}

// BuildManifestEvent makes the unsigned manifest event of an object: the
// canonical manifest as content, the stored id in "x", the repository in
// "a", and one "server" tag per Blossom server with the shard indexes it
// was given.
func BuildManifestEvent(m *object.Manifest, repoAddr string, placement []string, createdAt int64) *nostr.Event {
	ev := &nostr.Event{Kind: repo.KindManifest, CreatedAt: nostr.Timestamp(createdAt), Content: string(m.Encode())}
	ev.Tags = append(ev.Tags, nostr.Tag{"x", m.ID.String()})
	if repoAddr != "" {
		ev.Tags = append(ev.Tags, nostr.Tag{"a", repoAddr})
	}
	byServer := make(map[string][]string)
	var servers []string
	for i, s := range placement {
		if s == "" {
			continue
		}
		if _, ok := byServer[s]; !ok {
			servers = append(servers, s)
		}
		byServer[s] = append(byServer[s], strconv.Itoa(i))
	}
	for _, s := range servers {
		ev.Tags = append(ev.Tags, nostr.Tag{"server", s, strings.Join(byServer[s], ",")})
	}
	ev.Tags = append(ev.Tags, nostr.Tag{"alt", "agigit manifest"})
	return ev
}

// ParseManifestEvent checks a manifest event (kind, id, signature, strict
// canonical content, "x" equal to the manifest's id) and decodes it.
func ParseManifestEvent(ev *nostr.Event) (*ManifestEvent, error) {
	if ev.Kind != repo.KindManifest {
		return nil, fmt.Errorf("event %s is kind %d, not a manifest", short(ev.ID), ev.Kind)
	}
	if err := verify(ev); err != nil {
		return nil, err
	}
	return decodeManifestEvent(ev)
}

func decodeManifestEvent(ev *nostr.Event) (*ManifestEvent, error) {
	m, err := object.ParseManifest([]byte(ev.Content))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", short(ev.ID), err)
	}
	me := &ManifestEvent{Event: ev, Manifest: m, Placement: make(map[string][]int)}
	xs := 0
	for _, t := range ev.Tags {
		if len(t) < 2 {
			continue
		}
		switch t[0] {
		case "x":
			xs++
			if t[1] != m.ID.String() {
				return nil, fmt.Errorf("manifest %s: x tag does not match its id", short(ev.ID))
			}
		case "a":
			me.Repo = t[1]
		case "server":
			s, err := normalizeServer(t[1])
			if err != nil || len(t) < 3 {
				continue
			}
			for _, f := range strings.Split(t[2], ",") {
				i, err := strconv.Atoi(f)
				if err == nil && i >= 0 && i < m.N && !slices.Contains(me.Placement[s], i) {
					me.Placement[s] = append(me.Placement[s], i)
				}
			}
		}
	}
	if xs != 1 {
		return nil, fmt.Errorf("manifest %s: %d x tags, want 1", short(ev.ID), xs)
	}
	return me, nil
}

// Servers lists the manifest's Blossom servers, those holding the most
// shards first.
func (me *ManifestEvent) Servers() []string {
	var out []string
	for s := range me.Placement {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(me.Placement[out[i]]) != len(me.Placement[out[j]]) {
			return len(me.Placement[out[i]]) > len(me.Placement[out[j]])
		}
		return out[i] < out[j]
	})
	return out
}

// ShardServers lists, for shard i, the servers the manifest placed it on.
func (me *ManifestEvent) ShardServers(i int) []string {
	var out []string
	for s, idx := range me.Placement {
		if slices.Contains(idx, i) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// errNoManifest is wrapped when no manifest of an object can be found.
var errNoManifest = errors.New("no manifest found")

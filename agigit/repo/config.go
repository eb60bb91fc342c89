package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
)

// ConfigVersion is the version of the .agigit/config layout.
const ConfigVersion = 1

// Config is a repository's configuration, .agigit/config.
type Config struct {
	Version int `json:"version"`
	// Name is the repository identifier, the "d" tag of its announcement
	// and state events.
	Name string `json:"name"`
	// Description is published in the announcement.
	Description string `json:"description,omitempty"`
	// Owner is the hex public key whose state events decide the refs.
	Owner string `json:"owner"`
	// Relays this repository talks to.
	Relays []Relay `json:"relays,omitempty"`
	// Base is the repository's base commit (fork or fine-tune origin).
	Base *BaseRef `json:"base,omitempty"`
	// Private repositories encrypt objects and commit contents.
	Private bool `json:"private,omitempty"`
	// Recipients are the hex public keys besides the owner that may read a
	// private repository.
	Recipients []string `json:"recipients,omitempty"`
	// K and N are the default erasure-coding parameters of push (0: chosen
	// from the number of push relays).
	K int `json:"k,omitempty"`
	N int `json:"n,omitempty"`
	// SegmentSize is the size of the objects large files are cut into
	// (0: DefaultSegmentSize).
	SegmentSize uint64 `json:"segment_size,omitempty"`
}

// Relay is one relay of the repository, by websocket URL. The relay serves
// Blossom blobs over HTTP on the same host and port.
type Relay struct {
	URL   string `json:"url"`
	Fetch bool   `json:"fetch"`
	Push  bool   `json:"push"`
}

// BaseRef names a commit of another repository that this one builds on.
type BaseRef struct {
	// Address is the base repository's announcement coordinate,
	// "30617:<owner hex>:<name>".
	Address string `json:"address"`
	// Commit is the base commit id.
	Commit string `json:"commit"`
	// Relays are where the base repository is found.
	Relays []string `json:"relays,omitempty"`
}

func (r *Repo) loadConfig() (*Config, error) {
	b, err := os.ReadFile(r.path("config"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no config: the repository is damaged", r.Dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("read %s: %w", r.path("config"), err)
	}
	if c.Version != ConfigVersion {
		return nil, fmt.Errorf("%s: unsupported config version %d (this agigit reads %d)", r.path("config"), c.Version, ConfigVersion)
	}
	if err := ValidateName(c.Name); err != nil {
		return nil, fmt.Errorf("%s: %w", r.path("config"), err)
	}
	return &c, nil
}

// SaveConfig writes the configuration atomically.
func (r *Repo) SaveConfig() error {
	b, err := json.MarshalIndent(r.Config, "", "  ")
	if err != nil {
		return err
	}
	return r.writeFile("config", append(b, '\n'), 0o644)
}

// Address is the repository's announcement coordinate.
func (c *Config) Address() string {
	return fmt.Sprintf("%d:%s:%s", KindRepoAnnouncement, c.Owner, c.Name)
}

// PushRelays lists the relays pushed to, in configuration order.
func (c *Config) PushRelays() []string {
	var out []string
	for _, rl := range c.Relays {
		if rl.Push {
			out = append(out, rl.URL)
		}
	}
	return out
}

// FetchRelays lists the relays fetched from, in configuration order.
func (c *Config) FetchRelays() []string {
	var out []string
	for _, rl := range c.Relays {
		if rl.Fetch {
			out = append(out, rl.URL)
		}
	}
	return out
}

// NormalizeRelayURL checks a relay's websocket URL and puts it in canonical
// form: ws or wss scheme, lowercase host, no trailing slash, no fragment.
func NormalizeRelayURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("relay URL %q: %w", s, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return "", fmt.Errorf("relay URL %q: want a ws:// or wss:// address", s)
	}
	if u.Host == "" {
		return "", fmt.Errorf("relay URL %q: no host", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("relay URL %q: no user, query or fragment allowed", s)
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// AddRelay adds a relay for fetching, pushing or both, merging with an
// existing entry for the same URL. It reports whether anything changed.
func (c *Config) AddRelay(u string, fetch, push bool) bool {
	for i := range c.Relays {
		if c.Relays[i].URL == u {
			before := c.Relays[i]
			c.Relays[i].Fetch = c.Relays[i].Fetch || fetch
			c.Relays[i].Push = c.Relays[i].Push || push
			return before != c.Relays[i]
		}
	}
	c.Relays = append(c.Relays, Relay{URL: u, Fetch: fetch, Push: push})
	return true
}

// RemoveRelay stops using a relay for fetching, pushing or both; an entry
// used for neither is dropped. It reports whether the relay was known.
func (c *Config) RemoveRelay(u string, fetch, push bool) bool {
	i := slices.IndexFunc(c.Relays, func(r Relay) bool { return r.URL == u })
	if i < 0 {
		return false
	}
	if fetch {
		c.Relays[i].Fetch = false
	}
	if push {
		c.Relays[i].Push = false
	}
	if !c.Relays[i].Fetch && !c.Relays[i].Push {
		c.Relays = slices.Delete(c.Relays, i, i+1)
	}
	return true
}

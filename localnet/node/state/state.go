// Package state holds the chain's global state: Move resources keyed by
// (address, struct tag) and table items keyed by (handle, key bytes), each
// stored as the BCS bytes Aptos would store. The store is multi-versioned so
// that the REST API can serve reads at an older ledger version while the block
// producer commits newer ones; versions older than a retention window are
// pruned the way a real node prunes its state.
package state

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Address is a 32-byte account address.
type Address = [32]byte

// Kind tells what a Key names.
type Kind byte

// Kinds of state keys. The values are part of the on-disk log format.
const (
	KindResource  Kind = 1
	KindTableItem Kind = 2
)

// Key names one state value. It is a string so it can key Go maps directly:
// the kind byte, a 32-byte address (account or table handle), then the struct
// tag in its canonical text form or the table key's BCS bytes.
type Key string

// ResourceKey names the resource of type tag (canonical form, e.g.
// "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>") stored under addr.
func ResourceKey(addr Address, tag string) Key {
	var b strings.Builder
	b.Grow(1 + 32 + len(tag))
	b.WriteByte(byte(KindResource))
	b.Write(addr[:])
	b.WriteString(tag)
	return Key(b.String())
}

// TableItemKey names the item under the BCS-encoded key in table handle.
func TableItemKey(handle Address, key []byte) Key {
	var b strings.Builder
	b.Grow(1 + 32 + len(key))
	b.WriteByte(byte(KindTableItem))
	b.Write(handle[:])
	b.Write(key)
	return Key(b.String())
}

// ParseKey checks the layout of a key read from untrusted or stored bytes.
func ParseKey(b []byte) (Key, error) {
	if len(b) < 33 {
		return "", fmt.Errorf("state key: %d bytes, want at least 33", len(b))
	}
	switch Kind(b[0]) {
	case KindResource:
		if len(b) == 33 {
			return "", errors.New("state key: resource without a type")
		}
	case KindTableItem:
	default:
		return "", fmt.Errorf("state key: unknown kind %d", b[0])
	}
	return Key(b), nil
}

// Kind returns what the key names.
func (k Key) Kind() Kind { return Kind(k[0]) }

// Address returns the account address of a resource or the handle of a table item.
func (k Key) Address() Address {
	var a Address
	copy(a[:], k[1:33])
	return a
}

// Tag returns the struct tag of a resource key.
func (k Key) Tag() string { return string(k[33:]) }

// TableKey returns the BCS key bytes of a table item key.
func (k Key) TableKey() []byte { return []byte(k[33:]) }

// String renders the key for logs and error messages.
func (k Key) String() string {
	a := k.Address()
	switch k.Kind() {
	case KindResource:
		return fmt.Sprintf("resource %x/%s", a, k.Tag())
	case KindTableItem:
		return fmt.Sprintf("table item %x/%s", a, hex.EncodeToString(k.TableKey()))
	}
	return fmt.Sprintf("key %x", string(k))
}

// Write is one change of a write set. A nil Value with Delete set removes
// the key.
type Write struct {
	Key    Key
	Value  []byte
	Delete bool
}

// View reads state. Get returns ok=false when the key holds no value.
type View interface {
	Get(k Key) (value []byte, ok bool)
}

// ErrPruned is returned for reads below the retained history.
var ErrPruned = errors.New("state version pruned")

// ErrFuture is returned for reads above the latest applied version.
var ErrFuture = errors.New("state version not yet committed")

type entry struct {
	version uint64
	value   []byte // nil: deleted at version
}

// history lists a key's values in increasing version order.
type history []entry

// at returns the value visible at version v.
func (h history) at(v uint64) ([]byte, bool) {
	i := sort.Search(len(h), func(i int) bool { return h[i].version > v })
	if i == 0 {
		return nil, false
	}
	e := h[i-1]
	return e.value, e.value != nil
}

// Store is the multi-versioned state. Apply is called by one writer (the
// block producer) with increasing versions; reads may run concurrently.
type Store struct {
	mu      sync.RWMutex
	latest  uint64
	oldest  uint64 // lowest version whose state can still be read
	started bool   // a version has been applied
	retain  uint64 // versions of history kept below latest; 0 keeps everything
	items   map[Key]history
	// resources lists every resource key ever written per account, so an
	// account's resources can be enumerated at any retained version.
	resources map[Address]map[Key]struct{}
	// touched holds keys with more than one retained entry, the only ones
	// pruning has to visit.
	touched   map[Key]struct{}
	lastPrune uint64
}

// pruneEvery is how many versions pass between pruning passes.
const pruneEvery = 1024

// NewStore returns an empty store keeping retain versions of history below
// the latest one (0 keeps all history).
func NewStore(retain uint64) *Store {
	return &Store{
		retain:    retain,
		items:     make(map[Key]history),
		resources: make(map[Address]map[Key]struct{}),
		touched:   make(map[Key]struct{}),
	}
}

// Latest returns the latest applied version and whether any version exists.
func (s *Store) Latest() (uint64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.latest, s.started
}

// Oldest returns the lowest version whose state can be read.
func (s *Store) Oldest() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.oldest
}

// Apply records the writes of version v. Versions must increase; several
// versions may be applied at once by calling Apply for each in order.
func (s *Store) Apply(v uint64, writes []Write) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applyLocked(v, writes)
}

// ApplyBatch applies the write sets of consecutive versions under one lock,
// so readers never see half of a block.
func (s *Store) ApplyBatch(first uint64, sets [][]Write) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, ws := range sets {
		if err := s.applyLocked(first+uint64(i), ws); err != nil {
			return err
		}
	}
	s.pruneLocked()
	return nil
}

func (s *Store) applyLocked(v uint64, writes []Write) error {
	if s.started && v <= s.latest {
		return fmt.Errorf("apply version %d: not after latest %d", v, s.latest)
	}
	for _, w := range writes {
		var val []byte
		if !w.Delete {
			val = w.Value
			if val == nil {
				val = []byte{}
			}
		}
		h := s.items[w.Key]
		if n := len(h); n > 0 && h[n-1].version == v {
			h[n-1].value = val // several writes of one key in one version: last wins
		} else {
			h = append(h, entry{version: v, value: val})
		}
		s.items[w.Key] = h
		if w.Key.Kind() == KindResource {
			a := w.Key.Address()
			m := s.resources[a]
			if m == nil {
				m = make(map[Key]struct{})
				s.resources[a] = m
			}
			m[w.Key] = struct{}{}
		}
		if s.retain > 0 && len(h) > 1 {
			s.touched[w.Key] = struct{}{}
		}
	}
	s.latest = v
	s.started = true
	return nil
}

// pruneLocked drops history that no retained version can see. It only visits
// keys written since the last pass, so its cost follows the write rate.
func (s *Store) pruneLocked() {
	if s.retain == 0 || s.latest < s.retain {
		return
	}
	floor := s.latest - s.retain
	if floor <= s.oldest {
		return
	}
	s.oldest = floor
	// Visiting the touched keys costs about as much as the writes that put
	// them there; doing it every pruneEvery versions keeps that amortised.
	if s.latest-s.lastPrune < pruneEvery {
		return
	}
	s.lastPrune = s.latest
	for k := range s.touched {
		h := s.items[k]
		// The newest entry at or below floor is still visible at floor.
		i := sort.Search(len(h), func(i int) bool { return h[i].version > floor })
		if i > 1 {
			h = slices.Delete(h, 0, i-1)
		}
		if len(h) == 1 && h[0].value == nil && h[0].version <= floor {
			delete(s.items, k)
			delete(s.touched, k)
			if k.Kind() == KindResource {
				delete(s.resources[k.Address()], k)
			}
			continue
		}
		s.items[k] = h
		if len(h) <= 1 {
			delete(s.touched, k)
		}
	}
}

// CheckVersion reports whether version v can be read: ErrFuture or
// ErrPruned when not.
func (s *Store) CheckVersion(v uint64) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.checkVersion(v)
}

func (s *Store) checkVersion(v uint64) error {
	if !s.started || v > s.latest {
		return ErrFuture
	}
	if v < s.oldest {
		return ErrPruned
	}
	return nil
}

// Get reads key k as of version v.
func (s *Store) Get(k Key, v uint64) ([]byte, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkVersion(v); err != nil {
		return nil, false, err
	}
	val, ok := s.items[k].at(v)
	return val, ok, nil
}

// Resource is one resource of an account listing.
type Resource struct {
	Tag   string
	Value []byte
}

// Resources lists the resources held by addr at version v, sorted by tag.
func (s *Store) Resources(addr Address, v uint64) ([]Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkVersion(v); err != nil {
		return nil, err
	}
	var out []Resource
	for k := range s.resources[addr] {
		if val, ok := s.items[k].at(v); ok {
			out = append(out, Resource{Tag: k.Tag(), Value: val})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tag < out[j].Tag })
	return out, nil
}

// At returns a View of the store at version v. The view checks nothing
// further, so callers check v first (Get returns the errors).
func (s *Store) At(v uint64) View { return versionView{s, v} }

type versionView struct {
	s *Store
	v uint64
}

func (vv versionView) Get(k Key) ([]byte, bool) {
	val, ok, err := vv.s.Get(k, vv.v)
	if err != nil {
		return nil, false
	}
	return val, ok
}

// Overlay collects writes on top of a base view, as one block or one
// transaction executes before its changes are committed.
type Overlay struct {
	base   View
	writes map[Key]Write
}

// NewOverlay starts an empty overlay on base.
func NewOverlay(base View) *Overlay {
	return &Overlay{base: base, writes: make(map[Key]Write)}
}

// Get reads through the overlay.
func (o *Overlay) Get(k Key) ([]byte, bool) {
	if w, ok := o.writes[k]; ok {
		if w.Delete {
			return nil, false
		}
		return w.Value, true
	}
	return o.base.Get(k)
}

// Apply records writes in the overlay.
func (o *Overlay) Apply(ws []Write) {
	for _, w := range ws {
		o.writes[w.Key] = w
	}
}

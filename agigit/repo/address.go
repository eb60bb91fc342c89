package repo

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/nbd-wtf/go-nostr"
)

// Coordinate is an addressable event's address: kind, author and "d" tag.
type Coordinate struct {
	Kind   int
	Pubkey string
	Name   string
}

func (c Coordinate) String() string { return fmt.Sprintf("%d:%s:%s", c.Kind, c.Pubkey, c.Name) }

// ParseCoordinate reads "kind:pubkey:d" and checks it names a repository.
func ParseCoordinate(s string) (Coordinate, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 {
		return Coordinate{}, fmt.Errorf("malformed repository address %q", s)
	}
	kind, err := strconv.Atoi(parts[0])
	if err != nil || kind != KindRepoAnnouncement {
		return Coordinate{}, fmt.Errorf("repository address %q: kind must be %d", s, KindRepoAnnouncement)
	}
	if !nostr.IsValidPublicKey(parts[1]) {
		return Coordinate{}, fmt.Errorf("repository address %q: bad public key", s)
	}
	if err := ValidateName(parts[2]); err != nil {
		return Coordinate{}, fmt.Errorf("repository address %q: %w", s, err)
	}
	return Coordinate{Kind: kind, Pubkey: parts[1], Name: parts[2]}, nil
}

// Naddr is a decoded NIP-19 naddr of a repository.
type Naddr struct {
	Coordinate
	Relays []string
}

// maxNaddrLen follows NIP-19's advice to bound bech32 strings.
const maxNaddrLen = 5000

// EncodeNaddr makes the NIP-19 naddr of a repository with relay hints.
func EncodeNaddr(c Coordinate, relays []string) (string, error) {
	var tlv []byte
	put := func(t byte, v []byte) error {
		if len(v) > 255 {
			return fmt.Errorf("naddr field of %d bytes is too long", len(v))
		}
		tlv = append(tlv, t, byte(len(v)))
		tlv = append(tlv, v...)
		return nil
	}
	if err := put(0, []byte(c.Name)); err != nil {
		return "", err
	}
	for _, r := range relays {
		if err := put(1, []byte(r)); err != nil {
			return "", err
		}
	}
	pk, err := hex.DecodeString(c.Pubkey)
	if err != nil || len(pk) != 32 {
		return "", errors.New("naddr: bad public key")
	}
	put(2, pk)
	var kind [4]byte
	binary.BigEndian.PutUint32(kind[:], uint32(c.Kind))
	put(3, kind[:])
	bits, err := bech32.ConvertBits(tlv, 8, 5, true)
	if err != nil {
		return "", err
	}
	return bech32.Encode("naddr", bits)
}

// DecodeNaddr reads a repository's naddr (optionally with a "nostr:"
// prefix). It accepts only kind 30617 addresses.
func DecodeNaddr(s string) (Naddr, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "nostr:")
	if len(s) > maxNaddrLen {
		return Naddr{}, errors.New("naddr too long")
	}
	hrp, data, err := bech32.DecodeNoLimit(s)
	if err != nil {
		return Naddr{}, fmt.Errorf("not a valid naddr: %w", err)
	}
	if hrp != "naddr" {
		return Naddr{}, fmt.Errorf("want an naddr, got %s", hrp)
	}
	tlv, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		return Naddr{}, fmt.Errorf("not a valid naddr: %w", err)
	}
	var n Naddr
	haveName, haveKind := false, false
	for len(tlv) > 0 {
		if len(tlv) < 2 || len(tlv) < 2+int(tlv[1]) {
			return Naddr{}, errors.New("naddr: truncated field")
		}
		t, v := tlv[0], tlv[2:2+int(tlv[1])]
		tlv = tlv[2+int(tlv[1]):]
		switch t {
		case 0:
			n.Name, haveName = string(v), true
		case 1:
			n.Relays = append(n.Relays, string(v))
		case 2:
			if len(v) != 32 {
				return Naddr{}, errors.New("naddr: author must be 32 bytes")
			}
			n.Pubkey = hex.EncodeToString(v)
		case 3:
			if len(v) != 4 {
				return Naddr{}, errors.New("naddr: kind must be 4 bytes")
			}
			n.Kind, haveKind = int(binary.BigEndian.Uint32(v)), true
		}
	}
	if !haveName || !haveKind || n.Pubkey == "" {
		return Naddr{}, errors.New("naddr: missing identifier, author or kind")
	}
	if n.Kind != KindRepoAnnouncement {
		return Naddr{}, fmt.Errorf("naddr points to kind %d, not a repository (%d)", n.Kind, KindRepoAnnouncement)
	}
	if !nostr.IsValidPublicKey(n.Pubkey) {
		return Naddr{}, errors.New("naddr: author is not a valid public key")
	}
	if err := ValidateName(n.Name); err != nil {
		return Naddr{}, fmt.Errorf("naddr: %w", err)
	}
	var relays []string
	for _, r := range n.Relays {
		u, err := NormalizeRelayURL(r)
		if err == nil {
			relays = append(relays, u)
		}
	}
	n.Relays = relays
	return n, nil
}

// ParseBaseSpec reads "NADDR:COMMIT", the form init --base takes.
func ParseBaseSpec(s string) (*BaseRef, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return nil, fmt.Errorf("base %q: want NADDR:COMMIT", s)
	}
	n, err := DecodeNaddr(s[:i])
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	commit := strings.ToLower(s[i+1:])
	if !IsCommitID(commit) {
		return nil, fmt.Errorf("base %q: the commit must be a full 64-character id", s)
	}
	return &BaseRef{Address: n.Coordinate.String(), Commit: commit, Relays: n.Relays}, nil
}

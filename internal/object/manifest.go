package object

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
)

// ManifestVersion is the version this package writes and reads.
const ManifestVersion = 1

// MaxManifestSize bounds an encoded manifest. The largest valid one (256
// shards, 64 recipients) is about 30 KB, so it fits a Nostr event on relays
// that cap events at 64 KiB.
const MaxManifestSize = 64 << 10

// Schemes named in manifests.
const (
	CodingScheme     = "reed-solomon-gf256"
	EncryptionScheme = objcrypt.Scheme
)

// wrappedKeyLen is the base64 length of a NIP-44 v2 payload carrying a
// 64-character hex data key: 1 version + 32 nonce + 2+64 padded text + 32 MAC.
const wrappedKeyLen = 176

// Manifest says how to rebuild an object from its shards. Its canonical
// encoding (Encode) is the content of the signed manifest event.
//
// What it reveals: for a public object, everything about it (id, size,
// shards). For a private object: the stored id and size (the size of the
// plaintext padded with objcrypt.PaddedSize, plus 16 bytes per chunk), the
// coding, the shard hashes, the number of recipients and the ephemeral key.
// The object id, its exact size and the recipients' keys are not in it: the
// id and size are sealed under the data key.
type Manifest struct {
	// ID and Size name the stored stream: the object itself when public,
	// its encryption when private.
	ID   merkle.ID
	Size uint64
	// Encryption is nil for a public object.
	Encryption *Encryption
	K, N       int
	BlockSize  uint64
	// Shards are the sha256 names of the n shard blobs, by index.
	Shards []Hash
}

// Encryption holds a private object's public encryption parameters.
type Encryption struct {
	ChunkSize    uint64
	Salt         [objcrypt.SaltSize]byte
	EphemeralKey string // x-only public key, lowercase hex
	Sealed       []byte // objcrypt.SealObject output
	Keys         []string
}

// Layout is the manifest's stripe geometry.
func (m *Manifest) Layout() Layout {
	return Layout{K: m.K, N: m.N, BlockSize: m.BlockSize, Size: m.Size}
}

// ShardHeader is the header shard i must carry.
func (m *Manifest) ShardHeader(i int) ShardHeader {
	return ShardHeader{Encrypted: m.Encryption != nil, Index: i, Layout: m.Layout(), StoredID: m.ID}
}

// Private reports whether the object is encrypted.
func (m *Manifest) Private() bool { return m.Encryption != nil }

// DataKey unwraps a private object's data key with a recipient's secret key
// (hex).
func (m *Manifest) DataKey(secret string) (objcrypt.DataKey, error) {
	if m.Encryption == nil {
		return objcrypt.DataKey{}, errors.New("object is public: it has no data key")
	}
	return objcrypt.Unwrap(m.Encryption.Keys, m.Encryption.EphemeralKey, secret)
}

// Object returns the object id and size. A private object needs its data key.
func (m *Manifest) Object(key *objcrypt.DataKey) (merkle.ID, uint64, error) {
	if m.Encryption == nil {
		return m.ID, m.Size, nil
	}
	if key == nil {
		return merkle.ID{}, 0, errors.New("object is private: its data key is needed")
	}
	id, size, err := objcrypt.OpenObject(*key, m.Encryption.Salt, m.Encryption.Sealed, m.ID, m.Size)
	if err != nil {
		return merkle.ID{}, 0, err
	}
	return id, size, nil
}

// Validate checks every field and their consistency.
func (m *Manifest) Validate() error {
	l := m.Layout()
	if err := l.Validate(); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if len(m.Shards) != m.N {
		return fmt.Errorf("manifest: %d shard hashes for n=%d", len(m.Shards), m.N)
	}
	e := m.Encryption
	if e == nil {
		return nil
	}
	if err := objcrypt.CheckChunkSize(e.ChunkSize); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if _, err := objcrypt.PlaintextSize(m.Size, e.ChunkSize); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if !nostr.IsValidPublicKey(e.EphemeralKey) {
		return fmt.Errorf("manifest: ephemeral key %q is not a valid public key", e.EphemeralKey)
	}
	if len(e.Sealed) != objcrypt.SealedSize {
		return fmt.Errorf("manifest: sealed reference of %d bytes, want %d", len(e.Sealed), objcrypt.SealedSize)
	}
	if len(e.Keys) == 0 || len(e.Keys) > objcrypt.MaxRecipients {
		return fmt.Errorf("manifest: %d wrapped keys, want 1 to %d", len(e.Keys), objcrypt.MaxRecipients)
	}
	for i, k := range e.Keys {
		raw, err := base64.StdEncoding.Strict().DecodeString(k)
		if len(k) != wrappedKeyLen || err != nil || raw[0] != 2 {
			return fmt.Errorf("manifest: wrapped key %d is not a NIP-44 v2 payload of a data key", i)
		}
	}
	return nil
}

// Encode returns the canonical encoding: compact JSON with the fields in
// the order below, integers in decimal, bytes in lowercase hex (wrapped keys
// in NIP-44's base64), and "encryption" present only for private objects.
//
//	{"version":1,"id":"<hex>","size":<n>,
//	 "encryption":{"scheme":"aes-256-gcm-chunked","chunk_size":<n>,"salt":"<hex>",
//	   "ephemeral_key":"<hex>","sealed":"<hex>","keys":["<base64>",...]},
//	 "coding":{"scheme":"reed-solomon-gf256","k":<n>,"n":<n>,"block_size":<n>},
//	 "shard_size":<n>,"shards":["<hex>",...]}
func (m *Manifest) Encode() []byte {
	b := make([]byte, 0, 512+70*len(m.Shards))
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, ManifestVersion, 10)
	b = append(b, `,"id":"`...)
	b = hex.AppendEncode(b, m.ID[:])
	b = append(b, `","size":`...)
	b = strconv.AppendUint(b, m.Size, 10)
	if e := m.Encryption; e != nil {
		b = append(b, `,"encryption":{"scheme":"`...)
		b = append(b, EncryptionScheme...)
		b = append(b, `","chunk_size":`...)
		b = strconv.AppendUint(b, e.ChunkSize, 10)
		b = append(b, `,"salt":"`...)
		b = hex.AppendEncode(b, e.Salt[:])
		b = append(b, `","ephemeral_key":"`...)
		b = append(b, e.EphemeralKey...)
		b = append(b, `","sealed":"`...)
		b = hex.AppendEncode(b, e.Sealed)
		b = append(b, `","keys":[`...)
		for i, k := range e.Keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, k)
		}
		b = append(b, "]}"...)
	}
	b = append(b, `,"coding":{"scheme":"`...)
	b = append(b, CodingScheme...)
	b = append(b, `","k":`...)
	b = strconv.AppendInt(b, int64(m.K), 10)
	b = append(b, `,"n":`...)
	b = strconv.AppendInt(b, int64(m.N), 10)
	b = append(b, `,"block_size":`...)
	b = strconv.AppendUint(b, m.BlockSize, 10)
	b = append(b, `},"shard_size":`...)
	b = strconv.AppendUint(b, m.Layout().ShardSize(), 10)
	b = append(b, `,"shards":[`...)
	for i, h := range m.Shards {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = hex.AppendEncode(b, h[:])
		b = append(b, '"')
	}
	return append(b, "]}"...)
}

type manifestJSON struct {
	Version    int             `json:"version"`
	ID         string          `json:"id"`
	Size       uint64          `json:"size"`
	Encryption *encryptionJSON `json:"encryption"`
	Coding     struct {
		Scheme    string `json:"scheme"`
		K         int    `json:"k"`
		N         int    `json:"n"`
		BlockSize uint64 `json:"block_size"`
	} `json:"coding"`
	ShardSize uint64   `json:"shard_size"`
	Shards    []string `json:"shards"`
}

type encryptionJSON struct {
	Scheme       string   `json:"scheme"`
	ChunkSize    uint64   `json:"chunk_size"`
	Salt         string   `json:"salt"`
	EphemeralKey string   `json:"ephemeral_key"`
	Sealed       string   `json:"sealed"`
	Keys         []string `json:"keys"`
}

// ErrManifest is wrapped by every error about malformed manifest bytes.
var ErrManifest = errors.New("malformed manifest")

// ParseManifest decodes a manifest strictly: it must be valid and exactly
// in canonical form (Encode of the result gives back the same bytes), so
// one manifest has one encoding and one event id.
func ParseManifest(b []byte) (*Manifest, error) {
	bad := func(format string, args ...any) (*Manifest, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrManifest}, args...)...)
	}
	if len(b) > MaxManifestSize {
		return bad("%d bytes exceeds the %d-byte limit", len(b), MaxManifestSize)
	}
	// The version first, so that a newer manifest gets a clear error rather
	// than one about its new fields.
	var v struct {
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return bad("%v", err)
	}
	if string(v.Version) != strconv.Itoa(ManifestVersion) {
		return bad("unsupported version %s (this build reads version %d)", v.Version, ManifestVersion)
	}
	var j manifestJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return bad("%v", err)
	}
	m := &Manifest{Size: j.Size, K: j.Coding.K, N: j.Coding.N, BlockSize: j.Coding.BlockSize}
	if err := decodeHex(m.ID[:], j.ID); err != nil {
		return bad("id: %v", err)
	}
	if j.Coding.Scheme != CodingScheme {
		return bad("unknown coding scheme %q", j.Coding.Scheme)
	}
	if len(j.Shards) > MaxShards {
		return bad("%d shards exceeds %d", len(j.Shards), MaxShards)
	}
	m.Shards = make([]Hash, len(j.Shards))
	for i, s := range j.Shards {
		if err := decodeHex(m.Shards[i][:], s); err != nil {
			return bad("shard %d: %v", i, err)
		}
	}
	if e := j.Encryption; e != nil {
		if e.Scheme != EncryptionScheme {
			return bad("unknown encryption scheme %q", e.Scheme)
		}
		m.Encryption = &Encryption{ChunkSize: e.ChunkSize, EphemeralKey: e.EphemeralKey, Keys: e.Keys}
		if err := decodeHex(m.Encryption.Salt[:], e.Salt); err != nil {
			return bad("salt: %v", err)
		}
		m.Encryption.Sealed = make([]byte, objcrypt.SealedSize)
		if err := decodeHex(m.Encryption.Sealed, e.Sealed); err != nil {
			return bad("sealed: %v", err)
		}
	}
	if err := m.Validate(); err != nil {
		return bad("%v", err)
	}
	if j.ShardSize != m.Layout().ShardSize() {
		return bad("shard_size %d, the layout gives %d", j.ShardSize, m.Layout().ShardSize())
	}
	if !bytes.Equal(m.Encode(), b) {
		return bad("not in canonical form")
	}
	return m, nil
}

// decodeHex fills dst from exactly 2·len(dst) lowercase hex digits.
func decodeHex(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("want %d hex digits, got %d characters", 2*len(dst), len(s))
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil {
		return err
	}
	return nil
}

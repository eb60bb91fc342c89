package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// Terms are the fields of an on-chain order that a delivery is judged
// against: the ordered object, the ciphertext the relay committed to at take
// time (same size as the object), and the key derived from the revealed pair.
type Terms struct {
	ObjectID merkle.ID
	CipherID merkle.ID
	Size     uint64
	Key      Key
}

// Proof is an owner's proof that leaf Index of the delivered ciphertext does
// not decrypt to leaf Index of the ordered object. It is what the market's
// dispute entry function takes, field for field.
type Proof struct {
	Index       uint64
	CipherChunk []byte        // leaf Index of the ciphertext
	CipherPath  []merkle.Hash // its siblings in the ciphertext tree, leaf upwards
	PlainLeaf   merkle.Hash   // the object's leaf hash at Index
	PlainPath   []merkle.Hash // its siblings in the object tree, leaf upwards
}

var (
	// ErrDeliveryCorrect: the proven ciphertext leaf decrypts to the object's
	// leaf, so the proof shows an honest delivery (the market aborts).
	ErrDeliveryCorrect = errors.New("leaf decrypts to the object's leaf: delivery is correct")
	// ErrNoMismatch: every leaf of the delivery decrypts correctly.
	ErrNoMismatch = errors.New("every leaf decrypts to the object: nothing to dispute")
	// ErrBadCipherProof: the chunk is not the committed ciphertext's leaf.
	ErrBadCipherProof = errors.New("ciphertext chunk does not prove against the committed ciphertext id")
	// ErrBadPlainProof: the leaf hash is not the object's leaf.
	ErrBadPlainProof = errors.New("object leaf hash does not prove against the object id")
)

// VerifyDispute applies the market's dispute checks. It returns nil when the
// proof is valid, i.e. the owner wins: both leaves prove against their ids
// and the decrypted chunk hashes to something other than the object's leaf.
func VerifyDispute(t Terms, p *Proof) error {
	lc := merkle.LeafCount(t.Size)
	if p.Index >= lc {
		// The market judges such a proof a bad ciphertext proof: no chunk
		// proves at an index past the end.
		return fmt.Errorf("%w: leaf %d out of range for %d leaves", ErrBadCipherProof, p.Index, lc)
	}
	if err := merkle.Verify(t.CipherID, t.Size, p.Index, p.CipherChunk, p.CipherPath); err != nil {
		return fmt.Errorf("%w: %v", ErrBadCipherProof, err)
	}
	root, err := merkle.RootFromPath(p.PlainLeaf, p.Index, lc, p.PlainPath)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadPlainProof, err)
	}
	if merkle.IDFromRoot(t.Size, root) != t.ObjectID {
		return ErrBadPlainProof
	}
	plain := make([]byte, len(p.CipherChunk))
	XORLeaf(t.Key, p.Index, plain, p.CipherChunk)
	if merkle.LeafHash(plain) == p.PlainLeaf {
		return ErrDeliveryCorrect
	}
	return nil
}

// EncodeLeafHashes lays out an object's leaf hashes as they travel with a
// delivery: 32 bytes per leaf, in leaf order.
func EncodeLeafHashes(leaves []merkle.Hash) []byte {
	out := make([]byte, 0, len(leaves)*32)
	for _, l := range leaves {
		out = append(out, l[:]...)
	}
	return out
}

// DecodeLeafHashes reads the leaf hashes of an object of size bytes and
// checks them against its id. An owner must hold them before confirming a
// delivery: they are what a dispute proves the object's side with.
func DecodeLeafHashes(b []byte, id merkle.ID, size uint64) (*merkle.Tree, error) {
	lc := merkle.LeafCount(size)
	if uint64(len(b))%32 != 0 || uint64(len(b))/32 != lc {
		return nil, fmt.Errorf("leaf hashes: %d bytes, want %d for %d leaves", len(b), lc*32, lc)
	}
	t := &merkle.Tree{Size: size, Leaves: make([]merkle.Hash, lc)}
	for i := range t.Leaves {
		copy(t.Leaves[i][:], b[i*32:])
	}
	if t.ID() != id {
		return nil, fmt.Errorf("leaf hashes: tree id %s, want %s", t.ID(), id)
	}
	return t, nil
}

// CheckCiphertext reads a delivered ciphertext and checks that it is the one
// the relay committed to (id and size). An owner confirms receipt only after
// this check and DecodeLeafHashes succeed; afterwards any bad leaf can be
// proven on chain.
func CheckCiphertext(ctx context.Context, cipherID merkle.ID, size uint64, r io.Reader) error {
	h := merkle.New()
	buf := make([]byte, 64*LeafSize)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if h.Size() > size {
			return fmt.Errorf("ciphertext longer than the object's %d bytes", size)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read ciphertext: %w", err)
		}
	}
	if h.Size() != size {
		return fmt.Errorf("ciphertext of %d bytes, object has %d", h.Size(), size)
	}
	if h.ID() != cipherID {
		return fmt.Errorf("ciphertext id %s, committed %s", h.ID(), cipherID)
	}
	return nil
}

// BuildDispute scans a delivered ciphertext under the revealed key against
// the object's leaf hashes and returns a proof for the first leaf that does
// not decrypt correctly, already checked with VerifyDispute. It returns
// ErrNoMismatch when the delivery is correct.
func BuildDispute(ctx context.Context, t Terms, object *merkle.Tree, cipher io.ReaderAt) (*Proof, error) {
	if object.Size != t.Size || object.ID() != t.ObjectID {
		return nil, fmt.Errorf("object tree (id %s, %d bytes) is not the ordered object %s", object.ID(), object.Size, t.ObjectID)
	}
	lc := merkle.LeafCount(t.Size)
	ct := &merkle.Tree{Size: t.Size, Leaves: make([]merkle.Hash, 0, lc)}
	chunk := make([]byte, LeafSize)
	plain := make([]byte, LeafSize)
	bad := int64(-1)
	for i := uint64(0); i < lc; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := leafLen(t.Size, i)
		if err := readLeaf(cipher, i, chunk[:n]); err != nil {
			return nil, err
		}
		ct.Leaves = append(ct.Leaves, merkle.LeafHash(chunk[:n]))
		if bad < 0 {
			XORLeaf(t.Key, i, plain[:n], chunk[:n])
			if merkle.LeafHash(plain[:n]) != object.Leaves[i] {
				bad = int64(i)
			}
		}
	}
	if ct.ID() != t.CipherID {
		return nil, fmt.Errorf("ciphertext id %s is not the committed %s", ct.ID(), t.CipherID)
	}
	if bad < 0 {
		return nil, ErrNoMismatch
	}
	idx := uint64(bad)
	p := &Proof{Index: idx, PlainLeaf: object.Leaves[idx], CipherChunk: make([]byte, leafLen(t.Size, idx))}
	if err := readLeaf(cipher, idx, p.CipherChunk); err != nil {
		return nil, err
	}
	var err error
	if p.CipherPath, err = ct.Prove(idx); err != nil {
		return nil, err
	}
	if p.PlainPath, err = object.Prove(idx); err != nil {
		return nil, err
	}
	if err := VerifyDispute(t, p); err != nil {
		return nil, fmt.Errorf("built proof does not verify: %w", err)
	}
	return p, nil
}

// readLeaf reads leaf i in full; io.ReaderAt may report EOF together with
// the last complete read.
func readLeaf(r io.ReaderAt, i uint64, buf []byte) error {
	n, err := r.ReadAt(buf, int64(i*LeafSize))
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read ciphertext leaf %d: %w", i, err)
}

// leafLen is the length of leaf i of an object of size bytes.
func leafLen(size, i uint64) int {
	lc := merkle.LeafCount(size)
	if i+1 < lc {
		return LeafSize
	}
	return int(size - (lc-1)*LeafSize)
}

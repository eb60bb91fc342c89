package node

import (
	"crypto/sha3"
	"encoding/binary"

	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// Transaction variants of Aptos's Transaction enum, the byte hashed after
// the "APTOS::Transaction" prefix.
const (
	txnVariantUser          = 0
	txnVariantGenesis       = 1
	txnVariantBlockMetadata = 2
)

var txnPrefix = sha3.Sum256([]byte("APTOS::Transaction"))

// txnHash is Aptos's transaction hash: sha3-256 of the prefix hash, the
// variant byte and the BCS of the transaction.
func txnHash(variant byte, body []byte) [32]byte {
	h := sha3.New256()
	h.Write(txnPrefix[:])
	h.Write([]byte{variant})
	h.Write(body)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Output digests. Aptos commits to outputs with Merkle accumulators; the
// localnet publishes plain sha3-256 digests of the same data, chained so that
// accumulator_root_hash commits to all history.
var (
	stateChangePrefix = sha3.Sum256([]byte("AGI-NOSTR-LOCALNET::WriteSet"))
	eventsPrefix      = sha3.Sum256([]byte("AGI-NOSTR-LOCALNET::Events"))
	accumulatorPrefix = sha3.Sum256([]byte("AGI-NOSTR-LOCALNET::Accumulator"))
	blockPrefix       = sha3.Sum256([]byte("AGI-NOSTR-LOCALNET::Block"))
)

func writeSetHash(ws []state.Write) [32]byte {
	h := sha3.New256()
	h.Write(stateChangePrefix[:])
	var n [8]byte
	for _, w := range ws {
		binary.LittleEndian.PutUint64(n[:], uint64(len(w.Key)))
		h.Write(n[:])
		h.Write([]byte(w.Key))
		if w.Delete {
			h.Write([]byte{0})
			continue
		}
		h.Write([]byte{1})
		binary.LittleEndian.PutUint64(n[:], uint64(len(w.Value)))
		h.Write(n[:])
		h.Write(w.Value)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func eventsHash(es []ledger.Event) [32]byte {
	h := sha3.New256()
	h.Write(eventsPrefix[:])
	var n [8]byte
	for _, e := range es {
		h.Write(e.Account[:])
		binary.LittleEndian.PutUint64(n[:], e.CreationNumber)
		h.Write(n[:])
		binary.LittleEndian.PutUint64(n[:], e.Sequence)
		h.Write(n[:])
		binary.LittleEndian.PutUint64(n[:], uint64(len(e.Type)))
		h.Write(n[:])
		h.Write([]byte(e.Type))
		binary.LittleEndian.PutUint64(n[:], uint64(len(e.Data)))
		h.Write(n[:])
		h.Write(e.Data)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func accumulate(prev [32]byte, t *ledger.Txn) [32]byte {
	h := sha3.New256()
	h.Write(accumulatorPrefix[:])
	h.Write(prev[:])
	h.Write(t.Hash[:])
	h.Write(t.StateChangeHash[:])
	h.Write(t.EventRootHash[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func blockHash(parent [32]byte, height, timestamp uint64) [32]byte {
	h := sha3.New256()
	h.Write(blockPrefix[:])
	h.Write(parent[:])
	var n [16]byte
	binary.LittleEndian.PutUint64(n[:8], height)
	binary.LittleEndian.PutUint64(n[8:], timestamp)
	h.Write(n[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// BlockMetadata is the BCS body of a block metadata transaction, laid out
// as Aptos's BlockMetadata.
type BlockMetadata struct {
	ID            [32]byte
	Epoch         uint64
	Round         uint64
	Proposer      [32]byte
	VotesBitvec   []byte
	FailedIndices []uint32
	Timestamp     uint64 // µs
}

// MarshalBCS implements bcs.Marshaler.
func (m *BlockMetadata) MarshalBCS(ser *bcs.Serializer) {
	ser.FixedBytes(m.ID[:])
	ser.U64(m.Epoch)
	ser.U64(m.Round)
	ser.FixedBytes(m.Proposer[:])
	ser.WriteBytes(m.VotesBitvec)
	ser.Uleb128(uint32(len(m.FailedIndices)))
	for _, i := range m.FailedIndices {
		ser.U32(i)
	}
	ser.U64(m.Timestamp)
}

// UnmarshalBCS implements bcs.Unmarshaler.
func (m *BlockMetadata) UnmarshalBCS(des *bcs.Deserializer) {
	des.ReadFixedBytesInto(m.ID[:])
	m.Epoch = des.U64()
	m.Round = des.U64()
	des.ReadFixedBytesInto(m.Proposer[:])
	m.VotesBitvec = des.ReadBytes()
	n := des.Uleb128()
	if des.Error() == nil && int(n)*4 > des.Remaining() {
		des.SetError(bcsLengthError(n))
		return
	}
	m.FailedIndices = make([]uint32, 0, n)
	for i := uint32(0); i < n && des.Error() == nil; i++ {
		m.FailedIndices = append(m.FailedIndices, des.U32())
	}
	m.Timestamp = des.U64()
}

type bcsLengthError uint32

func (e bcsLengthError) Error() string { return "sequence length exceeds the bytes left" }

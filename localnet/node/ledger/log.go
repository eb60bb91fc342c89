package ledger

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"

	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// The log is a magic header followed by one record per block:
//
//	u32le payload length | u32le CRC-32C of payload | payload
//
// The payload is the BCS encoding of the block and its transactions (see
// encodeBlock). A record is synced before its block becomes visible, so the
// only damage a crash can leave is a torn last record, which Replay cuts off.
const logMagic = "AGNLOG01"

// maxRecord bounds one record so a damaged length cannot make Replay
// allocate without limit.
const maxRecord = 1 << 30

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Log is an append-only, checksummed block log.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	size int64
	buf  bytes.Buffer
	// NoSync skips fsync; only benchmarks comparing with and without
	// durability set it.
	NoSync bool
}

// OpenLog opens or creates the log at path.
func OpenLog(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open chain log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat chain log: %w", err)
	}
	l := &Log{f: f, size: st.Size()}
	if l.size == 0 {
		if _, err := f.Write([]byte(logMagic)); err != nil {
			f.Close()
			return nil, fmt.Errorf("write chain log header: %w", err)
		}
		if err := l.sync(); err != nil {
			f.Close()
			return nil, err
		}
		l.size = int64(len(logMagic))
	}
	return l, nil
}

func (l *Log) sync() error {
	if l.NoSync {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("sync chain log: %w", err)
	}
	return nil
}

// Replay reads every block in order. A torn final record (a crash during its
// write, before it was synced and acknowledged) is cut off; damage anywhere
// else is an error, since cutting there would drop acknowledged blocks.
func (l *Log) Replay(fn func(off int64, b Block, txns []*Txn) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("replay chain log: %w", err)
	}
	r := bufio.NewReaderSize(l.f, 1<<20)
	magic := make([]byte, len(logMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != logMagic {
		return errors.New("replay chain log: not a chain log (bad header)")
	}
	off := int64(len(logMagic))
	var hdr [8]byte
	for {
		n, err := io.ReadFull(r, hdr[:])
		if err == io.EOF {
			break
		}
		if err != nil {
			if off+int64(n) == l.size {
				return l.truncate(off)
			}
			return fmt.Errorf("replay chain log at %d: %w", off, err)
		}
		size := binary.LittleEndian.Uint32(hdr[0:4])
		sum := binary.LittleEndian.Uint32(hdr[4:8])
		last := off+8+int64(size) >= l.size
		if size > maxRecord || off+8+int64(size) > l.size {
			if last {
				return l.truncate(off)
			}
			return fmt.Errorf("replay chain log at %d: record of %d bytes", off, size)
		}
		payload := make([]byte, size)
		if _, err := io.ReadFull(r, payload); err != nil {
			return fmt.Errorf("replay chain log at %d: %w", off, err)
		}
		if crc32.Checksum(payload, crcTable) != sum {
			if last {
				return l.truncate(off)
			}
			return fmt.Errorf("replay chain log at %d: checksum mismatch", off)
		}
		b, txns, err := decodeBlock(payload)
		if err != nil {
			return fmt.Errorf("replay chain log at %d: %w", off, err)
		}
		if err := fn(off, b, txns); err != nil {
			return fmt.Errorf("replay block %d: %w", b.Height, err)
		}
		off += 8 + int64(size)
	}
	if _, err := l.f.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("replay chain log: %w", err)
	}
	return nil
}

func (l *Log) truncate(off int64) error {
	if err := l.f.Truncate(off); err != nil {
		return fmt.Errorf("cut torn record of chain log: %w", err)
	}
	l.size = off
	if _, err := l.f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("cut torn record of chain log: %w", err)
	}
	return l.sync()
}

// Append writes one block record, syncs it and returns its offset.
func (l *Log) Append(b Block, txns []*Txn) (int64, error) {
	payload, err := encodeBlock(b, txns)
	if err != nil {
		return 0, err
	}
	if len(payload) > maxRecord {
		return 0, fmt.Errorf("block record of %d bytes exceeds %d", len(payload), maxRecord)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Reset()
	var hdr [8]byte
	binary.LittleEndian.PutUint32(hdr[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[4:8], crc32.Checksum(payload, crcTable))
	l.buf.Write(hdr[:])
	l.buf.Write(payload)
	off := l.size
	if _, err := l.f.WriteAt(l.buf.Bytes(), off); err != nil {
		return 0, fmt.Errorf("write chain log: %w", err)
	}
	if err := l.sync(); err != nil {
		return 0, err
	}
	l.size += int64(l.buf.Len())
	return off, nil
}

// ReadBlock reads the block record at off, as Append returned it.
func (l *Log) ReadBlock(off int64) (Block, []*Txn, error) {
	var hdr [8]byte
	if _, err := l.f.ReadAt(hdr[:], off); err != nil {
		return Block{}, nil, fmt.Errorf("read chain log at %d: %w", off, err)
	}
	size := binary.LittleEndian.Uint32(hdr[0:4])
	if size > maxRecord {
		return Block{}, nil, fmt.Errorf("read chain log at %d: record of %d bytes", off, size)
	}
	payload := make([]byte, size)
	if _, err := l.f.ReadAt(payload, off+8); err != nil {
		return Block{}, nil, fmt.Errorf("read chain log at %d: %w", off, err)
	}
	if crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(hdr[4:8]) {
		return Block{}, nil, fmt.Errorf("read chain log at %d: checksum mismatch", off)
	}
	b, txns, err := decodeBlock(payload)
	if err != nil {
		return Block{}, nil, fmt.Errorf("read chain log at %d: %w", off, err)
	}
	return b, txns, nil
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

func encodeBlock(b Block, txns []*Txn) ([]byte, error) {
	ser := &bcs.Serializer{}
	ser.U64(b.Height)
	ser.FixedBytes(b.Hash[:])
	ser.U64(b.Timestamp)
	ser.U64(b.FirstVersion)
	ser.U64(b.LastVersion)
	ser.Uleb128(uint32(len(txns)))
	for _, t := range txns {
		encodeTxn(ser, t)
	}
	if err := ser.Error(); err != nil {
		return nil, fmt.Errorf("encode block %d: %w", b.Height, err)
	}
	return ser.ToBytes(), nil
}

func encodeTxn(ser *bcs.Serializer, t *Txn) {
	ser.U64(t.Version)
	ser.FixedBytes(t.Hash[:])
	ser.U8(uint8(t.Kind))
	ser.WriteBytes(t.Body)
	ser.Bool(t.Status.Success)
	ser.U64(t.Status.Code)
	ser.WriteString(t.Status.Message)
	ser.U64(t.GasUsed)
	ser.Uleb128(uint32(len(t.Events)))
	for _, e := range t.Events {
		ser.Bool(e.HasHandle)
		ser.FixedBytes(e.Account[:])
		ser.U64(e.CreationNumber)
		ser.U64(e.Sequence)
		ser.WriteString(e.Type)
		ser.WriteBytes(e.Data)
	}
	ser.Uleb128(uint32(len(t.Writes)))
	for _, w := range t.Writes {
		ser.WriteBytes([]byte(w.Key))
		ser.Bool(w.Delete)
		ser.WriteBytes(w.Value)
	}
	ser.U64(t.Timestamp)
	ser.FixedBytes(t.StateChangeHash[:])
	ser.FixedBytes(t.EventRootHash[:])
	ser.FixedBytes(t.AccumulatorRootHash[:])
	ser.FixedBytes(t.Sender[:])
	ser.U64(t.SequenceNumber)
}

// count reads a sequence length and checks it against the bytes left, each
// element taking at least minSize bytes.
func count(des *bcs.Deserializer, minSize int) int {
	n := int(des.Uleb128())
	if des.Error() == nil && n*minSize > des.Remaining() {
		des.SetError(fmt.Errorf("sequence of %d elements in %d bytes", n, des.Remaining()))
		return 0
	}
	return n
}

func fixed32(des *bcs.Deserializer, dst *[32]byte) { des.ReadFixedBytesInto(dst[:]) }

func decodeBlock(payload []byte) (Block, []*Txn, error) {
	des := bcs.NewDeserializer(payload)
	var b Block
	b.Height = des.U64()
	fixed32(des, &b.Hash)
	b.Timestamp = des.U64()
	b.FirstVersion = des.U64()
	b.LastVersion = des.U64()
	n := count(des, 100)
	txns := make([]*Txn, 0, n)
	for i := 0; i < n && des.Error() == nil; i++ {
		t := &Txn{}
		t.Version = des.U64()
		fixed32(des, &t.Hash)
		t.Kind = Kind(des.U8())
		t.Body = des.ReadBytes()
		t.Status.Success = des.Bool()
		t.Status.Code = des.U64()
		t.Status.Message = des.ReadString()
		t.GasUsed = des.U64()
		ne := count(des, 51)
		for j := 0; j < ne && des.Error() == nil; j++ {
			var e Event
			e.HasHandle = des.Bool()
			fixed32(des, &e.Account)
			e.CreationNumber = des.U64()
			e.Sequence = des.U64()
			e.Type = des.ReadString()
			e.Data = des.ReadBytes()
			t.Events = append(t.Events, e)
		}
		nw := count(des, 3)
		for j := 0; j < nw && des.Error() == nil; j++ {
			kb := des.ReadBytes()
			del := des.Bool()
			val := des.ReadBytes()
			if des.Error() != nil {
				break
			}
			k, err := state.ParseKey(kb)
			if err != nil {
				des.SetError(err)
				break
			}
			w := state.Write{Key: k, Delete: del}
			if !del {
				w.Value = val
			}
			t.Writes = append(t.Writes, w)
		}
		t.Timestamp = des.U64()
		fixed32(des, &t.StateChangeHash)
		fixed32(des, &t.EventRootHash)
		fixed32(des, &t.AccumulatorRootHash)
		fixed32(des, &t.Sender)
		t.SequenceNumber = des.U64()
		txns = append(txns, t)
	}
	if err := des.Error(); err != nil {
		return Block{}, nil, fmt.Errorf("decode block record: %w", err)
	}
	if des.Remaining() != 0 {
		return Block{}, nil, fmt.Errorf("decode block record: %d trailing bytes", des.Remaining())
	}
	return b, txns, nil
}

// Package ledger keeps the committed history of the chain: every transaction
// with its output (status, gas, events, write set), the blocks that group
// them, and the indexes the REST API reads by (hash, version, sender and
// sequence number, event handle). With a data directory every block is
// appended to a checksummed log and synced before it becomes visible, so an
// acknowledged transaction survives a crash; on start the log is replayed.
package ledger

import (
	"fmt"
	"sort"
	"sync"

	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// Kind tells what produced a transaction.
type Kind uint8

// Transaction kinds. The values are part of the log format.
const (
	KindGenesis       Kind = 1
	KindBlockMetadata Kind = 2
	KindUser          Kind = 3
)

// Event is one event a transaction emitted. Module events (the modern kind)
// have no handle; legacy handle events carry their GUID and sequence number.
type Event struct {
	HasHandle      bool
	Account        state.Address // GUID creator address of a handle event
	CreationNumber uint64        // GUID creation number of a handle event
	Sequence       uint64        // position in the handle's stream
	Type           string        // canonical struct tag
	Data           []byte        // BCS of the event value
}

// Status is how a committed transaction ended.
type Status struct {
	Success bool
	Code    uint64 // the VM status code (4001 EXECUTED, 4016 ABORTED, ...)
	Message string // vm_status as the REST API shows it
}

// Txn is one committed transaction and its output.
type Txn struct {
	Version   uint64
	Hash      [32]byte
	Kind      Kind
	Body      []byte // user: BCS SignedTransaction; block metadata: BCS BlockMetadata; genesis: the genesis payload
	Status    Status
	GasUsed   uint64
	Events    []Event
	Writes    []state.Write
	Timestamp uint64 // µs, the block's time
	// Hashes of the output, for the transaction info fields. They are
	// deterministic digests of this localnet's data, not Aptos Merkle roots.
	StateChangeHash     [32]byte
	EventRootHash       [32]byte
	AccumulatorRootHash [32]byte
	// Sender and SequenceNumber of a user transaction, kept for indexing.
	Sender         state.Address
	SequenceNumber uint64
}

// Block groups consecutive transactions under one timestamp.
type Block struct {
	Height       uint64
	Hash         [32]byte
	Timestamp    uint64 // µs
	FirstVersion uint64
	LastVersion  uint64
}

type handleKey struct {
	addr state.Address
	num  uint64
}

type eventRef struct {
	version uint64
	index   uint32
}

// Ledger is the committed history. Append is called by one writer; reads
// run concurrently.
//
// Without a log every transaction stays in memory. With one, only the most
// recent Resident versions do; older ones are read back from their block's
// record in the log when asked for (through a small cache of decoded
// blocks), so a long-lived chain's memory holds its indexes, not its
// history.
type Ledger struct {
	mu        sync.RWMutex
	txns      []*Txn // nil once evicted to the log
	blocks    []Block
	blockOffs []int64 // log offset of each block's record
	byHash    map[[32]byte]uint64
	byAccount map[state.Address][]uint64
	byHandle  map[handleKey][]eventRef
	log       *Log // nil: memory only
	evicted   uint64
	// Resident is how many recent versions stay in memory when there is a
	// log (DefaultResident).
	Resident uint64
	cache    blockCache
	// next block height and version Persist accepts; Persist runs ahead
	// of Publish.
	nextHeight, nextVersion uint64
	persistMu               sync.Mutex
	lastOff                 int64
}

// DefaultResident is how many recent versions a logged ledger keeps in
// memory: enough for every client following the head.
const DefaultResident = 100_000

// New returns an empty in-memory ledger.
func New() *Ledger {
	return &Ledger{
		byHash:    make(map[[32]byte]uint64),
		byAccount: make(map[state.Address][]uint64),
		byHandle:  make(map[handleKey][]eventRef),
		Resident:  DefaultResident,
		lastOff:   -1,
	}
}

// Open returns a ledger persisted in log, replaying what it holds. apply is
// called with every replayed block so the caller can rebuild its state.
func Open(log *Log, apply func(Block, []*Txn) error) (*Ledger, error) {
	l := New()
	l.log = log
	err := log.Replay(func(off int64, b Block, txns []*Txn) error {
		if err := l.index(b, txns, off); err != nil {
			return err
		}
		return apply(b, txns)
	})
	if err != nil {
		return nil, err
	}
	l.nextHeight, l.nextVersion = uint64(len(l.blocks)), uint64(len(l.txns))
	return l, nil
}

// Append commits a block: Persist, then Publish.
func (l *Ledger) Append(b Block, txns []*Txn) error {
	if err := l.Persist(b, txns); err != nil {
		return err
	}
	return l.Publish(b, txns)
}

// Persist writes a block to the log and syncs it (nothing without a log).
// The caller publishes it afterwards, once the state it wrote is applied.
func (l *Ledger) Persist(b Block, txns []*Txn) error {
	l.persistMu.Lock()
	defer l.persistMu.Unlock()
	if err := checkBlock(b, txns, l.nextHeight, l.nextVersion); err != nil {
		return err
	}
	off := int64(-1)
	if l.log != nil {
		var err error
		if off, err = l.log.Append(b, txns); err != nil {
			return fmt.Errorf("append block %d: %w", b.Height, err)
		}
	}
	l.nextHeight, l.nextVersion = b.Height+1, b.LastVersion+1
	l.lastOff = off
	return nil
}

// checkBlock checks that a block follows height and version.
func checkBlock(b Block, txns []*Txn, height, version uint64) error {
	if b.Height != height {
		return fmt.Errorf("block height %d, want %d", b.Height, height)
	}
	if len(txns) == 0 || b.FirstVersion != version || b.LastVersion != b.FirstVersion+uint64(len(txns))-1 {
		return fmt.Errorf("block %d versions %d..%d do not follow version %d with %d transactions",
			b.Height, b.FirstVersion, b.LastVersion, version, len(txns))
	}
	for i, t := range txns {
		if t.Version != b.FirstVersion+uint64(i) {
			return fmt.Errorf("block %d: transaction %d has version %d", b.Height, i, t.Version)
		}
	}
	return nil
}

// Publish indexes the block Persist last wrote and makes it visible to
// readers.
func (l *Ledger) Publish(b Block, txns []*Txn) error {
	l.persistMu.Lock()
	off := l.lastOff
	l.persistMu.Unlock()
	return l.index(b, txns, off)
}

func (l *Ledger) index(b Block, txns []*Txn, off int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := checkBlock(b, txns, uint64(len(l.blocks)), uint64(len(l.txns))); err != nil {
		return err
	}
	for _, t := range txns {
		l.txns = append(l.txns, t)
		l.byHash[t.Hash] = t.Version
		if t.Kind == KindUser {
			l.byAccount[t.Sender] = append(l.byAccount[t.Sender], t.Version)
		}
		for i, e := range t.Events {
			if e.HasHandle {
				k := handleKey{e.Account, e.CreationNumber}
				l.byHandle[k] = append(l.byHandle[k], eventRef{t.Version, uint32(i)})
			}
		}
	}
	l.blocks = append(l.blocks, b)
	l.blockOffs = append(l.blockOffs, off)
	if l.log != nil && off >= 0 {
		// Evict whole blocks older than the resident window.
		for n := uint64(len(l.txns)); l.evicted+l.Resident < n; l.evicted++ {
			if l.blockOffs[l.blockAt(l.evicted)] < 0 {
				break // a block that was never written cannot be read back
			}
			l.txns[l.evicted] = nil
		}
	}
	return nil
}

// Head returns the latest version and block, and false before genesis.
func (l *Ledger) Head() (version uint64, block Block, ok bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.blocks) == 0 {
		return 0, Block{}, false
	}
	b := l.blocks[len(l.blocks)-1]
	return b.LastVersion, b, true
}

// blockAt returns the index of the block holding version v (l.mu held).
func (l *Ledger) blockAt(v uint64) int {
	return sort.Search(len(l.blocks), func(i int) bool { return l.blocks[i].LastVersion >= v })
}

// get returns version v, reading it back from the log when it was evicted
// (l.mu held for reading).
func (l *Ledger) get(v uint64) (*Txn, error) {
	if t := l.txns[v]; t != nil {
		return t, nil
	}
	bi := l.blockAt(v)
	b := l.blocks[bi]
	txns, err := l.cache.get(b.Height, func() ([]*Txn, error) {
		rb, txns, err := l.log.ReadBlock(l.blockOffs[bi])
		if err != nil {
			return nil, err
		}
		if rb.Height != b.Height || len(txns) != int(b.LastVersion-b.FirstVersion+1) {
			return nil, fmt.Errorf("chain log record of block %d holds block %d", b.Height, rb.Height)
		}
		return txns, nil
	})
	if err != nil {
		return nil, err
	}
	return txns[v-b.FirstVersion], nil
}

// ByVersion returns the transaction at version v.
func (l *Ledger) ByVersion(v uint64) (*Txn, bool, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if v >= uint64(len(l.txns)) {
		return nil, false, nil
	}
	t, err := l.get(v)
	return t, err == nil, err
}

// ByHash returns the committed transaction with hash h.
func (l *Ledger) ByHash(h [32]byte) (*Txn, bool, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	v, ok := l.byHash[h]
	if !ok {
		return nil, false, nil
	}
	t, err := l.get(v)
	return t, err == nil, err
}

// Range returns up to limit transactions starting at version start.
func (l *Ledger) Range(start uint64, limit int) ([]*Txn, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n := uint64(len(l.txns))
	if start >= n || limit <= 0 {
		return nil, nil
	}
	end := min(start+uint64(limit), n)
	out := make([]*Txn, 0, end-start)
	for v := start; v < end; v++ {
		t, err := l.get(v)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// AccountTxns returns up to limit committed user transactions of sender
// starting at sequence number start, and how many the account has.
func (l *Ledger) AccountTxns(sender state.Address, start uint64, limit int) ([]*Txn, uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	vs := l.byAccount[sender]
	n := uint64(len(vs))
	if start >= n || limit <= 0 {
		return nil, n, nil
	}
	end := min(start+uint64(limit), n)
	out := make([]*Txn, 0, end-start)
	for _, v := range vs[start:end] {
		t, err := l.get(v)
		if err != nil {
			return nil, n, err
		}
		out = append(out, t)
	}
	return out, n, nil
}

// VersionedEvent is an event with the version of its transaction.
type VersionedEvent struct {
	Version uint64
	Event   Event
}

// HandleEvents returns up to limit events of the handle (addr,
// creationNumber) starting at sequence number start, and how many exist.
func (l *Ledger) HandleEvents(addr state.Address, creationNumber, start uint64, limit int) ([]VersionedEvent, uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	refs := l.byHandle[handleKey{addr, creationNumber}]
	n := uint64(len(refs))
	if start >= n || limit <= 0 {
		return nil, n, nil
	}
	end := min(start+uint64(limit), n)
	out := make([]VersionedEvent, 0, end-start)
	for _, r := range refs[start:end] {
		t, err := l.get(r.version)
		if err != nil {
			return nil, n, err
		}
		out = append(out, VersionedEvent{r.version, t.Events[r.index]})
	}
	return out, n, nil
}

// BlockByHeight returns block h.
func (l *Ledger) BlockByHeight(h uint64) (Block, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if h >= uint64(len(l.blocks)) {
		return Block{}, false
	}
	return l.blocks[h], true
}

// BlockByVersion returns the block holding version v.
func (l *Ledger) BlockByVersion(v uint64) (Block, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.blocks) == 0 || v > l.blocks[len(l.blocks)-1].LastVersion {
		return Block{}, false
	}
	lo, hi := 0, len(l.blocks)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if l.blocks[mid].LastVersion < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return l.blocks[lo], true
}

// Close closes the log.
func (l *Ledger) Close() error {
	if l.log == nil {
		return nil
	}
	return l.log.Close()
}

package node

import (
	"sync"

	"github.com/aptos-labs/aptos-go-sdk"
)

// Pending is an accepted transaction waiting in the mempool.
type Pending struct {
	Hash   [32]byte
	Body   []byte // BCS SignedTransaction as submitted
	Txn    *aptos.SignedTransaction
	Entry  *aptos.EntryFunction
	Sender aptos.AccountAddress
	Seq    uint64
	auth   authorization
}

// senderQueue holds one account's pending transactions by sequence number.
type senderQueue struct {
	next uint64 // sequence number the account executes next
	txns map[uint64]*Pending
}

// mempool holds accepted transactions until they execute. Like Aptos's it
// parks transactions whose sequence number is ahead of the account's and
// releases them in order; ready transactions leave in arrival order.
type mempool struct {
	mu        sync.Mutex
	senders   map[aptos.AccountAddress]*senderQueue
	byHash    map[[32]byte]*Pending
	ready     []*Pending
	size      int
	capacity  int
	perSender int
	wake      chan struct{} // signalled when a transaction becomes ready
}

func newMempool(capacity, perSender int) *mempool {
	return &mempool{
		senders:   make(map[aptos.AccountAddress]*senderQueue),
		byHash:    make(map[[32]byte]*Pending),
		capacity:  capacity,
		perSender: perSender,
		wake:      make(chan struct{}, 1),
	}
}

type addResult int

const (
	added addResult = iota
	duplicate
	seqTooOld   // below what the mempool already executes for the sender
	seqConflict // another transaction holds this sender and sequence number
	full
)

// add inserts p. committedSeq reads the sender's committed sequence
// number; it is called under the mempool lock when the mempool holds nothing
// for the sender, and settle runs under the same lock after each commit, so
// the two never disagree. privileged callers (the faucet) bypass the
// per-sender limit.
func (m *mempool) add(p *Pending, committedSeq func() uint64, privileged bool) (addResult, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byHash[p.Hash]; ok {
		return duplicate, 0
	}
	q := m.senders[p.Sender]
	var next uint64
	if q != nil {
		next = q.next
	} else {
		next = committedSeq()
	}
	if p.Seq < next {
		return seqTooOld, next
	}
	if q != nil {
		if _, ok := q.txns[p.Seq]; ok {
			return seqConflict, next
		}
	}
	if m.size >= m.capacity || (!privileged && q != nil && len(q.txns) >= m.perSender) {
		return full, next
	}
	if q == nil {
		q = &senderQueue{next: next, txns: make(map[uint64]*Pending)}
		m.senders[p.Sender] = q
	}
	q.txns[p.Seq] = p
	m.byHash[p.Hash] = p
	m.size++
	if p.Seq == q.next {
		m.pushReady(p)
	}
	return added, next
}

func (m *mempool) pushReady(p *Pending) {
	m.ready = append(m.ready, p)
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// get returns the pending transaction with hash h.
func (m *mempool) get(h [32]byte) (*Pending, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.byHash[h]
	return p, ok
}

// pop takes the oldest ready transaction, or nil.
func (m *mempool) pop() *Pending {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.ready) == 0 {
		return nil
	}
	p := m.ready[0]
	m.ready[0] = nil
	m.ready = m.ready[1:]
	if len(m.ready) == 0 {
		m.ready = nil // let the backing array go
	}
	return p
}

// executed records that p was kept in the block being built: the sender's
// next transaction, if parked, becomes ready. p stays findable by hash
// until settle, after the block is published, so a lookup never misses a
// transaction between the mempool and the ledger.
func (m *mempool) executed(p *Pending) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.senders[p.Sender]
	if q == nil {
		return
	}
	delete(q.txns, p.Seq)
	q.next = p.Seq + 1
	if nxt, ok := q.txns[q.next]; ok {
		m.pushReady(nxt)
	}
}

// settle runs after a block is published: it forgets the block's
// transactions and the senders with nothing left pending, so a sender's
// next add reads the committed sequence number.
func (m *mempool) settle(done []*Pending, senders []aptos.AccountAddress) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range done {
		if _, ok := m.byHash[p.Hash]; ok {
			delete(m.byHash, p.Hash)
			m.size--
		}
	}
	for _, a := range senders {
		if q := m.senders[a]; q != nil && len(q.txns) == 0 {
			delete(m.senders, a)
		}
	}
}

// discard drops p, which failed validation when its turn came.
func (m *mempool) discard(p *Pending) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(p)
}

func (m *mempool) removeLocked(p *Pending) {
	if _, ok := m.byHash[p.Hash]; !ok {
		return
	}
	delete(m.byHash, p.Hash)
	m.size--
	if q := m.senders[p.Sender]; q != nil && q.txns[p.Seq] == p {
		delete(q.txns, p.Seq)
	}
}

// expire drops parked transactions whose expiration time has passed; the
// ready ones are dropped by the block producer when their turn comes.
func (m *mempool) expire(nowSecs uint64) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for addr, q := range m.senders {
		for seq, p := range q.txns {
			if seq != q.next && p.Txn.Transaction.ExpirationTimestampSeconds <= nowSecs {
				m.removeLocked(p)
				n++
			}
		}
		if len(q.txns) == 0 {
			delete(m.senders, addr)
		}
	}
	return n
}

// len returns the number of transactions held.
func (m *mempool) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.size
}

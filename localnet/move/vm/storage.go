package vm

import (
	"bytes"
	"io"
	"sort"
)

// Storage is the global state an execution reads through. Resources are
// keyed by (address, struct type) and table items by (table handle, BCS of
// the key); values are BCS bytes laid out exactly as on Aptos. A nil slice
// with ok=false means absent.
type Storage interface {
	Resource(addr Address, t *Type) (data []byte, ok bool, err error)
	TableItem(handle Address, key []byte) (data []byte, ok bool, err error)
}

// EmptyStorage holds nothing.
type EmptyStorage struct{}

// Resource implements Storage.
func (EmptyStorage) Resource(Address, *Type) ([]byte, bool, error) { return nil, false, nil }

// TableItem implements Storage.
func (EmptyStorage) TableItem(Address, []byte) ([]byte, bool, error) { return nil, false, nil }

// Event is an emitted event: a module event, or a legacy event on a handle
// (GUID and sequence number set).
type Event struct {
	Type   *Type
	Data   []byte
	Value  Value
	Handle bool
	GUID   []byte // BCS of the handle's GUID
	Seq    uint64
}

// TxnContext is the per-transaction information natives may read.
type TxnContext struct {
	// UserTransaction is set when a user transaction runs (exec.Execute);
	// unit tests, views and genesis have none, and Aptos's
	// transaction_context natives abort there with invalid_state(1).
	UserTransaction bool
	// ScriptHash is what transaction_context::get_script_hash returns
	// (vector[1] in unit tests, as on Aptos).
	ScriptHash  []byte
	Sender      Address
	Secondaries []Address
	FeePayer    *Address
	Hash        []byte // 32 bytes
	ChainID     uint8
	// AUIDCounter counts unique addresses generated so far (objects, AUIDs).
	AUIDCounter uint64
	// SessionHash seeds table handles (Aptos's session hash: 32 zero bytes
	// in unit tests); nil means Hash.
	SessionHash []byte
	// NewTables and NewAggregators count the tables and v1 aggregators
	// created so far; each derives its handle from the count.
	NewTables      uint32
	NewAggregators uint32
	MaxGasAmount   uint64
	GasUnitPrice   uint64
	EntryFunction  *Function
	EntryTyArgs    []*Type
	EntryArgs      [][]byte
	TimestampMicro uint64
	// Index is the transaction's position in its block (the block
	// metadata transaction is 0), part of monotonically_increasing_counter.
	Index uint32
	// Simulation is set when the transaction is simulated, not in a block.
	Simulation bool
	// LocalCounter counts monotonically_increasing_counter calls.
	LocalCounter uint16
	// Unbiasable allows aptos_framework::randomness: unit tests, and a
	// transaction whose payload is a private or friend #[randomness] entry
	// function (so no caller can abort on an unfavourable draw).
	Unbiasable bool
	// RandomCounter counts the randomness draws of the transaction.
	RandomCounter uint64
}

type resKey struct {
	addr Address
	t    *Type
}

type resEntry struct {
	val        Value
	exists     bool
	origExists bool
	origData   []byte
	touched    bool // borrowed mutably, moved or published
}

// Session is one execution against a Storage: it caches resources and
// table items it reads, collects events, meters gas, and produces a
// ChangeSet. A Session is not safe for concurrent use.
type Session struct {
	prog   *Program
	store  Storage
	res    map[resKey]*resEntry
	tables Tables
	// Events emitted so far.
	Events []Event
	// Txn is the transaction context natives read.
	Txn TxnContext
	// Debug receives std::debug::print output when set.
	Debug io.Writer

	gasLeft  uint64
	gasLimit uint64
	sched    *GasSchedule
	ext      map[string]any

	// moduleLock counts the native dispatches (Dispatch) in progress;
	// while it is positive a call may not re-enter a module that already
	// has a frame on the stack (as Aptos's re-entrancy checker).
	moduleLock int

	// interpreter state, reused across calls
	stack  []Value
	frames []frame
	arena  localArena
	alloc  slab
	// natives holds contexts for native calls not in use (a native may
	// call Move, which may call a native).
	natives []*NativeContext
	// scratch is the reusable memory this session took (see Release).
	scratch *scratch
}

// NewSession starts an execution of prog over store with a gas budget
// (in units of the schedule; nil schedule means one unit per instruction).
func (p *Program) NewSession(store Storage, gasBudget uint64, sched *GasSchedule) *Session {
	if store == nil {
		store = EmptyStorage{}
	}
	if sched == nil {
		sched = DefaultSchedule
	}
	// The session and its buffers come from a released one when there is
	// one (see Release).
	sc := scratchPool.Get().(*scratch)
	s := &sc.sess
	*s = Session{prog: p, store: store, res: sc.res, gasLeft: gasBudget, gasLimit: gasBudget, sched: sched,
		stack: sc.stack, frames: sc.frames, arena: sc.arena, alloc: sc.alloc, natives: sc.natives, scratch: sc}
	s.tables.s = s
	s.tables.items = sc.items
	return s
}

// Program returns the session's program.
func (s *Session) Program() *Program { return s.prog }

// GasUsed returns the units consumed so far.
func (s *Session) GasUsed() uint64 { return s.gasLimit - s.gasLeft }

// GasLeft returns the units left.
func (s *Session) GasLeft() uint64 { return s.gasLeft }

func (s *Session) entry(addr Address, t *Type) (*resEntry, error) {
	k := resKey{addr, t}
	if e, ok := s.res[k]; ok {
		return e, nil
	}
	e := &s.alloc.res.take(1)[0]
	data, ok, err := s.store.Resource(addr, t)
	if err != nil {
		return nil, &ExecError{Status: UnknownInvariantViolation, Msg: "storage: " + err.Error()}
	}
	if ok {
		v, err := s.prog.deserialize(t, data, &s.alloc)
		if err != nil {
			return nil, &ExecError{Status: DataFormatError, Msg: "stored resource " + t.String() + ": " + err.Error()}
		}
		e.val, e.exists, e.origExists, e.origData = v, true, true, data
	}
	s.res[k] = e
	return e, nil
}

func (s *Session) exists(addr Address, t *Type) (bool, error) {
	e, err := s.entry(addr, t)
	if err != nil {
		return false, err
	}
	return e.exists, nil
}

func (s *Session) borrowGlobal(addr Address, t *Type, mut bool) (*Value, error) {
	e, err := s.entry(addr, t)
	if err != nil {
		return nil, err
	}
	if !e.exists {
		return nil, &ExecError{Status: MissingData, Msg: "Failed to borrow global resource from " + addr.Long()[2:]}
	}
	if mut {
		e.touched = true
	}
	return &e.val, nil
}

func (s *Session) moveTo(addr Address, t *Type, v Value) error {
	e, err := s.entry(addr, t)
	if err != nil {
		return err
	}
	if e.exists {
		return &ExecError{Status: ResourceAlreadyExists, Msg: "Failed to move resource into " + addr.Long()[2:]}
	}
	e.val, e.exists, e.touched = v, true, true
	return nil
}

func (s *Session) moveFrom(addr Address, t *Type) (Value, error) {
	e, err := s.entry(addr, t)
	if err != nil {
		return Value{}, err
	}
	if !e.exists {
		return Value{}, &ExecError{Status: MissingData, Msg: "Failed to move resource from " + addr.Long()[2:]}
	}
	v := e.val
	// A fresh location: references into the old one cannot outlive this call.
	e.val, e.exists, e.touched = Value{}, false, true
	return v, nil
}

// ResourceChange is a write or deletion of a resource.
type ResourceChange struct {
	Addr    Address
	Type    *Type
	Data    []byte // nil when deleted
	Deleted bool
}

// TableItemChange is a write or deletion of a table item.
type TableItemChange struct {
	Handle  Address
	Key     []byte
	Data    []byte
	Deleted bool
}

// TableInfo records the key and value types of a table created in the execution.
type TableInfo struct {
	Handle    Address
	KeyType   *Type
	ValueType *Type
}

// ChangeSet is what an execution wrote.
type ChangeSet struct {
	Resources  []ResourceChange
	TableItems []TableItemChange
	NewTables  []TableInfo
}

// Finish serializes what changed into a ChangeSet. Entries whose bytes are
// unchanged are left out. Output order is deterministic.
func (s *Session) Finish() (*ChangeSet, error) {
	cs := &ChangeSet{}
	for k, e := range s.res {
		if !e.touched {
			continue
		}
		switch {
		case e.exists:
			data, err := s.prog.Serialize(k.t, e.val)
			if err != nil {
				return nil, err
			}
			if e.origExists && bytes.Equal(data, e.origData) {
				continue
			}
			cs.Resources = append(cs.Resources, ResourceChange{Addr: k.addr, Type: k.t, Data: data})
		case e.origExists:
			cs.Resources = append(cs.Resources, ResourceChange{Addr: k.addr, Type: k.t, Deleted: true})
		}
	}
	sort.Slice(cs.Resources, func(i, j int) bool {
		a, b := cs.Resources[i], cs.Resources[j]
		if c := bytes.Compare(a.Addr[:], b.Addr[:]); c != 0 {
			return c < 0
		}
		return a.Type.String() < b.Type.String()
	})
	if err := s.tables.finish(cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// Tables holds the table items an execution touched.
type Tables struct {
	s     *Session
	items map[tableKey]*tableEntry
	infos []TableInfo
}

type tableKey struct {
	handle Address
	key    string
}

type tableEntry struct {
	val        Value
	t          *Type
	exists     bool
	origExists bool
	origData   []byte
	touched    bool
}

// NewTable records a table created in this execution.
func (t *Tables) NewTable(handle Address, keyType, valueType *Type) {
	t.infos = append(t.infos, TableInfo{Handle: handle, KeyType: keyType, ValueType: valueType})
}

func (t *Tables) entry(handle Address, key []byte, vt *Type) (*tableEntry, error) {
	if t.items == nil {
		t.items = map[tableKey]*tableEntry{}
	}
	k := tableKey{handle, string(key)}
	if e, ok := t.items[k]; ok {
		return e, nil
	}
	e := &t.s.alloc.items.take(1)[0]
	e.t = vt
	data, ok, err := t.s.store.TableItem(handle, key)
	if err != nil {
		return nil, &ExecError{Status: UnknownInvariantViolation, Msg: "storage: " + err.Error()}
	}
	if ok {
		v, err := t.s.prog.deserialize(vt, data, &t.s.alloc)
		if err != nil {
			return nil, &ExecError{Status: DataFormatError, Msg: "stored table item: " + err.Error()}
		}
		e.val, e.exists, e.origExists, e.origData = v, true, true, data
	}
	t.items[k] = e
	return e, nil
}

// Contains reports whether the table has the key.
func (t *Tables) Contains(handle Address, key []byte, valueType *Type) (bool, error) {
	e, err := t.entry(handle, key, valueType)
	if err != nil {
		return false, err
	}
	return e.exists, nil
}

// Add inserts an item; it returns false if the key is already present.
func (t *Tables) Add(handle Address, key []byte, valueType *Type, v Value) (bool, error) {
	e, err := t.entry(handle, key, valueType)
	if err != nil {
		return false, err
	}
	if e.exists {
		return false, nil
	}
	e.val, e.exists, e.touched, e.t = v, true, true, valueType
	return true, nil
}

// Borrow returns the location of an item; ok is false if it is absent.
func (t *Tables) Borrow(handle Address, key []byte, valueType *Type, mut bool) (*Value, bool, error) {
	e, err := t.entry(handle, key, valueType)
	if err != nil {
		return nil, false, err
	}
	if !e.exists {
		return nil, false, nil
	}
	if mut {
		e.touched = true
	}
	return &e.val, true, nil
}

// Remove deletes an item and returns it; ok is false if it is absent.
func (t *Tables) Remove(handle Address, key []byte, valueType *Type) (Value, bool, error) {
	e, err := t.entry(handle, key, valueType)
	if err != nil {
		return Value{}, false, err
	}
	if !e.exists {
		return Value{}, false, nil
	}
	v := e.val
	e.val, e.exists, e.touched = Value{}, false, true
	return v, true, nil
}

func (t *Tables) finish(cs *ChangeSet) error {
	for k, e := range t.items {
		if !e.touched {
			continue
		}
		switch {
		case e.exists:
			data, err := t.s.prog.Serialize(e.t, e.val)
			if err != nil {
				return err
			}
			if e.origExists && bytes.Equal(data, e.origData) {
				continue
			}
			cs.TableItems = append(cs.TableItems, TableItemChange{Handle: k.handle, Key: []byte(k.key), Data: data})
		case e.origExists:
			cs.TableItems = append(cs.TableItems, TableItemChange{Handle: k.handle, Key: []byte(k.key), Deleted: true})
		}
	}
	sort.Slice(cs.TableItems, func(i, j int) bool {
		a, b := cs.TableItems[i], cs.TableItems[j]
		if c := bytes.Compare(a.Handle[:], b.Handle[:]); c != 0 {
			return c < 0
		}
		return bytes.Compare(a.Key, b.Key) < 0
	})
	cs.NewTables = append(cs.NewTables, t.infos...)
	return nil
}

// MapStorage is an in-memory Storage: resources keyed by address and type
// tag string, table items by handle and key bytes. It is safe for
// concurrent reads once filled.
type MapStorage struct {
	Resources map[Address]map[string][]byte
	Items     map[Address]map[string][]byte
}

// NewMapStorage returns an empty MapStorage.
func NewMapStorage() *MapStorage {
	return &MapStorage{Resources: map[Address]map[string][]byte{}, Items: map[Address]map[string][]byte{}}
}

// Resource implements Storage.
func (m *MapStorage) Resource(addr Address, t *Type) ([]byte, bool, error) {
	b, ok := m.Resources[addr][t.String()]
	return b, ok, nil
}

// TableItem implements Storage.
func (m *MapStorage) TableItem(handle Address, key []byte) ([]byte, bool, error) {
	b, ok := m.Items[handle][string(key)]
	return b, ok, nil
}

// SetResource stores a resource's BCS bytes under its type tag ("0x1::m::S<..>").
func (m *MapStorage) SetResource(addr Address, tag string, data []byte) {
	if m.Resources[addr] == nil {
		m.Resources[addr] = map[string][]byte{}
	}
	m.Resources[addr][tag] = data
}

// Apply writes a change set into the storage.
func (m *MapStorage) Apply(cs *ChangeSet) {
	for _, r := range cs.Resources {
		if r.Deleted {
			delete(m.Resources[r.Addr], r.Type.String())
			continue
		}
		m.SetResource(r.Addr, r.Type.String(), r.Data)
	}
	for _, it := range cs.TableItems {
		if it.Deleted {
			delete(m.Items[it.Handle], string(it.Key))
			continue
		}
		if m.Items[it.Handle] == nil {
			m.Items[it.Handle] = map[string][]byte{}
		}
		m.Items[it.Handle][string(it.Key)] = it.Data
	}
}

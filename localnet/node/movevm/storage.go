package movevm

import (
	"encoding/binary"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// storage lets the VM read the node's state: resources under their
// canonical type tag, table items under their handle and key bytes.
type storage struct{ v state.View }

func (s storage) Resource(addr vm.Address, t *vm.Type) ([]byte, bool, error) {
	b, ok := s.v.Get(state.ResourceKey(addr, t.String()))
	return b, ok, nil
}

func (s storage) TableItem(handle vm.Address, key []byte) ([]byte, bool, error) {
	b, ok := s.v.Get(state.TableItemKey(handle, key))
	return b, ok, nil
}

// writes turns a VM change set into the node's write set.
func writes(cs *vm.ChangeSet) []state.Write {
	out := make([]state.Write, 0, len(cs.Resources)+len(cs.TableItems))
	for _, r := range cs.Resources {
		w := state.Write{Key: state.ResourceKey(r.Addr, r.Type.String())}
		if r.Deleted {
			w.Delete = true
		} else {
			w.Value = r.Data
		}
		out = append(out, w)
	}
	for _, t := range cs.TableItems {
		w := state.Write{Key: state.TableItemKey(t.Handle, t.Key)}
		if t.Deleted {
			w.Delete = true
		} else {
			w.Value = t.Data
		}
		out = append(out, w)
	}
	return out
}

// events turns VM events into ledger events. A handle event's GUID is the
// BCS of guid::GUID { id: ID { creation_num: u64, addr: address } }.
func events(evs []vm.Event) []ledger.Event {
	out := make([]ledger.Event, 0, len(evs))
	for _, e := range evs {
		le := ledger.Event{Type: e.Type.String(), Data: e.Data}
		if e.Handle && len(e.GUID) == 40 {
			le.HasHandle = true
			le.CreationNumber = binary.LittleEndian.Uint64(e.GUID[:8])
			copy(le.Account[:], e.GUID[8:])
			le.Sequence = e.Seq
		}
		out = append(out, le)
	}
	return out
}

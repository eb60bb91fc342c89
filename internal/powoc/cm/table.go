package cm

// slotTable holds bit histories of hashed contexts. A context looks up one
// 16-byte slot per nibble of the byte being coded: a check byte and the 15
// states of the binary tree over the nibble's bits. Four slots form a
// 64-byte bucket; a lookup that finds no slot with its check byte takes the
// slot of the bucket seen the fewest times.
type slotTable struct {
	t      []byte
	shift  uint   // 32 - log2(number of buckets)
	direct uint32 // offset of the region of fixed slots for orders 0 and 1
}

// directSize is the region of fixed slots: 257 groups of 32 slots.
const directSize = 257 * 32 * 16

func newSlotTable(bits int) slotTable {
	return slotTable{t: bigBytes(1<<bits + directSize), shift: uint(32 - (bits - 6)), direct: 1 << bits}
}

// find returns the byte offset of the slot for hash h.
func (s *slotTable) find(h uint32) uint32 {
	b := (h >> s.shift) << 6
	chk := byte(h)
	t := s.t[b : b+64 : b+64]
	if t[0] == chk {
		return b
	}
	if t[16] == chk {
		return b + 16
	}
	if t[32] == chk {
		return b + 32
	}
	if t[48] == chk {
		return b + 48
	}
	best, bp := 0, stateTotal[t[1]]
	if p := stateTotal[t[17]]; p < bp {
		best, bp = 16, p
	}
	if p := stateTotal[t[33]]; p < bp {
		best, bp = 32, p
	}
	if p := stateTotal[t[49]]; p < bp {
		best = 48
	}
	slot := t[best : best+16]
	clear(slot)
	slot[0] = chk
	return b + uint32(best)
}

// hash32 mixes a context value and a salt into 32 well-spread bits.
func hash32(v uint64, salt uint64) uint32 {
	v = (v + salt*0x9E3779B97F4A7C15) * 0xD6E8FEB86659FD93
	v ^= v >> 32
	v *= 0xD6E8FEB86659FD93
	return uint32(v >> 32)
}

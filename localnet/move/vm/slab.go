package vm

import "sync"

// slab hands out the containers of values (field and element slices,
// struct and vector payloads, addresses) from chunks, so that the many
// small containers a transaction decodes, packs and copies cost a few
// allocations instead of one or two each. Nothing carved from a chunk is
// handed out twice while the session lives; carved slices have no spare
// capacity, so appending to one moves it to memory of its own. When a
// session is released (Session.Release) its chunks are cleared and serve
// the next session. A nil slab allocates each container on its own.
type slab struct {
	vals    chunks[Value]
	structs chunks[Struct]
	vecs    chunks[Vector]
	addrs   chunks[Address]
	// the session's cache entries for resources and table items
	res   chunks[resEntry]
	items chunks[tableEntry]
}

// chunks is a list of fixed-size chunks of T, the last one partly used.
type chunks[T any] struct {
	free []T   // what is left of the current chunk
	used [][]T // chunks handed out from, for reuse after a release
	idle [][]T // cleared chunks waiting to be used
}

const (
	// Chunks start at slabFirst elements and double up to slabMax, so a
	// short session (a balance read, a unit test that is never
	// released) does not pay for large ones.
	slabFirst = 32
	slabMax   = 1024
	// slabLargest is the longest slice carved; longer ones are allocated
	// alone.
	slabLargest = 256
)

func (c *chunks[T]) take(n int) []T {
	if len(c.free) < n {
		c.next(n)
	}
	s := c.free[:n:n]
	c.free = c.free[n:]
	return s
}

// next starts a chunk of at least n elements, an idle one if it is large
// enough.
func (c *chunks[T]) next(n int) {
	var ch []T
	for len(c.idle) > 0 && ch == nil {
		k := len(c.idle) - 1
		if len(c.idle[k]) >= n {
			ch = c.idle[k]
		}
		c.idle[k] = nil
		c.idle = c.idle[:k]
	}
	if ch == nil {
		size := slabFirst << min(len(c.used), 5)
		ch = make([]T, max(min(size, slabMax), n))
	}
	c.used = append(c.used, ch)
	c.free = ch
}

// reset clears what was handed out and makes every chunk available again.
// Only the used part of the last chunk is cleared: the rest is still zero.
func (c *chunks[T]) reset() {
	for i, ch := range c.used {
		if i == len(c.used)-1 {
			clear(ch[:len(ch)-len(c.free)])
		} else {
			clear(ch)
		}
		c.idle = append(c.idle, ch)
	}
	clear(c.used)
	c.used = c.used[:0]
	c.free = nil
}

func (a *slab) reset() {
	a.vals.reset()
	a.structs.reset()
	a.vecs.reset()
	a.addrs.reset()
	a.res.reset()
	a.items.reset()
}

// values returns a zeroed slice of n values.
func (a *slab) values(n int) []Value {
	if n == 0 {
		return nil
	}
	if a == nil || n > slabLargest {
		return make([]Value, n)
	}
	return a.vals.take(n)
}

func (a *slab) newStruct(variant int, fields []Value) *Struct {
	if a == nil {
		return &Struct{Variant: variant, Fields: fields}
	}
	st := &a.structs.take(1)[0]
	st.Variant, st.Fields = variant, fields
	return st
}

func (a *slab) newVector(elems []Value) *Vector {
	if a == nil {
		return &Vector{Elems: elems}
	}
	v := &a.vecs.take(1)[0]
	v.Elems = elems
	return v
}

func (a *slab) newAddress(addr Address) *Address {
	if a == nil {
		return &addr
	}
	p := &a.addrs.take(1)[0]
	*p = addr
	return p
}

// grow returns elems with room for at least n more elements, moving them
// to a larger slice (twice the capacity, as append grows) when they lack it.
func (a *slab) grow(elems []Value, n int) []Value {
	if cap(elems)-len(elems) >= n {
		return elems
	}
	out := a.values(max(2*cap(elems), len(elems)+n, 4))
	copy(out, elems)
	return out[:len(elems)]
}

// copy is Value.Copy with the containers taken from the slab.
func (a *slab) copy(v Value) Value {
	switch p := v.P.(type) {
	case *Vector:
		elems := a.values(len(p.Elems))
		for i, e := range p.Elems {
			if e.P == nil {
				elems[i] = e
			} else {
				elems[i] = a.copy(e)
			}
		}
		return Value{P: a.newVector(elems)}
	case *Struct:
		fields := a.values(len(p.Fields))
		for i, e := range p.Fields {
			if e.P == nil {
				fields[i] = e
			} else {
				fields[i] = a.copy(e)
			}
		}
		return Value{P: a.newStruct(p.Variant, fields)}
	}
	return v
}

// scratch is the memory a session reuses from an earlier one: the
// interpreter's stack, frames and locals, the slab, and the maps of
// resources and table items it touched.
type scratch struct {
	sess    Session
	stack   []Value
	frames  []frame
	arena   localArena
	alloc   slab
	res     map[resKey]*resEntry
	items   map[tableKey]*tableEntry
	natives []*NativeContext
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{res: map[resKey]*resEntry{}}
}}

// Release ends the session and lets a later session reuse its memory.
// Nothing the session returned or holds may be used afterwards (results
// of Call, values of Events, references); the ChangeSet of Finish and the
// BCS bytes of events stay valid. A session that is never released is
// collected as usual.
func (s *Session) Release() {
	sc := s.scratch
	if sc == nil {
		return
	}
	s.scratch = nil
	// The stack's and frames' unused slots are already zero (the
	// interpreter clears what it pops), and locals are cleared when they
	// are handed out; what they still point to is garbage the next
	// session overwrites.
	clear(s.stack)
	s.alloc.reset()
	clear(s.res)
	clear(s.tables.items)
	for _, c := range s.natives {
		c.s, c.Fn = nil, nil
	}
	sc.stack, sc.frames, sc.arena, sc.alloc = s.stack[:0], s.frames[:0], localArena{chunks: s.arena.chunks}, s.alloc
	sc.res, sc.items, sc.natives = s.res, s.tables.items, s.natives
	*s = Session{} // s is sc.sess
	scratchPool.Put(sc)
}

package cm

const (
	maxContexts  = 16
	maxInputs    = maxContexts + 2
	matchBuckets = 32
	apm1Contexts = 1 << 16
	maxMatchLen  = 65535
)

// Model predicts the bits of a byte stream one at a time: P gives the
// probability that the next bit is a one, Update tells it the bit. Bytes go
// most significant bit first. Everything is integer arithmetic, and nothing
// depends on map order, goroutines or the machine, so two models built from
// the same parameters and fed the same bits give the same predictions.
type Model struct {
	cfg Config
	rt  Runtime
	n   int // hashed contexts

	hist      []byte // the last 2^WindowBits bytes, a ring
	histMask  uint32
	pos       uint32 // bytes seen, modulo 2^32
	c0        uint32 // bits of the current byte with a leading 1
	nib       uint32 // bits of the current nibble with a leading 1
	bit       uint   // bits of the current byte done
	c4        uint32 // last four bytes
	c8        uint64 // last eight bytes
	word0     uint64 // hash of the identifier being written, 0 between identifiers
	word1     uint64 // hash of the previous identifier
	indent    uint32 // leading tabs and spaces of the current line
	firstByte uint32 // first non-blank byte of the current line

	slots slotTable
	kind  [maxContexts]Context
	hash  [maxContexts]uint32 // this byte's context hashes
	slot  [maxContexts]uint32 // offsets of the current slots
	st    [maxContexts]uint8  // states used for this bit
	touch byte                // keeps the prefetching loads alive

	sm  [maxContexts * numStates]uint32 // the contexts' stateMaps (state -> probability)
	smM stateMap                        // match: (length bucket, expected bit) -> probability
	smF stateMap                        // the same, alone, on long matches

	// fast is set for a byte that starts inside a match of at least
	// FastMin bytes: the match alone predicts it and the contexts are
	// neither looked up nor updated, until a bit differs from the match.
	fast bool

	matchIdx  []uint32 // hash of the last MatchMin bytes -> position after them
	matchHash uint32
	matchPtr  uint32 // position of the byte the match expects
	matchLen  int
	matchCtx  uint32 // smM context for this bit, or ^0 when the match predicts nothing

	x    [maxInputs]int32
	mx   mixer
	apm0 apm
	apm1 apm
	apmF apm   // refines the fast prediction by the last two bytes
	pr   int32 // mixer output, 12 bits
}

// New builds a model with the given architecture, memory sizes and learned
// parameters (nil for the untrained defaults). It checks that the parameters
// fit the architecture.
func New(cfg Config, rt Runtime, p *Params) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := rt.Validate(); err != nil {
		return nil, err
	}
	if p == nil {
		p = DefaultParams(cfg)
	}
	if err := p.check(cfg); err != nil {
		return nil, err
	}
	n := len(cfg.Contexts)
	m := &Model{
		cfg:      cfg,
		rt:       rt,
		n:        n,
		hist:     bigBytes(1 << rt.WindowBits),
		histMask: 1<<rt.WindowBits - 1,
		c0:       1,
		nib:      1,
		slots:    newSlotTable(rt.TableBits),
		smM:      stateMap{t: make([]uint32, matchBuckets*2), limit: cfg.SMLimit},
		smF:      stateMap{t: make([]uint32, matchBuckets*2), limit: cfg.SMLimit},
		matchIdx: make([]uint32, 1<<rt.MatchBits),
		mx:       mixer{n: n + 2, w: make([]int32, len(p.Mixer)), lr: cfg.MixerRate},
		apm0:     newAPM(256, cfg.APMRate),
		apm1:     newAPM(apm1Contexts, cfg.APMRate),
		apmF:     newAPM(apm1Contexts, cfg.APMRate),
	}
	unpackStates(m.sm[:], p.StateMaps, cfg.SMLimit)
	unpackStates(m.smM.t, p.Match, cfg.SMLimit)
	unpackStates(m.smF.t, p.Fast, cfg.SMLimit)
	for i, w := range p.Mixer {
		m.mx.w[i] = int32(w) << 8
	}
	for i, k := range cfg.Contexts {
		m.kind[i] = k
	}
	m.byteUpdate()
	return m, nil
}

// P returns the probability that the next bit is a one, in 1/65536 units.
func (m *Model) P() int {
	if m.fast {
		eb := uint32(m.hist[m.matchPtr&m.histMask]) | 256
		b := (eb >> (7 - m.bit)) & 1
		m.matchCtx = lenBucket(m.matchLen)*2 + b
		p0 := int32(m.smF.t[m.matchCtx] >> 20)
		p1 := m.apmF.pp(p0, int((m.c0|(m.c4&0xff)<<8|(eb&0xff)<<16)*2654435761>>16))
		return int(p0*4 + p1*12)
	}
	t := m.slots.t
	x := &m.x
	nib := m.nib
	n := m.n
	for i := 0; i < n; i++ {
		j := i & (maxContexts - 1)
		s := t[m.slot[j]+nib]
		m.st[j] = s
		x[j] = stretch(int32(m.sm[j<<8|int(s)] >> 20))
	}
	// The match model predicts the next bit of the byte that followed the
	// longest earlier occurrence of the recent bytes, with a confidence
	// learned per match length.
	m.matchCtx = ^uint32(0)
	x[n] = 0
	if m.matchLen > 0 {
		eb := uint32(m.hist[m.matchPtr&m.histMask]) | 256
		if eb>>(8-m.bit) == m.c0 {
			b := (eb >> (7 - m.bit)) & 1
			m.matchCtx = lenBucket(m.matchLen)*2 + b
			x[n] = stretch(m.smM.p(m.matchCtx))
		} else {
			m.matchLen = 0
		}
	}
	x[n+1] = 256
	m.pr = m.mx.mix(x[:n+2], int(m.c0))
	p0 := m.apm0.pp(m.pr, int(m.c0))
	p1 := m.apm1.pp(m.pr, int(m.c0|(m.c4&0xff)<<8))
	return int((m.pr*16*2 + p0*16 + p1*16*5) >> 3)
}

// Update learns bit y (0 or 1), the bit that followed the last P.
func (m *Model) Update(y int) {
	if m.fast {
		m.updateFast(y)
		return
	}
	m.mx.update(m.x[:m.n+2], y)
	m.apm0.update(y)
	m.apm1.update(y)
	t := m.slots.t
	nib := m.nib
	limit := m.cfg.SMLimit
	target := int64(y)<<22 - int64(y)
	for i := 0; i < m.n; i++ {
		j := i & (maxContexts - 1)
		s := m.st[j]
		t[m.slot[j]+nib] = stateNext[s][y]
		// The stateMap step, as in stateMap.update.
		e := &m.sm[j<<8|int(s)]
		c := *e & 1023
		p := int64(*e >> 10)
		p += ((target - p) * int64(recip[c])) >> 16
		if c < limit {
			c++
		}
		*e = uint32(p)<<10 | c
	}
	if m.matchCtx != ^uint32(0) {
		m.smM.update(m.matchCtx, y)
	}

	m.c0 = m.c0<<1 | uint32(y)
	m.nib = m.nib<<1 | uint32(y)
	m.bit++
	switch m.bit {
	case 4:
		m.nib = 1
		m.findSlots(m.c0)
	case 8:
		m.endByte()
	}
}

func (m *Model) endByte() {
	c := byte(m.c0)
	m.hist[m.pos&m.histMask] = c
	m.pos++
	m.c0, m.nib, m.bit = 1, 1, 0
	m.c4 = m.c4<<8 | uint32(c)
	m.c8 = m.c8<<8 | uint64(c)
	m.byteUpdate()
}

// updateFast is Update for a byte in a long match.
func (m *Model) updateFast(y int) {
	m.smF.update(m.matchCtx, y)
	m.apmF.update(y)
	expected := int(m.matchCtx & 1)
	m.c0 = m.c0<<1 | uint32(y)
	m.nib = m.nib<<1 | uint32(y)
	m.bit++
	if y != expected {
		// The match is over: the full model takes the rest of the byte,
		// from the slots of the nibble being coded.
		m.fast = false
		m.matchLen = 0
		switch {
		case m.bit < 4:
			m.findSlots(0)
		case m.bit > 4:
			m.findSlots(m.c0 >> (m.bit - 4))
		}
	}
	switch m.bit {
	case 4:
		m.nib = 1
		if !m.fast {
			m.findSlots(m.c0)
		}
	case 8:
		m.endByte()
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 128
}

// byteUpdate moves the contexts past a completed byte (or sets them up
// before the first).
func (m *Model) byteUpdate() {
	started := m.pos > 0
	c := byte(m.c4)
	if started && isWordByte(c) {
		m.word0 = (m.word0 + uint64(c) + 1) * 0x2F0B3C5D7A1E9B37
	} else if m.word0 != 0 {
		m.word1 = m.word0
		m.word0 = 0
	}
	switch {
	case !started:
	case c == '\n':
		m.indent = 0
		m.firstByte = 0
	case m.firstByte == 0:
		if c == '\t' || c == ' ' {
			m.indent++
		} else {
			m.firstByte = uint32(c)
		}
	}

	for i, k := range m.cfg.Contexts {
		var v uint64
		switch k {
		case Order0, Order1: // direct slots, see findSlots
		case Order2:
			v = uint64(m.c4 & 0xffff)
		case Order3:
			v = uint64(m.c4 & 0xffffff)
		case Order4:
			v = uint64(m.c4)
		case Order5:
			v = m.c8 & 0xffffffffff
		case Order6:
			v = m.c8 & 0xffffffffffff
		case Order8:
			v = m.c8
		case Word:
			v = m.word0 ^ uint64(m.c4&0xff)<<56
		case WordPair:
			v = m.word0 + m.word1*0x9E3779B97F4A7C15
		case Indent:
			v = uint64(m.indent)<<16 | uint64(m.firstByte)<<8 | uint64(m.c4&0xff)
		case Sparse:
			v = uint64(m.c4 & 0xffff00)
		}
		m.hash[i] = hash32(v, uint64(k))
	}
	mm := uint(m.cfg.MatchMin)
	m.matchHash = hash32(m.c8&(1<<(8*mm)-1), 99) >> (32 - uint(m.rt.MatchBits))
	if m.matchLen == 0 {
		// Only a lookup needs the entry now; the store after it does not
		// wait for the cache.
		m.touch += byte(m.matchIdx[m.matchHash])
	}
	m.matchUpdate()
	m.fast = m.cfg.FastMin > 0 && m.matchLen >= m.cfg.FastMin
	if !m.fast {
		m.findSlots(0)
	}
}

// findSlots looks up the slots of every hashed context for the nibble that
// starts now (nibble is 0 for the first, the byte's high nibble with a
// leading 1 for the second). It first touches every bucket so the memory
// loads overlap, then searches them.
func (m *Model) findSlots(nibble uint32) {
	t := m.slots.t
	var touch byte
	// Orders 0 and 1 have few contexts: they get fixed slots in a region
	// after the hashed buckets, 32 slots per previous byte (one for the
	// first nibble, sixteen for the second).
	idx := uint32(0)
	if nibble != 0 {
		idx = nibble - 15
	}
	for i, h := range m.hash[:m.n] {
		switch m.kind[i] {
		case Order0:
			m.slot[i] = m.slots.direct + (256<<5|idx)<<4
			continue
		case Order1:
			m.slot[i] = m.slots.direct + ((m.c4&0xff)<<5|idx)<<4
			continue
		}
		if nibble != 0 {
			h = hash32(uint64(h), uint64(nibble))
		}
		m.slot[i] = h
		touch += t[(h>>m.slots.shift)<<6]
	}
	m.touch += touch
	for i, h := range m.slot[:m.n] {
		if k := m.kind[i]; k != Order0 && k != Order1 {
			m.slot[i] = m.slots.find(h)
		}
	}
}

// matchUpdate extends the current match by the byte just seen or, without
// one, looks up where the last MatchMin bytes occurred before.
func (m *Model) matchUpdate() {
	n := m.pos
	if m.matchLen > 0 {
		m.matchPtr++
		if m.matchLen < maxMatchLen {
			m.matchLen++
		}
	}
	mm := uint32(m.cfg.MatchMin)
	if n < mm {
		return
	}
	if m.matchLen == 0 {
		// The candidate and the 255 bytes before it must still be in the
		// window; the distance stays fixed while the match lasts.
		cand := m.matchIdx[m.matchHash]
		if d := n - cand; cand != 0 && d <= m.histMask-255 {
			l := uint32(0)
			for l < 255 && l < cand && m.hist[(cand-1-l)&m.histMask] == m.hist[(n-1-l)&m.histMask] {
				l++
			}
			if l >= mm {
				m.matchPtr, m.matchLen = cand, int(l)
			}
		}
	}
	m.matchIdx[m.matchHash] = n
}

// lenBucket quantizes a match length to [1, matchBuckets): lengths below
// 16 exactly, longer ones in two buckets per octave.
func lenBucket(l int) uint32 {
	if l < 16 {
		return uint32(l)
	}
	b := uint32(16)
	for l >= 32 {
		l >>= 1
		b += 2
	}
	if l >= 24 {
		b++
	}
	if b > matchBuckets-1 {
		b = matchBuckets - 1
	}
	return b
}

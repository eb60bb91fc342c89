package cm

// Adaptive maps: stateMap (context -> probability), mixer (weighted sum of
// stretched probabilities) and apm (probability refinement). All of them
// learn as they code; a model file stores where the state maps and the
// mixer start (see Params).

// recip[n] = 65536 * 2 / (2n + 3): the step 1/(n + 1.5) of the n-th update
// of a stateMap entry, so a new entry learns fast and an old one averages.
var recip [1024]int32

func init() {
	for n := range recip {
		recip[n] = int32(65536 * 2 / (2*n + 3))
	}
}

// stateMap maps a context to a probability. An entry holds a 22-bit
// probability in its high bits and an update count in its low 10 bits.
type stateMap struct {
	t     []uint32
	limit uint32 // count at which the step stops shrinking
}

// p returns the 12-bit probability of context cx.
func (s *stateMap) p(cx uint32) int32 { return int32(s.t[cx] >> 20) }

// update moves context cx towards bit y.
func (s *stateMap) update(cx uint32, y int) {
	e := s.t[cx]
	n := e & 1023
	p := int32(e >> 10)
	// The step is at most 2/3 of the distance to the target, so p stays
	// within [0, 2^22-1] without clamping.
	p += int32((int64(int32(y)<<22-int32(y)-p) * int64(recip[n])) >> 16)
	if n < s.limit {
		n++
	}
	s.t[cx] = uint32(p)<<10 | n
}

// initStates fills a map indexed by bit-history state with the probability
// the counts suggest, (n1 + 1/2) / (n0 + n1 + 1), as if seen once.
func (s *stateMap) initStates(contexts int) {
	for c := 0; c < contexts; c++ {
		for st := 0; st < numStates; st++ {
			n0 := int64(stateCount[st][0])
			n1 := int64(stateCount[st][1])
			p := ((2*n1 + 1) << 22) / (2*n0 + 2*n1 + 2)
			s.t[c*numStates+st] = uint32(p)<<10 | 1
		}
	}
}

// maxWeight bounds mixer weights (16.16 fixed point), so a dot product of
// up to maxInputs inputs of at most 2047 cannot overflow.
const maxWeight = 1 << 22

// mixer combines n stretched predictions with one of 256 weight sets,
// chosen by a context, into one probability, and learns the weights online
// by gradient descent on coding cost.
type mixer struct {
	n    int     // inputs per set
	w    []int32 // weights, 16.16 fixed point, set after set
	base int     // offset of the selected set
	pr   int32
	lr   int32 // learning rate
}

// mix selects weight set cx and returns the 12-bit prediction for inputs x.
func (m *mixer) mix(x []int32, cx int) int32 {
	m.base = cx * m.n
	w := m.w[m.base : m.base+m.n]
	x = x[:len(w)]
	var dot int64
	for i := range w {
		dot += int64(x[i]) * int64(w[i])
	}
	m.pr = squash(int32(min(max(dot>>16, -2047), 2047)))
	return m.pr
}

// update trains the selected set on inputs x and bit y.
func (m *mixer) update(x []int32, y int) {
	err := (int32(y)<<12 - m.pr) * m.lr
	w := m.w[m.base : m.base+m.n]
	x = x[:len(w)]
	for i := range w {
		w[i] = min(max(w[i]+(x[i]*err+(1<<13))>>14, -maxWeight), maxWeight)
	}
}

// apm refines a probability given a context: for each context it keeps 33
// probabilities at evenly spaced stretch values and interpolates between the
// two around the input; the nearer one learns.
type apm struct {
	t    []uint16
	idx  int
	rate uint
}

func newAPM(contexts int, rate uint) apm {
	a := apm{t: make([]uint16, contexts*33), rate: rate}
	var row [33]uint16
	for j := range row {
		row[j] = uint16(squash(int32((j-16)*128)) * 16)
	}
	for c := 0; c < contexts; c++ {
		copy(a.t[c*33:], row[:])
	}
	return a
}

// pp returns the refined 12-bit probability of pr in context cx.
func (a *apm) pp(pr int32, cx int) int32 {
	s := stretch(pr) + 2048
	lo := int(s >> 7)
	w := s & 127
	i := cx*33 + lo
	a.idx = i + int(w>>6)
	return (int32(a.t[i])*(128-w) + int32(a.t[i+1])*w) >> 11
}

func (a *apm) update(y int) {
	v := int32(a.t[a.idx])
	v += (int32(y)*65535 - v) >> a.rate
	a.t[a.idx] = uint16(v)
}

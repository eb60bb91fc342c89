package cm

// Bit histories. Every context slot remembers what followed it as one byte,
// a state standing for a pair of counts (n0, n1) of zeros and ones seen.
// The counts are nonstationary: when a bit arrives, the count of the other
// bit, if above 2, is cut to about half, so recent behaviour dominates. The
// largest count allowed shrinks as the other count grows, which keeps the
// number of states under 256. An adaptive map (stateMap) turns a state into
// a probability learned from the data; those maps are trainable parameters.
//
// The table is generated at start-up by a breadth-first walk from the empty
// state (0, 0), so state numbers are the same on every machine.

const numStates = 256

var (
	stateNext  [numStates][2]uint8 // next state after a 0 or a 1
	stateCount [numStates][2]uint8 // (n0, n1) of each state
	stateTotal [numStates]uint8    // n0 + n1, a slot's priority when replacing
	statesUsed int
)

// countCap is the largest count of one bit while the other bit's count is
// other.
func countCap(other int) int {
	switch {
	case other == 0:
		return 50
	case other == 1:
		return 36
	case other == 2:
		return 22
	case other == 3:
		return 14
	case other <= 5:
		return 9
	default:
		return 7
	}
}

func nextCounts(n [2]int, y int) [2]int {
	n[y]++
	if n[1-y] > 2 {
		n[1-y] = n[1-y]/2 + 1
	}
	if c := countCap(n[1-y]); n[y] > c {
		n[y] = c
	}
	return n
}

func init() {
	index := map[[2]int]int{{0, 0}: 0}
	queue := [][2]int{{0, 0}}
	order := [][2]int{{0, 0}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for y := 0; y < 2; y++ {
			t := nextCounts(s, y)
			if _, ok := index[t]; !ok {
				index[t] = len(order)
				order = append(order, t)
				queue = append(queue, t)
			}
		}
	}
	if len(order) > numStates {
		panic("cm: too many bit-history states")
	}
	statesUsed = len(order)
	for i, s := range order {
		for y := 0; y < 2; y++ {
			stateNext[i][y] = uint8(index[nextCounts(s, y)])
		}
		stateCount[i] = [2]uint8{uint8(s[0]), uint8(s[1])}
		stateTotal[i] = uint8(s[0] + s[1])
	}
}

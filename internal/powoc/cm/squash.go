package cm

// The logistic domain. A probability p in 1/4096 units maps to
// stretch(p) = ln(p/(1-p)) in 1/256 units, clamped to [-2047, 2047]; squash
// is its inverse. Both are integer tables, so predictions are the same on
// every machine.

// squashPoints[i] = round(4096 / (1 + exp(-(i-16)/2))), the logistic
// function sampled every 128 stretch units from -2048 to 2048; squash
// interpolates linearly between them. TestSquashTable checks the values.
var squashPoints = [33]int32{
	1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546,
	2048, 2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079,
	4086, 4090, 4092, 4094, 4095,
}

// squash maps a stretch value to a probability in [1, 4095].
func squash(x int32) int32 {
	if x > 2047 {
		x = 2047
	}
	if x < -2047 {
		x = -2047
	}
	w := x & 127
	i := (x >> 7) + 16
	return (squashPoints[i]*(128-w) + squashPoints[i+1]*w + 64) >> 7
}

var stretchTable [4096]int16

func init() {
	// stretch is the inverse of squash: the smallest x whose squash reaches p.
	pi := int32(0)
	for x := int32(-2047); x <= 2047; x++ {
		v := squash(x)
		for j := pi; j <= v; j++ {
			stretchTable[j] = int16(x)
		}
		pi = v + 1
	}
	for j := pi; j < 4096; j++ {
		stretchTable[j] = 2047
	}
}

// stretch maps a probability in [0, 4095] to the logistic domain.
func stretch(p int32) int32 { return int32(stretchTable[p&4095]) }

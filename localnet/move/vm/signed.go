package vm

import "math/big"

// Signed integer arithmetic (Move 2.3). Values of i8..i64 are int64 values
// stored in Value.N; i128 and i256 are 256-bit two's complement in a
// *U256. Operations go through big.Int: signed integers are rare and
// correctness of the overflow rules matters more than speed here.

var (
	two256 = new(big.Int).Lsh(big.NewInt(1), 256)
	bigOne = big.NewInt(1)
)

// SignedBig returns the value of a signed integer of kind k.
func SignedBig(v Value, k Kind) *big.Int {
	if k.Bits() <= 64 {
		return big.NewInt(int64(v.N))
	}
	x := v.P.(*U256).Big()
	if x.Bit(255) == 1 {
		x.Sub(x, two256)
	}
	return x
}

// signedRange returns the bounds of a signed kind.
func signedRange(k Kind) (*big.Int, *big.Int) {
	b := k.Bits()
	max := new(big.Int).Sub(new(big.Int).Lsh(bigOne, b-1), bigOne)
	min := new(big.Int).Neg(new(big.Int).Lsh(bigOne, b-1))
	return min, max
}

// SignedFits reports whether x fits the signed kind k.
func SignedFits(x *big.Int, k Kind) bool {
	min, max := signedRange(k)
	return x.Cmp(min) >= 0 && x.Cmp(max) <= 0
}

// SignedValue encodes x (which must fit) as a value of signed kind k.
func SignedValue(x *big.Int, k Kind) Value {
	if k.Bits() <= 64 {
		return Value{N: uint64(x.Int64())}
	}
	y := new(big.Int).Set(x)
	if y.Sign() < 0 {
		y.Add(y, two256)
	}
	return Value{P: ptrU256(fromBig(y))}
}

func ptrU256(u U256) *U256 { return &u }

// unsignedBig returns an unsigned integer as a big.Int.
func unsignedBig(v Value, k Kind) *big.Int {
	if k <= KU64 {
		return new(big.Int).SetUint64(v.N)
	}
	return v.P.(*U256).Big()
}

// intBig returns any integer as a big.Int.
func intBig(v Value, k Kind) *big.Int {
	if k.IsSigned() {
		return SignedBig(v, k)
	}
	return unsignedBig(v, k)
}

// signedArith applies a binary operation to signed integers.
func signedArith(op Op, k Kind, a, b Value) (Value, string) {
	x, y := SignedBig(a, k), SignedBig(b, k)
	r := new(big.Int)
	switch op {
	case OpAdd:
		r.Add(x, y)
	case OpSub:
		r.Sub(x, y)
	case OpMul:
		r.Mul(x, y)
	case OpDiv:
		if y.Sign() == 0 {
			return Value{}, "Division by zero"
		}
		r.Quo(x, y)
	case OpMod:
		if y.Sign() == 0 {
			return Value{}, "Integer remainder by zero"
		}
		r.Rem(x, y)
	default:
		return Value{}, "unsupported operation on signed integers"
	}
	if !SignedFits(r, k) {
		return Value{}, arithMsgs[op]
	}
	return SignedValue(r, k), ""
}

// signedNeg negates a signed integer (the minimum overflows).
func signedNeg(k Kind, a Value) (Value, bool) {
	r := new(big.Int).Neg(SignedBig(a, k))
	if !SignedFits(r, k) {
		return Value{}, false
	}
	return SignedValue(r, k), true
}

// castInt converts between any integer kinds, failing when the value does
// not fit the target.
func castInt(v Value, from, to Kind) (Value, bool) {
	x := intBig(v, from)
	if to.IsSigned() {
		if !SignedFits(x, to) {
			return Value{}, false
		}
		return SignedValue(x, to), true
	}
	if x.Sign() < 0 || x.BitLen() > int(to.Bits()) {
		return Value{}, false
	}
	if to <= KU64 {
		return Value{N: x.Uint64()}, true
	}
	return BigInt(x), true
}

package node

import (
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// GasSchedule is the published price list of the localnet, documented in
// docs/LOCALNET.md. Like Aptos it meters in internal gas units
// (ScalingFactor of them make one gas unit, the unit max_gas_amount and
// gas_used count in) and charges storage space in octas, converted to gas
// units at the transaction's gas unit price. The parameter values are those
// of Aptos's gas schedule where Aptos has the same parameter; execution is
// metered by the executor's own instruction costs.
type GasSchedule struct {
	ScalingFactor          uint64 // internal units per gas unit
	MinTransactionGas      uint64 // internal units every transaction costs
	LargeTransactionCutoff uint64 // bytes of a transaction that are free
	IntrinsicGasPerByte    uint64 // internal units per byte above the cutoff
	MaxGasUnits            uint64 // largest max_gas_amount accepted
	MinGasUnitPrice        uint64 // octas
	MaxGasUnitPrice        uint64 // octas
	MaxTransactionSize     uint64 // bytes of BCS SignedTransaction

	ReadSlot  uint64 // internal units per distinct state item read
	ReadByte  uint64 // internal units per byte read
	WriteSlot uint64 // internal units per state item written
	WriteByte uint64 // internal units per byte written (key + value)

	StorageFeePerSlot      uint64 // octas per state item created, refunded on deletion
	StorageFeePerByte      uint64 // octas per byte of a created item, and per byte an item grows
	EventFreeBytes         uint64 // event bytes per transaction that are free
	StorageFeePerEventByte uint64 // octas per event byte above the free bytes
	StorageFeePerTxnByte   uint64 // octas per transaction byte above the cutoff
}

// DefaultGasSchedule is the schedule the localnet runs with.
var DefaultGasSchedule = GasSchedule{
	ScalingFactor:          1_000_000,
	MinTransactionGas:      2_760_000,
	LargeTransactionCutoff: 600,
	IntrinsicGasPerByte:    1_158,
	MaxGasUnits:            2_000_000,
	MinGasUnitPrice:        100,
	MaxGasUnitPrice:        10_000_000_000,
	MaxTransactionSize:     64 << 10,

	ReadSlot:  302_385,
	ReadByte:  151,
	WriteSlot: 89_568,
	WriteByte: 89,

	StorageFeePerSlot:      40_000,
	StorageFeePerByte:      40,
	EventFreeBytes:         1024,
	StorageFeePerEventByte: 20,
	StorageFeePerTxnByte:   20,
}

// Intrinsic returns the internal gas every transaction of size bytes costs
// before it runs.
func (g *GasSchedule) Intrinsic(size uint64) uint64 {
	c := g.MinTransactionGas
	if size > g.LargeTransactionCutoff {
		c += (size - g.LargeTransactionCutoff) * g.IntrinsicGasPerByte
	}
	return c
}

// MinGasUnits is the smallest max_gas_amount a transaction of size bytes
// may carry.
func (g *GasSchedule) MinGasUnits(size uint64) uint64 {
	return ceilDiv(g.Intrinsic(size), g.ScalingFactor)
}

// Charge is what a transaction pays, as its FeeStatement event reports it.
type Charge struct {
	TotalGasUnits     uint64 // gas_used
	ExecutionGasUnits uint64
	IOGasUnits        uint64
	StorageFeeOctas   uint64
	StorageRefund     uint64
	OutOfGas          bool
}

// Fee is what the payer is charged in octas: gas used at the unit price,
// less the storage refund (never below zero).
func (c *Charge) Fee(price uint64) uint64 {
	f := c.TotalGasUnits * price
	if c.StorageRefund >= f {
		return 0
	}
	return f - c.StorageRefund
}

// usage collects what a transaction read and wrote.
type usage struct {
	size      uint64 // transaction bytes
	execution uint64 // internal units reported by the executor
	readSlots uint64
	readBytes uint64
	writes    []state.Write
	events    []ledger.Event
	before    state.View // state before the transaction, to tell creations
}

// charge prices usage for a transaction with the given gas limit and price.
func (g *GasSchedule) charge(u *usage, maxGas, price uint64) Charge {
	intrinsic := g.Intrinsic(u.size)
	io := u.readSlots*g.ReadSlot + u.readBytes*g.ReadByte
	var fee, refund uint64
	for _, w := range u.writes {
		old, existed := u.before.Get(w.Key)
		switch {
		case w.Delete:
			if existed {
				refund += g.StorageFeePerSlot
			}
		case !existed:
			io += g.WriteSlot + g.WriteByte*uint64(len(w.Key)+len(w.Value))
			fee += g.StorageFeePerSlot + g.StorageFeePerByte*uint64(len(w.Key)+len(w.Value))
		default:
			io += g.WriteSlot + g.WriteByte*uint64(len(w.Key)+len(w.Value))
			if len(w.Value) > len(old) {
				fee += g.StorageFeePerByte * uint64(len(w.Value)-len(old))
			}
		}
	}
	var eventBytes uint64
	for _, e := range u.events {
		eventBytes += uint64(len(e.Type) + len(e.Data))
	}
	if eventBytes > g.EventFreeBytes {
		fee += (eventBytes - g.EventFreeBytes) * g.StorageFeePerEventByte
	}
	if u.size > g.LargeTransactionCutoff {
		fee += (u.size - g.LargeTransactionCutoff) * g.StorageFeePerTxnByte
	}
	c := Charge{
		ExecutionGasUnits: ceilDiv(intrinsic+u.execution, g.ScalingFactor),
		IOGasUnits:        ceilDiv(io, g.ScalingFactor),
		StorageFeeOctas:   fee,
		StorageRefund:     refund,
	}
	c.TotalGasUnits = c.ExecutionGasUnits + c.IOGasUnits + ceilDiv(fee, price)
	if c.TotalGasUnits > maxGas {
		c = g.outOfGas(maxGas)
	}
	return c
}

// outOfGas is the charge of a transaction that ran out of gas: all of it.
func (g *GasSchedule) outOfGas(maxGas uint64) Charge {
	return Charge{TotalGasUnits: maxGas, ExecutionGasUnits: maxGas, OutOfGas: true}
}

// failed prices a transaction whose payload failed: its changes are
// dropped, so it pays for execution and reads only.
func (g *GasSchedule) failed(u *usage, maxGas uint64) Charge {
	intrinsic := g.Intrinsic(u.size)
	io := u.readSlots*g.ReadSlot + u.readBytes*g.ReadByte
	c := Charge{
		ExecutionGasUnits: ceilDiv(intrinsic+u.execution, g.ScalingFactor),
		IOGasUnits:        ceilDiv(io, g.ScalingFactor),
	}
	c.TotalGasUnits = c.ExecutionGasUnits + c.IOGasUnits
	if c.TotalGasUnits > maxGas {
		return g.outOfGas(maxGas)
	}
	return c
}

func ceilDiv(a, b uint64) uint64 {
	if b == 0 {
		return 0
	}
	return (a + b - 1) / b
}

// countingView counts the distinct state items and bytes a transaction
// reads, for the IO part of its gas.
type countingView struct {
	base  state.View
	seen  map[state.Key]struct{}
	slots uint64
	bytes uint64
}

func newCountingView(base state.View) *countingView {
	return &countingView{base: base, seen: make(map[state.Key]struct{}, 8)}
}

func (c *countingView) Get(k state.Key) ([]byte, bool) {
	v, ok := c.base.Get(k)
	if _, dup := c.seen[k]; !dup {
		c.seen[k] = struct{}{}
		c.slots++
		c.bytes += uint64(len(v))
	}
	return v, ok
}

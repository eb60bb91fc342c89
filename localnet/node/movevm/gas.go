package movevm

import "github.com/agi-nostr/agi-nostr/localnet/move/vm"

// gasSchedule prices the interpreter's instructions in the node's internal
// gas units, with the costs of the matching instructions of Aptos's gas
// schedule (where an instruction here does the work of several there, the
// costs add up). Storage reads and writes are charged by the node from the
// state the transaction touched, not here.
func gasSchedule() *vm.GasSchedule {
	s := &vm.GasSchedule{
		NativeCall:    3676 + 1102, // a call, plus a typical native's base cost
		GlobalAccess:  0,           // the instructions below carry it
		InternalUnits: true,        // natives with costly work charge Aptos's costs
	}
	cost := map[vm.Op]uint64{
		vm.OpNop:          36,
		vm.OpLdInt:        220,
		vm.OpLdConst:      2389,
		vm.OpLdTrue:       220,
		vm.OpLdFalse:      220,
		vm.OpLdU256:       294,
		vm.OpCopyLoc:      294,
		vm.OpMoveLoc:      441,
		vm.OpStLoc:        441,
		vm.OpBorrowLoc:    220,
		vm.OpBorrowField:  735,
		vm.OpBorrowVField: 735,
		vm.OpReadRef:      735,
		vm.OpWriteRef:     735,
		vm.OpPack:         808,
		vm.OpUnpack:       808,
		vm.OpTestVariant:  588,
		vm.OpTestVariants: 588,
		vm.OpCall:         3676,
		vm.OpRet:          220,
		vm.OpBr:           294,
		vm.OpBrTrue:       441,
		vm.OpBrFalse:      441,
		vm.OpPop:          147,
		vm.OpAbort:        220,
		vm.OpCast:         441,
		vm.OpVecPack:      2205,
		vm.OpVecLen:       808,
		vm.OpVecBorrow:    1213,
		vm.OpVecPush:      1396,
		vm.OpVecPop:       955,
		vm.OpVecUnpack:    1838,
		vm.OpVecSwap:      1102,
		vm.OpExists:       919,
		vm.OpBorrowGlob:   1838,
		vm.OpMoveFrom:     1286,
		vm.OpMoveTo:       1838,
		vm.OpPackClosure:  808,
		vm.OpCallClosure:  3676,
		vm.OpEq:           367,
		vm.OpNeq:          367,
	}
	for op := range s.Instr {
		c, ok := cost[vm.Op(op)]
		if !ok {
			c = 588 // arithmetic, bitwise, comparisons and logic
		}
		s.Instr[op] = c
	}
	return s
}

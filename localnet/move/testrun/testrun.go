// Package testrun runs the unit tests of a compiled Move package and
// reports them as `aptos move test` does.
package testrun

import (
	"fmt"
	"io"
	"strings"

	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// DefaultInstructionBudget is the instruction bound per test; exceeding it
// is a TIMEOUT. Aptos bounds tests by gas rather than by instruction count,
// and a reference Move VM runs loops of twenty million iterations without
// timing out, so the bound is generous: a runaway loop still ends in about
// a second.
const DefaultInstructionBudget = 100_000_000

// Options control a test run.
type Options struct {
	// Filter keeps tests whose "module::function" contains it.
	Filter string
	// Budget is the instruction budget per test (0: DefaultInstructionBudget).
	Budget uint64
	// Genesis returns the storage every test starts from (nil: empty).
	Genesis func(p *vm.Program) (vm.Storage, error)
	// Debug receives std::debug::print output (nil: discarded).
	Debug io.Writer
}

// Outcome of one test.
type Outcome uint8

// Outcomes.
const (
	Pass Outcome = iota
	Fail
	Timeout
)

// Result is one test's result.
type Result struct {
	Test    *check.Test
	Outcome Outcome
	// Err is the execution error, if any.
	Err *vm.ExecError
	// Reason explains a failure.
	Reason string
	// Instructions counts the gas units used.
	Instructions uint64
}

// Name is "0x<addr>::module::function".
func (r *Result) Name() string {
	return r.Test.Module.ID.String() + "::" + r.Test.Name
}

// Summary is the result of a run.
type Summary struct {
	Results []*Result
	Passed  int
	Failed  int
	// Sources maps file names to their text, for the failure report.
	Sources map[string]string
}

// OK reports whether every test passed.
func (s *Summary) OK() bool { return s.Failed == 0 }

// Run executes the tests of a compiled package.
func Run(res *check.Result, opts Options) (*Summary, error) {
	if opts.Budget == 0 {
		opts.Budget = DefaultInstructionBudget
	}
	var store vm.Storage = vm.EmptyStorage{}
	if opts.Genesis != nil {
		s, err := opts.Genesis(res.Program)
		if err != nil {
			return nil, fmt.Errorf("genesis: %w", err)
		}
		store = s
	}
	sum := &Summary{Sources: res.Sources}
	for _, t := range res.Tests {
		name := t.Module.ID.Name + "::" + t.Name
		if opts.Filter != "" && !strings.Contains(name, opts.Filter) {
			continue
		}
		r := runOne(res.Program, store, t, opts)
		sum.Results = append(sum.Results, r)
		if r.Outcome == Pass {
			sum.Passed++
		} else {
			sum.Failed++
		}
	}
	return sum, nil
}

func runOne(p *vm.Program, store vm.Storage, t *check.Test, opts Options) *Result {
	s := p.NewSession(store, opts.Budget, nil)
	s.Debug = opts.Debug
	// Aptos's unit-test harness runs outside a user transaction, with
	// transaction hash and script hash vector[1] (unique addresses derive
	// from that hash), table handles from a session hash of 32 zero bytes,
	// and chain id 4.
	s.Txn.ChainID = 4
	s.Txn.Hash = []byte{1}
	s.Txn.SessionHash = make([]byte, 32)
	s.Txn.ScriptHash = []byte{1}
	s.Txn.Unbiasable = true // unit tests may draw randomness, as on Aptos
	if len(t.Signers) > 0 {
		s.Txn.Sender = t.Signers[0]
	}
	args := make([]vm.Value, len(t.Signers))
	for i, a := range t.Signers {
		switch t.Function.Params[i].Kind {
		case vm.KAddress:
			args[i] = vm.Addr(a)
		case vm.KRef:
			sv := vm.SignerValue(a)
			args[i] = vm.RefTo(&sv)
		default:
			args[i] = vm.SignerValue(a)
		}
	}
	_, err := s.Call(t.Function, nil, args)
	r := &Result{Test: t, Instructions: s.GasUsed()}
	if err != nil {
		ee, ok := err.(*vm.ExecError)
		if !ok {
			ee = &vm.ExecError{Status: vm.UnknownInvariantViolation, Msg: err.Error()}
		}
		r.Err = ee
	}
	judge(r)
	return r
}

func matches(x *Expected, e *vm.ExecError) bool {
	if x.Any {
		return true
	}
	if x.Status != e.Status {
		return false
	}
	if x.Status == vm.Aborted {
		if x.Code != e.Sub {
			return false
		}
	} else if x.HasCode != e.HasSub || (x.HasCode && x.Code != e.Sub) {
		return false
	}
	return x.Location == nil || *x.Location == e.Location
}

func judge(r *Result) {
	x := r.Test.Expected
	e := r.Err
	switch {
	case e == nil && x == nil:
		r.Outcome = Pass
	case e == nil:
		r.Outcome = Fail
		r.Reason = "Test did not error as expected"
	case x != nil && matches(x, e):
		r.Outcome = Pass
	case e.Status == vm.OutOfGas:
		r.Outcome = Timeout
		r.Reason = "Test timed out"
	case x == nil:
		r.Outcome = Fail
		r.Reason = "Test was not expected to error, but it " + describe(e)
	case x.Status == vm.Aborted && x.Location == nil:
		r.Outcome = Fail
		r.Reason = fmt.Sprintf("Test did not abort with expected code. Expected test to abort with code %d, but instead it %s", x.Code, describe(e))
	default:
		r.Outcome = Fail
		r.Reason = "Test did not error as expected. Expected test to " + expectation(x) + " but instead it " + describe(e)
	}
}

// Expected is an #[expected_failure] specification.
type Expected = check.Expected

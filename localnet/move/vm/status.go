package vm

import "fmt"

// StatusCode is a Move VM status code (major status), as Aptos numbers them.
type StatusCode uint64

// Status codes the interpreter produces.
const (
	Executed               StatusCode = 4001
	OutOfGas               StatusCode = 4002
	ResourceDoesNotExist   StatusCode = 4003
	ResourceAlreadyExists  StatusCode = 4004
	MissingData            StatusCode = 4008
	DataFormatError        StatusCode = 4009
	Aborted                StatusCode = 4016
	ArithmeticError        StatusCode = 4017
	VectorOperationError   StatusCode = 4018
	ExecutionStackOverflow StatusCode = 4020
	CallStackOverflow      StatusCode = 4021
	VMMaxValueDepthReached StatusCode = 4025
	StructVariantMismatch  StatusCode = 4038
	// RuntimeDispatchError: a dispatched call re-entered a module already
	// on the call stack.
	RuntimeDispatchError StatusCode = 4037
	// MissingDependency is reported when a native function has no implementation.
	MissingDependency StatusCode = 1021
	// UnknownInvariantViolation covers internal errors.
	UnknownInvariantViolation StatusCode = 2000
	// FailedToDeserializeArgument: an entry argument's BCS did not decode.
	FailedToDeserializeArgument StatusCode = 1100
	// NumberOfArgumentsMismatch: wrong number of entry arguments.
	NumberOfArgumentsMismatch StatusCode = 1098
	// TypeMismatch: wrong type arguments for an entry function.
	NumberOfTypeArgumentsMismatch StatusCode = 1076
	// InvalidMainFunctionSignature: the function is not callable as an entry/view.
	InvalidMainFunctionSignature StatusCode = 1011
	// FunctionResolutionFailure: no such module or function.
	FunctionResolutionFailure StatusCode = 1091
	// LinkerError: a module could not be found.
	LinkerError StatusCode = 1081
	// TypeResolutionFailure: a type argument names no type.
	TypeResolutionFailure StatusCode = 2021
	// ConstraintNotSatisfied: a type argument lacks a required ability.
	ConstraintNotSatisfied StatusCode = 1075
	// NumberOfSignerArgumentsMismatch: the transaction has more or fewer signers.
	NumberOfSignerArgumentsMismatch StatusCode = 1101
	// ExecuteEntryFunctionCalledOnNonEntryFunction: the function is not entry.
	ExecuteEntryFunctionCalledOnNonEntryFunction StatusCode = 1103
	// InvalidParamTypeForDeserialization: a parameter type cannot be a transaction argument.
	InvalidParamTypeForDeserialization StatusCode = 1099
)

var statusNames = map[StatusCode]string{
	Executed: "EXECUTED", OutOfGas: "OUT_OF_GAS", ResourceDoesNotExist: "RESOURCE_DOES_NOT_EXIST",
	ResourceAlreadyExists: "RESOURCE_ALREADY_EXISTS", MissingData: "MISSING_DATA",
	DataFormatError: "DATA_FORMAT_ERROR", Aborted: "ABORTED", ArithmeticError: "ARITHMETIC_ERROR",
	VectorOperationError: "VECTOR_OPERATION_ERROR", ExecutionStackOverflow: "EXECUTION_STACK_OVERFLOW",
	CallStackOverflow: "CALL_STACK_OVERFLOW", VMMaxValueDepthReached: "VM_MAX_VALUE_DEPTH_REACHED",
	StructVariantMismatch: "STRUCT_VARIANT_MISMATCH", RuntimeDispatchError: "RUNTIME_DISPATCH_ERROR", MissingDependency: "MISSING_DEPENDENCY",
	UnknownInvariantViolation:     "UNKNOWN_INVARIANT_VIOLATION_ERROR",
	FailedToDeserializeArgument:   "FAILED_TO_DESERIALIZE_ARGUMENT",
	NumberOfArgumentsMismatch:     "NUMBER_OF_ARGUMENTS_MISMATCH",
	NumberOfTypeArgumentsMismatch: "NUMBER_OF_TYPE_ARGUMENTS_MISMATCH",
	InvalidMainFunctionSignature:  "INVALID_MAIN_FUNCTION_SIGNATURE",
	FunctionResolutionFailure:     "FUNCTION_RESOLUTION_FAILURE", LinkerError: "LINKER_ERROR",
}

func (s StatusCode) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("STATUS_%d", uint64(s))
}

// Vector operation sub-statuses.
const (
	VecIndexOutOfBounds uint64 = 1
	VecPopEmpty         uint64 = 2
	VecUnpackMismatch   uint64 = 3
	VecSizeLimit        uint64 = 4
)

// ExecError is a failed execution: an abort or a runtime error, with the
// module whose code raised it.
type ExecError struct {
	Status StatusCode
	// Sub is the abort code for ABORTED and the sub-status for vector errors.
	Sub    uint64
	HasSub bool
	// Location is the module whose code raised the error; Script when the
	// error happened outside any module (argument validation).
	Location ModuleID
	Script   bool
	Function string // function name, when known
	Offset   int    // code offset within Function
	// File, Line, Col locate the instruction in source.
	File      string
	Line, Col int32
	Msg       string
	// Trace holds the call stack, innermost last, for diagnostics.
	Trace []TraceFrame
}

// TraceFrame is one frame of a call stack.
type TraceFrame struct {
	Module    ModuleID
	Function  string
	File      string
	Line, Col int32
	// NameLine, NameCol locate the function's name.
	NameLine, NameCol int32
}

func (e *ExecError) Error() string {
	loc := e.Location.String()
	if e.Script {
		loc = "script"
	}
	switch e.Status {
	case Aborted:
		return fmt.Sprintf("aborted with code %d in %s", e.Sub, loc)
	case VectorOperationError:
		return fmt.Sprintf("VECTOR_OPERATION_ERROR (sub-status %d) in %s", e.Sub, loc)
	}
	msg := fmt.Sprintf("%s in %s", e.Status, loc)
	if e.Msg != "" {
		msg += ": " + e.Msg
	}
	return msg
}

// AbortError returns an ABORTED error; natives use it (the interpreter fills
// in the location of the native's module).
func AbortError(code uint64) *ExecError {
	return &ExecError{Status: Aborted, Sub: code, HasSub: true}
}

// StatusError returns an error with a status and an optional message.
func StatusError(s StatusCode, msg string) *ExecError {
	return &ExecError{Status: s, Msg: msg}
}

package node

import (
	"fmt"

	"github.com/aptos-labs/aptos-go-sdk"
)

// StatusCode is a Move VM status code. The values are Aptos's, which the
// REST API reports in vm_error_code and clients match on.
type StatusCode uint64

// Status codes the node itself produces or inspects, numbered as Aptos's
// StatusCode (move-core vm_status.rs).
const (
	StatusInvalidSignature                 StatusCode = 1
	StatusInvalidAuthKey                   StatusCode = 2
	StatusSequenceNumberTooOld             StatusCode = 3
	StatusSequenceNumberTooNew             StatusCode = 4
	StatusInsufficientBalanceForFee        StatusCode = 5
	StatusTransactionExpired               StatusCode = 6
	StatusSendingAccountDoesNotExist       StatusCode = 7
	StatusExceededMaxTransactionSize       StatusCode = 10
	StatusMaxGasUnitsExceedsMaxGasUnits    StatusCode = 13
	StatusMaxGasUnitsBelowMinTransactionGU StatusCode = 14
	StatusGasUnitPriceBelowMinBound        StatusCode = 15
	StatusGasUnitPriceAboveMaxBound        StatusCode = 16
	StatusBadChainID                       StatusCode = 23
	StatusSequenceNumberTooBig             StatusCode = 24
	StatusFeatureUnderGating               StatusCode = 26
	StatusSignersContainDuplicates         StatusCode = 28
	StatusInvalidMainFunctionSignature     StatusCode = 1011
	StatusMissingDependency                StatusCode = 1021
	StatusConstraintNotSatisfied           StatusCode = 1075
	StatusNumberOfTypeArgumentsMismatch    StatusCode = 1076
	StatusLinkerError                      StatusCode = 1081
	StatusFunctionResolutionFailure        StatusCode = 1091
	StatusNumberOfArgumentsMismatch        StatusCode = 1098
	StatusInvalidParamTypeForDeserializ    StatusCode = 1099
	StatusFailedToDeserializeArgument      StatusCode = 1100
	StatusNumberOfSignerArgumentsMismatch  StatusCode = 1101
	StatusEntryFunctionOnNonEntryFunction  StatusCode = 1103
	StatusUnknownInvariantViolation        StatusCode = 2000
	StatusStorageError                     StatusCode = 2008
	StatusTypeResolutionFailure            StatusCode = 2021
	StatusExecuted                         StatusCode = 4001
	StatusOutOfGas                         StatusCode = 4002
	StatusResourceDoesNotExist             StatusCode = 4003
	StatusResourceAlreadyExists            StatusCode = 4004
	StatusMissingData                      StatusCode = 4008
	StatusDataFormatError                  StatusCode = 4009
	StatusAborted                          StatusCode = 4016
	StatusArithmeticError                  StatusCode = 4017
	StatusVectorOperationError             StatusCode = 4018
	StatusExecutionStackOverflow           StatusCode = 4020
	StatusCallStackOverflow                StatusCode = 4021
	StatusVMMaxTypeDepthReached            StatusCode = 4024
	StatusVMMaxValueDepthReached           StatusCode = 4025
	StatusMemoryLimitExceeded              StatusCode = 4028
	StatusExecutionLimitReached            StatusCode = 4030
	StatusTypeTagLimitExceeded             StatusCode = 4033
)

var statusNames = map[StatusCode]string{
	StatusInvalidSignature:                 "INVALID_SIGNATURE",
	StatusInvalidAuthKey:                   "INVALID_AUTH_KEY",
	StatusSequenceNumberTooOld:             "SEQUENCE_NUMBER_TOO_OLD",
	StatusSequenceNumberTooNew:             "SEQUENCE_NUMBER_TOO_NEW",
	StatusInsufficientBalanceForFee:        "INSUFFICIENT_BALANCE_FOR_TRANSACTION_FEE",
	StatusTransactionExpired:               "TRANSACTION_EXPIRED",
	StatusSendingAccountDoesNotExist:       "SENDING_ACCOUNT_DOES_NOT_EXIST",
	StatusExceededMaxTransactionSize:       "EXCEEDED_MAX_TRANSACTION_SIZE",
	StatusMaxGasUnitsExceedsMaxGasUnits:    "MAX_GAS_UNITS_EXCEEDS_MAX_GAS_UNITS_BOUND",
	StatusMaxGasUnitsBelowMinTransactionGU: "MAX_GAS_UNITS_BELOW_MIN_TRANSACTION_GAS_UNITS",
	StatusGasUnitPriceBelowMinBound:        "GAS_UNIT_PRICE_BELOW_MIN_BOUND",
	StatusGasUnitPriceAboveMaxBound:        "GAS_UNIT_PRICE_ABOVE_MAX_BOUND",
	StatusBadChainID:                       "BAD_CHAIN_ID",
	StatusSequenceNumberTooBig:             "SEQUENCE_NUMBER_TOO_BIG",
	StatusFeatureUnderGating:               "FEATURE_UNDER_GATING",
	StatusSignersContainDuplicates:         "SIGNERS_CONTAIN_DUPLICATES",
	StatusInvalidMainFunctionSignature:     "INVALID_MAIN_FUNCTION_SIGNATURE",
	StatusMissingDependency:                "MISSING_DEPENDENCY",
	StatusConstraintNotSatisfied:           "CONSTRAINT_NOT_SATISFIED",
	StatusNumberOfTypeArgumentsMismatch:    "NUMBER_OF_TYPE_ARGUMENTS_MISMATCH",
	StatusLinkerError:                      "LINKER_ERROR",
	StatusFunctionResolutionFailure:        "FUNCTION_RESOLUTION_FAILURE",
	StatusNumberOfArgumentsMismatch:        "NUMBER_OF_ARGUMENTS_MISMATCH",
	StatusInvalidParamTypeForDeserializ:    "INVALID_PARAM_TYPE_FOR_DESERIALIZATION",
	StatusFailedToDeserializeArgument:      "FAILED_TO_DESERIALIZE_ARGUMENT",
	StatusNumberOfSignerArgumentsMismatch:  "NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH",
	StatusEntryFunctionOnNonEntryFunction:  "EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION",
	StatusUnknownInvariantViolation:        "UNKNOWN_INVARIANT_VIOLATION_ERROR",
	StatusStorageError:                     "STORAGE_ERROR",
	StatusTypeResolutionFailure:            "TYPE_RESOLUTION_FAILURE",
	StatusExecuted:                         "EXECUTED",
	StatusOutOfGas:                         "OUT_OF_GAS",
	StatusResourceDoesNotExist:             "RESOURCE_DOES_NOT_EXIST",
	StatusResourceAlreadyExists:            "RESOURCE_ALREADY_EXISTS",
	StatusMissingData:                      "MISSING_DATA",
	StatusDataFormatError:                  "DATA_FORMAT_ERROR",
	StatusAborted:                          "ABORTED",
	StatusArithmeticError:                  "ARITHMETIC_ERROR",
	StatusVectorOperationError:             "VECTOR_OPERATION_ERROR",
	StatusExecutionStackOverflow:           "EXECUTION_STACK_OVERFLOW",
	StatusCallStackOverflow:                "CALL_STACK_OVERFLOW",
	StatusVMMaxTypeDepthReached:            "VM_MAX_TYPE_DEPTH_REACHED",
	StatusVMMaxValueDepthReached:           "VM_MAX_VALUE_DEPTH_REACHED",
	StatusMemoryLimitExceeded:              "MEMORY_LIMIT_EXCEEDED",
	StatusExecutionLimitReached:            "EXECUTION_LIMIT_REACHED",
	StatusTypeTagLimitExceeded:             "TYPE_TAG_LIMIT_EXCEEDED",
}

// Known reports whether this package knows the code's name.
func (c StatusCode) Known() bool {
	_, ok := statusNames[c]
	return ok
}

// Name returns the code's Aptos name, or its number when this table lacks it.
func (c StatusCode) Name() string {
	if n, ok := statusNames[c]; ok {
		return n
	}
	return fmt.Sprintf("STATUS_CODE_%d", uint64(c))
}

// StatusKind classifies how execution ended, like Aptos's ExecutionStatus.
type StatusKind uint8

// Kinds of execution status.
const (
	Executed         StatusKind = iota // success
	MoveAbort                          // abort n / failed assert!
	ExecutionFailure                   // arithmetic, vector, missing data... at a code offset
	OutOfGas                           // budget exhausted
	MiscError                          // anything else (linker errors, bad arguments...)
)

// Status is how a Move execution ended.
type Status struct {
	Kind StatusKind
	Code StatusCode // the VM status code (EXECUTED, ABORTED, ARITHMETIC_ERROR...)
	// CodeName is Code's name when the executor knows one that this
	// package's table lacks.
	CodeName string
	// Location is the module of an abort or execution failure; nil for
	// a script.
	Location *aptos.ModuleId
	// AbortCode is the u64 of a MoveAbort.
	AbortCode uint64
	// Reason, when the module documents the abort code, names it (the
	// error constant) and Description is its doc comment.
	Reason      string
	Description string
	// Function and CodeOffset place an execution failure.
	Function   string
	CodeOffset uint64
	// Message is an optional detail for MiscError.
	Message string
}

// Success reports whether the execution succeeded.
func (s Status) Success() bool { return s.Kind == Executed }

// ExecutedStatus is the status of a successful execution.
func ExecutedStatus() Status { return Status{Kind: Executed, Code: StatusExecuted} }

// Misc returns a miscellaneous error status with code c.
func Misc(c StatusCode, msg string) Status {
	return Status{Kind: MiscError, Code: c, Message: msg}
}

func (s Status) codeName() string {
	if s.CodeName != "" {
		return s.CodeName
	}
	return s.Code.Name()
}

// VMStatus renders the status the way the REST API shows vm_status.
func (s Status) VMStatus() string {
	switch s.Kind {
	case Executed:
		return "Executed successfully"
	case OutOfGas:
		return "Out of gas"
	case MoveAbort:
		if s.Location == nil {
			return fmt.Sprintf("Move abort: code %#x", s.AbortCode)
		}
		loc := moduleString(s.Location)
		if s.Reason != "" {
			return fmt.Sprintf("Move abort in %s: %s(%#x): %s", loc, s.Reason, s.AbortCode, s.Description)
		}
		return fmt.Sprintf("Move abort in %s: %#x", loc, s.AbortCode)
	case ExecutionFailure:
		fn := "script"
		if s.Location != nil {
			fn = moduleString(s.Location) + "::" + s.Function
		}
		return fmt.Sprintf("Execution failed in %s at code offset %d", fn, s.CodeOffset)
	default:
		return s.codeName()
	}
}

// moduleString renders a module id as the node does: short address.
func moduleString(m *aptos.ModuleId) string {
	return m.Address.StringShort() + "::" + m.Name
}

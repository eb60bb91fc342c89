package node

import (
	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// Executor is the boundary between the node and the Move VM with its
// framework. The node owns transactions, gas, blocks and storage; the
// executor runs Move code against a state view and reports what it did. It
// never writes state itself: every change comes back as a write set that the
// node commits (or drops, when the transaction fails).
//
// Implementations must be deterministic and safe for sequential use by the
// block producer while View, Account, Balance and the Inspector methods are
// called concurrently by request handlers.
type Executor interface {
	// Genesis builds the initial state: the framework, APT with the mint
	// capability held by spec.Faucet, and the packages to publish.
	Genesis(spec *GenesisSpec) (*Outcome, error)

	// BlockPrologue moves on-chain time to the block's timestamp.
	BlockPrologue(view state.View, b *BlockInfo) (*Outcome, error)

	// Account reads the sequence number and authentication key the
	// prologue checks. An address without an account resource reads as a
	// fresh account: sequence 0 and its own address as authentication key.
	Account(view state.View, addr aptos.AccountAddress) (AccountInfo, error)

	// Balance reads addr's APT balance in octas.
	Balance(view state.View, addr aptos.AccountAddress) (uint64, error)

	// Execute runs an entry function on behalf of ctx.Senders within
	// ctx.Budget internal gas units. A Move failure is reported in
	// Outcome.Status; an error means the executor itself failed.
	Execute(view state.View, ctx *TxnContext, call *aptos.EntryFunction) (*Outcome, error)

	// Epilogue charges fee octas to payer and advances sender's sequence
	// number, on top of view (which holds the transaction's own changes
	// when it succeeded).
	Epilogue(view state.View, sender, payer aptos.AccountAddress, fee uint64) (*Outcome, error)

	// View runs a #[view] function within budget internal gas units.
	View(view state.View, call *aptos.EntryFunction, budget uint64) (*ViewOutcome, error)

	Inspector
}

// Inspector describes the loaded program, so responses can render Move
// values as JSON and modules with their ABI.
type Inspector interface {
	// Layout returns the layout of a type, for decoding BCS values of it.
	Layout(tag aptos.TypeTag) (*movevalue.Layout, error)
	// ArgLayouts returns the layouts of an entry function's arguments
	// (without the leading signers), type arguments substituted.
	ArgLayouts(call *aptos.EntryFunction) ([]*movevalue.Layout, error)
	// Modules lists the published modules of addr, sorted by name.
	Modules(addr aptos.AccountAddress) []*ModuleInfo
	// Module returns one published module.
	Module(addr aptos.AccountAddress, name string) (*ModuleInfo, bool)
}

// AccountInfo is what the prologue reads of an account.
type AccountInfo struct {
	SequenceNumber    uint64
	AuthenticationKey [32]byte
	// Exists is set when the address holds an account resource; stateless
	// accounts read as sequence 0 with their address as key.
	Exists bool
}

// TxnContext is what an executing transaction can learn about itself.
type TxnContext struct {
	Senders   []aptos.AccountAddress // the sender, then secondary signers
	FeePayer  *aptos.AccountAddress
	Hash      [32]byte // transaction hash (transaction_context::get_transaction_hash)
	Sequence  uint64
	MaxGas    uint64
	GasPrice  uint64
	ChainID   uint8
	Timestamp uint64 // block time, µs
	Budget    uint64 // internal gas units available for execution
	Index     uint32 // position in the block (the block metadata transaction is 0)
	Simulated bool   // run by /transactions/simulate, not in a block
}

// BlockInfo is the block metadata the prologue records.
type BlockInfo struct {
	Height    uint64
	Epoch     uint64
	Round     uint64
	Proposer  aptos.AccountAddress
	Timestamp uint64 // µs, strictly increasing
	Hash      [32]byte
}

// Outcome is the result of running Move code.
type Outcome struct {
	Status  Status
	Writes  []state.Write
	Events  []ledger.Event
	GasUsed uint64 // internal gas units of execution
}

// ViewOutcome is the result of a view function: one BCS value per return
// type, with the layouts that decode them.
type ViewOutcome struct {
	Status  Status
	Values  [][]byte
	Layouts []*movevalue.Layout
	GasUsed uint64
}

// GenesisSpec describes the chain to create.
type GenesisSpec struct {
	ChainID   uint8
	Timestamp uint64 // µs
	// Faucet is the account that holds APT's mint capability (through
	// 0x1::aptos_coin::MintCapStore) and FaucetKey its authentication key.
	Faucet    aptos.AccountAddress
	FaucetKey [32]byte
	// FaucetFunds are minted to the faucet account at genesis so it can pay
	// for its own transactions.
	FaucetFunds uint64
}

// ModuleInfo describes one published module.
type ModuleInfo struct {
	Address aptos.AccountAddress
	Name    string
	// Bytecode is the compiled module when the executor has one. Modules
	// loaded from source have none, and the API shows "0x".
	Bytecode []byte
	ABI      ModuleABI
}

// ModuleABI is a module's interface in the REST API's shape.
type ModuleABI struct {
	Friends   []string // "0xcafe::other"
	Functions []FunctionABI
	Structs   []StructABI
}

// FunctionABI describes an exposed (public, friend or entry) function.
type FunctionABI struct {
	Name              string
	Visibility        string // "public", "friend", "private"
	IsEntry           bool
	IsView            bool
	GenericTypeParams [][]string // constraints of each type parameter
	Params            []string   // "&signer", "u64", "0x1::string::String", "T0"
	Return            []string
}

// StructABI describes a struct or enum type of a module.
type StructABI struct {
	Name              string
	IsNative          bool
	IsEvent           bool
	Abilities         []string
	GenericTypeParams []StructTypeParam
	Fields            []FieldABI
}

// StructTypeParam is one type parameter of a struct.
type StructTypeParam struct {
	Constraints []string
	IsPhantom   bool
}

// FieldABI is one field of a struct.
type FieldABI struct {
	Name string
	Type string
}

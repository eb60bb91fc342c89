package rest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/internal/version"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

func (s *Server) index(w http.ResponseWriter, r *http.Request, rq *request) {
	i := rq.info
	s.reply(w, rq, http.StatusOK, struct {
		ChainID             uint8  `json:"chain_id"`
		Epoch               U64    `json:"epoch"`
		LedgerVersion       U64    `json:"ledger_version"`
		OldestLedgerVersion U64    `json:"oldest_ledger_version"`
		LedgerTimestamp     U64    `json:"ledger_timestamp"`
		NodeRole            string `json:"node_role"`
		OldestBlockHeight   U64    `json:"oldest_block_height"`
		BlockHeight         U64    `json:"block_height"`
		GitHash             string `json:"git_hash"`
	}{i.ChainID, U64(i.Epoch), U64(i.Version), U64(i.OldestVersion), U64(i.Timestamp),
		"validator", U64(i.OldestBlockHeight), U64(i.BlockHeight), version.String()})
}

func (s *Server) healthy(w http.ResponseWriter, r *http.Request, rq *request) {
	secs, set, ok := s.u64Param(w, r, rq, "duration_secs")
	if !ok {
		return
	}
	if set {
		now := uint64(time.Now().UnixMicro())
		if rq.info.Timestamp+secs*1_000_000 < now {
			s.failInfo(w, rq, http.StatusServiceUnavailable, "health_check_failed", nil, fmt.Sprintf(
				"The latest ledger info timestamp is %d, which is beyond the allowed skew (%ds).", rq.info.Timestamp, secs))
			return
		}
	}
	s.reply(w, rq, http.StatusOK, map[string]string{"message": "aptos-node:ok"})
}

func (s *Server) estimateGasPrice(w http.ResponseWriter, r *http.Request, rq *request) {
	s.reply(w, rq, http.StatusOK, struct {
		Deprioritized uint64 `json:"deprioritized_gas_estimate"`
		Estimate      uint64 `json:"gas_estimate"`
		Prioritized   uint64 `json:"prioritized_gas_estimate"`
	}{node.GasEstimateDeprior, node.GasEstimate, node.GasEstimatePrioritized})
}

// address parses the {addr} path parameter in any hex form.
func (s *Server) address(w http.ResponseWriter, r *http.Request, rq *request) (aptos.AccountAddress, bool) {
	var a aptos.AccountAddress
	raw := r.PathValue("addr")
	if err := a.ParseStringRelaxed(raw); err != nil {
		s.badRequest(w, rq, "failed to parse path parameter address %q: %v", raw, err)
		return a, false
	}
	return a, true
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	v, ok := s.ledgerVersion(w, r, rq)
	if !ok {
		return
	}
	acct, err := s.node.Account(addr, v)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	s.reply(w, rq, http.StatusOK, struct {
		SequenceNumber    U64    `json:"sequence_number"`
		AuthenticationKey string `json:"authentication_key"`
	}{U64(acct.SequenceNumber), hexBytes(acct.AuthenticationKey[:])})
}

func (s *Server) resources(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	v, ok := s.ledgerVersion(w, r, rq)
	if !ok {
		return
	}
	limit, ok := s.limit(w, r, rq, maxResourcePage, maxResourcePage)
	if !ok {
		return
	}
	if _, err := s.node.StateAt(v); err != nil {
		s.nodeError(w, rq, err)
		return
	}
	all, err := s.node.State().Resources(addr, v)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	// The cursor is the hex of the struct tag the next page starts at.
	if c := r.URL.Query().Get("start"); c != "" {
		tag, err := hex.DecodeString(strings.TrimPrefix(c, "0x"))
		if err != nil {
			s.badRequest(w, rq, "invalid cursor %q", c)
			return
		}
		i := sort.Search(len(all), func(i int) bool { return all[i].Tag >= string(tag) })
		all = all[i:]
	}
	if len(all) > limit {
		w.Header().Set("X-Aptos-Cursor", "0x"+hex.EncodeToString([]byte(all[limit].Tag)))
		all = all[:limit]
	}
	if wantsBCS(r) {
		ser := &bcs.Serializer{}
		ser.Uleb128(uint32(len(all)))
		for _, res := range all {
			tag, err := movevalue.ParseTypeTag(res.Tag)
			st, isStruct := tag.Value.(*aptos.StructTag)
			if err != nil || !isStruct {
				s.failInfo(w, rq, http.StatusInternalServerError, "internal_error", nil, "stored resource with a malformed type "+res.Tag)
				return
			}
			st.MarshalBCS(ser)
			ser.WriteBytes(res.Value)
		}
		s.replyBCS(w, rq, ser.ToBytes())
		return
	}
	out := make([]resourceJSON, len(all))
	for i, res := range all {
		out[i] = s.render.resource(res.Tag, res.Value)
	}
	s.reply(w, rq, http.StatusOK, out)
}

func (s *Server) resource(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	_, tag, err := movevalue.ParseStructTag(r.PathValue("type"))
	if err != nil {
		s.badRequest(w, rq, "failed to parse path parameter resource_type: %v", err)
		return
	}
	v, ok := s.ledgerVersion(w, r, rq)
	if !ok {
		return
	}
	val, found, err := s.node.State().Get(state.ResourceKey(addr, tag), v)
	if err != nil {
		if _, verr := s.node.StateAt(v); verr != nil {
			s.nodeError(w, rq, verr)
			return
		}
		s.nodeError(w, rq, err)
		return
	}
	if !found {
		s.notFound(w, rq, "resource_not_found", fmt.Sprintf(
			"Resource not found by Address(%s), Struct tag(%s) and Ledger version(%d)", addr.StringShort(), tag, v))
		return
	}
	if wantsBCS(r) {
		s.replyBCS(w, rq, val)
		return
	}
	s.reply(w, rq, http.StatusOK, s.render.resource(tag, val))
}

type moduleJSON struct {
	Bytecode string  `json:"bytecode"`
	ABI      abiJSON `json:"abi"`
}

type abiJSON struct {
	Address          string         `json:"address"`
	Name             string         `json:"name"`
	Friends          []string       `json:"friends"`
	ExposedFunctions []functionJSON `json:"exposed_functions"`
	Structs          []structJSON   `json:"structs"`
}

type genericJSON struct {
	Constraints []string `json:"constraints"`
	IsPhantom   *bool    `json:"is_phantom,omitempty"`
}

type functionJSON struct {
	Name              string        `json:"name"`
	Visibility        string        `json:"visibility"`
	IsEntry           bool          `json:"is_entry"`
	IsView            bool          `json:"is_view"`
	GenericTypeParams []genericJSON `json:"generic_type_params"`
	Params            []string      `json:"params"`
	Return            []string      `json:"return"`
}

type fieldJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type structJSON struct {
	Name              string        `json:"name"`
	IsNative          bool          `json:"is_native"`
	IsEvent           bool          `json:"is_event"`
	Abilities         []string      `json:"abilities"`
	GenericTypeParams []genericJSON `json:"generic_type_params"`
	Fields            []fieldJSON   `json:"fields"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func moduleBody(m *node.ModuleInfo) moduleJSON {
	abi := abiJSON{
		Address:          movevalue.ShortAddress(m.Address),
		Name:             m.Name,
		Friends:          nonNil(m.ABI.Friends),
		ExposedFunctions: []functionJSON{},
		Structs:          []structJSON{},
	}
	for _, f := range m.ABI.Functions {
		fj := functionJSON{Name: f.Name, Visibility: f.Visibility, IsEntry: f.IsEntry, IsView: f.IsView,
			GenericTypeParams: []genericJSON{}, Params: nonNil(f.Params), Return: nonNil(f.Return)}
		for _, c := range f.GenericTypeParams {
			fj.GenericTypeParams = append(fj.GenericTypeParams, genericJSON{Constraints: nonNil(c)})
		}
		abi.ExposedFunctions = append(abi.ExposedFunctions, fj)
	}
	for _, st := range m.ABI.Structs {
		sj := structJSON{Name: st.Name, IsNative: st.IsNative, IsEvent: st.IsEvent, Abilities: nonNil(st.Abilities),
			GenericTypeParams: []genericJSON{}, Fields: []fieldJSON{}}
		for _, p := range st.GenericTypeParams {
			ph := p.IsPhantom
			sj.GenericTypeParams = append(sj.GenericTypeParams, genericJSON{Constraints: nonNil(p.Constraints), IsPhantom: &ph})
		}
		for _, f := range st.Fields {
			sj.Fields = append(sj.Fields, fieldJSON(f))
		}
		abi.Structs = append(abi.Structs, sj)
	}
	return moduleJSON{Bytecode: hexBytes(m.Bytecode), ABI: abi}
}

func (s *Server) modules(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	if _, ok := s.ledgerVersion(w, r, rq); !ok {
		return
	}
	limit, ok := s.limit(w, r, rq, maxResourcePage, maxResourcePage)
	if !ok {
		return
	}
	mods := s.node.Executor().Modules(addr)
	if c := r.URL.Query().Get("start"); c != "" {
		name, err := hex.DecodeString(strings.TrimPrefix(c, "0x"))
		if err != nil {
			s.badRequest(w, rq, "invalid cursor %q", c)
			return
		}
		i := sort.Search(len(mods), func(i int) bool { return mods[i].Name >= string(name) })
		mods = mods[i:]
	}
	if len(mods) > limit {
		w.Header().Set("X-Aptos-Cursor", "0x"+hex.EncodeToString([]byte(mods[limit].Name)))
		mods = mods[:limit]
	}
	out := make([]moduleJSON, len(mods))
	for i, m := range mods {
		out[i] = moduleBody(m)
	}
	s.reply(w, rq, http.StatusOK, out)
}

func (s *Server) module(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	v, ok := s.ledgerVersion(w, r, rq)
	if !ok {
		return
	}
	name := r.PathValue("name")
	m, found := s.node.Executor().Module(addr, name)
	if !found {
		s.notFound(w, rq, "module_not_found", fmt.Sprintf(
			"Module not found by Address(%s), Module name(%s) and Ledger version(%d)", addr.StringShort(), name, v))
		return
	}
	s.reply(w, rq, http.StatusOK, moduleBody(m))
}

func (s *Server) transactions(w http.ResponseWriter, r *http.Request, rq *request) {
	limit, ok := s.limit(w, r, rq, defaultTxnPage, maxTxnPage)
	if !ok {
		return
	}
	start, set, ok := s.u64Param(w, r, rq, "start")
	if !ok {
		return
	}
	head := rq.info.Version
	if !set {
		start = 0
		if head+1 > uint64(limit) {
			start = head + 1 - uint64(limit)
		}
	}
	if start > head {
		s.badRequest(w, rq, "Given start value (%d) is higher than the current ledger version, it must be < %d", start, head+1)
		return
	}
	txns, err := s.node.Ledger().Range(start, int(min(uint64(limit), head-start+1)))
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	out := make([]any, len(txns))
	for i, t := range txns {
		out[i] = s.render.committed(t)
	}
	s.reply(w, rq, http.StatusOK, out)
}

func (s *Server) accountTransactions(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	limit, ok := s.limit(w, r, rq, defaultTxnPage, maxTxnPage)
	if !ok {
		return
	}
	start, _, ok := s.u64Param(w, r, rq, "start")
	if !ok {
		return
	}
	txns, total, err := s.node.Ledger().AccountTxns(addr, start, limit)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	if total == 0 {
		acct, err := s.node.Account(addr, rq.info.Version)
		if err != nil || !acct.Exists {
			s.notFound(w, rq, "account_not_found", fmt.Sprintf(
				"Account not found by Address(%s) and Ledger version(%d)", addr.StringShort(), rq.info.Version))
			return
		}
	}
	out := make([]any, 0, len(txns))
	for _, t := range txns {
		if t.Version > rq.info.Version {
			break
		}
		out = append(out, s.render.committed(t))
	}
	s.reply(w, rq, http.StatusOK, out)
}

// events serves a handle's events: ?start= is the event sequence number;
// without it the latest page is returned.
func (s *Server) events(w http.ResponseWriter, r *http.Request, rq *request, addr aptos.AccountAddress, creation uint64) {
	limit, ok := s.limit(w, r, rq, defaultEventPage, maxEventPage)
	if !ok {
		return
	}
	start, set, ok := s.u64Param(w, r, rq, "start")
	if !ok {
		return
	}
	if !set {
		_, total, _ := s.node.Ledger().HandleEvents(addr, creation, 0, 0)
		if total > uint64(limit) {
			start = total - uint64(limit)
		}
	}
	evs, _, err := s.node.Ledger().HandleEvents(addr, creation, start, limit)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	out := make([]eventJSON, 0, len(evs))
	for _, e := range evs {
		if e.Version > rq.info.Version {
			break
		}
		j := s.render.event(&e.Event)
		v := U64(e.Version)
		j.Version = &v
		out = append(out, j)
	}
	s.reply(w, rq, http.StatusOK, out)
}

func (s *Server) eventsByCreation(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	raw := r.PathValue("creation")
	creation, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		s.badRequest(w, rq, "failed to parse path parameter creation_number %q: not a u64", raw)
		return
	}
	s.events(w, r, rq, addr, creation)
}

// eventsByHandle finds the EventHandle in field of the resource handle held
// by addr and serves its events.
func (s *Server) eventsByHandle(w http.ResponseWriter, r *http.Request, rq *request) {
	addr, ok := s.address(w, r, rq)
	if !ok {
		return
	}
	_, tag, err := movevalue.ParseStructTag(r.PathValue("handle"))
	if err != nil {
		s.badRequest(w, rq, "failed to parse path parameter event_handle: %v", err)
		return
	}
	field := r.PathValue("field")
	val, found, err := s.node.State().Get(state.ResourceKey(addr, tag), rq.info.Version)
	if err != nil || !found {
		s.notFound(w, rq, "resource_not_found", fmt.Sprintf(
			"Resource not found by Address(%s), Struct tag(%s) and Ledger version(%d)", addr.StringShort(), tag, rq.info.Version))
		return
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(s.render.value(tag, val), &data); err != nil {
		s.notFound(w, rq, "struct_field_not_found", fmt.Sprintf("Struct field not found by Struct tag(%s) and Field name(%s)", tag, field))
		return
	}
	var handle struct {
		GUID struct {
			ID struct {
				Addr        string `json:"addr"`
				CreationNum string `json:"creation_num"`
			} `json:"id"`
		} `json:"guid"`
	}
	raw, ok := data[field]
	if ok {
		ok = json.Unmarshal(raw, &handle) == nil && handle.GUID.ID.CreationNum != ""
	}
	if !ok {
		s.notFound(w, rq, "struct_field_not_found", fmt.Sprintf("Struct field not found by Struct tag(%s) and Field name(%s)", tag, field))
		return
	}
	creation, err := strconv.ParseUint(handle.GUID.ID.CreationNum, 10, 64)
	var owner aptos.AccountAddress
	if err != nil || owner.ParseStringRelaxed(handle.GUID.ID.Addr) != nil {
		s.notFound(w, rq, "struct_field_not_found", fmt.Sprintf("Struct field not found by Struct tag(%s) and Field name(%s)", tag, field))
		return
	}
	s.events(w, r, rq, owner, creation)
}

// hashParam parses a transaction hash with or without 0x.
func (s *Server) hashParam(w http.ResponseWriter, r *http.Request, rq *request) ([32]byte, bool) {
	var h [32]byte
	raw := r.PathValue("hash")
	b, err := hex.DecodeString(strings.TrimPrefix(raw, "0x"))
	if err != nil || len(b) != 32 {
		s.badRequest(w, rq, "failed to parse path parameter txn_hash %q: not a 32-byte hex hash", raw)
		return h, false
	}
	copy(h[:], b)
	return h, true
}

func (s *Server) replyLookup(w http.ResponseWriter, rq *request, h [32]byte, t *ledger.Txn, p *node.Pending) {
	switch {
	case t != nil && t.Version <= rq.info.Version:
		s.reply(w, rq, http.StatusOK, s.render.committed(t))
	case t != nil:
		// Committed after this request's snapshot: report the newer head.
		rq.info = s.node.Info()
		s.reply(w, rq, http.StatusOK, s.render.committed(t))
	case p != nil:
		s.reply(w, rq, http.StatusOK, s.render.pending(p, true))
	default:
		s.notFound(w, rq, "transaction_not_found", fmt.Sprintf("Transaction not found by Transaction hash(%s)", hash32(h)))
	}
}

func (s *Server) byHash(w http.ResponseWriter, r *http.Request, rq *request) {
	h, ok := s.hashParam(w, r, rq)
	if !ok {
		return
	}
	t, p, err := s.node.Lookup(h)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	s.replyLookup(w, rq, h, t, p)
}

func (s *Server) waitByHash(w http.ResponseWriter, r *http.Request, rq *request) {
	h, ok := s.hashParam(w, r, rq)
	if !ok {
		return
	}
	var t *ledger.Txn
	var p *node.Pending
	var err error
	if s.waiters.Add(1) > maxWaiters {
		t, p, err = s.node.Lookup(h)
	} else {
		t, p, err = s.node.Wait(r.Context(), h)
		rq.info = s.node.Info()
	}
	s.waiters.Add(-1)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	s.replyLookup(w, rq, h, t, p)
}

func (s *Server) byVersion(w http.ResponseWriter, r *http.Request, rq *request) {
	raw := r.PathValue("version")
	v, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		s.badRequest(w, rq, "failed to parse path parameter txn_version %q: not a u64", raw)
		return
	}
	t, found, err := s.node.Ledger().ByVersion(v)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	if !found || v > rq.info.Version {
		s.notFound(w, rq, "transaction_not_found", fmt.Sprintf("Transaction not found by Ledger version(%d)", v))
		return
	}
	s.reply(w, rq, http.StatusOK, s.render.committed(t))
}

// bcsOnly refuses bodies other than BCS: modules here come from source, so
// the JSON submission format (which needs ABI-driven encoding of arbitrary
// payloads and signatures) is not offered; every SDK submits BCS.
func (s *Server) bcsOnly(w http.ResponseWriter, r *http.Request, rq *request) bool {
	switch contentType(r) {
	case contentSignedTxn:
		return true
	case contentJSON:
		s.badRequest(w, rq, "JSON transaction submission is not supported by this localnet; submit BCS with Content-Type %s", contentSignedTxn)
	default:
		s.failInfo(w, rq, http.StatusUnsupportedMediaType, "web_framework_error", nil,
			fmt.Sprintf("unsupported content type %q; expected %s", r.Header.Get("Content-Type"), contentSignedTxn))
	}
	return false
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, rq *request) {
	if !s.bcsOnly(w, r, rq) {
		return
	}
	body, ok := s.readBody(w, r, rq)
	if !ok {
		return
	}
	p, err := s.node.Submit(body)
	if err != nil {
		s.rejected(err)
		s.nodeError(w, rq, err)
		return
	}
	s.reply(w, rq, http.StatusAccepted, s.render.pending(p, false))
}

type batchFailureJSON struct {
	Error            errorJSON `json:"error"`
	TransactionIndex int       `json:"transaction_index"`
}

func (s *Server) submitBatch(w http.ResponseWriter, r *http.Request, rq *request) {
	if !s.bcsOnly(w, r, rq) {
		return
	}
	body, ok := s.readBody(w, r, rq)
	if !ok {
		return
	}
	fails, err := s.node.SubmitBatch(body)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	out := struct {
		TransactionFailures []batchFailureJSON `json:"transaction_failures"`
	}{[]batchFailureJSON{}}
	for _, f := range fails {
		s.rejected(f.Err)
		e := errorJSON{Message: f.Err.Error(), ErrorCode: "internal_error"}
		if ne, ok := f.Err.(*node.Error); ok {
			e.ErrorCode = errorCodeOf(ne)
			if ne.Kind == node.ErrVMValidation {
				c := uint64(ne.VMCode)
				e.VMErrorCode = &c
			}
		}
		out.TransactionFailures = append(out.TransactionFailures, batchFailureJSON{Error: e, TransactionIndex: f.Index})
	}
	code := http.StatusAccepted
	if len(fails) > 0 {
		code = http.StatusPartialContent
	}
	s.reply(w, rq, code, out)
}

func errorCodeOf(e *node.Error) string {
	switch e.Kind {
	case node.ErrInvalidInput:
		return "invalid_input"
	case node.ErrVMValidation:
		return "vm_error"
	case node.ErrSequenceNumberOld:
		return "sequence_number_too_old"
	case node.ErrInvalidUpdate:
		return "invalid_transaction_update"
	case node.ErrMempoolFull:
		return "mempool_is_full"
	}
	return "internal_error"
}

func (s *Server) simulate(w http.ResponseWriter, r *http.Request, rq *request) {
	if !s.bcsOnly(w, r, rq) {
		return
	}
	body, ok := s.readBody(w, r, rq)
	if !ok {
		return
	}
	q := r.URL.Query()
	opts := node.SimulateOptions{
		EstimateGasUnitPrice:   q.Get("estimate_gas_unit_price") == "true",
		EstimateMaxGasAmount:   q.Get("estimate_max_gas_amount") == "true",
		EstimatePrioritizedGas: q.Get("estimate_prioritized_gas_unit_price") == "true",
	}
	sim, err := s.node.Simulate(body, opts)
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	t := *sim.Txn
	t.StateChangeHash, t.EventRootHash, t.AccumulatorRootHash = [32]byte{}, [32]byte{}, [32]byte{}
	w.Header().Set("X-Aptos-Gas-Used", strconv.FormatUint(t.GasUsed, 10))
	out := s.render.appendInfo([]byte(`[{`), &t, "user_transaction")
	out = append(out, ',')
	out = s.render.appendRequest(out, sim.Pending.Txn)
	s.reply(w, rq, http.StatusOK, json.RawMessage(append(out, '}', ']')))
}

type viewRequestJSON struct {
	Function      string            `json:"function"`
	TypeArguments []string          `json:"type_arguments"`
	Arguments     []json.RawMessage `json:"arguments"`
}

// viewCall decodes a JSON view request into an entry function call,
// encoding the arguments by the function's parameter types.
func (s *Server) viewCall(body []byte) (*aptos.EntryFunction, error) {
	var req viewRequestJSON
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("decode view request: %w", err)
	}
	parts := strings.Split(req.Function, "::")
	if len(parts) != 3 {
		return nil, fmt.Errorf("function %q: want address::module::name", req.Function)
	}
	for _, id := range parts[1:] {
		if !validIdentifier(id) {
			return nil, fmt.Errorf("function %q: %q is not a Move identifier", req.Function, id)
		}
	}
	call := &aptos.EntryFunction{Function: parts[2]}
	if err := call.Module.Address.ParseStringRelaxed(parts[0]); err != nil {
		return nil, fmt.Errorf("function %q: %w", req.Function, err)
	}
	call.Module.Name = parts[1]
	for _, t := range req.TypeArguments {
		tag, err := movevalue.ParseTypeTag(t)
		if err != nil {
			return nil, fmt.Errorf("type argument: %w", err)
		}
		call.ArgTypes = append(call.ArgTypes, *tag)
	}
	layouts, err := s.node.Executor().ArgLayouts(call)
	if err != nil {
		return nil, err
	}
	if len(layouts) != len(req.Arguments) {
		return nil, fmt.Errorf("function %s takes %d arguments, got %d", req.Function, len(layouts), len(req.Arguments))
	}
	for i, a := range req.Arguments {
		b, err := movevalue.EncodeJSON(layouts[i], a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i, err)
		}
		call.Args = append(call.Args, b)
	}
	return call, nil
}

// validIdentifier reports whether s is a Move identifier.
func validIdentifier(s string) bool {
	if s == "" || s == "_" || len(s) > 255 {
		return false
	}
	for i, c := range []byte(s) {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func (s *Server) view(w http.ResponseWriter, r *http.Request, rq *request) {
	v, ok := s.ledgerVersion(w, r, rq)
	if !ok {
		return
	}
	body, ok := s.readBody(w, r, rq)
	if !ok {
		return
	}
	var res *node.ViewResult
	var err error
	switch contentType(r) {
	case contentViewBCS:
		res, err = s.node.View(body, v)
	case contentJSON:
		call, cerr := s.viewCall(body)
		if cerr != nil {
			s.badRequest(w, rq, "%v", cerr)
			return
		}
		res, err = s.node.ViewCall(call, v)
	default:
		s.failInfo(w, rq, http.StatusUnsupportedMediaType, "web_framework_error", nil,
			fmt.Sprintf("unsupported content type %q; expected %s or %s", r.Header.Get("Content-Type"), contentViewBCS, contentJSON))
		return
	}
	if err != nil {
		s.nodeError(w, rq, err)
		return
	}
	out := res.Outcome
	if !out.Status.Success() {
		c := uint64(out.Status.Code)
		s.failInfo(w, rq, http.StatusBadRequest, "invalid_input", &c, out.Status.VMStatus())
		return
	}
	vals := make([]json.RawMessage, len(out.Values))
	for i, b := range out.Values {
		j, err := movevalue.JSON(nil, out.Layouts[i], b)
		if err != nil {
			s.failInfo(w, rq, http.StatusInternalServerError, "internal_error", nil, "render view result: "+err.Error())
			return
		}
		vals[i] = j
	}
	w.Header().Set("X-Aptos-Gas-Used", strconv.FormatUint(res.GasUsed, 10))
	s.reply(w, rq, http.StatusOK, vals)
}

type blockJSON struct {
	BlockHeight    U64    `json:"block_height"`
	BlockHash      string `json:"block_hash"`
	BlockTimestamp U64    `json:"block_timestamp"`
	FirstVersion   U64    `json:"first_version"`
	LastVersion    U64    `json:"last_version"`
	Transactions   []any  `json:"transactions"`
}

func (s *Server) block(w http.ResponseWriter, r *http.Request, rq *request, b ledger.Block) {
	j := blockJSON{BlockHeight: U64(b.Height), BlockHash: hash32(b.Hash), BlockTimestamp: U64(b.Timestamp),
		FirstVersion: U64(b.FirstVersion), LastVersion: U64(b.LastVersion)}
	if r.URL.Query().Get("with_transactions") == "true" {
		n := int(min(b.LastVersion-b.FirstVersion+1, maxTxnPage))
		txns, err := s.node.Ledger().Range(b.FirstVersion, n)
		if err != nil {
			s.nodeError(w, rq, err)
			return
		}
		for _, t := range txns {
			j.Transactions = append(j.Transactions, s.render.committed(t))
		}
	}
	s.reply(w, rq, http.StatusOK, j)
}

func (s *Server) blockByHeight(w http.ResponseWriter, r *http.Request, rq *request) {
	raw := r.PathValue("height")
	h, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		s.badRequest(w, rq, "failed to parse path parameter block_height %q: not a u64", raw)
		return
	}
	b, found := s.node.Ledger().BlockByHeight(h)
	if !found || h > rq.info.BlockHeight {
		s.notFound(w, rq, "block_not_found", fmt.Sprintf("Block not found by Block height(%d)", h))
		return
	}
	s.block(w, r, rq, b)
}

func (s *Server) blockByVersion(w http.ResponseWriter, r *http.Request, rq *request) {
	raw := r.PathValue("version")
	v, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		s.badRequest(w, rq, "failed to parse path parameter version %q: not a u64", raw)
		return
	}
	b, found := s.node.Ledger().BlockByVersion(v)
	if !found || v > rq.info.Version {
		s.notFound(w, rq, "block_not_found", fmt.Sprintf("Block not found by Ledger version(%d)", v))
		return
	}
	s.block(w, r, rq, b)
}

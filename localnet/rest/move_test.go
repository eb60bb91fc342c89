package rest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/api"
	"github.com/aptos-labs/aptos-go-sdk/bcs"
)

// The probe package was published at genesis with init_module run, and its
// entry functions, events, resources, views and ABI come through the API as
// a real node shows them.
func TestMovePackageThroughSDK(t *testing.T) {
	h := start(t, "")
	c := h.client
	alice := h.account(5_0000_0000)
	pr := probe.StringShort()
	view := func(fn string, args ...[]byte) []any {
		t.Helper()
		vals, err := c.View(&aptos.ViewPayload{Module: aptos.ModuleId{Address: probe, Name: "probe"}, Function: fn,
			ArgTypes: []aptos.TypeTag{}, Args: args})
		if err != nil {
			t.Fatalf("view %s: %v", fn, err)
		}
		return vals
	}
	if got := view("publisher"); got[0] != pr {
		t.Fatalf("init_module did not run at publication: publisher() = %v", got)
	}

	var versions []uint64
	for i := 1; i <= 3; i++ {
		by, _ := bcs.SerializeU64(10)
		note, _ := bcs.SerializeBytes([]byte("note " + strconv.Itoa(i)))
		sub, err := c.BuildSignAndSubmitTransaction(alice, call(t, probe, "probe", "bump", by, note))
		if err != nil {
			t.Fatal(err)
		}
		txn, err := c.WaitForTransaction(sub.Hash)
		if err != nil || !txn.Success {
			t.Fatalf("bump %d: %v %s", i, err, txn.VmStatus)
		}
		versions = append(versions, txn.Version)
		if len(txn.Events) != 3 {
			t.Fatalf("bump %d events %+v", i, txn.Events)
		}
		bumped, changed := txn.Events[0], txn.Events[1]
		if bumped.Type != pr+"::probe::Bumped" || bumped.Guid.AccountAddress.StringShort() != "0x0" || bumped.SequenceNumber != 0 ||
			bumped.Data["value"] != strconv.Itoa(10*i) || bumped.Data["who"] != alice.Address.StringShort() {
			t.Fatalf("module event %+v", bumped)
		}
		if changed.Type != pr+"::probe::Changed" || *changed.Guid.AccountAddress != alice.Address || changed.SequenceNumber != uint64(i-1) {
			t.Fatalf("handle event %+v (guid %+v)", changed, changed.Guid)
		}
		// The arguments show decoded by the function's parameter types.
		p, ok := txn.Payload.Inner.(*api.TransactionPayloadEntryFunction)
		if !ok || p.Function != pr+"::probe::bump" || len(p.Arguments) != 2 || p.Arguments[0] != "10" || p.Arguments[1] != "note "+strconv.Itoa(i) {
			t.Fatalf("payload %+v", txn.Payload.Inner)
		}
	}
	if got := view("value", alice.Address[:]); got[0] != "30" {
		t.Fatalf("value = %v", got)
	}
	counter, err := c.AccountResource(alice.Address, pr+"::probe::Counter")
	if err != nil {
		t.Fatal(err)
	}
	d := counter["data"].(map[string]any)
	changes := d["changes"].(map[string]any)
	if d["value"] != "30" || d["note"] != "note 3" || changes["counter"] != "3" {
		t.Fatalf("counter resource %v", counter)
	}
	creation := changes["guid"].(map[string]any)["id"].(map[string]any)["creation_num"].(string)
	byNum, err := c.EventsByCreationNumber(alice.Address, creation, nil, nil)
	if err != nil || len(byNum) != 3 {
		t.Fatalf("events by creation number %s: %d, %v", creation, len(byNum), err)
	}
	start := uint64(1)
	byHandle, err := c.EventsByHandle(alice.Address, pr+"::probe::Counter", "changes", &start, nil)
	if err != nil || len(byHandle) != 2 || byHandle[0].SequenceNumber != 1 || byHandle[0].Version != versions[1] || byHandle[1].Data["value"] != "30" {
		t.Fatalf("events by handle from 1: %+v, %v", byHandle, err)
	}

	// Views with every kind of argument, in BCS and in JSON.
	bytes, _ := bcs.SerializeBytes([]byte{1, 2})
	text, _ := bcs.SerializeBytes([]byte("héllo"))
	maybe := []byte{1, 5, 0, 0, 0, 0, 0, 0, 0}
	many := []byte{2}
	many = append(many, make([]byte, 32)...)
	got := view("echo", bytes, text, maybe, many)
	want := `["0x0102","héllo",{"vec":["5"]},"3"]`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Fatalf("echo (BCS) = %s, want %s", b, want)
	}
	body := `{"function":"` + pr + `::probe::echo","type_arguments":[],"arguments":["0x0102","héllo",{"vec":["5"]},["0","340282366920938463463374607431768211455"]]}`
	code, _, resp := h.do(http.MethodPost, "/view", "application/json", []byte(body))
	if code != http.StatusOK || string(resp) != want {
		t.Fatalf("echo (JSON) = %d %s, want %s", code, resp, want)
	}

	// The module's ABI, as EntryFunctionWithArgs reads it.
	ef, err := c.EntryFunctionWithArgs(probe, "probe", "bump", nil, []any{uint64(1), "from the ABI"})
	if err != nil {
		t.Fatalf("entry function from the ABI: %v", err)
	}
	sub, err := c.BuildSignAndSubmitTransaction(alice, aptos.TransactionPayload{Payload: ef})
	if err != nil {
		t.Fatal(err)
	}
	if txn, err := c.WaitForTransaction(sub.Hash); err != nil || !txn.Success {
		t.Fatalf("call built from the ABI: %v", err)
	}
	mod, err := c.AccountModule(probe, "probe")
	if err != nil || mod.Abi == nil || mod.Abi.Name != "probe" {
		t.Fatalf("module: %+v, %v", mod, err)
	}
	found := false
	for _, f := range mod.Abi.ExposedFunctions {
		if f.Name == "bump" {
			found = f.IsEntry && len(f.Params) == 3 && f.Params[0] == "&signer" && f.Params[2] == "0x1::string::String"
		}
	}
	if !found {
		t.Fatalf("bump is not in the ABI as an entry function: %+v", mod.Abi.ExposedFunctions)
	}
}

package rest_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/rest"
)

// FuzzAPI sends arbitrary paths, queries and bodies to every route: the API
// answers each with a status and an error body, never a crash or a 500.
func FuzzAPI(f *testing.F) {
	for _, seed := range []struct{ method, path, ct, body string }{
		{"GET", "/v1/accounts/0x1/resource/0x1::coin::CoinStore%3C0x1::aptos_coin::AptosCoin%3E", "", ""},
		{"GET", "/v1/accounts/0x1/resources?start=zz&limit=2", "", ""},
		{"GET", "/v1/accounts/0x1/events/0x1::account::Account/coin_register_events?start=0", "", ""},
		{"GET", "/v1/accounts/0x1/events/2?limit=5", "", ""},
		{"GET", "/v1/transactions?start=0&limit=3", "", ""},
		{"GET", "/v1/transactions/by_version/0", "", ""},
		{"GET", "/v1/blocks/by_height/0?with_transactions=true", "", ""},
		{"GET", "/v1/accounts/0x1/module/coin", "", ""},
		{"POST", "/v1/view", "application/json", `{"function":"0x1::coin::balance","type_arguments":["0x1::aptos_coin::AptosCoin"],"arguments":["0x1"]}`},
		{"POST", "/v1/view", "application/json", `{"function":"0x1::m:: ","type_arguments":[" "],"arguments":[{}]}`},
		{"POST", "/v1/transactions", "application/x.aptos.signed_transaction+bcs", "\x00\x01"},
		{"POST", "/v1/transactions/simulate?estimate_max_gas_amount=true", "application/x.aptos.signed_transaction+bcs", ""},
		{"GET", "/v1/-/healthy?duration_secs=18446744073709551615", "", ""},
	} {
		f.Add(seed.method, seed.path, seed.ct, []byte(seed.body))
	}
	n, err := openNode("")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { n.Close() })
	h := rest.New(n, nil).Handler()
	f.Fuzz(func(t *testing.T, method, path, ct string, body []byte) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://localnet"+path, bytes.NewReader(body))
		if err != nil {
			return // not a request a client can send
		}
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
	})
}

// Package metrics defines the localnet's Prometheus metrics, served at
// /metrics on the metrics address (9101 by default, the port of an Aptos
// node's metrics). Every metric is named localnet_*; docs/LOCALNET.md lists
// them. A nil *Metrics records nothing, so the node runs without it.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors.
type Metrics struct {
	Registry *prometheus.Registry

	Committed     *prometheus.CounterVec   // kind, result
	Discarded     *prometheus.CounterVec   // status
	Rejected      *prometheus.CounterVec   // reason
	GasUsed       prometheus.Counter       // gas units of committed user transactions
	LedgerVersion prometheus.Gauge         // latest version
	BlockHeight   prometheus.Gauge         // latest block
	Mempool       prometheus.Gauge         // transactions waiting
	BlockTxns     prometheus.Histogram     // user transactions per block
	BlockSeconds  *prometheus.HistogramVec // phase: execute, commit
	HTTPSeconds   *prometheus.HistogramVec // server, route, code
}

// New registers every collector, plus the Go runtime and process
// collectors, on a fresh registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	latency := []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	m := &Metrics{
		Registry: reg,
		Committed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "localnet_transactions_committed_total",
			Help: "Committed transactions by kind (user, block_metadata, genesis) and result (success, failure)."}, []string{"kind", "result"}),
		Discarded: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "localnet_transactions_discarded_total",
			Help: "Accepted transactions discarded when their turn came, by VM status (TRANSACTION_EXPIRED, ...)."}, []string{"status"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "localnet_transactions_rejected_total",
			Help: "Submissions refused, by reason (the API's error_code, or the VM status of a vm_error)."}, []string{"reason"}),
		GasUsed: prometheus.NewCounter(prometheus.CounterOpts{Name: "localnet_gas_used_total",
			Help: "Gas units used by committed user transactions."}),
		LedgerVersion: prometheus.NewGauge(prometheus.GaugeOpts{Name: "localnet_ledger_version", Help: "Latest committed version."}),
		BlockHeight:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "localnet_block_height", Help: "Latest committed block."}),
		Mempool:       prometheus.NewGauge(prometheus.GaugeOpts{Name: "localnet_mempool_transactions", Help: "Transactions waiting in the mempool."}),
		BlockTxns: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "localnet_block_user_transactions",
			Help: "User transactions per block.", Buckets: []float64{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000}}),
		BlockSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "localnet_block_duration_seconds",
			Help:    "Time to build a block, by phase: execute (running its transactions), commit (log write and sync, state, index).",
			Buckets: latency}, []string{"phase"}),
		HTTPSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "localnet_http_request_duration_seconds",
			Help: "HTTP request latency by server (rest, faucet), route pattern and status code.", Buckets: latency},
			[]string{"server", "route", "code"}),
	}
	reg.MustRegister(m.Committed, m.Discarded, m.Rejected, m.GasUsed, m.LedgerVersion, m.BlockHeight, m.Mempool,
		m.BlockTxns, m.BlockSeconds, m.HTTPSeconds)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// statusRecorder keeps the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Instrument times the requests of a server's handler. The route is the
// request's ServeMux pattern, so paths with addresses or hashes in them do
// not each make a series.
func (m *Metrics) Instrument(server string, h http.Handler) http.Handler {
	if m == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.HTTPSeconds.WithLabelValues(server, route, strconv.Itoa(rec.code)).Observe(time.Since(began).Seconds())
	})
}

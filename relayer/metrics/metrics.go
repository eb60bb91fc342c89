// Package metrics defines the relayer's Prometheus metrics, served at
// /metrics. Every metric is named relayer_*; docs/RELAYER.md lists them.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds every collector. A nil *Metrics is not valid; use New.
type Metrics struct {
	Registry *prometheus.Registry

	EventsStored   *prometheus.CounterVec   // class
	EventsRejected *prometheus.CounterVec   // reason (NIP-01 prefix or outcome)
	EventsRelayed  prometheus.Counter       // ephemeral events passed on
	EventsDeleted  prometheus.Counter       // removed by NIP-09 requests
	EventsSent     prometheus.Counter       // EVENT messages sent to subscribers
	Messages       *prometheus.CounterVec   // type of client message
	MessageSeconds *prometheus.HistogramVec // type: time to OK, EOSE or COUNT

	Connections       prometheus.Gauge
	Subscriptions     prometheus.Gauge
	SlowClientsKilled prometheus.Counter
	AuthSuccess       prometheus.Counter
	AuthFailure       prometheus.Counter

	BlobBytesIn    prometheus.Counter
	BlobBytesOut   prometheus.Counter
	BlobUploads    *prometheus.CounterVec // result
	BlobsDeleted   prometheus.Counter
	BlobsMissing   prometheus.Counter // rows whose file is gone
	HTTPSeconds    *prometheus.HistogramVec
	RateLimited    *prometheus.CounterVec // what: event, req, http, upload
	StoreErrors    *prometheus.CounterVec // op
	StartTimestamp prometheus.Gauge
}

// New registers every collector, plus Go runtime and process collectors, on
// a fresh registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := factory{reg}
	latency := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{
		Registry: reg,
		EventsStored: f.counterVec("relayer_events_stored_total",
			"Events committed to the store, by kind class (regular, replaceable, addressable).", "class"),
		EventsRejected: f.counterVec("relayer_events_rejected_total",
			"EVENT messages answered OK false, by reason (the NIP-01 prefix: invalid, blocked, duplicate, rate-limited, auth-required, restricted, error).", "reason"),
		EventsRelayed: f.counter("relayer_ephemeral_events_total", "Ephemeral events relayed to subscribers without storing."),
		EventsDeleted: f.counter("relayer_events_deleted_total", "Events removed by NIP-09 deletion requests."),
		EventsSent:    f.counter("relayer_events_sent_total", "EVENT messages sent to subscribers (stored and live)."),
		Messages:      f.counterVec("relayer_messages_total", "Client messages received, by type (EVENT, REQ, COUNT, CLOSE, AUTH, invalid).", "type"),
		MessageSeconds: f.histogramVec("relayer_message_duration_seconds",
			"Time from receiving a client message to its answer: OK for EVENT and AUTH, EOSE for REQ, the count for COUNT.", latency, "type"),
		Connections:       f.gauge("relayer_connections", "Open websocket connections."),
		Subscriptions:     f.gauge("relayer_subscriptions", "Open subscriptions over all connections."),
		SlowClientsKilled: f.counter("relayer_slow_clients_dropped_total", "Connections closed because they did not read their messages in time."),
		AuthSuccess:       f.counter("relayer_auth_success_total", "Successful NIP-42 authentications."),
		AuthFailure:       f.counter("relayer_auth_failure_total", "Rejected NIP-42 authentications."),
		BlobBytesIn:       f.counter("relayer_blob_bytes_in_total", "Blob bytes received in uploads (including rejected ones)."),
		BlobBytesOut:      f.counter("relayer_blob_bytes_out_total", "Blob bytes sent in GET responses."),
		BlobUploads: f.counterVec("relayer_blob_uploads_total",
			"Blob uploads by result (created, existing, or the reason of the refusal).", "result"),
		BlobsDeleted: f.counter("relayer_blobs_deleted_total", "Blobs whose last owner deleted them."),
		BlobsMissing: f.counter("relayer_blobs_missing_total", "Reads of blobs whose metadata exists but whose file is gone (disk damage)."),
		HTTPSeconds: f.histogramVec("relayer_http_request_duration_seconds",
			"HTTP request latency (Blossom, NIP-11, metrics), by route, method and status code.", latency, "route", "method", "code"),
		RateLimited:    f.counterVec("relayer_rate_limited_total", "Requests refused by a rate limit, by what was limited.", "what"),
		StoreErrors:    f.counterVec("relayer_store_errors_total", "Database errors, by operation.", "op"),
		StartTimestamp: f.gauge("relayer_start_time_seconds", "Unix time the relayer started."),
	}
	m.StartTimestamp.Set(float64(time.Now().Unix()))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveHTTP records one HTTP request.
func (m *Metrics) ObserveHTTP(route, method string, code int, d time.Duration) {
	m.HTTPSeconds.WithLabelValues(route, method, strconv.Itoa(code)).Observe(d.Seconds())
}

type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

// Package rest serves the Aptos fullnode REST API v1 for the localnet
// node: the paths, JSON shapes, status codes, headers and error bodies of a
// real node for what the localnet implements, so that aptos-go-sdk (and the
// TypeScript SDK and CLI) talk to it as to any Aptos network.
package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/agi-nostr/agi-nostr/localnet/metrics"
	"github.com/agi-nostr/agi-nostr/localnet/node"
)

// MaxBodyBytes caps request bodies (a real node allows 8 MiB; the largest
// transaction the localnet accepts is 64 KiB, batches hold up to 100).
const MaxBodyBytes = 8 << 20

// Pagination limits, as a real node's defaults.
const (
	defaultTxnPage   = 25
	maxTxnPage       = 100
	defaultEventPage = 100
	maxEventPage     = 100
	maxResourcePage  = 9999
	// maxWaiters bounds concurrent wait_by_hash long polls; past it the
	// endpoint answers like by_hash.
	maxWaiters = 100
)

// Content types of BCS bodies.
const (
	contentJSON       = "application/json"
	contentBCS        = "application/x-bcs"
	contentSignedTxn  = "application/x.aptos.signed_transaction+bcs"
	contentViewBCS    = "application/x.aptos.view_function+bcs"
	contentSignedTxns = contentSignedTxn
)

// Server is the REST API of one node.
type Server struct {
	// Metrics, when set, times requests and counts refused submissions.
	Metrics *metrics.Metrics

	node    *node.Node
	render  *renderer
	mux     *http.ServeMux
	log     *slog.Logger
	waiters atomic.Int64
}

// New returns the API server of n.
func New(n *node.Node, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{node: n, render: &renderer{insp: n.Executor()}, mux: http.NewServeMux(), log: log}
	s.routes()
	return s
}

// Handler returns the HTTP handler: routes, body cap, panic guard.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("request panicked", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.fail(w, http.StatusInternalServerError, "internal_error", nil, "internal error")
			}
		}()
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		s.Metrics.Instrument("rest", s.mux).ServeHTTP(w, r)
	})
}

// rejected counts a refused submission by its reason.
func (s *Server) rejected(err error) {
	if s.Metrics == nil {
		return
	}
	reason := "internal_error"
	var ne *node.Error
	if errors.As(err, &ne) {
		reason = errorCodeOf(ne)
		if ne.Kind == node.ErrVMValidation {
			reason = ne.VMCode.Name()
		}
	}
	s.Metrics.Rejected.WithLabelValues(reason).Inc()
}

func (s *Server) routes() {
	h := func(pattern string, f func(http.ResponseWriter, *http.Request, *request)) {
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			f(w, r, &request{info: s.node.Info()})
		})
	}
	h("GET /v1", s.index)
	h("GET /v1/{$}", s.index)
	h("GET /v1/-/healthy", s.healthy)
	h("GET /v1/estimate_gas_price", s.estimateGasPrice)
	h("GET /v1/accounts/{addr}", s.account)
	h("GET /v1/accounts/{addr}/resources", s.resources)
	h("GET /v1/accounts/{addr}/resource/{type...}", s.resource)
	h("GET /v1/accounts/{addr}/modules", s.modules)
	h("GET /v1/accounts/{addr}/module/{name}", s.module)
	h("GET /v1/accounts/{addr}/transactions", s.accountTransactions)
	h("GET /v1/accounts/{addr}/events/{creation}", s.eventsByCreation)
	h("GET /v1/accounts/{addr}/events/{handle}/{field}", s.eventsByHandle)
	h("GET /v1/transactions", s.transactions)
	h("POST /v1/transactions", s.submit)
	h("POST /v1/transactions/batch", s.submitBatch)
	h("POST /v1/transactions/simulate", s.simulate)
	h("GET /v1/transactions/by_hash/{hash}", s.byHash)
	h("GET /v1/transactions/wait_by_hash/{hash}", s.waitByHash)
	h("GET /v1/transactions/by_version/{version}", s.byVersion)
	h("POST /v1/view", s.view)
	h("GET /v1/blocks/by_height/{height}", s.blockByHeight)
	h("GET /v1/blocks/by_version/{version}", s.blockByVersion)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, "web_framework_error", nil, "Not Found: "+r.Method+" "+r.URL.Path)
	})
}

// request carries the ledger snapshot a request is answered against.
type request struct {
	info node.LedgerInfo
}

// headers sets the X-Aptos-* headers of a real node.
func (s *Server) headers(w http.ResponseWriter, info node.LedgerInfo) {
	h := w.Header()
	h.Set("X-Aptos-Chain-Id", strconv.Itoa(int(info.ChainID)))
	h.Set("X-Aptos-Ledger-Version", strconv.FormatUint(info.Version, 10))
	h.Set("X-Aptos-Ledger-Oldest-Version", strconv.FormatUint(info.OldestVersion, 10))
	h.Set("X-Aptos-Ledger-TimestampUsec", strconv.FormatUint(info.Timestamp, 10))
	h.Set("X-Aptos-Epoch", strconv.FormatUint(info.Epoch, 10))
	h.Set("X-Aptos-Block-Height", strconv.FormatUint(info.BlockHeight, 10))
	h.Set("X-Aptos-Oldest-Block-Height", strconv.FormatUint(info.OldestBlockHeight, 10))
}

// reply writes v as JSON with status code.
func (s *Server) reply(w http.ResponseWriter, rq *request, code int, v any) {
	if raw, ok := v.(json.RawMessage); ok {
		// Written by hand already (transactions): sent as it is, in one
		// write with its length.
		s.headers(w, rq.info)
		h := w.Header()
		h.Set("Content-Type", contentJSON)
		h.Set("Content-Length", strconv.Itoa(len(raw)))
		w.WriteHeader(code)
		w.Write(raw)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Error("encode response", "err", err)
		s.fail(w, http.StatusInternalServerError, "internal_error", nil, "encode response: "+err.Error())
		return
	}
	s.headers(w, rq.info)
	w.Header().Set("Content-Type", contentJSON)
	w.WriteHeader(code)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// replyBCS writes BCS bytes.
func (s *Server) replyBCS(w http.ResponseWriter, rq *request, b []byte) {
	s.headers(w, rq.info)
	w.Header().Set("Content-Type", contentBCS)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

type errorJSON struct {
	Message     string  `json:"message"`
	ErrorCode   string  `json:"error_code"`
	VMErrorCode *uint64 `json:"vm_error_code"`
}

// fail writes an error body in the node's shape, without ledger headers.
func (s *Server) fail(w http.ResponseWriter, code int, errorCode string, vmCode *uint64, msg string) {
	b, _ := json.Marshal(errorJSON{Message: msg, ErrorCode: errorCode, VMErrorCode: vmCode})
	w.Header().Set("Content-Type", contentJSON)
	w.WriteHeader(code)
	w.Write(b)
}

// failInfo writes an error body with the ledger headers, as most of a real
// node's errors carry them.
func (s *Server) failInfo(w http.ResponseWriter, rq *request, code int, errorCode string, vmCode *uint64, msg string) {
	s.headers(w, rq.info)
	s.fail(w, code, errorCode, vmCode, msg)
}

func (s *Server) badRequest(w http.ResponseWriter, rq *request, format string, args ...any) {
	s.failInfo(w, rq, http.StatusBadRequest, "invalid_input", nil, fmt.Sprintf(format, args...))
}

func (s *Server) notFound(w http.ResponseWriter, rq *request, errorCode, msg string) {
	s.failInfo(w, rq, http.StatusNotFound, errorCode, nil, msg)
}

// nodeError maps an error of the node package to its API response.
func (s *Server) nodeError(w http.ResponseWriter, rq *request, err error) {
	var ne *node.Error
	if !errors.As(err, &ne) {
		s.failInfo(w, rq, http.StatusInternalServerError, "internal_error", nil, err.Error())
		return
	}
	switch ne.Kind {
	case node.ErrInvalidInput:
		s.failInfo(w, rq, http.StatusBadRequest, "invalid_input", nil, ne.Message)
	case node.ErrVMValidation:
		c := uint64(ne.VMCode)
		s.failInfo(w, rq, http.StatusBadRequest, "vm_error", &c, ne.Message)
	case node.ErrSequenceNumberOld:
		s.failInfo(w, rq, http.StatusBadRequest, "sequence_number_too_old", nil, ne.Message)
	case node.ErrInvalidUpdate:
		s.failInfo(w, rq, http.StatusBadRequest, "invalid_transaction_update", nil, ne.Message)
	case node.ErrMempoolFull:
		s.failInfo(w, rq, http.StatusInsufficientStorage, "mempool_is_full", nil, ne.Message)
	case node.ErrVersionNotFound:
		s.failInfo(w, rq, http.StatusNotFound, "version_not_found", nil, ne.Message)
	case node.ErrVersionPruned:
		s.failInfo(w, rq, http.StatusGone, "version_pruned", nil, ne.Message)
	default:
		s.failInfo(w, rq, http.StatusInternalServerError, "internal_error", nil, ne.Message)
	}
}

// readBody reads a request body within the cap; an oversized body gets 413.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, rq *request) ([]byte, bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.failInfo(w, rq, http.StatusRequestEntityTooLarge, "invalid_input", nil,
				fmt.Sprintf("request body exceeds %d bytes", MaxBodyBytes))
			return nil, false
		}
		s.badRequest(w, rq, "read request body: %v", err)
		return nil, false
	}
	return b, true
}

// contentType returns the media type of the request without parameters.
func contentType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(strings.ToLower(ct))
}

// wantsBCS reports whether the client asked for a BCS response.
func wantsBCS(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), contentBCS)
}

// query parameters

func (s *Server) u64Param(w http.ResponseWriter, r *http.Request, rq *request, name string) (uint64, bool, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, false, true
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		s.badRequest(w, rq, "failed to parse query parameter %s=%q: not a u64", name, v)
		return 0, false, false
	}
	return n, true, true
}

// limit reads ?limit= with a default and a cap; 0 is refused as a real
// node refuses it.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, rq *request, def, maxLimit int) (int, bool) {
	n, set, ok := s.u64Param(w, r, rq, "limit")
	if !ok {
		return 0, false
	}
	if !set {
		return def, true
	}
	if n == 0 {
		s.badRequest(w, rq, "Given limit value (0) must be greater than 0")
		return 0, false
	}
	return int(min(n, uint64(maxLimit))), true
}

// ledgerVersion reads ?ledger_version=, defaulting to the snapshot's.
func (s *Server) ledgerVersion(w http.ResponseWriter, r *http.Request, rq *request) (uint64, bool) {
	v, set, ok := s.u64Param(w, r, rq, "ledger_version")
	if !ok {
		return 0, false
	}
	if !set {
		return rq.info.Version, true
	}
	if v > rq.info.Version {
		s.notFound(w, rq, "version_not_found", fmt.Sprintf("Ledger version(%d) not found", v))
		return 0, false
	}
	return v, true
}

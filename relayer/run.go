package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/agi-nostr/agi-nostr/internal/version"
	"github.com/agi-nostr/agi-nostr/relayer/blob"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
	"github.com/agi-nostr/agi-nostr/relayer/relay"
	"github.com/agi-nostr/agi-nostr/relayer/service"
)

// envPrefix: every flag can also come from RELAYER_<FLAG_NAME> (dashes
// become underscores); a flag on the command line wins.
const envPrefix = "RELAYER_"

type runFlags struct {
	listen, blobDir, schema, publicURL, tlsCert, tlsKey string
	uploaders, writers, protectedKinds                  string
	authWrites, listAuth, trustForwarded                bool
	mirror, mirrorPrivate                               bool
	mirrorTimeout                                       time.Duration
	name, description, adminPubkey, contact, icon       string

	maxMessage, maxBlob, quota                          byteSize
	maxTags, maxContent, maxTagValue, maxSubs, maxFilts int
	maxFilterValues, maxLimit, defaultLimit, maxConnsIP int
	maxFuture, maxPast                                  time.Duration

	ipEventRate, pubkeyEventRate, ipReqRate, ipHTTPRate, uploadRate      float64
	ipEventBurst, pubkeyEventBurst, ipReqBurst, ipHTTPBurst, uploadBurst int

	writeTimeout, pingInterval, shutdownTimeout time.Duration
	sendQueue, inFlight                         int
	dbMaxConns                                  int32
	logFormat, logLevel                         string
	metricsToken                                string
}

func newRunCmd() *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Serve the Nostr relay, the Blossom blob server and /metrics on one address",
		Long: `Serve the Nostr relay (websocket and NIP-11), the Blossom blob server and
Prometheus /metrics on one listen address, storing events and blob metadata
in PostgreSQL (DATABASE_URL) and blob bytes under --blob-dir.

Every flag may also be set in the environment as RELAYER_<FLAG>, for example
RELAYER_BLOB_DIR=/var/lib/relayer/blobs; flags win over the environment.
The schema is created or migrated at start; two relays can share a database
under different --schema names. SIGINT or SIGTERM stops the relayer
gracefully: events being stored and uploads in progress finish first.`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return flagsFromEnv(cmd.Flags())
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd.Context())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:7447", "address to serve websocket, NIP-11, Blossom and /metrics on")
	fl.StringVar(&f.blobDir, "blob-dir", "", "directory for blob bytes (required)")
	fl.StringVar(&f.schema, "schema", "relayer", "PostgreSQL schema holding this relay's tables")
	fl.StringVar(&f.publicURL, "public-url", "", "public base URL, e.g. https://relay.example.com (blob URLs, NIP-42 and BUD-11 checks); default: from each request's Host")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve TLS with this certificate file (PEM); usually a proxy terminates TLS instead")
	fl.StringVar(&f.tlsKey, "tls-key", "", "private key file (PEM) for --tls-cert")
	fl.StringVar(&f.uploaders, "uploaders", "", "comma-separated npub1... or hex keys allowed to upload blobs; empty admits any key that signs a valid authorization")
	fl.StringVar(&f.writers, "writers", "", "comma-separated keys whose events are accepted (as author or authenticated sender); empty accepts everyone")
	fl.BoolVar(&f.authWrites, "auth-writes", false, "require NIP-42 authentication before accepting events")
	fl.StringVar(&f.protectedKinds, "protected-kinds", "", "comma-separated kinds served only to their authenticated author or p-tagged keys, e.g. 4,1059")
	fl.BoolVar(&f.listAuth, "blob-list-auth", false, "require the owner's authorization for GET /list/<pubkey>")
	fl.BoolVar(&f.mirror, "mirror", true, "serve BUD-04 PUT /mirror (the server fetches a blob from a URL)")
	fl.BoolVar(&f.mirrorPrivate, "mirror-private", false, "let mirrors fetch from loopback, private and link-local addresses")
	fl.DurationVar(&f.mirrorTimeout, "mirror-timeout", 10*time.Minute, "longest one mirror fetch may take")
	fl.BoolVar(&f.trustForwarded, "trust-forwarded", false, "take client addresses from X-Forwarded-For/X-Real-IP (only behind a proxy that sets them)")
	fl.StringVar(&f.name, "name", "AGI Nostr relay", "relay name for NIP-11")
	fl.StringVar(&f.description, "description", "Model metadata and shards for agigit", "relay description for NIP-11")
	fl.StringVar(&f.adminPubkey, "admin-pubkey", "", "operator's pubkey (npub or hex) for NIP-11")
	fl.StringVar(&f.contact, "contact", "", "operator contact URI for NIP-11")
	fl.StringVar(&f.icon, "icon", "", "icon URL for NIP-11")

	d := policy.DefaultLimits()
	f.maxMessage = byteSize(d.MaxMessageBytes)
	f.maxBlob = 4 << 30
	f.quota = 64 << 30
	fl.Var(&f.maxMessage, "max-message-bytes", "largest websocket message (and so event) accepted")
	fl.IntVar(&f.maxTags, "max-event-tags", d.MaxEventTags, "most tags in one event")
	fl.IntVar(&f.maxContent, "max-content-chars", d.MaxContentChars, "longest event content, in characters")
	fl.IntVar(&f.maxTagValue, "max-tag-value-bytes", d.MaxTagValueBytes, "longest value of an indexed (single-letter) tag")
	fl.IntVar(&f.maxSubs, "max-subscriptions", d.MaxSubscriptions, "open subscriptions per connection")
	fl.IntVar(&f.maxFilts, "max-filters", d.MaxFilters, "filters in one REQ or COUNT")
	fl.IntVar(&f.maxFilterValues, "max-filter-values", d.MaxFilterValues, "values (ids, authors, kinds, tag values) in one filter")
	fl.IntVar(&f.maxLimit, "max-limit", d.MaxLimit, "largest limit honoured in a filter")
	fl.IntVar(&f.defaultLimit, "default-limit", d.DefaultLimit, "limit applied to filters without one")
	fl.DurationVar(&f.maxFuture, "max-future", d.CreatedAtFuture, "how far in the future created_at may be (0: unbounded)")
	fl.DurationVar(&f.maxPast, "max-past", d.CreatedAtPast, "how far in the past created_at may be (0: unbounded)")
	fl.Var(&f.maxBlob, "max-blob-bytes", "largest blob accepted (0: no limit)")
	fl.Var(&f.quota, "quota-bytes", "bytes of blobs each uploader may own (0: no quota)")
	fl.IntVar(&f.maxConnsIP, "max-conns-per-ip", 64, "simultaneous websocket connections per client address (0: no cap)")
	fl.Float64Var(&f.ipEventRate, "ip-event-rate", 50, "events per second per client address (0: unlimited)")
	fl.IntVar(&f.ipEventBurst, "ip-event-burst", 500, "burst of events per client address")
	fl.Float64Var(&f.pubkeyEventRate, "pubkey-event-rate", 20, "events per second per author (0: unlimited)")
	fl.IntVar(&f.pubkeyEventBurst, "pubkey-event-burst", 200, "burst of events per author")
	fl.Float64Var(&f.ipReqRate, "ip-req-rate", 20, "REQ and COUNT per second per client address (0: unlimited)")
	fl.IntVar(&f.ipReqBurst, "ip-req-burst", 100, "burst of REQ and COUNT per client address")
	fl.Float64Var(&f.ipHTTPRate, "ip-http-rate", 100, "Blossom requests per second per client address (0: unlimited)")
	fl.IntVar(&f.ipHTTPBurst, "ip-http-burst", 400, "burst of Blossom requests per client address")
	fl.Float64Var(&f.uploadRate, "pubkey-upload-rate", 20, "blob uploads per second per key (0: unlimited)")
	fl.IntVar(&f.uploadBurst, "pubkey-upload-burst", 200, "burst of blob uploads per key")
	fl.DurationVar(&f.writeTimeout, "write-timeout", 10*time.Second, "a client that takes longer to receive one message is dropped")
	fl.IntVar(&f.sendQueue, "send-queue", 1024, "messages queued for one client before it is dropped as too slow")
	fl.DurationVar(&f.pingInterval, "ping-interval", 30*time.Second, "websocket ping interval; no pong within it drops the client")
	fl.IntVar(&f.inFlight, "in-flight", 8, "messages of one connection processed concurrently")
	fl.Int32Var(&f.dbMaxConns, "db-max-conns", 16, "PostgreSQL connections in the pool")
	fl.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "time allowed for in-flight writes at shutdown")
	fl.StringVar(&f.metricsToken, "metrics-token", "", "require \"Authorization: Bearer <token>\" for /metrics (prefer RELAYER_METRICS_TOKEN)")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	return cmd
}

// flagsFromEnv fills flags not given on the command line from RELAYER_*.
func flagsFromEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(fl *pflag.Flag) {
		if err != nil || fl.Changed {
			return
		}
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := fs.Set(fl.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

func (f *runFlags) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", f.logFormat)
}

// config turns the flags into a service configuration.
func (f *runFlags) config() (service.Config, error) {
	var cfg service.Config
	log, err := f.logger()
	if err != nil {
		return cfg, err
	}
	uploaders, err := policy.ParseKeys(f.uploaders)
	if err != nil {
		return cfg, fmt.Errorf("--uploaders: %w", err)
	}
	writers, err := policy.ParseKeys(f.writers)
	if err != nil {
		return cfg, fmt.Errorf("--writers: %w", err)
	}
	protected, err := policy.ParseKinds(f.protectedKinds)
	if err != nil {
		return cfg, fmt.Errorf("--protected-kinds: %w", err)
	}
	admin := ""
	if f.adminPubkey != "" {
		if admin, err = policy.ParseKey(f.adminPubkey); err != nil {
			return cfg, fmt.Errorf("--admin-pubkey: %w", err)
		}
	}
	if f.publicURL != "" && !strings.HasPrefix(f.publicURL, "http://") && !strings.HasPrefix(f.publicURL, "https://") {
		return cfg, fmt.Errorf("--public-url %q: want an http:// or https:// URL", f.publicURL)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return cfg, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if f.maxMessage < 1024 {
		return cfg, fmt.Errorf("--max-message-bytes %d is too small", f.maxMessage)
	}
	limits := policy.Limits{
		MaxMessageBytes:  int(f.maxMessage),
		MaxEventTags:     f.maxTags,
		MaxContentChars:  f.maxContent,
		MaxTagValueBytes: f.maxTagValue,
		MaxSubscriptions: f.maxSubs,
		MaxFilters:       f.maxFilts,
		MaxFilterValues:  f.maxFilterValues,
		MaxSubIDLength:   64,
		MaxLimit:         f.maxLimit,
		DefaultLimit:     f.defaultLimit,
		CreatedAtPast:    f.maxPast,
		CreatedAtFuture:  f.maxFuture,
	}
	access := &policy.Access{Writers: writers, AuthWrites: f.authWrites, ProtectedKinds: protected, Uploaders: uploaders}
	cfg = service.Config{
		Listen:          f.listen,
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		Schema:          f.schema,
		BlobDir:         f.blobDir,
		TLSCert:         f.tlsCert,
		TLSKey:          f.tlsKey,
		DBMaxConns:      f.dbMaxConns,
		ShutdownTimeout: f.shutdownTimeout,
		MetricsToken:    f.metricsToken,
		Log:             log,
		Relay: relay.Config{
			Limits:         limits,
			Access:         access,
			IPEvents:       policy.NewRateLimiter(f.ipEventRate, f.ipEventBurst),
			PubkeyEvents:   policy.NewRateLimiter(f.pubkeyEventRate, f.pubkeyEventBurst),
			IPReqs:         policy.NewRateLimiter(f.ipReqRate, f.ipReqBurst),
			MaxConnsPerIP:  f.maxConnsIP,
			TrustForwarded: f.trustForwarded,
			PublicURL:      f.publicURL,
			WriteTimeout:   f.writeTimeout,
			SendQueue:      f.sendQueue,
			PingInterval:   f.pingInterval,
			InFlight:       f.inFlight,
			Info: relay.Info{
				Name: f.name, Description: f.description, PubKey: admin, Contact: f.contact, Icon: f.icon,
				Software: "https://github.com/agi-nostr/agi-nostr", Version: version.String(),
			},
		},
		Blob: blob.Config{
			PublicURL:      f.publicURL,
			MaxBlobBytes:   int64(f.maxBlob),
			QuotaBytes:     int64(f.quota),
			Uploaders:      uploaders,
			ListAuth:       f.listAuth,
			NoMirror:       !f.mirror,
			MirrorPrivate:  f.mirrorPrivate,
			MirrorTimeout:  f.mirrorTimeout,
			IPRequests:     policy.NewRateLimiter(f.ipHTTPRate, f.ipHTTPBurst),
			Uploads:        policy.NewRateLimiter(f.uploadRate, f.uploadBurst),
			TrustForwarded: f.trustForwarded,
		},
	}
	return cfg, nil
}

func (f *runFlags) run(ctx context.Context) error {
	if f.blobDir == "" {
		return fmt.Errorf("--blob-dir is required (or RELAYER_BLOB_DIR)")
	}
	if os.Getenv("DATABASE_URL") == "" {
		return fmt.Errorf("DATABASE_URL is not set: point it at PostgreSQL, e.g. postgres://user@localhost/relayer")
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := service.New(ctx, cfg)
	if err != nil {
		return err
	}
	// Parts that run beside the servers (the order agent) join here with
	// svc.Add; they share the store, blobs, relay and metrics of svc.
	return svc.Run(ctx)
}

// byteSize is a flag holding a byte count, written as a number with an
// optional K, M, G or T suffix (powers of 1024; "KiB", "MB" and so on are
// read the same way).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }
func (b *byteSize) Type() string   { return "bytes" }

func (b *byteSize) Set(s string) error {
	v := strings.TrimSpace(strings.ToUpper(s))
	v = strings.TrimSuffix(strings.TrimSuffix(v, "B"), "I")
	mult := int64(1)
	if n := len(v); n > 0 {
		switch v[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			v = v[:n-1]
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a byte size (like 512000, 64M or 4GiB)", s)
	}
	*b = byteSize(n * mult)
	return nil
}

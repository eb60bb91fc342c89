package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/agi-nostr/agi-nostr/localnet/faucet"
	"github.com/agi-nostr/agi-nostr/localnet/metrics"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
	"github.com/agi-nostr/agi-nostr/localnet/rest"
)

// runOptions are the flags of `localnet run`.
type runOptions struct {
	restAddr     string
	faucetAddr   string
	dataDir      string
	packageDir   string
	namedAddress string
	logLevel     string
	metricsAddr  string
}

func newRunCmd() *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the local chain: REST API v1 and faucet, chain id 4",
		Long: `Runs an Aptos-compatible chain in this process: the Move framework and APT
at genesis, the Move package of --package-dir published at the publisher
account (its named address --named-address set to that account, init_module
run), the fullnode REST API v1 on --rest-addr and the faucet on --faucet-addr.
Without --data-dir the chain lives in memory; with it, it survives restarts.
Prints one "localnet ready" line on stdout when it serves requests; logs go to
stderr. SIGINT or SIGTERM stops it cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return run(ctx, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.restAddr, "rest-addr", "127.0.0.1:8080", "address of the REST API")
	f.StringVar(&o.faucetAddr, "faucet-addr", "127.0.0.1:8081", "address of the faucet")
	f.StringVar(&o.dataDir, "data-dir", "", "directory that keeps the chain across restarts (default: in memory)")
	f.StringVar(&o.packageDir, "package-dir", "", "Move package to publish at genesis")
	f.StringVar(&o.namedAddress, "named-address", "", "named address of the package that becomes the publisher account")
	f.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&o.metricsAddr, "metrics-addr", "127.0.0.1:9101", "address of the Prometheus metrics (/metrics); empty turns them off")
	return cmd
}

func run(ctx context.Context, o *runOptions, stdout, stderr io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: %w", o.logLevel, err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if o.namedAddress != "" && o.packageDir == "" {
		return errors.New("--named-address needs --package-dir")
	}

	began := time.Now()
	exec, err := movevm.New(movevm.Options{PackageDir: o.packageDir, NamedAddress: o.namedAddress})
	if err != nil {
		return err
	}
	log.Info("Move program loaded", "packages", exec.Packages(), "took", time.Since(began).Round(time.Millisecond))

	var m *metrics.Metrics
	if o.metricsAddr != "" {
		m = metrics.New()
	}
	n, err := node.Open(node.Config{DataDir: o.dataDir, Log: log, Metrics: m}, exec)
	if err != nil {
		return err
	}
	defer func() {
		if err := n.Close(); err != nil {
			log.Error("close chain", "err", err)
		}
	}()

	restLn, err := net.Listen("tcp", o.restAddr)
	if err != nil {
		return fmt.Errorf("REST API: %w", err)
	}
	faucetLn, err := net.Listen("tcp", o.faucetAddr)
	if err != nil {
		restLn.Close()
		return fmt.Errorf("faucet: %w", err)
	}
	api := rest.New(n, log)
	api.Metrics = m
	fct := faucet.New(n, log)
	fct.Metrics = m
	errLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	servers := []*http.Server{
		{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog},
		{Handler: fct.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog},
	}
	listeners := []net.Listener{restLn, faucetLn}
	if m != nil {
		metricsLn, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			restLn.Close()
			faucetLn.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		servers = append(servers, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog})
		listeners = append(listeners, metricsLn)
	}
	errc := make(chan error, len(servers))
	for i, ln := range listeners {
		go func() {
			if err := servers[i].Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}

	info := n.Info()
	faucetAccount := n.FaucetAddress()
	fields := []string{
		"rest=http://" + restLn.Addr().String() + "/v1",
		"faucet=http://" + faucetLn.Addr().String(),
		fmt.Sprintf("chain_id=%d", info.ChainID),
		fmt.Sprintf("version=%d", info.Version),
		"faucet_account=" + faucetAccount.StringLong(),
	}
	if addr, ok := exec.PublisherAddress(); ok {
		fields = append(fields, "package="+o.namedAddress+"@"+addr.StringLong())
	}
	if m != nil {
		fields = append(fields, "metrics=http://"+listeners[2].Addr().String()+"/metrics")
	}
	if o.dataDir != "" {
		fields = append(fields, "data_dir="+o.dataDir)
	}
	fmt.Fprintln(stdout, "localnet ready "+strings.Join(fields, " "))

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("stopping")
	case serveErr = <-errc:
		log.Error("server stopped", "err", serveErr)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		s.Shutdown(shutdown)
	}
	if err := n.Err(); err != nil {
		return fmt.Errorf("block production stopped: %w", err)
	}
	return serveErr
}

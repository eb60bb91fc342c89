package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aptos-labs/aptos-go-sdk"

	"github.com/agi-nostr/agi-nostr/internal/chain"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevm"
)

// benchChildEnv holds the flags of `localnet run` when this test binary is
// started as the node's own process by BenchmarkNodeProcess.
const benchChildEnv = "LOCALNET_BENCH_RUN"

// benchProfileEnv, when set, names a file for a CPU profile of the node's
// process in BenchmarkNodeProcess (go test's -cpuprofile covers the
// clients' process).
const benchProfileEnv = "LOCALNET_BENCH_NODE_PROFILE"

func TestMain(m *testing.M) {
	if flags, ok := os.LookupEnv(benchChildEnv); ok {
		os.Exit(benchChild(flags))
	}
	code := m.Run()
	stopBenchNode()
	os.Exit(code)
}

// benchChild runs `localnet run` with flags until its standard input
// closes (the benchmark ends or dies).
func benchChild(flags string) int {
	if path := os.Getenv(benchProfileEnv); path != "" {
		f, err := os.Create(path)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	cmd := newRunCmd()
	cmd.SetArgs(strings.Fields(flags))
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// benchNode is a `localnet run` process serving move/ on loopback.
type benchNode struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	client *aptos.Client
}

var (
	benchNodeOnce sync.Once
	benchNodeProc *benchNode
	benchNodeErr  error
)

func startBenchNode() (*benchNode, error) {
	benchNodeOnce.Do(func() {
		pkg, err := filepath.Abs(filepath.Join("..", "move"))
		if err != nil {
			benchNodeErr = err
			return
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), benchChildEnv+"=--rest-addr 127.0.0.1:0 --faucet-addr 127.0.0.1:0 "+
			"--metrics-addr 127.0.0.1:0 --log-level warn --package-dir "+pkg+" --named-address agi_nostr")
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			benchNodeErr = err
			return
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			benchNodeErr = err
			return
		}
		if err := cmd.Start(); err != nil {
			benchNodeErr = err
			return
		}
		fields := map[string]string{}
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if line, ok := strings.CutPrefix(lines.Text(), "localnet ready "); ok {
				for _, f := range strings.Fields(line) {
					k, v, _ := strings.Cut(f, "=")
					fields[k] = v
				}
				break
			}
		}
		go io.Copy(io.Discard, stdout)
		if fields["rest"] == "" {
			stdin.Close()
			cmd.Wait()
			benchNodeErr = fmt.Errorf("localnet run printed no ready line")
			return
		}
		// One keep-alive connection per concurrent client.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 128
		c, err := aptos.NewClient(aptos.NetworkConfig{ChainId: 4, NodeUrl: fields["rest"], FaucetUrl: fields["faucet"]}, &http.Client{Transport: tr})
		if err != nil {
			stdin.Close()
			cmd.Wait()
			benchNodeErr = err
			return
		}
		benchNodeProc = &benchNode{cmd: cmd, stdin: stdin, client: c}
	})
	return benchNodeProc, benchNodeErr
}

func stopBenchNode() {
	if benchNodeProc != nil {
		benchNodeProc.stdin.Close()
		benchNodeProc.cmd.Wait()
	}
}

// cpu returns the CPU time (user and system) the node's process has used,
// from /proc; ok is false where there is none.
func (n *benchNode) cpu() (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", n.cmd.Process.Pid))
	if err != nil {
		return 0, false
	}
	// Fields after the command name (which may hold spaces) start at ")".
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, true
}

// selfCPU is the CPU time this process (the clients) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNodeProcess runs the node as `localnet run` does, in its own
// process (move/ published, REST API, faucet and metrics on loopback), and
// drives it from this process with N aptos-go-sdk clients, each with its
// own account, building and signing transactions, submitting them and
// waiting for each to commit. Node and clients share the machine's cores,
// but their CPU time is measured apart: node_cpu_us/tx is what the node
// spends per transaction (HTTP, JSON, signature check, execution, commit),
// so one CPU second of the node serves 1e6/node_cpu_us transactions;
// client_cpu_us/tx is the SDK side (signing, HTTP, decoding each committed
// transaction's JSON).
func BenchmarkNodeProcess(b *testing.B) {
	pub := movevm.PublisherAccount()
	nostr := sha256.Sum256([]byte("owner"))
	deliverBy := uint64(time.Now().Add(24 * time.Hour).Unix())
	loads := []struct {
		name    string
		payload func(seq uint64) aptos.TransactionPayload
	}{
		{"transfers", func(uint64) aptos.TransactionPayload {
			ef, _ := aptos.CoinTransferPayload(nil, aptos.AccountOne, 1)
			return aptos.TransactionPayload{Payload: ef}
		}},
		{"orders", func(seq uint64) aptos.TransactionPayload {
			object := sha256.Sum256(fmt.Appendf(nil, "object %d", seq))
			return aptos.TransactionPayload{Payload: &aptos.EntryFunction{
				Module: aptos.ModuleId{Address: pub, Name: "market"}, Function: "pull", ArgTypes: []aptos.TypeTag{},
				Args: [][]byte{chain.Bytes(object[:]), chain.U64(1 << 20), chain.Bytes(nostr[:]), chain.Addresses(nil),
					chain.U64(100), chain.U64(1000), chain.U64(10), chain.U64(deliverBy)},
			}}
		}},
	}
	for _, load := range loads {
		for _, clients := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/clients=%d", load.name, clients), func(b *testing.B) {
				benchmarkNodeProcess(b, clients, load.payload)
			})
		}
	}
}

func benchmarkNodeProcess(b *testing.B, clients int, payload func(seq uint64) aptos.TransactionPayload) {
	n, err := startBenchNode()
	if err != nil {
		b.Fatal(err)
	}
	type client struct {
		acct *aptos.Account
		seq  uint64
	}
	cs := make([]*client, clients)
	var wg sync.WaitGroup
	for i := range cs {
		wg.Go(func() {
			a, _ := aptos.NewEd25519Account()
			if err := n.client.Fund(a.Address, 1_000_0000_0000); err != nil {
				b.Error(err)
			}
			cs[i] = &client{acct: a}
		})
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	per := max(b.N/clients, 1)
	var mu sync.Mutex
	var lat []time.Duration
	nodeCPU0, nodeOK := n.cpu()
	cpu0, began := selfCPU(), time.Now()
	b.ResetTimer()
	for _, c := range cs {
		wg.Go(func() {
			mine := make([]time.Duration, 0, per)
			for range per {
				raw := &aptos.RawTransaction{Sender: c.acct.Address, SequenceNumber: c.seq, Payload: payload(c.seq),
					MaxGasAmount: 100_000, GasUnitPrice: 100, ChainId: 4,
					ExpirationTimestampSeconds: uint64(time.Now().Add(10 * time.Minute).Unix())}
				c.seq++
				stx, err := raw.SignedTransaction(c.acct)
				if err != nil {
					b.Error(err)
					return
				}
				t0 := time.Now()
				sub, err := n.client.SubmitTransaction(stx)
				if err != nil {
					b.Error(err)
					return
				}
				txn, err := n.client.WaitForTransaction(sub.Hash)
				if err != nil {
					b.Error(err)
					return
				}
				if !txn.Success {
					b.Errorf("transaction failed: %s", txn.VmStatus)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	elapsed, clientCPU := time.Since(began), selfCPU()-cpu0
	nodeCPU1, _ := n.cpu()
	total := float64(per * clients)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(total/elapsed.Seconds(), "tx/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(clientCPU.Microseconds())/total, "client_cpu_us/tx")
	if nodeOK {
		b.ReportMetric(float64((nodeCPU1-nodeCPU0).Microseconds())/total, "node_cpu_us/tx")
	}
}

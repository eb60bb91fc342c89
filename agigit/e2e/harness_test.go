// Package e2e runs agigit against real relayer processes on loopback, each
// with its own PostgreSQL schema: the binaries are built once, started as
// subprocesses, and driven as a user would drive them.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/pgtest"
)

var bin string // directory holding the agigit and relayer binaries

func TestMain(m *testing.M) {
	// AGIGIT_E2E_BIN names a directory of agigit and relayer binaries built
	// beforehand: to profile them, or to compare two builds with the same
	// tests and benchmarks.
	if dir := os.Getenv("AGIGIT_E2E_BIN"); dir != "" {
		bin = dir
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "agigit-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	root, err := moduleRoot()
	if err == nil {
		args := []string{"build", "-o", dir + string(filepath.Separator)}
		if os.Getenv("AGIGIT_E2E_RACE") != "" {
			args = append(args, "-race") // the binaries under the race detector
		}
		cmd := exec.Command("go", append(args, "./agigit", "./relayer")...)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		err = cmd.Run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "build agigit and relayer:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		p := filepath.Dir(d)
		if p == d {
			return "", fmt.Errorf("no go.mod above the test directory")
		}
		d = p
	}
}

// relay is one relayer process.
type relay struct {
	t       testing.TB
	dbURL   string
	schema  string
	BlobDir string
	Addr    string
	extra   []string
	cmd     *exec.Cmd
	done    chan struct{}
	mu      sync.Mutex
	log     bytes.Buffer
}

func (r *relay) URL() string { return "ws://" + r.Addr }

// startRelays starts n relayers, each on its own schema and blob
// directory, with rate limits off (the tests push in bursts).
func startRelays(t testing.TB, n int, extra ...string) []*relay {
	t.Helper()
	out := make([]*relay, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range out {
		_, schema := pgtest.Schema(t)
		out[i] = &relay{t: t, dbURL: pgtest.URL(t), schema: schema, BlobDir: t.TempDir(), extra: extra}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = out[i].start("127.0.0.1:0")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("relay %d: %v", i, err)
		}
	}
	for _, r := range out {
		t.Cleanup(r.Stop)
	}
	return out
}

func (r *relay) start(listen string) error {
	cmd := exec.Command(filepath.Join(bin, "relayer"), "run", "--listen", listen, "--blob-dir", r.BlobDir,
		"--schema", r.schema, "--log-format", "json",
		"--ip-event-rate", "0", "--pubkey-event-rate", "0", "--ip-req-rate", "0", "--ip-http-rate", "0", "--pubkey-upload-rate", "0")
	cmd.Args = append(cmd.Args, r.extra...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+r.dbURL)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	r.cmd = cmd
	r.done = make(chan struct{})
	addr := make(chan string, 1)
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			r.mu.Lock()
			r.log.Write(sc.Bytes())
			r.log.WriteByte('\n')
			r.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
		cmd.Wait()
	}()
	select {
	case r.Addr = <-addr:
		return nil
	case <-r.done:
		return fmt.Errorf("relayer exited before listening:\n%s", r.logs())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		return fmt.Errorf("relayer did not start listening")
	}
}

func (r *relay) logs() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

// Stop ends the relayer (SIGTERM, then SIGKILL after 10 s).
func (r *relay) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

// blobs lists the blob files the relayer stores.
func (r *relay) blobs(t testing.TB) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(r.BlobDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(d.Name()) == 64 {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// cpu is the processor time (user and system) a relayer has used so far.
func (r *relay) cpu() time.Duration { return procCPU(r.t, r.cmd.Process.Pid) }

// procCPU reads a live process's user and system time from /proc.
func procCPU(t testing.TB, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("cpu time of process %d: %v", pid, err)
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th, in clock ticks (100 a second on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	var ticks int64
	for _, s := range f[11:13] {
		var v int64
		fmt.Sscan(s, &v)
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// user is someone running agigit with their own key and home.
type user struct {
	t    testing.TB
	home string
	Npub string
	// lastCPU is the processor time (user and system) of the last command.
	lastCPU time.Duration
}

func newUser(t testing.TB) *user {
	t.Helper()
	u := &user{t: t, home: t.TempDir()}
	out, _ := u.ok("", "key", "new")
	u.Npub = strings.TrimSpace(out)
	return u
}

// anonymous is a user without a key.
func anonymous(t testing.TB) *user { return &user{t: t, home: t.TempDir()} }

func (u *user) command(dir string, args ...string) *exec.Cmd {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.Command(filepath.Join(bin, "agigit"), args...)
	cmd.Env = append(os.Environ(), "AGIGIT_HOME="+u.home, "AGIGIT_KEY=")
	return cmd
}

// run runs agigit in dir and returns stdout, stderr and the exit code.
func (u *user) run(dir string, args ...string) (string, string, int) {
	u.t.Helper()
	cmd := u.command(dir, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if cmd.ProcessState != nil {
		u.lastCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		u.t.Fatalf("run agigit: %v", err)
	}
	return out.String(), errb.String(), code
}

// ok runs agigit and fails the test unless it exits 0.
func (u *user) ok(dir string, args ...string) (string, string) {
	u.t.Helper()
	out, errs, code := u.run(dir, args...)
	if code != 0 {
		u.t.Fatalf("agigit %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out, errs
}

// randomFile writes n pseudo-random bytes (seeded) to path.
func randomFile(t testing.TB, path string, n int, seed byte) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed}).Read(b)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// sameTree checks that two working trees hold the same files, byte for
// byte (the .agigit stores aside).
func sameTree(t testing.TB, a, b string) {
	t.Helper()
	list := func(root string) map[string][]byte {
		m := make(map[string][]byte)
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == ".agigit" {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(root, p)
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				m[rel] = data
			}
			return nil
		})
		return m
	}
	ma, mb := list(a), list(b)
	if len(ma) != len(mb) {
		t.Fatalf("%s has %d files, %s has %d", a, len(ma), b, len(mb))
	}
	for p, da := range ma {
		db, ok := mb[p]
		if !ok {
			t.Fatalf("%s is missing from %s", p, b)
		}
		if !bytes.Equal(da, db) {
			t.Fatalf("%s differs between %s and %s", p, a, b)
		}
	}
}

// pushStat reads the "shards uploaded: N" figure of a push.
func pushStat(t testing.TB, stderr string) int {
	t.Helper()
	i := strings.Index(stderr, "shards uploaded: ")
	if i < 0 {
		t.Fatalf("no upload count in push output:\n%s", stderr)
	}
	var n int
	fmt.Sscanf(stderr[i+len("shards uploaded: "):], "%d", &n)
	return n
}

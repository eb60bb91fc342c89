package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/internal/pgtest"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// The test binary doubles as the relayer binary, so tests can run it as a
// subprocess and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("RELAYER_TEST_EXEC") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type proc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startRelayer runs `relayer run` and waits until it listens.
func startRelayer(t *testing.T, dbURL, schema, blobDir string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"run", "--listen", "127.0.0.1:0", "--blob-dir", blobDir, "--schema", schema,
		"--ip-event-rate", "0", "--pubkey-event-rate", "0", "--ip-req-rate", "0", "--ip-http-rate", "0",
		"--pubkey-upload-rate", "0", "--log-format", "json"}, extra...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RELAYER_TEST_EXEC=1", "DATABASE_URL="+dbURL)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	addrCh := make(chan string, 1)
	var logMu sync.Mutex
	var logBuf bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logMu.Lock()
			logBuf.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
				addrCh <- rec.Addr
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.addr = <-addrCh:
		return p
	case err := <-p.done:
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("relayer exited before listening: %v\n%s", err, logBuf.String())
	case <-time.After(30 * time.Second):
		t.Fatal("relayer did not start listening")
	}
	return nil
}

type keypair struct{ sk, pk string }

func newKey(t *testing.T) keypair {
	sk := nostr.GeneratePrivateKey()
	pk, _ := nostr.GetPublicKey(sk)
	return keypair{sk, pk}
}

func (k keypair) event(kind int, content string, tags ...nostr.Tag) nostr.Event {
	evt := nostr.Event{Kind: kind, CreatedAt: nostr.Now(), Content: content, Tags: nostr.Tags(tags)}
	if evt.Tags == nil {
		evt.Tags = nostr.Tags{}
	}
	evt.Sign(k.sk)
	return evt
}

func (k keypair) uploadToken(sha string) string {
	evt := k.event(nostrkind.BlossomAuth, "upload", nostr.Tag{"t", "upload"}, nostr.Tag{"x", sha},
		nostr.Tag{"expiration", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)})
	evt.CreatedAt--
	evt.Sign(k.sk)
	b, _ := evt.MarshalJSON()
	return "Nostr " + base64.RawURLEncoding.EncodeToString(b)
}

// ledger records what the relayer acknowledged.
type ledger struct {
	mu     sync.Mutex
	events map[string]bool
	blobs  map[string][]byte
}

// publishUntilDead sends events on one websocket, several in flight, and
// records those answered OK true, until the connection breaks.
func publishUntilDead(addr string, k keypair, l *ledger) {
	ctx := context.Background()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	inflight := make(chan struct{}, 8)
	go func() {
		for i := 0; ; i++ {
			inflight <- struct{}{}
			b, _ := json.Marshal([]any{"EVENT", k.event(1, fmt.Sprint("kill test ", i, " ", time.Now().UnixNano()))})
			if ws.Write(ctx, websocket.MessageText, b) != nil {
				return
			}
		}
	}()
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var m []any
		if json.Unmarshal(data, &m) != nil || len(m) != 4 || m[0] != "OK" {
			continue
		}
		if m[2] == true {
			l.mu.Lock()
			l.events[m[1].(string)] = true
			l.mu.Unlock()
		}
		<-inflight
	}
}

// uploadUntilDead uploads blobs slowly (so that kills land mid-upload) and
// records those answered 201 or 200.
func uploadUntilDead(addr string, k keypair, l *ledger) {
	client := &http.Client{Timeout: 20 * time.Second}
	for {
		data := make([]byte, 1<<20+int(time.Now().UnixNano()%(3<<20)))
		rand.Read(data)
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		pr, pw := io.Pipe()
		go func() {
			for off := 0; off < len(data); off += 128 << 10 {
				end := min(off+128<<10, len(data))
				if _, err := pw.Write(data[off:end]); err != nil {
					return
				}
				time.Sleep(3 * time.Millisecond)
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("PUT", "http://"+addr+"/upload", pr)
		req.ContentLength = int64(len(data))
		req.Header.Set("Authorization", k.uploadToken(sha))
		resp, err := client.Do(req)
		if err != nil {
			pr.CloseWithError(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 201 || resp.StatusCode == 200 {
			l.mu.Lock()
			l.blobs[sha] = data
			l.mu.Unlock()
		}
	}
}

// verify checks that every acknowledged event and blob is served.
func verify(t *testing.T, addr string, l *ledger) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := nostr.RelayConnect(ctx, "ws://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ids := make([]string, 0, len(l.events))
	for id := range l.events {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		evs, err := r.QuerySync(ctx, nostr.Filter{IDs: ids[:n], Limit: n})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != n {
			t.Fatalf("%d of %d acknowledged events are missing after kill -9", n-len(evs), n)
		}
		ids = ids[n:]
	}
	for sha, data := range l.blobs {
		resp, err := http.Get("http://" + addr + "/" + sha)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, data) {
			t.Fatalf("acknowledged blob %s: status %d, %d of %d bytes", sha, resp.StatusCode, len(got), len(data))
		}
	}
}

// checkNoPartialBlobs checks the blob directory after a restart: no
// temporary files, every file's bytes hash to its name and are recorded.
func checkNoPartialBlobs(t *testing.T, dbURL, schema, blobDir string) int {
	t.Helper()
	tmp, _ := os.ReadDir(filepath.Join(blobDir, "tmp"))
	if len(tmp) != 0 {
		t.Fatalf("%d temporary files survived the restart", len(tmp))
	}
	db, err := store.Open(context.Background(), dbURL, schema, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := 0
	filepath.WalkDir(filepath.Join(blobDir, "blobs"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != d.Name() {
			t.Fatalf("blob file %s holds bytes hashing to %x: a partial blob", d.Name(), sum)
		}
		if _, found, err := db.Blob(context.Background(), sum[:]); err != nil || !found {
			t.Fatalf("blob file %s has no metadata row (%v)", d.Name(), err)
		}
		return nil
	})
	return files
}

func TestKill9LosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the relayer as a subprocess several times")
	}
	dbURL, schema := pgtest.Schema(t)
	blobDir := t.TempDir()
	l := &ledger{events: map[string]bool{}, blobs: map[string][]byte{}}
	const rounds = 3
	for round := 0; round < rounds; round++ {
		p := startRelayer(t, dbURL, schema, blobDir)
		verify(t, p.addr, l)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); publishUntilDead(p.addr, newKey(t), l) }()
		}
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); uploadUntilDead(p.addr, newKey(t), l) }()
		}
		time.Sleep(time.Duration(400+200*round) * time.Millisecond)
		t.Logf("metrics before kill: %s", grepMetrics(p.addr))
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.done
		wg.Wait()
		l.mu.Lock()
		t.Logf("round %d: %d events and %d blobs acknowledged so far", round, len(l.events), len(l.blobs))
		l.mu.Unlock()
	}
	p := startRelayer(t, dbURL, schema, blobDir)
	verify(t, p.addr, l)
	files := checkNoPartialBlobs(t, dbURL, schema, blobDir)
	if len(l.events) == 0 || len(l.blobs) == 0 {
		t.Fatalf("the load acknowledged %d events and %d blobs: nothing was tested", len(l.events), len(l.blobs))
	}
	if files < len(l.blobs) {
		t.Fatalf("%d blob files for %d acknowledged blobs", files, len(l.blobs))
	}
	// A graceful stop ends with status 0.
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-p.done; err != nil {
		t.Fatalf("relayer exited with %v after SIGTERM", err)
	}
}

func TestRunFlagsAndEnvironment(t *testing.T) {
	dbURL, schema := pgtest.Schema(t)
	blobDir := t.TempDir()
	// A bad flag value is a clear error and the process exits non-zero.
	cmd := exec.Command(os.Args[0], "run", "--blob-dir", blobDir, "--uploaders", "npub1notakey")
	cmd.Env = append(os.Environ(), "RELAYER_TEST_EXEC=1", "DATABASE_URL="+dbURL)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--uploaders") {
		t.Fatalf("bad --uploaders: err %v, output %s", err, out)
	}
	cmd = exec.Command(os.Args[0], "run", "--blob-dir", blobDir)
	cmd.Env = append(os.Environ(), "RELAYER_TEST_EXEC=1", "DATABASE_URL=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "DATABASE_URL") {
		t.Fatalf("no DATABASE_URL: err %v, output %s", err, out)
	}
	// Settings from the environment: the relay name shows in NIP-11.
	t.Setenv("RELAYER_NAME", "from the environment")
	t.Setenv("RELAYER_MAX_MESSAGE_BYTES", "64KiB")
	p := startRelayer(t, dbURL, schema, blobDir)
	req, _ := http.NewRequest("GET", "http://"+p.addr+"/", nil)
	req.Header.Set("Accept", "application/nostr+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Name       string
		Limitation struct {
			MaxMessageLength int `json:"max_message_length"`
		}
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	if doc.Name != "from the environment" || doc.Limitation.MaxMessageLength != 64<<10 {
		t.Fatalf("NIP-11 %+v: environment not applied", doc)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "512000": 512000, "64K": 64 << 10, "64KiB": 64 << 10, "4GiB": 4 << 30, "1t": 1 << 40, "2MB": 2 << 20} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "-1", "K", "1.5G", "12X", "99999999999T"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
}

func grepMetrics(addr string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "relayer_events") || strings.HasPrefix(l, "relayer_blob_uploads") || strings.HasPrefix(l, "relayer_messages_total") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}

func TestCheckFindsDamage(t *testing.T) {
	dbURL, schema := pgtest.Schema(t)
	blobDir := t.TempDir()
	p := startRelayer(t, dbURL, schema, blobDir)
	k := newKey(t)
	var shas []string
	for i := 0; i < 3; i++ {
		data := make([]byte, 100_000+i)
		rand.Read(data)
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		req, _ := http.NewRequest("PUT", "http://"+p.addr+"/upload", bytes.NewReader(data))
		req.Header.Set("Authorization", k.uploadToken(sha))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("upload: %v %v", resp, err)
		}
		resp.Body.Close()
		shas = append(shas, sha)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done

	check := func(args ...string) (string, error) {
		cmd := exec.Command(os.Args[0], append([]string{"check", "--blob-dir", blobDir, "--schema", schema}, args...)...)
		cmd.Env = append(os.Environ(), "RELAYER_TEST_EXEC=1", "DATABASE_URL="+dbURL)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := check("--rehash"); err != nil || !strings.Contains(out, "3 blobs recorded") || !strings.Contains(out, "ok") {
		t.Fatalf("healthy store: %v\n%s", err, out)
	}
	path := func(sha string) string { return filepath.Join(blobDir, "blobs", sha[:2], sha) }
	// Flip one byte of one blob, remove another, leave strays.
	f, _ := os.OpenFile(path(shas[0]), os.O_RDWR, 0)
	f.WriteAt([]byte{0xff ^ 0x5a}, 500)
	f.Close()
	os.Remove(path(shas[1]))
	os.WriteFile(filepath.Join(blobDir, "tmp", "upload-1.part"), []byte("partial"), 0o600)
	stray := strings.Repeat("ab", 32)
	os.WriteFile(path(stray), []byte("stray"), 0o600)

	out, err := check()
	if err == nil || !strings.Contains(out, "damaged "+shas[1]) || strings.Contains(out, "damaged "+shas[0]) {
		t.Fatalf("without --rehash: want only the missing file reported: %v\n%s", err, out)
	}
	out, err = check("--rehash")
	if err == nil || !strings.Contains(out, "damaged "+shas[0]) || !strings.Contains(out, "damaged "+shas[1]) ||
		!strings.Contains(out, "1 files without metadata, 1 partial uploads") {
		t.Fatalf("with --rehash: %v\n%s", err, out)
	}
	if strings.Contains(out, "damaged "+shas[2]) {
		t.Fatalf("intact blob reported:\n%s", out)
	}
}

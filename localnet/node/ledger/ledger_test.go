package ledger

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

func sampleBlock(height, first uint64, n int) (Block, []*Txn) {
	var txns []*Txn
	for i := 0; i < n; i++ {
		v := first + uint64(i)
		var sender state.Address
		sender[31] = byte(i)
		t := &Txn{
			Version: v, Kind: KindUser, Body: []byte{1, 2, byte(i)},
			Status:  Status{Success: i%2 == 0, Code: 4001, Message: "Executed successfully"},
			GasUsed: 7, Timestamp: 1000 + height, Sender: sender, SequenceNumber: uint64(i),
			Events: []Event{{HasHandle: true, Account: sender, CreationNumber: 2, Sequence: uint64(i), Type: "0x1::m::E", Data: []byte{9}},
				{Type: "0x1::m::F", Data: []byte{}}},
			Writes: []state.Write{{Key: state.ResourceKey(sender, "0x1::m::R"), Value: []byte{byte(i)}},
				{Key: state.TableItemKey(sender, []byte{1}), Delete: true}},
		}
		t.Hash[0] = byte(v)
		t.Hash[1] = byte(v >> 8)
		txns = append(txns, t)
	}
	return Block{Height: height, Timestamp: 1000 + height, FirstVersion: first, LastVersion: first + uint64(n) - 1}, txns
}

func TestLogRoundTripAndIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chain.log")
	log, err := OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(log, func(Block, []*Txn) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	b0, t0 := sampleBlock(0, 0, 1)
	b1, t1 := sampleBlock(1, 1, 3)
	for _, c := range []struct {
		b Block
		t []*Txn
	}{{b0, t0}, {b1, t1}} {
		if err := l.Append(c.b, c.t); err != nil {
			t.Fatal(err)
		}
	}
	// Heights and versions must follow on.
	if err := l.Append(b1, t1); err == nil {
		t.Fatal("appended a block twice")
	}
	l.Close()

	log, _ = OpenLog(path)
	var replayed []*Txn
	l2, err := Open(log, func(b Block, txns []*Txn) error { replayed = append(replayed, txns...); return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if len(replayed) != 4 || !reflect.DeepEqual(replayed[1:], t1) {
		t.Fatalf("replayed %d transactions differ", len(replayed))
	}
	if v, b, _ := l2.Head(); v != 3 || b.Height != 1 {
		t.Fatalf("head %d/%d", v, b.Height)
	}
	if got, ok, err := l2.ByHash(t1[2].Hash); !ok || err != nil || got.Version != 3 {
		t.Fatal("by hash")
	}
	var sender state.Address
	sender[31] = 1
	if txns, n, _ := l2.AccountTxns(sender, 0, 10); n != 1 || txns[0].Version != 2 {
		t.Fatalf("account transactions %d", n)
	}
	if evs, n, _ := l2.HandleEvents(sender, 2, 0, 10); n != 1 || evs[0].Version != 2 {
		t.Fatalf("handle events %d", n)
	}
	if b, ok := l2.BlockByVersion(2); !ok || b.Height != 1 {
		t.Fatal("block by version")
	}
	if _, ok := l2.BlockByVersion(4); ok {
		t.Fatal("block past the head")
	}
}

func TestReplayCutsOnlyATornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chain.log")
	log, _ := OpenLog(path)
	l, _ := Open(log, func(Block, []*Txn) error { return nil })
	b0, t0 := sampleBlock(0, 0, 2)
	if err := l.Append(b0, t0); err != nil {
		t.Fatal(err)
	}
	l.Close()
	good, _ := os.ReadFile(path)
	for name, tail := range map[string][]byte{
		"short header":  {1, 2},
		"short payload": {50, 0, 0, 0, 0, 0, 0, 0, 1},
		"bad checksum":  {1, 0, 0, 0, 0, 0, 0, 0, 7},
	} {
		os.WriteFile(path, append(append([]byte(nil), good...), tail...), 0o644)
		log, _ := OpenLog(path)
		n := 0
		l, err := Open(log, func(_ Block, txns []*Txn) error { n += len(txns); return nil })
		if err != nil || n != 2 {
			t.Fatalf("%s: %v, %d transactions", name, err, n)
		}
		l.Close()
		if st, _ := os.Stat(path); st.Size() != int64(len(good)) {
			t.Fatalf("%s: log is %d bytes after cutting, want %d", name, st.Size(), len(good))
		}
	}
	bad := append([]byte(nil), good...)
	bad[len(logMagic)+10] ^= 1
	os.WriteFile(path, append(bad, good[len(logMagic):]...), 0o644)
	log, _ = OpenLog(path)
	if _, err := Open(log, func(Block, []*Txn) error { return nil }); err == nil {
		t.Fatal("opened a log damaged before its last record")
	}
	os.WriteFile(path, []byte("not a log"), 0o644)
	log, _ = OpenLog(path)
	if _, err := Open(log, func(Block, []*Txn) error { return nil }); err == nil {
		t.Fatal("opened a file that is not a log")
	}
}

func FuzzDecodeBlock(f *testing.F) {
	b, txns := sampleBlock(3, 10, 2)
	payload, _ := encodeBlock(b, txns)
	f.Add(payload)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, p []byte) {
		b, txns, err := decodeBlock(p)
		if err != nil {
			return
		}
		again, err := encodeBlock(b, txns)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := decodeBlock(again); err != nil {
			t.Fatalf("re-encoded block does not decode: %v", err)
		}
	})
}

// With a log, only recent versions stay in memory; older ones read back
// from the log, through every accessor, before and after a restart.
func TestEvictedHistoryReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chain.log")
	log, _ := OpenLog(path)
	l, err := Open(log, func(Block, []*Txn) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	l.Resident = 5
	var all []*Txn
	for h := uint64(0); h < 10; h++ {
		b, txns := sampleBlock(h, h*3, 3)
		for _, tx := range txns {
			tx.Hash[2] = byte(h) // unique per block
		}
		if err := l.Append(b, txns); err != nil {
			t.Fatal(err)
		}
		all = append(all, txns...)
	}
	check := func(l *Ledger, evicting bool) {
		t.Helper()
		resident := 0
		for _, tx := range l.txns {
			if tx != nil {
				resident++
			}
		}
		if evicting && resident > 5+3 {
			t.Fatalf("%d transactions resident, want at most 8", resident)
		}
		for v, want := range all {
			got, ok, err := l.ByVersion(uint64(v))
			if err != nil || !ok || !reflect.DeepEqual(got, want) {
				t.Fatalf("version %d read back as %+v, %v", v, got, err)
			}
			if got, ok, err := l.ByHash(want.Hash); err != nil || !ok || got.Version != uint64(v) {
				t.Fatalf("hash of version %d: %v %v", v, ok, err)
			}
		}
		rng, err := l.Range(0, 30)
		if err != nil || len(rng) != 30 || rng[7].Version != 7 {
			t.Fatalf("range: %d, %v", len(rng), err)
		}
		var sender state.Address
		sender[31] = 2
		txns, n, err := l.AccountTxns(sender, 0, 100)
		if err != nil || n != 10 || txns[0].Version != 2 {
			t.Fatalf("account transactions: %d, %v", n, err)
		}
		evs, n, err := l.HandleEvents(sender, 2, 0, 100)
		if err != nil || n != 10 || evs[0].Version != 2 || evs[9].Version != 29 {
			t.Fatalf("handle events: %d, %v", n, err)
		}
	}
	check(l, true)
	l.Close()
	log, _ = OpenLog(path)
	l2, err := Open(log, func(Block, []*Txn) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	check(l2, false)
}

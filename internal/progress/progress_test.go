package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLines(t *testing.T) {
	var out bytes.Buffer
	l := NewLines(&out, time.Second)
	clock := time.Unix(1000, 0)
	l.now = func() time.Time { return clock }
	l.Start("split", 4<<30)
	l.Add(1 << 30) // before the first interval: silent
	clock = clock.Add(1500 * time.Millisecond)
	l.Add(1 << 29)
	l.Add(1 << 29) // same instant: no second line
	clock = clock.Add(1500 * time.Millisecond)
	l.Start("write", 0) // ends "split"
	l.Finish()          // within one interval: quiet
	l.Finish()          // idempotent
	l.Start("slow", -1)
	clock = clock.Add(5 * time.Second)
	l.Finish()
	got := out.String()
	want := "split: 1.5 GiB / 4.0 GiB (37%), 1.1 GB/s\n" +
		"split: 2.0 GiB in 3s, 715.8 MB/s\n" +
		"slow: 0 B in 5s, 0.0 B/s\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLinesConcurrent(t *testing.T) {
	var out safeBuffer
	l := NewLines(&out, time.Nanosecond)
	l.every = 0 // print every time, and the summary
	l.Start("hash", -1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				l.Add(10)
			}
		})
	}
	wg.Wait()
	l.Finish()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "hash: 78.1 KiB in ") {
		t.Fatalf("last line %q", last)
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestBar(t *testing.T) {
	var out bytes.Buffer
	b := NewBar(&out)
	b.Start("join", 1000)
	b.Add(500)
	b.Add(500)
	b.Finish()
	b.Start("empty", 0)
	b.Finish()
	if !strings.Contains(out.String(), "join") || !strings.Contains(out.String(), "100%") {
		t.Fatalf("bar output %q", out.String())
	}
	// New on a non-terminal writer chooses plain lines.
	if _, ok := New(&out).(*Lines); !ok {
		t.Fatal("New(buffer) should print lines")
	}
	Nop.Start("x", 1)
	Nop.Add(1)
	Nop.Finish()
}

func TestFormat(t *testing.T) {
	cases := map[string]string{
		Bytes(0): "0 B", Bytes(1023): "1023 B", Bytes(1024): "1.0 KiB",
		Bytes(3 << 20): "3.0 MiB", Bytes(5 << 40): "5.0 TiB",
		Rate(0, 0): "- B/s", Rate(500, time.Second): "500.0 B/s", Rate(2e9, time.Second): "2.0 GB/s",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q want %q", got, want)
		}
	}
}

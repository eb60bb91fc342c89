package cm

import (
	"bytes"
	"context"
	"io"
	"testing"
)

func TestSample(t *testing.T) {
	a := bytes.Repeat([]byte{'a'}, 100<<10)
	b := bytes.Repeat([]byte{'b'}, 50<<10)
	c := bytes.Repeat([]byte{'c'}, 200<<10)
	inputs := []io.ReaderAt{bytes.NewReader(a), bytes.NewReader(b), bytes.NewReader(c)}
	sizes := []int64{int64(len(a)), int64(len(b)), int64(len(c))}
	all := append(append(append([]byte{}, a...), b...), c...)
	s, err := Sample(inputs, sizes, 200<<10)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 200<<10 {
		t.Fatalf("sample of %d bytes", len(s))
	}
	// Four blocks of 64 KiB at 0, 1/3, 2/3 and the end, the last short.
	const block = 64 << 10
	for i, off := range []int{0, (len(all) - block) / 3, 2 * (len(all) - block) / 3} {
		if !bytes.Equal(s[i*block:(i+1)*block], all[off:off+block]) {
			t.Fatalf("block %d is not the data at %d", i, off)
		}
	}
	if s[0] != 'a' || s[len(s)-1] != 'c' || !bytes.Contains(s, []byte("ab")) {
		t.Fatal("sample does not span the inputs")
	}
	whole, _ := Sample(inputs, sizes, 1<<30)
	if !bytes.Equal(whole, all) {
		t.Fatal("a sample larger than the data is not the data")
	}
}

func TestSearch(t *testing.T) {
	sample := goSource(t, 10<<20, 48<<10)
	start := DefaultConfig()
	start.Contexts = []Context{Order1, Order2, Order3}
	opt := SearchOptions{Runtime: smallRuntime, Rounds: 1, MaxContexts: 3}
	m, _ := New(start, smallRuntime, nil)
	_, startLen, _ := Encode(context.Background(), m, bytes.NewReader(sample), io.Discard, nil)
	best, n, err := Search(context.Background(), start, sample, opt)
	if err != nil {
		t.Fatal(err)
	}
	if n > startLen || len(best.Contexts) > 3 || best.Validate() != nil {
		t.Fatalf("search returned %+v with %d bytes, start had %d", best, n, startLen)
	}
	if n == startLen {
		t.Fatalf("search found nothing better than %v", start.Contexts)
	}
	again, n2, _ := Search(context.Background(), start, sample, opt)
	if n2 != n || FormatContexts(again.Contexts) != FormatContexts(best.Contexts) || again.MixerRate != best.MixerRate {
		t.Fatal("search is not deterministic")
	}
	t.Logf("%v (%d bytes) -> %v rate %d (%d bytes)", start.Contexts, startLen, best.Contexts, best.MixerRate, n)
}

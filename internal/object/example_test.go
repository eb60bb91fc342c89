package object_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/object"
)

// Split a file into 3 shards of which any 2 rebuild it, lose one, and join.
func Example() {
	dir, _ := os.MkdirTemp("", "shards")
	defer os.RemoveAll(dir)
	shards := object.Dir(dir)
	data := bytes.Repeat([]byte("weights "), 10000)
	ctx := context.Background()

	res, err := object.Split(ctx, bytes.NewReader(data), uint64(len(data)), object.SplitOptions{K: 2, N: 3}, shards)
	if err != nil {
		panic(err)
	}
	m := res.Manifest
	// The manifest's canonical bytes are the content of the manifest event.
	if _, err := object.ParseManifest(m.Encode()); err != nil {
		panic(err)
	}
	os.Remove(shards.Path(m.Shards[0]))

	out, _ := os.CreateTemp(dir, "out")
	defer out.Close()
	jr, err := object.Join(ctx, m, shards, out, object.JoinOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(jr.ObjectID == merkle.SumBytes(data), jr.Used, jr.Bad[0].Reason)
	// Output: true [1 2] missing
}

package object

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
)

// pattern is docs/FORMAT.md's pattern(n): byte i is (7·i + 3) mod 251.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((7*i + 3) % 251)
	}
	return b
}

// vectorRand is the documented randomness of the private vector: data key
// 00..1f, salt a0..af, 40 bytes of 0x01 for the ephemeral key, then 0x02
// bytes for every NIP-44 nonce.
func vectorRand() io.Reader {
	var b []byte
	for i := range 32 {
		b = append(b, byte(i))
	}
	for i := range 16 {
		b = append(b, byte(0xa0+i))
	}
	b = append(b, bytes.Repeat([]byte{1}, 40)...)
	b = append(b, bytes.Repeat([]byte{2}, 32*objcrypt.MaxRecipients)...)
	return bytes.NewReader(b)
}

// The vectors of docs/FORMAT.md. testdata/format_check.py, written from the
// document alone in Python, reproduces every value below.
func TestFormatVectors(t *testing.T) {
	// Public: pattern(20481), k=2, n=3, 4096-byte blocks.
	data := pattern(20481)
	res, store := split(t, data, SplitOptions{K: 2, N: 3, BlockSize: 4096})
	want := `{"version":1,"id":"7319b65f164a51c3a1b4297f9ac8a89426ade90f6cdec04b688a0f3c3625e847","size":20481,` +
		`"coding":{"scheme":"reed-solomon-gf256","k":2,"n":3,"block_size":4096},"shard_size":10305,"shards":[` +
		`"91b0c418a0bb99db174c85588184fc5cd791e046a7839b4f70dee3b913290df9",` +
		`"d1c673e18ad6de38003e62724c0a0a111b76969f2cfcbb4c89b62d3bfeb8806a",` +
		`"470b27d226d7236620712f523b22da185627860b49cbc55cacced64792c0e381"]}`
	if got := string(res.Manifest.Encode()); got != want {
		t.Errorf("public manifest\n%s\nwant\n%s", got, want)
	}
	hdr := store.get(res.Manifest.Shards[2])[:HeaderSize]
	if got := hex.EncodeToString(hdr); got != "414753480101000000020003000200000000100000000000000000000000500"+"17319b65f164a51c3a1b4297f9ac8a89426ade90f6cdec04b688a0f3c3625e847" {
		t.Errorf("shard 2 header %s", got)
	}
	if got := hex.EncodeToString(store.get(res.Manifest.Shards[2])[HeaderSize : HeaderSize+16]); got != "7f96a58c93aab980a73ec0f9c6cf8ce5" {
		t.Errorf("parity shard starts %s", got)
	}

	// Private: pattern(5000), k=2, n=3, 4096-byte blocks and chunks, the
	// randomness of vectorRand, one recipient.
	rsk, rpk, _ := objcrypt.NewEphemeralKey(bytes.NewReader(bytes.Repeat([]byte{3}, 40)))
	if rsk != "030303030303030306d6ca337f7197b6fff086010eabe2fff332a9c56bdc7f44" || rpk != "36dc597dd1a0c1fe49d2237bdd761004d7a71bd007e5800567d3a7ad8ef18693" {
		t.Fatalf("recipient key %s %s", rsk, rpk)
	}
	priv := pattern(5000)
	res2, store2 := split(t, priv, SplitOptions{K: 2, N: 3, BlockSize: 4096, ChunkSize: 4096, Recipients: []string{rpk}, Rand: vectorRand()})
	want = `{"version":1,"id":"b8e9732e7a177583fbc1e0b45122c2582f00241c65b34c11b82f3135cd5d502a","size":5152,` +
		`"encryption":{"scheme":"aes-256-gcm-chunked","chunk_size":4096,"salt":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",` +
		`"ephemeral_key":"e4f8056521e0da9cfbb85bf7023d45089588c143e7cf4f784ff319cdc9c42385",` +
		`"sealed":"aefb038ca4fd83df45f29116c7f469a3047fd20d4a881ba6c4b9589d8365a0d5c02fff15bab1016e55774a0c5edd4c6e466b3278d5c5e00b",` +
		`"keys":["AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC5ugzXgVxf9rcGFGHRIYV9Wn0opWIi5eLyyVXwLdwYr72WGK1CEwLeEiHnrGCVhog1EmJCd1uCbz5IuFpRV9mHxiagJVNZaGO8QreIJRIoXDZJzgsCK4fJe5OBuIcEIcSYoc="]},` +
		`"coding":{"scheme":"reed-solomon-gf256","k":2,"n":3,"block_size":4096},"shard_size":2640,"shards":[` +
		`"0ca09980acaed054ebc0489739632d4496b2fb42c6c5e770f11a4920a6bfdeaa",` +
		`"21350665dfb73312b57f36d5267192baa389c9778b0ba9e1e1ca018015486dc4",` +
		`"b764e3ffa39ee0a1b483fe1a08ae24b19f94e7c34a9ee5a5471fd60844699b47"]}`
	if got := string(res2.Manifest.Encode()); got != want {
		t.Errorf("private manifest\n%s\nwant\n%s", got, want)
	}
	if res2.ObjectID != merkle.SumBytes(priv) || res2.ObjectID.String() != "464fa1f6d952bdde54daa34a74348210f837ecf7655109c0814490f937cca298" {
		t.Errorf("object id %s", res2.ObjectID)
	}
	k, err := res2.Manifest.DataKey(rsk)
	if err != nil || hex.EncodeToString(k[:]) != "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" {
		t.Fatalf("data key: %v", err)
	}
	var out memFile
	if _, err := Join(context.Background(), res2.Manifest, store2, &out, JoinOptions{Key: &k}); err != nil || !bytes.Equal(out.b, priv) {
		t.Fatalf("join: %v", err)
	}
	if got := hex.EncodeToString(store2.get(res2.Manifest.Shards[0])[:HeaderSize]); got != "4147534801010100000200030000000000001000000000000000000000001420b8e9732e7a177583fbc1e0b45122c2582f00241c65b34c11b82f3135cd5d502a" {
		t.Errorf("private shard 0 header %s", got)
	}
}

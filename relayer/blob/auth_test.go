package blob

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

func token(t testing.TB, tags ...nostr.Tag) (*nostr.Event, string) {
	evt := &nostr.Event{Kind: nostrkind.BlossomAuth, CreatedAt: nostr.Now() - 1, Content: "Upload", Tags: nostr.Tags(tags)}
	if err := evt.Sign(nostr.GeneratePrivateKey()); err != nil {
		t.Fatal(err)
	}
	b, _ := evt.MarshalJSON()
	return evt, "Nostr " + base64.RawURLEncoding.EncodeToString(b)
}

func TestCheckToken(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	other := strings.Repeat("cd", 32)
	exp := nostr.Tag{"expiration", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}
	now := time.Now()
	cases := []struct {
		name     string
		tags     []nostr.Tag
		verb     string
		sha      string
		requireX bool
		status   int // 0: accepted
	}{
		{"upload with x", []nostr.Tag{{"t", "upload"}, {"x", sha}, exp}, VerbUpload, sha, true, 0},
		{"x checked later", []nostr.Tag{{"t", "upload"}, {"x", other}, exp}, VerbUpload, "", true, 0},
		{"one of several x", []nostr.Tag{{"t", "upload"}, {"x", other}, {"x", sha}, exp}, VerbUpload, sha, true, 0},
		{"server scope matches", []nostr.Tag{{"t", "upload"}, {"x", sha}, {"server", "CDN.example.com"}, exp}, VerbUpload, sha, true, 0},
		{"list without x", []nostr.Tag{{"t", "list"}, exp}, VerbList, "", false, 0},
		{"x mismatch", []nostr.Tag{{"t", "upload"}, {"x", other}, exp}, VerbUpload, sha, true, http.StatusForbidden},
		{"x missing", []nostr.Tag{{"t", "upload"}, exp}, VerbUpload, sha, true, http.StatusUnauthorized},
		{"wrong verb", []nostr.Tag{{"t", "get"}, {"x", sha}, exp}, VerbUpload, sha, true, http.StatusUnauthorized},
		{"no expiration", []nostr.Tag{{"t", "upload"}, {"x", sha}}, VerbUpload, sha, true, http.StatusUnauthorized},
		{"expired", []nostr.Tag{{"t", "upload"}, {"x", sha}, {"expiration", strconv.FormatInt(now.Unix()-1, 10)}}, VerbUpload, sha, true, http.StatusUnauthorized},
		{"bad expiration", []nostr.Tag{{"t", "upload"}, {"x", sha}, {"expiration", "soon"}}, VerbUpload, sha, true, http.StatusUnauthorized},
		{"other server", []nostr.Tag{{"t", "upload"}, {"x", sha}, {"server", "other.example"}, exp}, VerbUpload, sha, true, http.StatusForbidden},
	}
	for _, c := range cases {
		evt, _ := token(t, c.tags...)
		err := checkToken(evt, c.verb, "cdn.example.com", c.sha, c.requireX, now)
		status := 0
		if err != nil {
			status = err.(*authError).status
		}
		if status != c.status {
			t.Errorf("%s: status %d (%v), want %d", c.name, status, err, c.status)
		}
	}
	future, _ := token(t, nostr.Tag{"t", "upload"}, exp)
	future.CreatedAt = nostr.Timestamp(now.Add(time.Hour).Unix())
	if err := checkToken(future, VerbUpload, "x", "", false, now); err == nil {
		t.Error("created_at in the future accepted")
	}
}

func TestParseAuthorizationEncodings(t *testing.T) {
	evt, hdr := token(t, nostr.Tag{"t", "upload"})
	b, _ := evt.MarshalJSON()
	for _, h := range []string{
		hdr,
		"Nostr " + base64.StdEncoding.EncodeToString(b),
		"nostr " + base64.URLEncoding.EncodeToString(b),
	} {
		got, err := ParseAuthorization(h)
		if err != nil || got.ID != evt.ID {
			t.Errorf("ParseAuthorization(%.20q...): %v", h, err)
		}
	}
	tampered := *evt
	tampered.Content = "Delete everything"
	tb, _ := tampered.MarshalJSON()
	for _, h := range []string{"", "Nostr", "Basic abc", "Nostr %%%", "Nostr " + base64.StdEncoding.EncodeToString([]byte("[]")),
		"Nostr " + base64.StdEncoding.EncodeToString(tb)} {
		if _, err := ParseAuthorization(h); err == nil {
			t.Errorf("ParseAuthorization(%q) accepted", h)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	_, hdr := token(f, nostr.Tag{"t", "upload"}, nostr.Tag{"x", strings.Repeat("ab", 32)}, nostr.Tag{"expiration", "99999999999"})
	for _, s := range []string{hdr, "", "Nostr ", "Nostr e30", "Nostr W10", "nostr " + strings.Repeat("A", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		evt, err := ParseAuthorization(header)
		if err != nil {
			if _, ok := err.(*authError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if !evt.CheckID() {
			t.Fatal("accepted an event whose id does not match")
		}
		_ = checkToken(evt, VerbUpload, "cdn.example.com", strings.Repeat("ab", 32), true, time.Now())
	})
}

func FuzzParseBlobName(f *testing.F) {
	for _, s := range []string{strings.Repeat("ab", 32), strings.Repeat("AB", 32) + ".PDF", strings.Repeat("ab", 32) + ".", "x", "", strings.Repeat("ab", 32) + ".a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		sha, h, ok := parseBlobName(name)
		if !ok {
			return
		}
		if len(sha) != 32 || len(h) != 64 || !strings.HasPrefix(strings.ToLower(name), h) {
			t.Fatalf("parseBlobName(%q) = %x, %q", name, sha, h)
		}
	})
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/powoc"
	"github.com/agi-nostr/agi-nostr/internal/powoc/cm"
	"github.com/agi-nostr/agi-nostr/internal/powoc/corpus"
)

// runPowoc runs agigit and returns its stdout, stderr and exit status.
func runPowoc(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// TestPowocCommands walks the author's path: init and train models, score
// the validation data into a claim, verify it, and see tampered claims fail
// with exit status 3.
func TestPowocCommands(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	val, err := corpus.Read(corpus.GoRoot(), 0, 120000)
	if err != nil {
		t.Fatal(err)
	}
	train, err := corpus.Read(corpus.GoRoot(), corpus.ValidationSize, 300000)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path("val"), val, 0o644)
	os.WriteFile(path("train1"), train[:150000], 0o644)
	os.WriteFile(path("train2"), train[150000:], 0o644)
	small := []string{"--param", "cm.table_bits=18", "--param", "cm.match_bits=16", "--param", "cm.window_bits=20"}

	mustRun(t, "powoc", "init", "--out", path("base.safetensors"))
	search := []string{"--sample-bytes", "65536", "--rounds", "1"}
	out := mustRun(t, append(append([]string{"powoc", "train", "--data", path("train1"), "--data", path("train2"), "--out", path("m.safetensors")}, small...), search...)...)
	if !strings.Contains(out, "m.safetensors") {
		t.Fatalf("train printed %q", out)
	}
	// Training is deterministic.
	mustRun(t, append(append([]string{"powoc", "train", path("train1"), path("train2"), "--out", path("m2.safetensors")}, small...), search...)...)
	a, _ := os.ReadFile(path("m.safetensors"))
	b, _ := os.ReadFile(path("m2.safetensors"))
	if !bytes.Equal(a, b) {
		t.Fatal("training twice gave different models")
	}
	// Continuing from a model keeps its architecture; without the search a
	// new model keeps the default one.
	mustRun(t, append([]string{"powoc", "train", "--from", path("m.safetensors"), "--data", path("train1"), "--out", path("m3.safetensors")}, small...)...)
	mustRun(t, append([]string{"powoc", "train", "--search=false", "--data", path("train1"), "--out", path("m4.safetensors")}, small...)...)
	for name, want := range map[string]string{"m3.safetensors": path("m.safetensors"), "m4.safetensors": path("base.safetensors")} {
		a, _ := os.ReadFile(path(name))
		b, _ := os.ReadFile(want)
		ma, err := powoc.DecodeCMModel(a)
		if err != nil {
			t.Fatal(err)
		}
		mb, _ := powoc.DecodeCMModel(b)
		if cm.FormatContexts(ma.Config.Contexts) != cm.FormatContexts(mb.Config.Contexts) {
			t.Fatalf("%s has contexts %v, want %v", name, ma.Config.Contexts, mb.Config.Contexts)
		}
	}

	out = mustRun(t, append([]string{"powoc", "score", "--model", path("m.safetensors"), "--parent", path("base.safetensors"),
		"--data", path("val"), "--out", path("c.powoc"), "--json"}, small...)...)
	var scored powoc.Result
	if err := json.Unmarshal([]byte(out), &scored); err != nil {
		t.Fatalf("score --json printed %q: %v", out, err)
	}
	if scored.DataBytes != int64(len(val)) || scored.ModelCostKind != powoc.CostDelta || scored.DescriptionBits != scored.CodeBits+8*scored.ModelCostBytes {
		t.Fatalf("score %+v", scored)
	}

	out = mustRun(t, "powoc", "verify", "--model", path("m.safetensors"), "--parent", path("base.safetensors"),
		"--claim", path("c.powoc"), "--data-id", scored.Data, "--output", path("decoded"), "--json")
	var verified powoc.Result
	if err := json.Unmarshal([]byte(out), &verified); err != nil {
		t.Fatal(err)
	}
	if verified.DescriptionBits != scored.DescriptionBits || verified.CodeBytes != scored.CodeBytes {
		t.Fatalf("verified %+v, scored %+v", verified, scored)
	}
	if got, _ := os.ReadFile(path("decoded")); !bytes.Equal(got, val) {
		t.Fatal("--output does not hold the validation data")
	}
	out = mustRun(t, "powoc", "verify", "--model", path("m.safetensors"), "--parent", path("base.safetensors"),
		"--claim", path("c.powoc"), "--data", path("val"))
	if !strings.Contains(out, "claim verified") || !strings.Contains(out, "description length") {
		t.Fatalf("verify printed %q", out)
	}
	out = mustRun(t, "powoc", "inspect", path("c.powoc"))
	if !strings.Contains(out, scored.Data) || !strings.Contains(out, `"parent"`) {
		t.Fatalf("inspect printed %q", out)
	}

	// Rejections exit with status 3.
	claimBytes, _ := os.ReadFile(path("c.powoc"))
	bad := bytes.Clone(claimBytes)
	bad[len(bad)-10] ^= 0x04
	os.WriteFile(path("bad.powoc"), bad, 0o644)
	rejected := [][]string{
		{"powoc", "verify", "--model", path("m.safetensors"), "--parent", path("base.safetensors"), "--claim", path("bad.powoc")},
		{"powoc", "verify", "--model", path("m3.safetensors"), "--parent", path("base.safetensors"), "--claim", path("c.powoc")},
		{"powoc", "verify", "--model", path("m.safetensors"), "--claim", path("c.powoc")},
		{"powoc", "verify", "--model", path("m.safetensors"), "--parent", path("base.safetensors"), "--claim", path("c.powoc"), "--data", path("train1")},
	}
	for _, args := range rejected {
		_, errOut, code := runPowoc(t, args...)
		if code != exitRejected || !strings.Contains(errOut, "rejected: ") {
			t.Errorf("agigit %s: exit %d, stderr %q; want exit %d", strings.Join(args[2:], " "), code, errOut, exitRejected)
		}
	}
	// Errors that are not about the claim are fatal (128).
	if _, _, code := runPowoc(t, "powoc", "verify", "--model", path("missing"), "--claim", path("c.powoc")); code != 128 {
		t.Fatalf("missing model: exit %d", code)
	}
	if _, _, code := runPowoc(t, "powoc", "score", "--model", path("m.safetensors"), "--data", path("val"), "--out", path("x"), "--param", "cm.table_bits=99"); code == 0 {
		t.Fatal("score accepted table_bits=99")
	}
}

func TestPowocEvaluatorProtocol(t *testing.T) {
	out := mustRun(t, "powoc", "evaluator", "info")
	var info powoc.Info
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Protocol != powoc.ProtocolVersion || info.Name != powoc.CMName || info.Version != powoc.CMVersion || info.Params["cm.table_bits"] == "" {
		t.Fatalf("info %+v", info)
	}
	if _, _, code := runPowoc(t, "powoc", "evaluator", "compress"); code == 0 {
		t.Fatal("unknown protocol command accepted")
	}
	for _, h := range []string{"--help", "-h"} {
		if out := mustRun(t, "powoc", "evaluator", h); !strings.Contains(out, "external evaluator protocol") {
			t.Fatalf("evaluator %s:\n%s", h, out)
		}
	}
}

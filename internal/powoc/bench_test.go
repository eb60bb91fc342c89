package powoc

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/powoc/claim"
	"github.com/agi-nostr/agi-nostr/internal/powoc/cm"
	"github.com/agi-nostr/agi-nostr/internal/powoc/corpus"
)

// The reference benchmark: the first 10 MiB of the Go sources as validation
// data, the next 10 MiB as training data, the default model and memory
// sizes. Baselines (xz -9e, zstd -19) run in the same benchmark on the same
// bytes, and the metrics report our code length as a ratio to theirs.

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchFiles writes the reference sets and the two models once per run.
func benchFiles(b *testing.B) (dir string) {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "powoc-bench")
		if benchErr != nil {
			return
		}
		val, err := corpus.Validation(corpus.GoRoot(), corpus.ValidationSize)
		if err != nil {
			benchErr = err
			return
		}
		train, err := corpus.Training(corpus.GoRoot(), corpus.TrainingSize)
		if err != nil {
			benchErr = err
			return
		}
		os.WriteFile(filepath.Join(benchDir, "validation"), val, 0o644)
		os.WriteFile(filepath.Join(benchDir, "training"), train, 0o644)
		untrained := &CMModel{Config: cm.DefaultConfig(), Params: cm.DefaultParams(cm.DefaultConfig())}
		enc, _ := untrained.Encode()
		os.WriteFile(filepath.Join(benchDir, "untrained.safetensors"), enc, 0o644)
		// As agigit powoc train does by default: fit the architecture to a
		// 1 MiB sample, then train on all of it.
		sample, err := cm.Sample([]io.ReaderAt{bytes.NewReader(train)}, []int64{int64(len(train))}, 1<<20)
		if err != nil {
			benchErr = err
			return
		}
		trained, err := TrainCM(context.Background(), TrainOptions{Config: cm.DefaultConfig(), Runtime: cm.DefaultRuntime(),
			Sample: sample, SearchRounds: 2}, bytes.NewReader(train))
		if err != nil {
			benchErr = err
			return
		}
		enc, _ = trained.Encode()
		benchErr = os.WriteFile(filepath.Join(benchDir, "trained.safetensors"), enc, 0o644)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

// baseline compresses data with an installed compressor and returns the
// output size and the wall time, or ok=false when it is not installed.
func baseline(b *testing.B, data []byte, name string, args ...string) (size int, secs float64, ok bool) {
	if _, err := exec.LookPath(name); err != nil {
		b.Logf("%s not installed: no %s baseline", name, name)
		return 0, 0, false
	}
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(data)
	var out bytes.Buffer
	cmd.Stdout = &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	wall := time.Since(start).Seconds()
	if st := cmd.ProcessState; st != nil && st.UserTime()+st.SystemTime() > 0 {
		b.ReportMetric(float64(len(data))/(st.UserTime()+st.SystemTime()).Seconds()/1e6, name+"-cpu-MB/s")
	}
	return out.Len(), wall, true
}

// reportCPU adds speed per CPU second since cpu0 ("cpu-MB/s"), which a
// shared machine disturbs less than wall-clock MB/s.
func reportCPU(b *testing.B, cpu0 float64, bytesPerOp int64) {
	if secs := processCPU() - cpu0; secs > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/secs/1e6, "cpu-MB/s")
	}
}

func benchScore(b *testing.B, modelName string) {
	dir := benchFiles(b)
	data := filepath.Join(dir, "validation")
	val, _ := os.ReadFile(data)
	model, err := OpenModel(filepath.Join(dir, modelName))
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, modelName+".powoc")
	b.SetBytes(int64(len(val)))
	b.ResetTimer()
	var res *Result
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		res, err = Score(context.Background(), ScoreRequest{Evaluator: CM{}, Model: model, Data: data, Out: out})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportCPU(b, cpu, int64(len(val)))
	b.ReportMetric(float64(res.CodeBytes), "code-bytes")
	b.ReportMetric(res.BitsPerByte, "bits/byte")
	b.ReportMetric(float64(res.DescriptionBits), "description-bits")
	if n, secs, ok := baseline(b, val, "xz", "-9e", "-c"); ok {
		b.ReportMetric(float64(n), "xz-bytes")
		b.ReportMetric(float64(res.CodeBytes)/float64(n), "code/xz")
		b.ReportMetric(float64(len(val))/secs/1e6, "xz-MB/s")
	}
	if n, _, ok := baseline(b, val, "zstd", "-19", "-c"); ok {
		b.ReportMetric(float64(n), "zstd-bytes")
		b.ReportMetric(float64(res.CodeBytes)/float64(n), "code/zstd")
	}
}

// BenchmarkScoreUntrained scores the validation set with the untrained
// model: MB/s is the scoring speed (target at least 1 MB/s on one core),
// code/xz the code length against xz -9e (target below 1).
func BenchmarkScoreUntrained(b *testing.B) { benchScore(b, "untrained.safetensors") }

// BenchmarkScoreTrained scores it with the model trained on the training
// set.
func BenchmarkScoreTrained(b *testing.B) { benchScore(b, "trained.safetensors") }

// BenchmarkVerify decodes the trained model's claim and checks its id.
func BenchmarkVerify(b *testing.B) {
	dir := benchFiles(b)
	model, err := OpenModel(filepath.Join(dir, "trained.safetensors"))
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "verify.powoc")
	if _, err := Score(context.Background(), ScoreRequest{Evaluator: CM{}, Model: model, Data: filepath.Join(dir, "validation"), Out: out}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(corpus.ValidationSize)
	b.ResetTimer()
	cpu := processCPU()
	defer func() { reportCPU(b, cpu, corpus.ValidationSize) }()
	for i := 0; i < b.N; i++ {
		if _, err := Verify(context.Background(), VerifyRequest{Claim: out, Model: model,
			Resolve: func(h *claim.Header) (Evaluator, error) { return Builtin(h.Evaluator, h.EvaluatorVersion) }}); err != nil {
			b.Fatal(err)
		}
	}
}

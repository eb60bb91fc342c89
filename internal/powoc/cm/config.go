package cm

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Context names one hashed context of the model.
type Context uint8

// The contexts a model can use. Each is hashed with the bits of the byte
// being coded into the shared slot table.
const (
	Order0   Context = iota + 1 // nothing: the byte's own bits only
	Order1                      // the last byte
	Order2                      // the last 2 bytes
	Order3                      // the last 3 bytes
	Order4                      // the last 4 bytes
	Order5                      // the last 5 bytes
	Order6                      // the last 6 bytes
	Order8                      // the last 8 bytes
	Word                        // the identifier being written and the byte before it
	WordPair                    // the identifier being written and the one before it
	Indent                      // the line's indentation, its first byte and the last byte
	Sparse                      // the second and third bytes back
	numContextKinds
)

var contextNames = [numContextKinds]string{
	Order0: "o0", Order1: "o1", Order2: "o2", Order3: "o3", Order4: "o4",
	Order5: "o5", Order6: "o6", Order8: "o8", Word: "word", WordPair: "wordpair",
	Indent: "indent", Sparse: "sparse",
}

func (c Context) String() string {
	if c > 0 && c < numContextKinds {
		return contextNames[c]
	}
	return fmt.Sprintf("context(%d)", uint8(c))
}

// ParseContexts reads a comma-separated list of context names.
func ParseContexts(s string) ([]Context, error) {
	var out []Context
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		found := false
		for k := Context(1); k < numContextKinds; k++ {
			if contextNames[k] == f {
				out = append(out, k)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown context %q (known: %s)", f, strings.Join(contextNames[1:], ", "))
		}
	}
	return out, nil
}

// FormatContexts writes contexts as ParseContexts reads them.
func FormatContexts(cs []Context) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// Config is the architecture of a model, stored in its file: which contexts
// it uses and how fast its parts adapt. It fixes the shapes of the learned
// tensors.
type Config struct {
	Contexts  []Context // hashed contexts, in mixer input order
	MatchMin  int       // bytes a match must share before it predicts
	FastMin   int       // match length from which the match alone predicts (0: never)
	MixerRate int32     // mixer learning rate
	SMLimit   uint32    // stateMap update count at which the step stops shrinking
	APMRate   uint      // apm adaptation shift
}

// DefaultConfig is the reference architecture.
func DefaultConfig() Config {
	return Config{
		Contexts:  []Context{Order0, Order1, Order2, Order3, Order4, Order6, Word, WordPair},
		MatchMin:  6,
		FastMin:   128,
		MixerRate: 3,
		SMLimit:   1023,
		APMRate:   7,
	}
}

// Validate checks that the configuration can be built.
func (c Config) Validate() error {
	if len(c.Contexts) == 0 || len(c.Contexts) > maxContexts {
		return fmt.Errorf("cm: %d contexts, want 1 to %d", len(c.Contexts), maxContexts)
	}
	seen := map[Context]bool{}
	for _, k := range c.Contexts {
		if k == 0 || k >= numContextKinds {
			return fmt.Errorf("cm: unknown context %d", uint8(k))
		}
		if seen[k] {
			return fmt.Errorf("cm: context %s listed twice", k)
		}
		seen[k] = true
	}
	if c.MatchMin < 2 || c.MatchMin > 8 {
		return fmt.Errorf("cm: match_min %d, want 2 to 8", c.MatchMin)
	}
	if c.FastMin != 0 && (c.FastMin < 8 || c.FastMin > maxMatchLen) {
		return fmt.Errorf("cm: fast_min %d, want 0 or 8 to %d", c.FastMin, maxMatchLen)
	}
	if c.MixerRate < 1 || c.MixerRate > 64 {
		return fmt.Errorf("cm: mixer_rate %d, want 1 to 64", c.MixerRate)
	}
	if c.SMLimit < 1 || c.SMLimit > 1023 {
		return fmt.Errorf("cm: sm_limit %d, want 1 to 1023", c.SMLimit)
	}
	if c.APMRate < 1 || c.APMRate > 15 {
		return fmt.Errorf("cm: apm_rate %d, want 1 to 15", c.APMRate)
	}
	return nil
}

// Metadata keys of a model file's architecture.
const (
	KeyContexts  = "cm.contexts"
	KeyMatchMin  = "cm.match_min"
	KeyFastMin   = "cm.fast_min"
	KeyMixerRate = "cm.mixer_rate"
	KeySMLimit   = "cm.sm_limit"
	KeyAPMRate   = "cm.apm_rate"
)

// Metadata returns the architecture as safetensors metadata.
func (c Config) Metadata() map[string]string {
	return map[string]string{
		KeyContexts:  FormatContexts(c.Contexts),
		KeyMatchMin:  strconv.Itoa(c.MatchMin),
		KeyFastMin:   strconv.Itoa(c.FastMin),
		KeyMixerRate: strconv.Itoa(int(c.MixerRate)),
		KeySMLimit:   strconv.Itoa(int(c.SMLimit)),
		KeyAPMRate:   strconv.Itoa(int(c.APMRate)),
	}
}

// ConfigFromMetadata reads the architecture written by Metadata.
func ConfigFromMetadata(md map[string]string) (Config, error) {
	var c Config
	s, ok := md[KeyContexts]
	if !ok {
		return c, fmt.Errorf("cm: model metadata lacks %s", KeyContexts)
	}
	cs, err := ParseContexts(s)
	if err != nil {
		return c, fmt.Errorf("cm: %s: %w", KeyContexts, err)
	}
	c.Contexts = cs
	ints := []struct {
		key string
		set func(int)
	}{
		{KeyMatchMin, func(v int) { c.MatchMin = v }},
		{KeyFastMin, func(v int) { c.FastMin = v }},
		{KeyMixerRate, func(v int) { c.MixerRate = int32(v) }},
		{KeySMLimit, func(v int) { c.SMLimit = uint32(v) }},
		{KeyAPMRate, func(v int) { c.APMRate = uint(v) }},
	}
	for _, f := range ints {
		s, ok := md[f.key]
		if !ok {
			return c, fmt.Errorf("cm: model metadata lacks %s", f.key)
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > 1<<20 || strconv.Itoa(v) != s {
			return c, fmt.Errorf("cm: %s = %q is not a small decimal integer", f.key, s)
		}
		f.set(v)
	}
	return c, c.Validate()
}

// Runtime holds the memory sizes of a model instance. They change the code
// (larger tables forget less), so a claim records them and a verifier uses
// the same; they do not change the model file.
type Runtime struct {
	TableBits  int // log2 bytes of the slot table shared by the hashed contexts
	MatchBits  int // log2 entries of the match index
	WindowBits int // log2 bytes of history the match model can point into
}

// DefaultRuntime sizes a model for validation sets of tens of megabytes:
// about 100 MB of memory.
func DefaultRuntime() Runtime {
	return Runtime{TableBits: 24, MatchBits: 22, WindowBits: 24}
}

// Runtime limits: a verifier refuses claims asking for more memory.
const (
	MinTableBits, MaxTableBits   = 12, 30
	MinMatchBits, MaxMatchBits   = 8, 28
	MinWindowBits, MaxWindowBits = 12, 30
)

// Validate checks the sizes against the limits.
func (r Runtime) Validate() error {
	if r.TableBits < MinTableBits || r.TableBits > MaxTableBits {
		return fmt.Errorf("cm: table_bits %d, want %d to %d", r.TableBits, MinTableBits, MaxTableBits)
	}
	if r.MatchBits < MinMatchBits || r.MatchBits > MaxMatchBits {
		return fmt.Errorf("cm: match_bits %d, want %d to %d", r.MatchBits, MinMatchBits, MaxMatchBits)
	}
	if r.WindowBits < MinWindowBits || r.WindowBits > MaxWindowBits {
		return fmt.Errorf("cm: window_bits %d, want %d to %d", r.WindowBits, MinWindowBits, MaxWindowBits)
	}
	return nil
}

// Memory is the approximate number of bytes a model instance allocates.
func (r Runtime) Memory() int64 {
	return 1<<r.TableBits + 4<<r.MatchBits + 1<<r.WindowBits + apm1Contexts*33*2
}

// Runtime parameter names as they appear in a claim.
const (
	ParamTableBits  = "cm.table_bits"
	ParamMatchBits  = "cm.match_bits"
	ParamWindowBits = "cm.window_bits"
)

// Params returns the runtime as claim parameters.
func (r Runtime) Params() map[string]string {
	return map[string]string{
		ParamTableBits:  strconv.Itoa(r.TableBits),
		ParamMatchBits:  strconv.Itoa(r.MatchBits),
		ParamWindowBits: strconv.Itoa(r.WindowBits),
	}
}

// RuntimeFromParams reads claim parameters; every key must be known and
// present.
func RuntimeFromParams(p map[string]string) (Runtime, error) {
	var r Runtime
	fields := map[string]*int{ParamTableBits: &r.TableBits, ParamMatchBits: &r.MatchBits, ParamWindowBits: &r.WindowBits}
	for _, k := range slices.Sorted(maps.Keys(p)) {
		v := p[k]
		dst, ok := fields[k]
		if !ok {
			return r, fmt.Errorf("cm: unknown parameter %q", k)
		}
		n, err := strconv.Atoi(v)
		if err != nil || strconv.Itoa(n) != v {
			return r, fmt.Errorf("cm: parameter %s = %q is not a decimal integer", k, v)
		}
		*dst = n
	}
	for _, k := range []string{ParamTableBits, ParamMatchBits, ParamWindowBits} {
		if _, ok := p[k]; !ok {
			return r, fmt.Errorf("cm: claim lacks parameter %s", k)
		}
	}
	return r, r.Validate()
}

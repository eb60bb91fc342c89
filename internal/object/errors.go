package object

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrWrongID is Split's error when SplitOptions.ID names another id than
// the bytes have.
var ErrWrongID = errors.New("the bytes do not have the expected object id")

// ShardProblem says why a shard could not be used.
type ShardProblem struct {
	Index  int
	Hash   Hash
	Reason string
}

func (p ShardProblem) String() string {
	return fmt.Sprintf("shard %d (%s…): %s", p.Index, hex.EncodeToString(p.Hash[:4]), p.Reason)
}

// Reasons a shard is unusable.
const (
	ReasonMissing   = "missing"
	ReasonCorrupt   = "corrupt (sha256 does not match the manifest)"
	ReasonHeader    = "corrupt (header does not match the manifest)"
	ReasonTruncated = "corrupt (too short)"
)

// NotEnoughShardsError reports that fewer than k usable shards remain, and
// names every shard that is missing or corrupt.
type NotEnoughShardsError struct {
	K, N   int
	Usable []int
	Bad    []ShardProblem
}

func (e *NotEnoughShardsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "need %d of %d shards but only %d are usable", e.K, e.N, len(e.Usable))
	if len(e.Usable) > 0 {
		fmt.Fprintf(&b, " (%s)", indexList(e.Usable))
	}
	for i, p := range e.Bad {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

func indexList(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// problems lists a problem map in index order.
func problems(m map[int]ShardProblem) []ShardProblem {
	out := make([]ShardProblem, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

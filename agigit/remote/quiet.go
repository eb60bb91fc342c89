package remote

import (
	"sync/atomic"

	"github.com/agi-nostr/agi-nostr/internal/progress"
)

// quietThreshold is the smallest stage worth reporting: below it a
// transfer is over before a progress line could help.
const quietThreshold = 16 << 20

// quiet forwards only the stages of at least quietThreshold bytes, so that
// a repository of many small files does not print a line per file.
// Small objects move several at a time (forObjects) and all fall below the
// threshold, so only one large stage runs at a time; on is atomic all the
// same.
type quiet struct {
	to progress.Reporter
	on atomic.Bool
}

func (q *quiet) Start(stage string, total int64) {
	on := total < 0 || total >= quietThreshold
	q.on.Store(on)
	if on {
		q.to.Start(stage, total)
	}
}

func (q *quiet) Add(n int64) {
	if q.on.Load() {
		q.to.Add(n)
	}
}

func (q *quiet) Finish() {
	if q.on.Load() {
		q.to.Finish()
	}
}

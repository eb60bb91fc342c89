package remote

import "github.com/agi-nostr/agi-nostr/internal/progress"

// quietThreshold is the smallest stage worth reporting: below it a
// transfer is over before a progress line could help.
const quietThreshold = 16 << 20

// quiet forwards only the stages of at least quietThreshold bytes, so that
// a repository of many small files does not print a line per file.
type quiet struct {
	to progress.Reporter
	on bool
}

func (q *quiet) Start(stage string, total int64) {
	q.on = total < 0 || total >= quietThreshold
	if q.on {
		q.to.Start(stage, total)
	}
}

func (q *quiet) Add(n int64) {
	if q.on {
		q.to.Add(n)
	}
}

func (q *quiet) Finish() {
	if q.on {
		q.to.Finish()
	}
}

// Package progress reports how far long operations (hashing, splitting,
// joining, transfers) have got: a progress bar when the output is a
// terminal, and plain, timestamp-free lines at a steady pace otherwise, so
// logs and CI output stay readable.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Reporter receives the progress of an operation made of stages. Add may be
// called from many goroutines at once.
type Reporter interface {
	// Start begins a stage of total bytes (negative when unknown), ending
	// the previous one.
	Start(stage string, total int64)
	// Add records n more bytes done in the current stage.
	Add(n int64)
	// Finish ends the current stage.
	Finish()
}

// Nop discards progress.
var Nop Reporter = nop{}

type nop struct{}

func (nop) Start(string, int64) {}
func (nop) Add(int64)           {}
func (nop) Finish()             {}

// New reports to w: a bar if w is a terminal, lines every two seconds
// otherwise.
func New(w io.Writer) Reporter {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return NewBar(w)
	}
	return NewLines(w, 2*time.Second)
}

// Bar draws a progress bar with bytes, rate and time left.
type Bar struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// NewBar returns a Reporter drawing a bar on w.
func NewBar(w io.Writer) *Bar { return &Bar{w: w} }

// Start implements Reporter.
func (b *Bar) Start(stage string, total int64) {
	b.Finish()
	if total == 0 {
		total = -1 // the bar library rejects a zero maximum
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(stage),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }),
	)
	b.mu.Lock()
	b.bar = bar
	b.mu.Unlock()
}

// Add implements Reporter.
func (b *Bar) Add(n int64) {
	b.mu.Lock()
	bar := b.bar
	b.mu.Unlock()
	if bar != nil {
		_ = bar.Add64(n)
	}
}

// Finish implements Reporter.
func (b *Bar) Finish() {
	b.mu.Lock()
	bar := b.bar
	b.bar = nil
	b.mu.Unlock()
	if bar != nil {
		_ = bar.Finish()
	}
}

// Lines prints one line per interval while a stage runs and one when it
// ends, e.g.
//
//	split: 1.5 GiB / 4.0 GiB (37%), 1.2 GB/s
//	split: 4.0 GiB in 3.3s, 1.3 GB/s
//
// A stage that ends within one interval prints nothing: short work stays
// quiet.
type Lines struct {
	w     io.Writer
	every time.Duration
	now   func() time.Time

	mu    sync.Mutex // serialises Start, Finish and printing
	stage string
	total int64
	start time.Time
	done  atomic.Int64
	next  atomic.Int64 // unix nanos of the next progress line
	open  bool
}

// NewLines returns a Reporter printing a line on w at most every interval.
func NewLines(w io.Writer, every time.Duration) *Lines {
	return &Lines{w: w, every: every, now: time.Now}
}

// Start implements Reporter.
func (l *Lines) Start(stage string, total int64) {
	l.Finish()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stage, l.total, l.open = stage, total, true
	l.start = l.now()
	l.done.Store(0)
	l.next.Store(l.start.Add(l.every).UnixNano())
}

// Add implements Reporter.
func (l *Lines) Add(n int64) {
	done := l.done.Add(n)
	next := l.next.Load()
	now := l.now()
	if now.UnixNano() < next || !l.next.CompareAndSwap(next, now.Add(l.every).UnixNano()) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.open {
		return
	}
	rate := Rate(done, now.Sub(l.start))
	if l.total > 0 {
		fmt.Fprintf(l.w, "%s: %s / %s (%d%%), %s\n", l.stage, Bytes(done), Bytes(l.total), done*100/l.total, rate)
	} else {
		fmt.Fprintf(l.w, "%s: %s, %s\n", l.stage, Bytes(done), rate)
	}
}

// Finish implements Reporter.
func (l *Lines) Finish() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.open {
		return
	}
	l.open = false
	elapsed := l.now().Sub(l.start)
	if elapsed < l.every {
		return
	}
	done := l.done.Load()
	fmt.Fprintf(l.w, "%s: %s in %s, %s\n", l.stage, Bytes(done), elapsed.Round(time.Millisecond), Rate(done, elapsed))
}

// Bytes formats a byte count with binary units: "1.5 GiB", "512 B".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Rate formats a throughput in decimal units per second: "1.3 GB/s".
func Rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "- B/s"
	}
	v := float64(n) / d.Seconds()
	for _, u := range []string{"B/s", "kB/s", "MB/s", "GB/s"} {
		if v < 1000 || u == "GB/s" {
			return fmt.Sprintf("%.1f %s", v, u)
		}
		v /= 1000
	}
	return ""
}

//go:build unix

package powoc

import "syscall"

// processCPU returns the CPU time this process has used, in seconds, or 0
// where it cannot be read. Benchmarks report speed per CPU second next to
// wall-clock speed, since the machines they run on are often shared.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

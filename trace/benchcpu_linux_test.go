//go:build linux

package trace

import (
	"syscall"
	"time"
)

// threadCPUTime is the CPU time the calling OS thread has used (user +
// system), or 0 when it cannot be read. Benchmarks lock their goroutine to
// its thread and report the difference as cpu-ns/op: on a loaded machine,
// wall-clock time counts the time other processes had the core, CPU time
// does not.
func threadCPUTime() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build linux

package trace

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPUTime is the CPU time the calling OS thread has used
// (clock_gettime CLOCK_THREAD_CPUTIME_ID), or 0 when it cannot be read.
// Benchmarks lock their goroutine to its thread and report the difference
// as cpu-ns/op: on a loaded machine, wall-clock time counts the time other
// processes had the core, CPU time does not.
func threadCPUTime() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

//go:build linux

// Package cputime reads the CPU time of the calling OS thread, for
// benchmarks on a shared machine: they lock their goroutine to its thread
// and report the difference as cpu-ns/op, since wall-clock time also
// counts the time other processes had the core and CPU time does not.
package cputime

import (
	"syscall"
	"time"
	"unsafe"
)

// Thread is the CPU time the calling OS thread has used
// (clock_gettime CLOCK_THREAD_CPUTIME_ID), or 0 when it cannot be read.
func Thread() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

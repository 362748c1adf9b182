//go:build !linux

// Package cputime reads the CPU time of the calling OS thread, for
// benchmarks on a shared machine (Linux only; elsewhere 0: not measured).
package cputime

import "time"

// Thread is 0 off Linux: the thread CPU clock is not read there.
func Thread() time.Duration { return 0 }

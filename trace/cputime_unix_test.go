//go:build unix

package trace

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time (user + system) the process has used, all
// threads: on a loaded machine it counts only the time the process ran, not
// the time it waited for a core.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

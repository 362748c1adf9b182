//go:build !linux

package kernels

import "time"

// threadCPUTime is not measured off Linux (see the Linux version).
func threadCPUTime() time.Duration { return 0 }

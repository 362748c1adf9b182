//go:build !linux

package trace

import "time"

// threadCPUTime is not measured off Linux (see the Linux version).
func threadCPUTime() time.Duration { return 0 }

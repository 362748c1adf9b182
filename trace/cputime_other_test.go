//go:build !unix

package trace

import "time"

// processCPUTime is not measured outside unix systems.
func processCPUTime() (time.Duration, bool) { return 0, false }

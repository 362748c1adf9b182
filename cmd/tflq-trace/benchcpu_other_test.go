//go:build !unix

package main

import "time"

// processCPUTime is not measured off Unix systems.
func processCPUTime() time.Duration { return 0 }

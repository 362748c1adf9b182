// Package sharedtest locates the third-party test material (real models,
// TFLite-Micro goldens, the opzoo) that tests read from $TFLQ_SHARED,
// default ../shared next to the repository root. Nothing from there is ever
// copied into the repository.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder, or skips the test loudly when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	d, ok := Lookup()
	if !ok {
		t.Skipf("SKIPPED: shared test data not found at %q — set TFLQ_SHARED to the shared folder (.ci/run does) to run the conformance tests", d)
	}
	return d
}

// Lookup returns the shared folder and whether it exists.
func Lookup() (string, bool) {
	d := os.Getenv("TFLQ_SHARED")
	if d == "" {
		d = filepath.Join(repoRoot(), "..", "shared")
	}
	d, _ = filepath.Abs(d)
	fi, err := os.Stat(d)
	return d, err == nil && fi.IsDir()
}

func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}

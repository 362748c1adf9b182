package main

import (
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
)

// BenchmarkCompareFourRuntimes is issue 11's speed criterion: `compare` of
// person_detect under the four runtimes (load once, four interpreters, the
// layer-by-layer diff, the table) against four `run`s of it, one per
// runtime (each loading the model, invoking, printing the outputs). The
// compare sub-benchmark must be no slower than four-runs. Besides wall time
// each reports cpu-ns/op (user + system CPU of the process per operation),
// the figure to compare on a loaded machine, where wall time is noise.
func BenchmarkCompareFourRuntimes(b *testing.B) {
	shared, ok := sharedtest.Lookup()
	if !ok {
		b.Skip("SKIPPED: no shared data (TFLQ_SHARED)")
	}
	model := filepath.Join(shared, "models", "person_detect_int8.tflite")
	input := filepath.Join(shared, "conformance", "person_detect_int8", "doc0", "input0.bin")
	runtimes := []string{"tflm", "tflm-single", "tflite-ref", "tflite-xnnpack"}
	cli := func(b *testing.B, args ...string) {
		var errb strings.Builder
		if code := run(args, strings.NewReader(""), io.Discard, &errb); code != 0 {
			b.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
	b.Run("compare", func(b *testing.B) {
		start := cpuTime(b)
		for range b.N {
			cli(b, "compare", model, "--input", input, "--runtimes", strings.Join(runtimes, ","))
		}
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
	})
	b.Run("four-runs", func(b *testing.B) {
		start := cpuTime(b)
		for range b.N {
			for _, rt := range runtimes {
				cli(b, "run", model, "--input", input, "--runtime", rt)
			}
		}
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
	})
}

// cpuTime is the process's user + system CPU time so far, in nanoseconds.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

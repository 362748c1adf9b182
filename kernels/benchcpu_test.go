package kernels

import (
	"runtime"
	"testing"

	"github.com/tflq/tflq-trace/internal/cputime"
)

// benchEval times k.Eval, reporting allocations and, where the thread's
// CPU time can be read, cpu-ns/op (which a loaded machine does not inflate
// as it does wall-clock ns/op).
func benchEval(b *testing.B, k Kernel) {
	b.Helper()
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	start := cputime.Thread()
	for b.Loop() {
		if err := k.Eval(); err != nil {
			b.Fatal(err)
		}
	}
	if end := cputime.Thread(); start > 0 && end > start {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

package trace

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/tflq/tflq-trace/internal/cputime"
	"github.com/tflq/tflq-trace/internal/sharedtest"
)

func lookupShared() (string, bool) { return sharedtest.Lookup() }

// BenchmarkInvoke times one untraced Invoke of the real models that
// docs/performance.md compares with TFLite-Micro's reference build and
// TFLite+XNNPACK (tools/bench/run.sh runs all three). Besides ns/op (wall
// clock) it reports cpu-ns/op, the benchmark thread's CPU time per invoke
// (locked to its OS thread; CLOCK_THREAD_CPUTIME_ID on Linux), which a
// loaded machine inflates much less, and MMAC/op, the model's
// multiply-accumulates (modelMACs), from which the document derives G MAC/s.
func BenchmarkInvoke(b *testing.B) {
	shared, ok := lookupShared()
	if !ok {
		b.Skip("SKIPPED: no shared data (TFLQ_SHARED)")
	}
	for _, name := range []string{"person_detect_int8", "id_model_int8", "ic_resnet_cifar10_int8", "kws_dscnn_int8", "kws_dscnn_int16x8"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join(shared, "models", name+".tflite"))
			if err != nil {
				b.Fatal(err)
			}
			ip := mustInterpreter(b, data)
			macs := modelMACs(ip.model)
			cases, _ := filepath.Glob(filepath.Join(shared, "conformance", name, "*", "input0.bin"))
			if len(cases) > 0 {
				in, _ := os.ReadFile(cases[0])
				if err := ip.SetInput(0, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ResetTimer()
			cpu := cputime.Thread()
			for range b.N {
				if err := ip.Invoke(); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(macs)/1e6, "MMAC/op")
		})
	}
}

// reportCPU reports the CPU time per operation the benchmark's thread used
// since start (threadCPUTime), as cpu-ns/op, where it can be measured.
func reportCPU(b *testing.B, start time.Duration) {
	if end := cputime.Thread(); start > 0 && end > start {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkInvokeByOperator runs Invoke's operators one at a time on
// person_detect and id_model and reports, per builtin operator, the thread
// CPU time its nodes take per Invoke (e.g. CONV_2D-cpu-ns/op), where it
// can be measured: where an Invoke's time goes.
func BenchmarkInvokeByOperator(b *testing.B) {
	shared, ok := lookupShared()
	if !ok {
		b.Skip("SKIPPED: no shared data (TFLQ_SHARED)")
	}
	for _, name := range []string{"person_detect_int8", "id_model_int8"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join(shared, "models", name+".tflite"))
			if err != nil {
				b.Fatal(err)
			}
			ip := mustInterpreter(b, data)
			if cputime.Thread() == 0 {
				b.Skip("SKIPPED: no thread CPU clock here")
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			spent := map[string]time.Duration{}
			b.ResetTimer()
			for range b.N {
				for i := range ip.ops {
					op := &ip.ops[i]
					start := cputime.Thread()
					if err := op.Kernel.Eval(); err != nil {
						b.Fatal(err)
					}
					spent[op.Name] += cputime.Thread() - start
				}
			}
			for name, d := range spent {
				b.ReportMetric(float64(d)/float64(b.N), name+"-cpu-ns/op")
			}
		})
	}
}

package trace

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/tflite"
)

func lookupShared() (string, bool) { return sharedtest.Lookup() }

func mustInterpreter(tb testing.TB, data []byte) *Interpreter {
	tb.Helper()
	m, err := tflite.Read(data)
	if err != nil {
		tb.Fatal(err)
	}
	ip, err := New(m, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ip
}

// BenchmarkInvoke times one untraced Invoke of the real models that the
// issue compares with TFLite-Micro's reference build (person_detect ≈ 25 ms,
// id_model ≈ 56 ms, ic_resnet_cifar10 ≈ 41 ms, kws_dscnn ≈ 9 ms there).
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
			cpu := threadCPUTime()
			for range b.N {
				if err := ip.Invoke(); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// reportCPU reports the CPU time per operation the benchmark's thread used
// since start (threadCPUTime), as cpu-ns/op, where it can be measured.
func reportCPU(b *testing.B, start time.Duration) {
	if end := threadCPUTime(); start > 0 && end > start {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

package trace

import (
	"os"
	"path/filepath"
	"testing"

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

// BenchmarkInvoke times one untraced Invoke of the real models that
// docs/performance.md compares with TFLite-Micro's reference build and
// TFLite+XNNPACK (tools/bench/run.sh runs all three). Besides ns/op (wall
// clock) it reports cpu-ns/op, the process CPU time per invoke, which a
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
			b.ResetTimer()
			cpu0, cpuOK := processCPUTime()
			for range b.N {
				if err := ip.Invoke(); err != nil {
					b.Fatal(err)
				}
			}
			cpu1, _ := processCPUTime()
			b.StopTimer()
			if cpuOK {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
			b.ReportMetric(float64(macs)/1e6, "MMAC/op")
		})
	}
}

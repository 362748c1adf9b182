package trace

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/samples"
	"github.com/tflq/tflq-trace/tflite"
)

// Test set-up shared by the package's tests: reading the bundled samples
// and the shared models, making interpreters, feeding conformance-case
// inputs.

// readModel parses a model file's bytes.
func readModel(tb testing.TB, data []byte) *tflite.Model {
	tb.Helper()
	m, err := tflite.Read(data)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// sampleModel is the bundled sample model name (package samples).
func sampleModel(tb testing.TB, name string) *tflite.Model {
	tb.Helper()
	data, err := samples.Model(name)
	if err != nil {
		tb.Fatal(err)
	}
	return readModel(tb, data)
}

// sharedModel is $TFLQ_SHARED/models/<name>.tflite (dir is the shared
// folder).
func sharedModel(tb testing.TB, dir, name string) *tflite.Model {
	tb.Helper()
	m, err := tflite.ReadFile(filepath.Join(dir, "models", name+".tflite"))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// builtModelOf is the model b built.
func builtModelOf(tb testing.TB, b *tflite.ModelBuilder) *tflite.Model {
	tb.Helper()
	m, err := b.Model()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// newInterpreter prepares m with opt.
func newInterpreter(tb testing.TB, m *tflite.Model, opt Options) *Interpreter {
	tb.Helper()
	ip, err := New(m, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return ip
}

// mustInterpreter prepares the model in data under the default runtime.
func mustInterpreter(tb testing.TB, data []byte) *Interpreter {
	tb.Helper()
	return newInterpreter(tb, readModel(tb, data), Options{})
}

// mustInvoke runs ip once.
func mustInvoke(tb testing.TB, ip *Interpreter) {
	tb.Helper()
	if err := ip.Invoke(); err != nil {
		tb.Fatal(err)
	}
}

// invokeUntilRuntimeCheck invokes ip (prepared under rt) on fuzzed data: ok
// is false when a run-time check stops it (kernels.ErrRuntime), as it may;
// any other error fails the test.
func invokeUntilRuntimeCheck(t *testing.T, ip *Interpreter, rt kernels.Runtime) bool {
	t.Helper()
	if err := ip.Invoke(); err != nil {
		if !errors.Is(err, kernels.ErrRuntime) {
			t.Fatalf("invoke under %v: %v (not a run-time check)", rt, err)
		}
		return false
	}
	return true
}

// setCaseInputs sets every graph input k of ip from dir/input<k>.bin, the
// input files of a conformance case.
func setCaseInputs(tb testing.TB, ip *Interpreter, dir string) {
	tb.Helper()
	for k := range ip.Graph().Inputs {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("input%d.bin", k)))
		if err != nil {
			tb.Fatal(err)
		}
		if err := ip.SetInput(k, data); err != nil {
			tb.Fatal(err)
		}
	}
}

// patternSampleRun runs the bundled sample name under the default runtime
// on a deterministic input pattern: byte i·13 mod 256, or (i mod 256)/255
// for a float32 input.
func patternSampleRun(t *testing.T, name string) *Interpreter {
	t.Helper()
	ip := newInterpreter(t, sampleModel(t, name), Options{})
	in := ip.Inputs()[0]
	for i := range in.Data {
		in.Data[i] = byte(i * 13 % 256)
	}
	if in.Type == tflite.TypeFloat32 {
		for i := range in.Float32() {
			in.Float32()[i] = float32(i%256) / 255
		}
	}
	mustInvoke(t, ip)
	return ip
}

// checkMistakeModel checks the mistake model of operator oi under every
// probe hypothesis: without mistakes (unless it computes through
// TFLite-Micro) it gives exactly the values the kernel stored, and the
// chain of an element ends at the value Values gives, for every element
// (all) or the first, one a third in and the last.
func checkMistakeModel(t *testing.T, ip *Interpreter, oi int, model *kernels.MistakeModel, all bool) {
	t.Helper()
	op := ip.Ops()[oi]
	out := op.Node.Outputs[0]
	vals := make([]float64, model.Elements())
	elems := []int{0, len(vals) / 3, len(vals) - 1}
	if all {
		elems = make([]int, len(vals))
		for i := range elems {
			elems[i] = i
		}
	}
	for _, h := range probeHypotheses() {
		model.Values(h, vals)
		if h.Set == 0 && !model.ViaTFLM() {
			for i, v := range vals {
				if want := userCompareValue(out, i); v != want {
					t.Fatalf("op %d %s element %d: model without mistakes gives %v, the kernel stored %v", oi, op.Name, i, v, want)
				}
			}
		}
		for _, i := range elems {
			var c kernels.Chain
			if err := model.Explain(h, i, &c); err != nil {
				t.Fatal(err)
			}
			got := float64(c.Final)
			if out.Type == tflite.TypeFloat32 {
				got = float64(math.Float32frombits(uint32(c.Final)))
			}
			if got != vals[i] {
				t.Fatalf("op %d %s element %d under %v: chain ends at %v, Values gives %v", oi, op.Name, i, h, got, vals[i])
			}
		}
	}
}

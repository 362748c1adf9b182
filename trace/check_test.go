package trace

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// checkModels are the models the mistake-model tests run: the bundled
// samples always, the shared real models when $TFLQ_SHARED is there.
func checkModels(t *testing.T) map[string]*tflite.Model {
	t.Helper()
	models := map[string]*tflite.Model{}
	for _, name := range []string{"mnist_dense", "mnist_cnn"} {
		models["sample:"+name] = sampleModel(t, name)
	}
	dir, ok := sharedtest.Lookup()
	if !ok {
		t.Log("SKIPPED shared models: shared test data not found")
		return models
	}
	for _, name := range []string{"person_detect_int8", "kws_dscnn_int8", "ic_resnet_cifar10_int8", "mnist_cnn_softmax_int8",
		"mnist_dense_int8", "mobilenet_v1_0.25_128_quant_uint8", "kws_dscnn_int16x8", "mnist_lenet_floatio_int8"} {
		models[name] = sharedModel(t, dir, name)
	}
	return models
}

// randomRun runs m under rt on seeded random inputs (the whole dtype range;
// floats uniform in [0, 1)); ok is false when the runtime refuses the model.
func randomRun(t *testing.T, m *tflite.Model, rt kernels.Runtime, seed uint64) (*Interpreter, bool) {
	t.Helper()
	ip, err := New(m, Options{Runtime: rt})
	if err != nil {
		t.Logf("%v refuses the model: %v", rt, err)
		return nil, false
	}
	r := rand.New(rand.NewPCG(seed, 7))
	for k, in := range ip.Inputs() {
		data := make([]byte, len(in.Data))
		tmp := &kernels.Tensor{Type: in.Type, Shape: in.Shape, Data: kernels.AlignedBytes(len(data))}
		for i := range in.NumElements() {
			switch in.Type {
			case tflite.TypeFloat32:
				tmp.Float32()[i] = r.Float32()
			case tflite.TypeInt16:
				tmp.Int16()[i] = int16(r.IntN(65536) - 32768)
			default:
				tmp.Data[i] = byte(r.IntN(256))
			}
		}
		copy(data, tmp.Data)
		if err := ip.SetInput(k, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := ip.Invoke(); err != nil {
		if errors.Is(err, kernels.ErrRuntime) {
			t.Logf("%v stops: %v", rt, err)
			return nil, false
		}
		t.Fatal(err)
	}
	return ip, true
}

// probeHypotheses are hypotheses every test of a model's consistency
// computes (those that do not apply to an operator are computed all the
// same: a model must give them a value).
func probeHypotheses() []kernels.Hypothesis {
	hs := []kernels.Hypothesis{{}}
	for _, m := range kernels.Mistakes() {
		hs = append(hs, kernels.Hypothesis{Set: kernels.SetOf(m)})
	}
	return append(hs,
		kernels.Hypothesis{Set: kernels.SetOf(kernels.MistakeTruncate), Floor: true},
		kernels.Hypothesis{Set: kernels.SetOf(kernels.MistakeNoClamp), DtypeClamp: true},
		kernels.Hypothesis{Set: kernels.SetOf(kernels.MistakeInputOffsetSign, kernels.MistakeNoOutputScale, kernels.MistakeFloatRequant)},
		kernels.Hypothesis{Set: kernels.SetOf(kernels.MistakeNoBias, kernels.MistakeSingleRounding, kernels.MistakeNoOutputZP)},
		kernels.Hypothesis{Set: kernels.SetOf(kernels.MistakeTransposedWeights, kernels.MistakePerTensorScale, kernels.MistakeNoClamp)},
	)
}

// TestMistakeModelsAgreeWithKernels: for every operator with a mistake model
// in the samples and the shared real models, under every runtime, the model
// without mistakes gives exactly the values the kernel stored, and the
// chain of any element under any hypothesis ends at the value Values gives.
func TestMistakeModelsAgreeWithKernels(t *testing.T) {
	for name, m := range checkModels(t) {
		for _, rt := range kernels.Runtimes() {
			t.Run(name+"/"+rt.String(), func(t *testing.T) {
				ip, ok := randomRun(t, m, rt, 1)
				if !ok {
					return
				}
				modelled := 0
				for oi, op := range ip.Ops() {
					model, err := kernels.NewMistakeModel(op.Node, op.Kernel)
					if err != nil {
						if !errors.Is(err, kernels.ErrNoMistakeModel) {
							t.Fatalf("op %d %s: %v", oi, op.Name, err)
						}
						continue
					}
					modelled++
					checkMistakeModel(t, ip, oi, model, false)
				}
				if modelled == 0 {
					t.Errorf("no operator of %s has a mistake model", name)
				}
			})
		}
	}
}

// TestMistakeModelsAgreeOnBuiltModels is the same check over every built
// model under every runtime (uint8, int16 and per-channel forms the real
// models lack).
func TestMistakeModelsAgreeOnBuiltModels(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, c builtCase, opt Options) {
		ip, ok := runBuiltUnder(t, c, opt)
		if !ok {
			return
		}
		for oi, op := range ip.Ops() {
			if model, err := kernels.NewMistakeModel(op.Node, op.Kernel); err == nil {
				checkMistakeModel(t, ip, oi, model, true)
			}
		}
	})
}

// personDetectRun runs person_detect on its first documented input (nil
// when the shared data is absent).
func personDetectRun(tb testing.TB) *Interpreter {
	dir, ok := sharedtest.Lookup()
	if !ok {
		tb.Skip("SKIPPED: shared test data not found")
	}
	ip := newInterpreter(tb, sharedModel(tb, dir, "person_detect_int8"), Options{})
	in, err := os.ReadFile(filepath.Join(dir, "models", "person_detect_int8.input0.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := ip.SetInput(0, in); err != nil {
		tb.Fatal(err)
	}
	mustInvoke(tb, ip)
	return ip
}

// noisyValues are op's stored output with every third element off by one:
// no mistake reproduces them, so the search tries every combination.
func noisyValues(ip *Interpreter, op int) UserValues {
	out := ip.Ops()[op].Node.Outputs[0]
	u := UserValues{Ints: make([]int64, out.NumElements())}
	for i := range u.Ints {
		u.Ints[i] = out.Int(i)
		if i%3 == 0 {
			u.Ints[i]++
		}
	}
	return u
}

// TestDiagnosePersonDetectLayers diagnoses noisy values of every layer of
// person_detect (the search then tries every combination: the worst case)
// and checks that none is explained by a mistake and that each takes well
// under a second (the bound here is loose, 3 s, for shared machines; the
// time of the slowest layer is logged).
func TestDiagnosePersonDetectLayers(t *testing.T) {
	ip := personDetectRun(t)
	var slowest time.Duration
	slowOp, tried := -1, 0
	for oi, op := range ip.Ops() {
		if _, err := kernels.NewMistakeModel(op.Node, op.Kernel); err != nil || op.Node.Outputs[0].NumElements() < 64 {
			continue // tiny outputs (the 2 logits) can be matched by chance
		}
		start := time.Now()
		d, err := ip.Diagnose(oi, 0, noisyValues(ip, oi))
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if d.Exact() {
			t.Errorf("op %d %s: noisy values explained as %v (runtime %v, tensor %d)", oi, op.Name, d.Search.Best, d.HasOtherRuntime, d.WrongTensor)
		}
		if took > slowest {
			slowest, slowOp, tried = took, oi, d.Search.Tried
		}
		if took > 3*time.Second {
			t.Errorf("op %d %s: diagnosis took %v", oi, op.Name, took)
		}
	}
	t.Logf("slowest: op %d %s, %v (%d hypotheses over %d elements)", slowOp, ip.Ops()[slowOp].Name, slowest, tried, ip.Ops()[slowOp].Node.Outputs[0].NumElements())
}

// BenchmarkDiagnosePersonDetect is the diagnosis of person_detect's largest
// CONV_2D output (op 2, 48×48×16) from noisy values: every combination of
// up to three mistakes is tried.
func BenchmarkDiagnosePersonDetect(b *testing.B) {
	ip := personDetectRun(b)
	u := noisyValues(ip, 2)
	b.ResetTimer()
	for range b.N {
		if _, err := ip.Diagnose(2, 0, u); err != nil {
			b.Fatal(err)
		}
	}
}

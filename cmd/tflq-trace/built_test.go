package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// writeModel builds a model with the project's own writer and saves it.
func writeModel(t *testing.T, build func(b *tflite.ModelBuilder)) string {
	t.Helper()
	b := tflite.NewModelBuilder()
	build(b)
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	data, err := tflite.Write(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.tflite")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fcModel is a hand-checkable int8 FULLY_CONNECTED: input scale 0.5 zp −1,
// weights [2,3] scale 0.25, bias scale 0.125, output scale 1 zp 2, ReLU.
func fcModel(t *testing.T) string {
	return writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 3}, tflite.PerTensor(0.5, -1))
		w := b.AddConstTensor("w", tflite.TypeInt8, []int32{2, 3}, tflite.PerTensor(0.25, 0), tflite.Int8Data([]int8{1, 2, 3, -4, 5, -6}))
		bias := b.AddConstTensor("b", tflite.TypeInt32, []int32{2}, tflite.PerTensor(0.125, 0), tflite.Int32Data([]int32{8, -8}))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 2}, tflite.PerTensor(1, 2))
		opts := tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpFullyConnected))
		opts.Activation = tflite.ActRelu
		b.AddOperator(tflite.OpFullyConnected, opts, []int32{in, w, bias}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
}

// TestRunProjectBuiltModel runs a model the project built and checks the
// arithmetic by hand: input q = [3, 1, -1] → real (q+1)·0.5 = [2, 1, 0];
// acc0 = (3+1)·1 + (1+1)·2 + (−1+1)·3 = 8, +bias 8 = 16, M = 0.5·0.25/1 =
// 0.125 → 2, + zp 2 = 4; acc1 = 4·(−4) + 2·5 + 0 = −6, −8 = −14 → −1.75 →
// −2 (round half away), + 2 = 0, ReLU clamps at zp 2 → 2.
func TestRunProjectBuiltModel(t *testing.T) {
	model := fcModel(t)
	in := filepath.Join(t.TempDir(), "in.bin")
	os.WriteFile(in, []byte{3, 1, 0xff}, 0o644)
	out := t.TempDir()
	stdout := runOK(t, "run", model, "--input", in, "--dump", out)
	got, _ := os.ReadFile(filepath.Join(out, "t3.bin"))
	if string(got) != string([]byte{4, 2}) {
		t.Fatalf("output %v, want [4 2]", got)
	}
	if !strings.Contains(stdout, "quantized:   4 2") || !strings.Contains(stdout, "prediction: class 0") {
		t.Errorf("run output:\n%s", stdout)
	}
	stdout = runOK(t, "explain", model, "--input", in, "--op", "0", "--element", "1")
	assertContains(t, "explain", stdout, "acc = -6", "-6 − 8 = -14", "+ 2 = 0", "clamp(0, 2, 127) = 2")
	stdout = runOK(t, "inspect", model)
	if !strings.Contains(stdout, "M[output] = 0.125  multiplier=1073741824  shift=-2") || !strings.Contains(stdout, "clamp=[2, 127]") {
		t.Errorf("inspect:\n%s", stdout)
	}
}

// TestUnsupportedOps: an operator without a kernel, or a dtype a kernel
// refuses, is a one-line error naming the op index, name and the cause, exit 1.
func TestUnsupportedOps(t *testing.T) {
	noKernel := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeFloat32, []int32{4}, nil)
		out := b.AddTensor("out", tflite.TypeFloat32, []int32{4}, nil)
		b.AddOperator(tflite.OpFloor, tflite.Options{}, []int32{in}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	floatFC := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeFloat32, []int32{1, 2}, nil)
		w := b.AddConstTensor("w", tflite.TypeFloat32, []int32{1, 2}, nil, tflite.Float32Data([]float32{1, 2}))
		out := b.AddTensor("out", tflite.TypeFloat32, []int32{1, 1}, nil)
		b.AddOperator(tflite.OpFullyConnected, tflite.Options{}, []int32{in, w, -1}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	for _, tc := range []struct {
		name, model string
		frags       []string
	}{
		{"no kernel", noKernel, []string{"op 0 FLOOR", "unsupported operator"}},
		{"float FC", floatFC, []string{"op 0 FULLY_CONNECTED", "FLOAT32"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertCLIError(t, exitFailure, []string{"run", tc.model}, append(tc.frags, tc.model)...)
			// inspect still shows what it can.
			code, out, _ := runCLI(t, "inspect", tc.model)
			if code != exitOK || !strings.Contains(out, "no kernel:") {
				t.Errorf("inspect exit %d:\n%s", code, out)
			}
		})
	}
}

// TestExplainDeepChains: an element computed from more inputs than an
// explanation keeps (kernels.MaxRecorded) still prints the totals: a MEAN
// over 300·300 values lists its sources as the first 65536 in a run and
// "… 24464 more"; a FULLY_CONNECTED of depth 70000 counts and sums all
// 70000 terms and says the largest are among the first 65536.
func TestExplainDeepChains(t *testing.T) {
	mean := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, 300, 300, 1}, tflite.PerTensor(0.5, 0))
		axes := b.AddConstTensor("axes", tflite.TypeInt32, []int32{2}, nil, tflite.Int32Data([]int32{1, 2}))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 1, 1, 1}, tflite.PerTensor(0.5, 0))
		opts := tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpMean))
		opts.KeepDims = true
		b.AddOperator(tflite.OpMean, opts, []int32{in, axes}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	stdout := runOK(t, "explain", mean, "--random", "1", "--op", "0", "--element", "0")
	assertContains(t, "MEAN explain", stdout, "from: input 0 t0 [0,0,0,0] … [0,218,135,0] (65536 elements); … 24464 more\n")

	const depth = 70000
	fc := writeModel(t, func(b *tflite.ModelBuilder) {
		in := b.AddTensor("in", tflite.TypeInt8, []int32{1, depth}, tflite.PerTensor(0.5, 0))
		w := make([]int8, depth)
		for i := range w {
			w[i] = 1
		}
		wt := b.AddConstTensor("w", tflite.TypeInt8, []int32{1, depth}, tflite.PerTensor(0.5, 0), tflite.Int8Data(w))
		out := b.AddTensor("out", tflite.TypeInt8, []int32{1, 1}, tflite.PerTensor(1000, 0))
		b.AddOperator(tflite.OpFullyConnected, tflite.DefaultOptions(tflite.DefaultOptionsType(tflite.OpFullyConnected)), []int32{in, wt, -1}, []int32{out})
		b.SetIO([]int32{in}, []int32{out})
	})
	// A constant input of 1s: every product is 1·1, the sum 70000.
	ones := filepath.Join(t.TempDir(), "ones.bin")
	if err := os.WriteFile(ones, []byte(strings.Repeat("\x01", depth)), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout = runOK(t, "explain", fc, "--input", ones, "--op", "0", "--element", "0")
	assertContains(t, "FC explain", stdout,
		"70000 terms (input + input_offset)·(weights + filter_offset), sum 70000; largest |product| among the first 65536 (the other 4464 are counted and summed, not kept):\n",
		"    term 1/70000: ", "acc = 70000")
}

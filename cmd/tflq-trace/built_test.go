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

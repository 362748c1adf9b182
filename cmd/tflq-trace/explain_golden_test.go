package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with testdata/<name>.golden (rewritten with -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it; read the diff first):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestExplainGoldenSamples: the readable chain of representative elements
// of the bundled models (no shared data needed).
func TestExplainGoldenSamples(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"dense_quantize", []string{"--sample", "mnist_dense", "--digit", "7", "--op", "0", "--at", "0,14,14,0"}},
		{"dense_fully_connected", []string{"--sample", "mnist_dense", "--digit", "7", "--op", "1", "--at", "0,7"}},
		{"dense_dequantize", []string{"--sample", "mnist_dense", "--digit", "7", "--op", "2", "--at", "0,7"}},
		{"cnn_conv_2d", []string{"--sample", "mnist_cnn", "--digit", "3", "--op", "0", "--at", "0,12,12,5"}},
		{"cnn_max_pool_2d", []string{"--sample", "mnist_cnn", "--digit", "3", "--op", "1", "--at", "0,6,6,5"}},
		{"cnn_reshape", []string{"--sample", "mnist_cnn", "--digit", "3", "--op", "2", "--element", "100"}},
		{"cnn_softmax", []string{"--sample", "mnist_cnn", "--digit", "3", "--op", "4", "--at", "0,3"}},
		// An element where double and single rounding part (compare finds
		// it): the clamp hides the difference.
		{"cnn_conv_2d_tflm_vs_single", []string{"--sample", "mnist_cnn", "--digit", "7", "--op", "0", "--at", "0,14,8,3", "--runtimes", "tflm,tflm-single"}},
		{"dense_fully_connected_tflm_vs_ref", []string{"--sample", "mnist_dense", "--digit", "7", "--op", "1", "--at", "0,7", "--runtimes", "tflm,tflite-ref"}},
		// The XNNPACK delegate's convolution: float32 scale, round half to
		// even, its clamp bounds; and beside TFLite-Micro's fixed point.
		{"cnn_conv_2d_xnnpack", []string{"--sample", "mnist_cnn", "--digit", "3", "--op", "0", "--at", "0,12,12,5", "--runtime", "tflite-xnnpack"}},
		{"cnn_conv_2d_tflm_vs_xnnpack", []string{"--sample", "mnist_cnn", "--digit", "3", "--op", "0", "--at", "0,12,12,5", "--runtimes", "tflm,tflite-xnnpack"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := runOK(t, append([]string{"explain"}, tc.args...)...)
			checkGolden(t, "explain/"+tc.name, out)
		})
	}
}

// checkExplainShared runs explain on the model name.tflite of a shared
// suite (folder suite of the shared folder; "" for its top level) on the
// inputs of its conformance case rand0, with flags, and compares the output
// (with $TFLQ_SHARED for the machine's path) with
// testdata/explain/<golden>.golden.
func checkExplainShared(t *testing.T, shared, suite, name, golden string, flags ...string) {
	t.Helper()
	base := filepath.Join(shared, suite)
	caseDir := filepath.Join(base, "conformance", name, "rand0")
	inputs, _ := filepath.Glob(filepath.Join(caseDir, "input*.bin"))
	args := append([]string{"explain", filepath.Join(base, "models", name+".tflite")}, flags...)
	for k := range inputs {
		args = append(args, "--input", filepath.Join(caseDir, "input"+string(rune('0'+k))+".bin"))
	}
	out := runOK(t, args...)
	// Paths differ between machines; the golden holds the rest.
	out = strings.ReplaceAll(out, shared, "$TFLQ_SHARED")
	checkGolden(t, "explain/"+golden, out)
}

// TestExplainGoldenOpzoo: one element of a representative set of the
// shared single-op models (ADD, SUB int16, MUL broadcast, pools, SOFTMAX,
// LOGISTIC, TANH int16, LEAKY_RELU, MEAN, PAD, CONCATENATION, RESIZE,
// QUANTIZE, DEQUANTIZE, CONV int16, DEPTHWISE, data movement, comparisons,
// DIV, HARD_SWISH, L2_NORMALIZATION, GATHER), on their rand0 inputs.
func TestExplainGoldenOpzoo(t *testing.T) {
	shared := sharedtest.Dir(t)
	for _, name := range []string{
		"add_int8_same_relu", "sub_int16_same", "mul_int8_bcast_channel", "average_pool_2d_int8_same_f3_s2",
		"max_pool_2d_int8_valid_f2_s2", "softmax_int8_beta0p5_2d", "logistic_int8_4d", "tanh_int16_pot_input",
		"leaky_relu_int8_alpha0p2", "mean_int8_hw", "pad_int8_2d", "concatenation_int8_axis2_2in",
		"resize_nearest_neighbor_int8_up2_half_pixel", "quantize_float32_to_int8", "dequantize_int8_2d",
		"conv_2d_int16_same_s1_perchannel", "depthwise_conv_2d_int8_same_s1_dm2", "transpose_int8_2d",
		"strided_slice_int8_basic", "equal_int8_diffscale", "div_int8_const_same", "hard_swish_int8_2d",
		"l2_normalization_int8_2d", "gather_int8_axis0",
	} {
		t.Run(name, func(t *testing.T) {
			checkExplainShared(t, shared, "opzoo", name, "opzoo_"+name, "--op", "0", "--element", "0")
		})
	}
}

// TestExplainGoldenOpzooXNNPACK: elements of shared single-op models the
// XNNPACK delegate runs under tflite-xnnpack (its ADD with Q-format
// multipliers, MUL's float32 scale, a LOGISTIC table entry, LEAKY_RELU's
// 8-bit multipliers, MEAN's two-step scale, RESIZE_BILINEAR's Q11
// weights), on their rand0 inputs.
func TestExplainGoldenOpzooXNNPACK(t *testing.T) {
	shared := sharedtest.Dir(t)
	for _, tc := range []struct{ name, element string }{
		{"add_int8_same_relu", "0"}, {"mul_int8_bcast_channel", "0"}, {"logistic_int8_4d", "0"},
		{"leaky_relu_int8_alpha0p2", "0"}, {"mean_int8_hw", "0"}, {"resize_bilinear_int8_up2_half_pixel", "45"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkExplainShared(t, shared, "opzoo", tc.name, "opzoo_xnnpack_"+tc.name, "--op", "0", "--element", tc.element, "--runtime", "tflite-xnnpack")
		})
	}
}

// TestExplainGoldenFullTFLite: one element of shared models under the full
// TFLite runtimes, where their kernels compute differently from
// TFLite-Micro's (LiteRT's reference SUB, SUM, RELU6, RSQRT and LSTM; the
// 2022 optimized ruy GEMM, float-table SOFTMAX, float MEAN, gemmlowp int16
// TANH and int32 TRANSPOSE_CONV), on their rand0 inputs.
func TestExplainGoldenFullTFLite(t *testing.T) {
	shared := sharedtest.Dir(t)
	for _, tc := range []struct {
		suite, model, runtime, op, element string
	}{
		{"opzoo", "sub_int16_same", "tflite-ref", "0", "161"},
		{"opzoo", "sum_int8_hw", "tflite-ref", "0", "0"},
		{"opzoo", "sum_int16_hw_samescale", "tflite-ref", "0", "1"},
		{"opzoo", "relu6_int8_4d", "tflite-ref", "0", "0"},
		{"opzoo", "rsqrt_int16_4d_after_abs", "tflite-ref", "1", "0"},
		{"", "mnist_lstm_uint8io", "tflite-ref", "1", "48"},
		{"opzoo", "batch_matmul_int8_4d_adj_xy", "tflite-xnnpack", "0", "0"},
		{"opzoo", "softmax_int8_beta0p5_2d", "tflite-xnnpack", "0", "0"},
		{"opzoo", "mean_int16_c", "tflite-xnnpack", "0", "0"},
		{"opzoo", "tanh_int16_pot_input", "tflite-xnnpack", "0", "0"},
		{"opzoo", "transpose_conv_int16_same_s2_nobias_perchannel", "tflite-xnnpack", "0", "0"},
	} {
		t.Run(tc.runtime+"_"+tc.model, func(t *testing.T) {
			checkExplainShared(t, shared, tc.suite, tc.model, tc.runtime+"_"+tc.model, "--runtime", tc.runtime, "--op", tc.op, "--element", tc.element)
		})
	}
}

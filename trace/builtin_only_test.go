package trace

// The tflite-xnnpack runtime's TFLite builtin kernels (ImplTFLiteOptimized,
// ImplTFLite and the TFLite-Micro fallback), checked on their own: the
// xnnpack/ goldens of the shared models whose every node ran as a TFLite
// builtin in the oracle (the tfjs-tflite build's profiler, research notes
// /work/notes/tflite-kernels.md part B: probes/deleg/delegation_{opzoo,
// models}.txt), so no XNNPACK kernel is involved. The list is explicit: a
// model leaves it only if the oracle's delegation changes, and the full
// tflite-xnnpack conformance suite (TestConformance/TestOpzoo with
// -runtimes=tflite-xnnpack) covers everything once the XNNPACK delegate's
// kernels are in.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tflq/tflq-trace/internal/sharedtest"
	"github.com/tflq/tflq-trace/kernels"
	"github.com/tflq/tflq-trace/tflite"
)

// builtinOnlyModels are the shared models with xnnpack/ goldens that the
// oracle ran without any XNNPACK partition. kws_basic_lstm_floatio_int8 ran
// builtin-only too but its xnnpack/ goldens are invalid (48 zero bytes: the
// tfjs wrapper reads a stale buffer of a dynamic tensor), so it is left out.
var builtinOnlyModels = []string{
	"abs_int16_rescale", "abs_int8_2d_rescale", "abs_int8_samescale", "add_int16_bcast_channel",
	"add_int16_same_relu6", "arg_max_int8_2d_axis0", "arg_max_int8_axis1", "arg_max_int8_axis2",
	"arg_min_int8_2d_axis0", "arg_min_int8_axis2", "arg_min_int8_axis_last",
	"average_pool_2d_int16_same_f3_s1_relu", "average_pool_2d_int16_same_f3_s2",
	"average_pool_2d_int16_valid_f2_s2", "average_pool_2d_int8_same_f2_s1x2",
	"average_pool_2d_int8_same_f3_s1_relu6", "average_pool_2d_int8_same_f3_s2", "batch_matmul_int16_3d",
	"batch_matmul_int16_bcast_rhs_adj_x", "batch_matmul_int8_3d", "batch_matmul_int8_4d_adj_xy",
	"batch_matmul_int8_adj_y", "batch_matmul_int8_bcast_rhs", "batch_matmul_int8_const_rhs",
	"batch_to_space_nd_int8_3d", "batch_to_space_nd_int8_4d", "batch_to_space_nd_int8_4d_crops",
	"cast_int16_to_int32", "cast_int16_to_int8", "cast_int32_to_float32", "cast_int32_to_int16",
	"cast_int32_to_int8", "cast_int8_to_float32", "concatenation_int16_axis1_3in",
	"concatenation_int16_axis3_2in", "concatenation_int32_axis0_2d_2in",
	"conv_2d_int16_same_s1_bias32_perchannel", "conv_2d_int16_same_s1_d2_relu_perchannel",
	"conv_2d_int16_same_s1_perchannel", "conv_2d_int16_same_s2_pertensor",
	"conv_2d_int16_valid_s2_relu6_perchannel", "conv_2d_int8_same_s1_relu_pertensor",
	"depthwise_conv_2d_int16_same_s1_d2_dm1_relu6", "depthwise_conv_2d_int16_same_s1_dm1",
	"depthwise_conv_2d_int16_valid_s2_dm2_relu", "dequantize_int16_4d", "dynamic_update_slice_int8_4d",
	"dynamic_update_slice_int8_4d_clamped", "embedding_lookup_int8_hybrid_to_float32",
	"embedding_lookup_int8_to_int8", "equal_int32_same", "equal_int8_diffscale", "equal_int8_same",
	"expand_dims_int16_axis1", "expand_dims_int8_axis0", "expand_dims_int8_axis_neg1",
	"fill_int32_scalar_value", "fill_int8_scalar_value", "fully_connected_int16_bias",
	"fully_connected_int16_bias32", "fully_connected_int16_keep_num_dims", "fully_connected_int16_perchannel",
	"fully_connected_int16_relu_batch2", "fully_connected_int8_input4d", "fully_connected_int8_keep_num_dims",
	"fully_connected_int8_keep_num_dims_batch2_relu", "fully_connected_int8_perchannel_nobias_relu",
	"fully_connected_int8_relu6_batch3", "gather_int8_axis0", "gather_int8_axis1",
	"gather_int8_axis1_batchdims1", "gather_nd_int8_k1", "gather_nd_int8_k2", "gather_nd_int8_k3",
	"greater_equal_int32_same", "greater_equal_int8_bcast_4d_diffscale", "greater_equal_int8_same",
	"greater_int32_bcast_channel", "greater_int8_diffscale", "greater_int8_same", "hard_swish_int8_2d",
	"hard_swish_int8_3d", "hard_swish_int8_4d", "kws_dscnn_int16x8", "l2_normalization_int8_2d",
	"l2_normalization_int8_3d_small_scale", "l2_normalization_int8_4d", "leaky_relu_int16_alpha0p2",
	"leaky_relu_int16_alpha0p3", "less_equal_int32_same", "less_equal_int8_diffscale", "less_equal_int8_same",
	"less_int32_same", "less_int8_bcast_4d_diffscale", "less_int8_same", "log_softmax_int8_2d",
	"log_softmax_int8_3d", "log_softmax_int8_4d", "logistic_int16_nonpot_input",
	"logistic_int16_nonpot_input_2d", "logistic_int16_pot_input", "max_pool_2d_int16_same_f3_s2",
	"max_pool_2d_int16_valid_f2_s2", "maximum_int16_same", "maximum_int32_bcast_3d", "maximum_int32_same",
	"maximum_int8_bcast_4d", "maximum_int8_bcast_scalar", "maximum_int8_same_const", "mean_int16_c",
	"mean_int16_hw_samescale", "mean_int8_hwc", "mean_int8_w_neg_axis", "minimum_int16_bcast_channel",
	"minimum_int32_bcast_3d", "minimum_int32_same", "minimum_int8_bcast_4d", "minimum_int8_bcast_scalar",
	"minimum_int8_same_const", "mirror_pad_int8_reflect_4d", "mirror_pad_int8_symmetric_3d",
	"mirror_pad_int8_symmetric_4d", "mul_int16_bcast_channel", "mul_int16_same", "mul_int16_same_relu6",
	"not_equal_int32_same", "not_equal_int8_diffscale", "not_equal_int8_same", "pack_int16_axis0_3",
	"pack_int32_axis1_2", "pack_int8_axis0_3", "pack_int8_axis1_2", "pack_int8_axis2_3", "pad_int16_4d",
	"pad_int32_2d", "padv2_int16_4d", "padv2_int8_2d", "padv2_int8_4d_min", "prelu_int8_alpha_scalar",
	"quantize_float32_to_int16", "quantize_int16_to_int16", "quantize_int16_to_int32", "quantize_int16_to_int8",
	"quantize_int32_to_int8", "quantize_int8_to_uint8", "quantize_int8_to_uint8_rescale",
	"quantize_uint8_to_int8_rescale", "reduce_max_int8_c", "reduce_max_int8_hw_keepdims",
	"reduce_max_int8_w_neg_axis_keepdims", "reduce_min_int8_3d_axis0", "reduce_min_int8_hw_keepdims",
	"reduce_min_int8_w_neg_axis_keepdims", "relu6_int16_2d", "relu6_int16_3d_samescale", "relu6_int8_2d",
	"relu6_int8_4d", "relu6_int8_4d_samescale", "relu_int16_3d_samescale", "relu_int8_2d",
	"relu_int8_3d_small_scale", "relu_int8_4d", "relu_int8_4d_samescale", "reshape_int16_flatten",
	"reshape_int32_flatten", "reshape_int8_flatten", "reshape_int8_to_2d_noshape",
	"resize_nearest_neighbor_int16_up2", "resize_nearest_neighbor_int8_down_align_corners",
	"resize_nearest_neighbor_int8_down_half_pixel", "resize_nearest_neighbor_int8_frac",
	"resize_nearest_neighbor_int8_frac_half_pixel", "resize_nearest_neighbor_int8_up2_align_corners",
	"resize_nearest_neighbor_int8_up2_half_pixel", "reverse_v2_int16_axis2", "reverse_v2_int8_axis3",
	"reverse_v2_uint8_axis1", "rsqrt_int8_2d", "rsqrt_int8_3d_small_scale", "seanet_conv0_int16x8",
	"select_v2_int16_bcast_all", "select_v2_int16_bcast_cond", "select_v2_int8_bcast_all",
	"select_v2_int8_same", "shape_int16_basic", "shape_int8_basic", "slice_int16_4d", "slice_int32_2d",
	"slice_int8_3d", "slice_int8_4d", "slice_int8_size_minus1", "softmax_int16_beta0p5_3d",
	"softmax_int16_beta1_2d", "softmax_int16_beta1_4d", "softmax_int8_beta0p5_2d",
	"softmax_int8_beta0p7_4d_out_int16", "softmax_int8_beta1_out_int16", "space_to_batch_nd_int8_3d",
	"space_to_batch_nd_int8_4d", "space_to_batch_nd_int8_4d_pads", "space_to_depth_int8_block2",
	"space_to_depth_int8_block2_c1", "space_to_depth_int8_block3", "split_int16_axis1_2", "split_int16_axis3_2",
	"split_int32_axis2_2", "split_v_int16_axis3_3", "split_v_int8_axis1_3", "split_v_int8_axis3_2",
	"split_v_int8_axis_neg1_3", "squared_difference_int8_bcast_4d", "squared_difference_int8_bcast_channel",
	"squared_difference_int8_same", "squeeze_int16_dims0_1", "squeeze_int8_all", "squeeze_int8_dims1_3",
	"strided_slice_int16_shrink", "strided_slice_int16_strided", "strided_slice_int32_basic",
	"strided_slice_int32_rank2", "strided_slice_int8_basic", "strided_slice_int8_masks",
	"strided_slice_int8_negative", "strided_slice_int8_rank2", "sub_int16_bcast_4d_relu",
	"sub_int16_bcast_channel", "sub_int16_same", "sub_int16_same_relu6", "sum_int16_hw_samescale",
	"sum_int8_c_keepdims", "sum_int8_hw", "sum_int8_hwc", "sum_int8_w_neg_axis", "tanh_int16_nonpot_input",
	"tanh_int16_pot_input", "tanh_int8_2d", "tanh_int8_4d", "tanh_int8_wide_range",
	"transpose_conv_int16_same_s2_nobias_perchannel", "transpose_conv_int8_same_s1_perchannel",
	"transpose_conv_int8_same_s2_relu_perchannel", "transpose_conv_int8_valid_s1_nobias_perchannel",
	"transpose_conv_int8_valid_s2_perchannel", "transpose_conv_int8_valid_s2x1_k2x3_perchannel",
	"transpose_int16_3d", "transpose_int16_nhwc_to_nchw", "unpack_int16_axis0_3", "unpack_int32_axis1_2",
	"unpack_int8_axis0_3", "unpack_int8_axis1_2", "unpack_int8_axis2_3", "zeros_like_int32_basic",
}

// builtinOnlyConformanceModels are those of builtinOnlyModels that live in
// $TFLQ_SHARED/conformance (the others are opzoo models).
var builtinOnlyConformanceModels = map[string]bool{"kws_dscnn_int16x8": true, "seanet_conv0_int16x8": true}

func TestXNNPACKRuntimeBuiltinKernels(t *testing.T) {
	shared := sharedtest.Dir(t)
	rt := kernels.RuntimeTFLiteXNNPACK
	var cases, tensors, mismatched int
	for _, name := range builtinOnlyModels {
		confDir, modelDir := filepath.Join(shared, "opzoo", "conformance"), filepath.Join(shared, "opzoo", "models")
		if builtinOnlyConformanceModels[name] {
			confDir, modelDir = filepath.Join(shared, "conformance"), filepath.Join(shared, "models")
		}
		t.Run(name, func(t *testing.T) {
			m, err := tflite.ReadFile(filepath.Join(modelDir, name+".tflite"))
			if err != nil {
				t.Fatal(err)
			}
			ip, err := New(m, Options{Runtime: rt})
			if err != nil {
				t.Fatalf("prepare: %v", err)
			}
			for _, dir := range caseDirs(t, filepath.Join(confDir, name)) {
				golden := goldenFiles(dir, rt)
				if len(golden) == 0 {
					continue
				}
				cases++
				n, bad := checkCase(t, ip, dir, rt, golden, false)
				tensors += n
				mismatched += bad
			}
			for _, op := range ip.Ops() {
				if strings.Contains(op.Impl.String(), "XNNPACK") {
					t.Errorf("op %s runs on %v, but the oracle ran this model on TFLite builtins only", op.Name, op.Impl)
				}
			}
		})
	}
	if _, err := os.Stat(shared); err == nil {
		t.Logf("TOTAL builtin-only models under %v: %d models, %d case runs, %d graph outputs compared, %d mismatched", rt, len(builtinOnlyModels), cases, tensors, mismatched)
	}
}

// TestXNNPACKRuntimeLSTMHiddenZeroPoint checks the integer LSTM of the
// tflite-xnnpack runtime (the 2022 TFLite kernel, which subtracts the hidden
// zero point) against the tfjs oracle's LSTM output of mnist_lstm_uint8io
// (testdata/tfjs_mnist_lstm_t24: the xnnpack/ goldens hold the graph
// outputs only), and that LiteRT 2026's sign (tflite-ref) does not
// reproduce it: the two runtimes differ exactly there.
func TestXNNPACKRuntimeLSTMHiddenZeroPoint(t *testing.T) {
	shared := sharedtest.Dir(t)
	m, err := tflite.ReadFile(filepath.Join(shared, "models", "mnist_lstm_uint8io.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	const lstmOutput = 24
	for _, c := range []string{"doc0", "rand0", "rand1"} {
		want, err := os.ReadFile(filepath.Join("testdata", "tfjs_mnist_lstm_t24", c+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		input, err := os.ReadFile(filepath.Join(shared, "conformance", "mnist_lstm_uint8io", c, "input0.bin"))
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range []kernels.Runtime{kernels.RuntimeTFLiteXNNPACK, kernels.RuntimeTFLiteRef} {
			ip, err := New(m, Options{Runtime: rt})
			if err != nil {
				t.Fatalf("%v: %v", rt, err)
			}
			if err := ip.SetInput(0, input); err != nil {
				t.Fatal(err)
			}
			if err := ip.Invoke(); err != nil {
				t.Fatalf("%v: %v", rt, err)
			}
			got := ip.Tensor(lstmOutput)
			same := bytes.Equal(got.Data, want)
			switch {
			case rt == kernels.RuntimeTFLiteXNNPACK && !same:
				t.Errorf("%s (%v): LSTM output %s", c, rt, describeDiff(got, want))
			case rt == kernels.RuntimeTFLiteRef && same:
				t.Errorf("%s (%v): LSTM output equals the 2022 oracle's, but LiteRT 2026 adds the hidden zero point", c, rt)
			}
		}
	}
}

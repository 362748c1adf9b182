package tflite

import "testing"

// Values checked against tensorflow/compiler/mlir/lite/schema/schema.fbs.
func TestBuiltinOperatorValues(t *testing.T) {
	tests := []struct {
		op   BuiltinOperator
		name string
		want int32
	}{
		{OpAdd, "ADD", 0}, {OpConv2D, "CONV_2D", 3}, {OpFullyConnected, "FULLY_CONNECTED", 9},
		{OpReluN1To1, "RELU_N1_TO_1", 20}, {OpCustom, "CUSTOM", 32}, {OpUnidirectionalSequenceLstm, "UNIDIRECTIONAL_SEQUENCE_LSTM", 44},
		{OpDelegate, "DELEGATE", 51}, {OpPadv2, "PADV2", 60}, {OpTransposeConv, "TRANSPOSE_CONV", 67},
		{OpResizeNearestNeighbor, "RESIZE_NEAREST_NEIGHBOR", 97}, {OpQuantize, "QUANTIZE", 114},
		{OpBatchMatmul, "BATCH_MATMUL", 126}, {OpPlaceholderForGreaterOpCodes, "PLACEHOLDER_FOR_GREATER_OP_CODES", 127},
		{OpCumsum, "CUMSUM", 128}, {OpGelu, "GELU", 150}, {OpRightShift, "RIGHT_SHIFT", 161},
		{OpStableHLOLogistic, "STABLEHLO_LOGISTIC", 162}, {OpDilate, "DILATE", 203}, {OpStableHLOCase, "STABLEHLO_CASE", 209},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if int32(tc.op) != tc.want || tc.op.String() != tc.name {
				t.Errorf("%s = %d (%q), want %d", tc.name, int32(tc.op), tc.op.String(), tc.want)
			}
			if op, ok := BuiltinOperatorByName(tc.name); !ok || op != tc.op {
				t.Errorf("BuiltinOperatorByName(%q) = %v, %v", tc.name, op, ok)
			}
		})
	}
	// The name table has no holes and no duplicates.
	seen := map[string]bool{}
	for i, n := range builtinOperatorNames {
		if n == "" || seen[n] {
			t.Errorf("operator %d: name %q empty or duplicated", i, n)
		}
		seen[n] = true
	}
	if len(builtinOperatorNames) != 210 {
		t.Errorf("%d operator names, want 210 (0..209)", len(builtinOperatorNames))
	}
}

func TestBuiltinOptionsTypeValues(t *testing.T) {
	tests := []struct {
		typ  BuiltinOptionsType
		name string
		want uint8
	}{
		{OptionsConv2D, "Conv2DOptions", 1}, {OptionsPool2D, "Pool2DOptions", 5}, {OptionsFullyConnected, "FullyConnectedOptions", 8},
		{OptionsAdd, "AddOptions", 11}, {OptionsReshape, "ReshapeOptions", 17}, {OptionsReducer, "ReducerOptions", 27},
		{OptionsStridedSlice, "StridedSliceOptions", 32}, {OptionsTransposeConv, "TransposeConvOptions", 49},
		{OptionsUnidirectionalSequenceLSTM, "UnidirectionalSequenceLSTMOptions", 71}, {OptionsLeakyRelu, "LeakyReluOptions", 75},
		{OptionsBatchMatMul, "BatchMatMulOptions", 101}, {OptionsCumsum, "CumsumOptions", 102}, {OptionsGelu, "GeluOptions", 116},
		{OptionsRightShift, "RightShiftOptions", 126},
	}
	for _, tc := range tests {
		if uint8(tc.typ) != tc.want || tc.typ.String() != tc.name {
			t.Errorf("%s = %d (%q), want %d", tc.name, uint8(tc.typ), tc.typ.String(), tc.want)
		}
	}
	if BuiltinOptionsType(127).Known() || BuiltinOptionsType(127).String() != "BuiltinOptions(127)" {
		t.Errorf("tag 127 should be unknown")
	}
}

func TestTensorTypeValues(t *testing.T) {
	tests := []struct {
		typ  TensorType
		name string
		want int8
		size int
	}{
		{TypeFloat32, "FLOAT32", 0, 4}, {TypeInt32, "INT32", 2, 4}, {TypeUint8, "UINT8", 3, 1}, {TypeInt64, "INT64", 4, 8},
		{TypeInt16, "INT16", 7, 2}, {TypeInt8, "INT8", 9, 1}, {TypeInt4, "INT4", 17, 0}, {TypeInt2, "INT2", 19, 0},
		{TypeUint4, "UINT4", 20, 0}, {TypeFloat8E5M2, "FLOAT8_E5M2", 22, 1},
	}
	for _, tc := range tests {
		if int8(tc.typ) != tc.want || tc.typ.String() != tc.name || tc.typ.Size() != tc.size {
			t.Errorf("%s = %d %q size %d, want %d size %d", tc.name, int8(tc.typ), tc.typ.String(), tc.typ.Size(), tc.want, tc.size)
		}
	}
	if TensorType(23).Known() {
		t.Errorf("type 23 should be unknown")
	}
}

func TestHasFusedActivation(t *testing.T) {
	for op, want := range map[BuiltinOperator]bool{
		OpConv2D: true, OpDepthwiseConv2D: true, OpFullyConnected: true, OpAdd: true, OpSub: true, OpMul: true,
		OpAveragePool2D: true, OpMaxPool2D: true, OpConcatenation: true, OpTransposeConv: true, OpSvdf: true,
		OpSoftmax: false, OpReshape: false, OpQuantize: false, OpMean: false, OpLogistic: false,
	} {
		if got := HasFusedActivation(op); got != want {
			t.Errorf("HasFusedActivation(%v) = %v, want %v", op, got, want)
		}
	}
}

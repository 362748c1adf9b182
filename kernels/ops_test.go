package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestOperandRoles(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"conv input", InputRole(tflite.OpConv2D, 0), "input"},
		{"conv weights", InputRole(tflite.OpConv2D, 1), "weights"},
		{"fc bias", InputRole(tflite.OpFullyConnected, 2), "bias"},
		{"transpose conv first", InputRole(tflite.OpTransposeConv, 0), "output_shape"},
		{"prelu alpha", InputRole(tflite.OpPrelu, 1), "alpha"},
		{"mean axis", InputRole(tflite.OpMean, 1), "axis"},
		{"concatenation third", InputRole(tflite.OpConcatenation, 2), "input2"},
		{"split axis first", InputRole(tflite.OpSplit, 0), "axis"},
		{"split output", OutputRole(tflite.OpSplit, 1), "output1"},
		{"lstm cell state", InputRole(tflite.OpUnidirectionalSequenceLstm, 19), "cell_state"},
		{"single output", OutputRole(tflite.OpAdd, 0), "output"},
		{"unknown op input", InputRole(tflite.OpL2Pool2D, 3), "input3"},
		{"unknown op output", OutputRole(tflite.OpL2Pool2D, 1), "output1"},
		{"beyond a fixed list", InputRole(tflite.OpAbs, 1), "input1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

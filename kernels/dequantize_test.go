package kernels

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestDequantize(t *testing.T) {
	tests := []struct {
		name  string
		typ   tflite.TensorType
		scale float32
		zp    int64
		q     []float64
		want  []float32
	}{
		// (q − zp)·s with exactly representable products.
		{"int8", tflite.TypeInt8, 0.5, -3, []float64{-128, -3, 7, 127}, []float32{-62.5, 0, 5, 65}},
		// 0.1f·2 doubles 0.1f exactly, which is the float32 nearest 0.2.
		{"uint8", tflite.TypeUint8, 0.1, 128, []float64{130, 128, 0}, []float32{0.2, 0, -12.8}},
		{"int16", tflite.TypeInt16, 1.0 / 1024, 0, []float64{-1536, 32767}, []float32{-1.5, 32767.0 / 1024}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := arQuant(dmTensor(tc.typ, []int{len(tc.q)}, tc.q...), tc.scale, tc.zp)
			out := NewTensor(tflite.TypeFloat32, []int{len(tc.q)})
			dmRun(t, tflite.OpDequantize, tflite.Options{}, RoundingDouble, []*Tensor{out}, in)
			if got := out.Float32(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("output %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDequantizeRejects(t *testing.T) {
	in := arQuant(NewTensor(tflite.TypeInt8, []int{2}), 0.5, 0)
	if err := dmPrepareErr(tflite.OpDequantize, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt32, []int{2})}, in); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("int32 output: %v", err)
	}
	if err := dmPrepareErr(tflite.OpDequantize, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeFloat32, []int{2})}, NewTensor(tflite.TypeInt8, []int{2})); !errors.Is(err, ErrBadQuantization) {
		t.Errorf("no scale: %v", err)
	}
}

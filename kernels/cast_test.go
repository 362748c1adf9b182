package kernels

import (
	"math"
	"reflect"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestCast(t *testing.T) {
	tests := []struct {
		name    string
		in      *Tensor
		outType tflite.TensorType
		want    []int64
	}{
		{"int16 to int8 truncates", mtTensor(tflite.TypeInt16, []int{4}, 300, -129, 127, -32768), tflite.TypeInt8, []int64{44, 127, 127, 0}},
		{"int32 to int8 truncates", mtTensor(tflite.TypeInt32, []int{3}, -129, 256, 1<<31-1), tflite.TypeInt8, []int64{127, 0, -1}},
		{"int32 to int16 truncates", mtTensor(tflite.TypeInt32, []int{2}, 40000, -40000), tflite.TypeInt16, []int64{-25536, 25536}},
		{"int16 to int32 sign-extends", mtTensor(tflite.TypeInt16, []int{2}, -1, 32767), tflite.TypeInt32, []int64{-1, 32767}},
		{"int8 to uint32 wraps", mtTensor(tflite.TypeInt8, []int{2}, -1, 5), tflite.TypeUint32, []int64{4294967295, 5}},
		{"bool to int32", mtTensor(tflite.TypeBool, []int{2}, 1, 0), tflite.TypeInt32, []int64{1, 0}},
		{"float32 to int8 truncates toward zero", mtFloats([]int{4}, -2.7, 2.7, 127.9, 1e10), tflite.TypeInt8, []int64{-2, 2, 127, 0}},
		{"float32 to int32 out of range", mtFloats([]int{3}, 3e9, float32(math.NaN()), -3e9), tflite.TypeInt32, []int64{math.MinInt32, math.MinInt32, math.MinInt32}},
		{"float32 to uint32", mtFloats([]int{2}, -1, 3e9), tflite.TypeUint32, []int64{4294967295, 3000000000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := NewTensor(tc.outType, tc.in.Shape)
			mtRun(t, tflite.OpCast, tflite.Options{}, []*Tensor{out}, tc.in)
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("to float32 rounds to nearest even", func(t *testing.T) {
		out := NewTensor(tflite.TypeFloat32, []int{3})
		k := mtRun(t, tflite.OpCast, tflite.Options{}, []*Tensor{out}, mtTensor(tflite.TypeInt32, []int{3}, 16777217, 16777219, -7))
		if got, want := out.Float32(), []float32{16777216, 16777220, -7}; !reflect.DeepEqual(got, want) {
			t.Errorf("output %v, want %v", got, want)
		}
		var c Chain
		_ = k.Explain(0, 0, &c)
		if c.Final != int64(math.Float32bits(16777216)) || !c.Steps[1].HasReal || c.Steps[1].Real != 16777216 {
			t.Errorf("explanation %+v", c)
		}
	})
	t.Run("int8 to float32", func(t *testing.T) {
		out := NewTensor(tflite.TypeFloat32, []int{2})
		mtRun(t, tflite.OpCast, tflite.Options{}, []*Tensor{out}, arQuant(mtTensor(tflite.TypeInt8, []int{2}, -128, 3), 0.5, 7))
		if got, want := out.Float32(), []float32{-128, 3}; !reflect.DeepEqual(got, want) {
			t.Errorf("output %v, want %v (quantization ignored)", got, want)
		}
	})
	_, err := mtPrepare(tflite.OpCast, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1})}, mtTensor(tflite.TypeUint8, []int{1}, 1))
	mtWantErr(t, err, ErrUnsupportedType)
	_, err = mtPrepare(tflite.OpCast, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeBool, []int{1})}, mtTensor(tflite.TypeInt8, []int{1}, 1))
	mtWantErr(t, err, ErrUnsupportedType)
}

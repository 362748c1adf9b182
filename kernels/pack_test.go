package kernels

import (
	"fmt"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestPackUnpack(t *testing.T) {
	a := mtTensor(tflite.TypeInt8, []int{2}, 1, 2)
	b := mtTensor(tflite.TypeInt8, []int{2}, 3, 4)
	for _, tc := range []struct {
		axis int32
		want []int64
	}{{0, []int64{1, 2, 3, 4}}, {1, []int64{1, 3, 2, 4}}, {-1, []int64{1, 3, 2, 4}}} {
		out := NewTensor(tflite.TypeInt8, []int{2, 2})
		t.Run(fmt.Sprintf("PACK axis %d", tc.axis), func(t *testing.T) {
			mtRun(t, tflite.OpPack, tflite.Options{Axis: tc.axis, ValuesCount: 2}, []*Tensor{out}, a, b)
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("PACK three inputs axis 1 of [2,1]", func(t *testing.T) {
		ins := []*Tensor{mtTensor(tflite.TypeInt32, []int{2, 1}, 1, 2), mtTensor(tflite.TypeInt32, []int{2, 1}, 3, 4), mtTensor(tflite.TypeInt32, []int{2, 1}, 5, 6)}
		out := NewTensor(tflite.TypeInt32, []int{2, 3, 1})
		mtRun(t, tflite.OpPack, tflite.Options{Axis: 1}, []*Tensor{out}, ins...)
		mtWant(t, out, 1, 3, 5, 2, 4, 6)
	})
	t.Run("UNPACK axis 1", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt16, []int{2, 2}, 1, 2, 3, 4)
		o0, o1 := NewTensor(tflite.TypeInt16, []int{2}), NewTensor(tflite.TypeInt16, []int{2})
		mtRun(t, tflite.OpUnpack, tflite.Options{Axis: 1, Num: 2}, []*Tensor{o0, o1}, in)
		mtWant(t, o0, 1, 3)
		mtWant(t, o1, 2, 4)
	})
	t.Run("refusals", func(t *testing.T) {
		_, err := mtPrepare(tflite.OpPack, tflite.Options{Axis: 0}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2, 3})}, a, b)
		mtWantErr(t, err, ErrBadShape)
		_, err = mtPrepare(tflite.OpPack, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2, 2})}, a, mtTensor(tflite.TypeInt16, []int{2}, 1, 2))
		mtWantErr(t, err, ErrUnsupportedType)
		_, err = mtPrepare(tflite.OpUnpack, tflite.Options{Axis: 0}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, mtTensor(tflite.TypeInt8, []int{2, 2}, 1, 2, 3, 4))
		mtWantErr(t, err, ErrBadShape)
	})
}

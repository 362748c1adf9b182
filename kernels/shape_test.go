package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestShape(t *testing.T) {
	for _, typ := range []tflite.TensorType{tflite.TypeInt32, tflite.TypeInt64} {
		t.Run(typ.String(), func(t *testing.T) {
			out := NewTensor(typ, []int{3})
			mtRun(t, tflite.OpShape, tflite.Options{OutputType: typ}, []*Tensor{out}, NewTensor(tflite.TypeInt16, []int{6, 1, 2}))
			mtWant(t, out, 6, 1, 2)
		})
	}
	_, err := mtPrepare(tflite.OpShape, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt32, []int{2})}, NewTensor(tflite.TypeInt8, []int{6, 1, 2}))
	mtWantErr(t, err, ErrBadShape)
	_, err = mtPrepare(tflite.OpShape, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{3})}, NewTensor(tflite.TypeInt8, []int{6, 1, 2}))
	mtWantErr(t, err, ErrUnsupportedType)
}

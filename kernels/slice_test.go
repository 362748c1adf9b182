package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestSlice(t *testing.T) {
	tests := []struct {
		name        string
		typ         tflite.TensorType
		idxType     tflite.TensorType
		in, out     []int
		begin, size []int64
		constant    bool
		want        []int64
	}{
		{"int8 size -1", tflite.TypeInt8, tflite.TypeInt32, []int{2, 3}, []int{2, 2}, []int64{0, 1}, []int64{2, -1}, true, []int64{1, 2, 4, 5}},
		{"int16 int64 indices", tflite.TypeInt16, tflite.TypeInt64, []int{3, 3}, []int{1, 2}, []int64{2, 0}, []int64{1, 2}, true, []int64{6, 7}},
		{"int32 runtime begin", tflite.TypeInt32, tflite.TypeInt32, []int{2, 2, 2}, []int{1, 1, 2}, []int64{1, 1, 0}, []int64{1, 1, 2}, false, []int64{6, 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mtTensor(tc.typ, tc.in, mtSeq(NumElements(tc.in), 0)...)
			b := mtTensor(tc.idxType, []int{len(tc.in)}, tc.begin...)
			s := mtTensor(tc.idxType, []int{len(tc.in)}, tc.size...)
			b.Const, s.Const = tc.constant, tc.constant
			out := NewTensor(tc.typ, tc.out)
			mtRun(t, tflite.OpSlice, tflite.Options{}, []*Tensor{out}, in, b, s)
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("outside the input", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{3}, 1, 2, 3)
		_, err := mtPrepare(tflite.OpSlice, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, in,
			arConst(mtTensor(tflite.TypeInt32, []int{1}, 2)), arConst(mtTensor(tflite.TypeInt32, []int{1}, 2)))
		mtWantErr(t, err, ErrBadShape)
		k, err := mtPrepare(tflite.OpSlice, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, in,
			mtTensor(tflite.TypeInt32, []int{1}, -1), arConst(mtTensor(tflite.TypeInt32, []int{1}, 2)))
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrBadShape)
	})
}

package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestDynamicUpdateSlice(t *testing.T) {
	tests := []struct {
		name            string
		operand, update []int
		start           []int64
		want            []int64
	}{
		{"inside", []int{4}, []int{2}, []int64{1}, []int64{10, 1, 2, 13}},
		{"clamped high", []int{4}, []int{2}, []int64{3}, []int64{10, 11, 1, 2}},
		{"clamped low", []int{4}, []int{2}, []int64{-5}, []int64{1, 2, 12, 13}},
		// [3,3] operand 10..18, [2,1] update at (1, 2).
		{"2-d", []int{3, 3}, []int{2, 1}, []int64{1, 2}, []int64{10, 11, 12, 13, 14, 1, 16, 17, 2}},
		{"whole", []int{2}, []int{2}, []int64{1}, []int64{1, 2}},
	}
	for _, tc := range tests {
		for _, idxType := range []tflite.TensorType{tflite.TypeInt32, tflite.TypeInt64} {
			t.Run(tc.name+" "+idxType.String(), func(t *testing.T) {
				operand := mtTensor(tflite.TypeInt16, tc.operand, mtSeq(NumElements(tc.operand), 10)...)
				update := mtTensor(tflite.TypeInt16, tc.update, mtSeq(NumElements(tc.update), 1)...)
				out := NewTensor(tflite.TypeInt16, tc.operand)
				mtRun(t, tflite.OpDynamicUpdateSlice, tflite.Options{}, []*Tensor{out}, operand, update, mtTensor(idxType, []int{len(tc.start)}, tc.start...))
				mtWant(t, out, tc.want...)
			})
		}
	}
	_, err := mtPrepare(tflite.OpDynamicUpdateSlice, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, mtTensor(tflite.TypeInt8, []int{2}, 1, 2), mtTensor(tflite.TypeInt8, []int{3}, 1, 2, 3), mtTensor(tflite.TypeInt32, []int{1}, 0))
	mtWantErr(t, err, ErrBadShape)
	_, err = mtPrepare(tflite.OpDynamicUpdateSlice, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, mtTensor(tflite.TypeInt8, []int{2}, 1, 2), mtTensor(tflite.TypeInt16, []int{1}, 1), mtTensor(tflite.TypeInt32, []int{1}, 0))
	mtWantErr(t, err, ErrUnsupportedType)
}

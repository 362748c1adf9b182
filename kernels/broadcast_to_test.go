package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestBroadcastTo(t *testing.T) {
	tests := []struct {
		name   string
		in     []int
		vals   []int64
		target []int64
		want   []int64
	}{
		{"row", []int{3}, []int64{1, 2, 3}, []int64{2, 3}, []int64{1, 2, 3, 1, 2, 3}},
		{"column", []int{2, 1}, []int64{1, 2}, []int64{2, 3}, []int64{1, 1, 1, 2, 2, 2}},
		{"scalar-like to 3-d", []int{1}, []int64{-7}, []int64{2, 1, 2}, []int64{-7, -7, -7, -7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mtTensor(tflite.TypeInt16, tc.in, tc.vals...)
			shape := make([]int, len(tc.target))
			for i, v := range tc.target {
				shape[i] = int(v)
			}
			out := NewTensor(tflite.TypeInt16, shape)
			mtRun(t, tflite.OpBroadcastTo, tflite.Options{}, []*Tensor{out}, in, arConst(mtTensor(tflite.TypeInt32, []int{len(shape)}, tc.target...)))
			mtWant(t, out, tc.want...)
		})
	}
	in := mtTensor(tflite.TypeInt8, []int{2}, 1, 2)
	_, err := mtPrepare(tflite.OpBroadcastTo, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2, 3})}, in, arConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 3)))
	mtWantErr(t, err, ErrBadShape)
	_, err = mtPrepare(tflite.OpBroadcastTo, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2, 2})}, in, mtTensor(tflite.TypeInt32, []int{2}, 2, 2))
	mtWantErr(t, err, ErrNotConstant)
}

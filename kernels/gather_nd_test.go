package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestGatherNd(t *testing.T) {
	tests := []struct {
		name          string
		params, shape []int
		idx           []int64
		out           []int
		want          []int64
	}{
		{"elements", []int{2, 2}, []int{2, 2}, []int64{1, 0, 0, 1}, []int{2}, []int64{2, 1}},
		{"rows", []int{3, 2}, []int{2, 1}, []int64{2, 0}, []int{2, 2}, []int64{4, 5, 0, 1}},
		{"one element of 3-d", []int{2, 2, 2}, []int{3}, []int64{1, 0, 1}, []int{}, []int64{5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mtTensor(tflite.TypeInt8, tc.params, mtSeq(NumElements(tc.params), 0)...)
			out := NewTensor(tflite.TypeInt8, tc.out)
			mtRun(t, tflite.OpGatherNd, tflite.Options{}, []*Tensor{out}, p, arConst(mtTensor(tflite.TypeInt32, tc.shape, tc.idx...)))
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("outside params", func(t *testing.T) {
		p := mtTensor(tflite.TypeInt8, []int{2, 2}, 1, 2, 3, 4)
		k, err := mtPrepare(tflite.OpGatherNd, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1, 2})}, p, mtTensor(tflite.TypeInt32, []int{1, 1}, 2))
		if err != nil {
			t.Fatal(err)
		}
		mtWantErr(t, k.Eval(), ErrRuntime)
	})
}

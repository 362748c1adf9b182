package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestBatchSpace(t *testing.T) {
	i32 := func(shape []int, v ...int64) *Tensor { return arConst(mtTensor(tflite.TypeInt32, shape, v...)) }
	// Each case runs op on in (quantized with scale and zp, as is the output,
	// when scale is not 0) with the block shape and paddings (crops).
	tests := []struct {
		name            string
		op              tflite.BuiltinOperator
		in, out         []int
		vals            []int64
		scale           float32
		zp              int64
		block, paddings *Tensor
		want            []int64
	}{
		{"SPACE_TO_BATCH_ND 2x2", tflite.OpSpaceToBatchNd, []int{1, 2, 2, 1}, []int{4, 1, 1, 1}, []int64{1, 2, 3, 4}, 0, 0,
			i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 0), []int64{1, 2, 3, 4}},
		{"SPACE_TO_BATCH_ND pads with 0, not the zero point", tflite.OpSpaceToBatchNd, []int{1, 1, 2, 1}, []int{4, 1, 1, 1}, []int64{5, 6}, 0.5, -20,
			i32([]int{2}, 2, 2), i32([]int{2, 2}, 1, 0, 0, 0), []int64{0, 0, 5, 6}},
		{"SPACE_TO_BATCH_ND 3-d", tflite.OpSpaceToBatchNd, []int{1, 4, 1}, []int{2, 2, 1}, []int64{1, 2, 3, 4}, 0, 0,
			i32([]int{1}, 2), i32([]int{1, 2}, 0, 0), []int64{1, 3, 2, 4}},
		{"BATCH_TO_SPACE_ND 2x2", tflite.OpBatchToSpaceNd, []int{4, 1, 1, 1}, []int{1, 2, 2, 1}, []int64{1, 2, 3, 4}, 0, 0,
			i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 0), []int64{1, 2, 3, 4}},
		{"BATCH_TO_SPACE_ND cropped right", tflite.OpBatchToSpaceNd, []int{4, 1, 1, 1}, []int{1, 2, 1, 1}, []int64{1, 2, 3, 4}, 0, 0,
			i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 1), []int64{1, 3}},
		{"BATCH_TO_SPACE_ND 3-d, run-time block", tflite.OpBatchToSpaceNd, []int{2, 2, 1}, []int{1, 4, 1}, []int64{1, 3, 2, 4}, 0, 0,
			mtTensor(tflite.TypeInt32, []int{1}, 2), i32([]int{1, 2}, 0, 0), []int64{1, 2, 3, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mtTensor(tflite.TypeInt8, tc.in, tc.vals...)
			out := NewTensor(tflite.TypeInt8, tc.out)
			if tc.scale != 0 {
				arQuant(in, tc.scale, tc.zp)
				arQuant(out, tc.scale, tc.zp)
			}
			mtRun(t, tc.op, tflite.Options{}, []*Tensor{out}, in, tc.block, tc.paddings)
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("shape mismatch", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4, 1, 1, 1}, 1, 2, 3, 4)
		_, err := mtPrepare(tflite.OpBatchToSpaceNd, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1})}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 1, 0, 0))
		mtWantErr(t, err, ErrBadShape)
	})
}

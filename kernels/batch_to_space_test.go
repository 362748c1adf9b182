package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestBatchSpace(t *testing.T) {
	i32 := func(shape []int, v ...int64) *Tensor { return arConst(mtTensor(tflite.TypeInt32, shape, v...)) }
	t.Run("SPACE_TO_BATCH_ND 2x2", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{1, 2, 2, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{4, 1, 1, 1})
		mtRun(t, tflite.OpSpaceToBatchNd, tflite.Options{}, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 0))
		mtWant(t, out, 1, 2, 3, 4)
	})
	t.Run("SPACE_TO_BATCH_ND pads with 0, not the zero point", func(t *testing.T) {
		in := arQuant(mtTensor(tflite.TypeInt8, []int{1, 1, 2, 1}, 5, 6), 0.5, -20)
		out := arQuant(NewTensor(tflite.TypeInt8, []int{4, 1, 1, 1}), 0.5, -20)
		mtRun(t, tflite.OpSpaceToBatchNd, tflite.Options{}, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 1, 0, 0, 0))
		mtWant(t, out, 0, 0, 5, 6)
	})
	t.Run("SPACE_TO_BATCH_ND 3-d", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{1, 4, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{2, 2, 1})
		mtRun(t, tflite.OpSpaceToBatchNd, tflite.Options{}, []*Tensor{out}, in, i32([]int{1}, 2), i32([]int{1, 2}, 0, 0))
		mtWant(t, out, 1, 3, 2, 4)
	})
	t.Run("BATCH_TO_SPACE_ND 2x2", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4, 1, 1, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1})
		mtRun(t, tflite.OpBatchToSpaceNd, tflite.Options{}, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 0))
		mtWant(t, out, 1, 2, 3, 4)
	})
	t.Run("BATCH_TO_SPACE_ND cropped right", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4, 1, 1, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{1, 2, 1, 1})
		mtRun(t, tflite.OpBatchToSpaceNd, tflite.Options{}, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 1))
		mtWant(t, out, 1, 3)
	})
	t.Run("BATCH_TO_SPACE_ND 3-d, run-time block", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{2, 2, 1}, 1, 3, 2, 4)
		out := NewTensor(tflite.TypeInt8, []int{1, 4, 1})
		mtRun(t, tflite.OpBatchToSpaceNd, tflite.Options{}, []*Tensor{out}, in, mtTensor(tflite.TypeInt32, []int{1}, 2), i32([]int{1, 2}, 0, 0))
		mtWant(t, out, 1, 2, 3, 4)
	})
	t.Run("shape mismatch", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4, 1, 1, 1}, 1, 2, 3, 4)
		_, err := mtPrepare(tflite.OpBatchToSpaceNd, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1})}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 1, 0, 0))
		mtWantErr(t, err, ErrBadShape)
	})
}

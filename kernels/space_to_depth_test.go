package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestSpaceToDepthAndBack(t *testing.T) {
	// Input [1,2,4,1], value h·4 + w. Output [1,1,2,4]: out[0,0,w,d] takes
	// the tile d = (dh·2 + dw) at (dh, 2w + dw).
	in := mtTensor(tflite.TypeInt8, []int{1, 2, 4, 1}, mtSeq(8, 0)...)
	mid := NewTensor(tflite.TypeInt8, []int{1, 1, 2, 4})
	mtRun(t, tflite.OpSpaceToDepth, &tflite.Options{BlockSize: 2}, []*Tensor{mid}, in)
	mtWant(t, mid, 0, 1, 4, 5, 2, 3, 6, 7)
	back := NewTensor(tflite.TypeInt8, []int{1, 2, 4, 1})
	mtRun(t, tflite.OpDepthToSpace, &tflite.Options{BlockSize: 2}, []*Tensor{back}, mid)
	mtWant(t, back, mtSeq(8, 0)...)

	// DEPTH_TO_SPACE with 2 output channels: depth index ((h%2)·2 + w%2)·2 + c.
	in2 := mtTensor(tflite.TypeInt8, []int{1, 1, 1, 8}, mtSeq(8, 0)...)
	out2 := NewTensor(tflite.TypeInt8, []int{1, 2, 2, 2})
	mtRun(t, tflite.OpDepthToSpace, &tflite.Options{BlockSize: 2}, []*Tensor{out2}, in2)
	mtWant(t, out2, mtSeq(8, 0)...)

	_, err := mtPrepare(tflite.OpSpaceToDepth, &tflite.Options{BlockSize: 3}, []*Tensor{mid}, in)
	mtWantErr(t, err, ErrBadShape)
}

func TestBatchSpace(t *testing.T) {
	i32 := func(shape []int, v ...int64) *Tensor { return mtConst(mtTensor(tflite.TypeInt32, shape, v...)) }
	t.Run("SPACE_TO_BATCH_ND 2x2", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{1, 2, 2, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{4, 1, 1, 1})
		mtRun(t, tflite.OpSpaceToBatchNd, nil, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 0))
		mtWant(t, out, 1, 2, 3, 4)
	})
	t.Run("SPACE_TO_BATCH_ND pads with 0, not the zero point", func(t *testing.T) {
		in := mtQuant(mtTensor(tflite.TypeInt8, []int{1, 1, 2, 1}, 5, 6), 0.5, -20)
		out := mtQuant(NewTensor(tflite.TypeInt8, []int{4, 1, 1, 1}), 0.5, -20)
		mtRun(t, tflite.OpSpaceToBatchNd, nil, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 1, 0, 0, 0))
		mtWant(t, out, 0, 0, 5, 6)
	})
	t.Run("SPACE_TO_BATCH_ND 3-d", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{1, 4, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{2, 2, 1})
		mtRun(t, tflite.OpSpaceToBatchNd, nil, []*Tensor{out}, in, i32([]int{1}, 2), i32([]int{1, 2}, 0, 0))
		mtWant(t, out, 1, 3, 2, 4)
	})
	t.Run("BATCH_TO_SPACE_ND 2x2", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4, 1, 1, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1})
		mtRun(t, tflite.OpBatchToSpaceNd, nil, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 0))
		mtWant(t, out, 1, 2, 3, 4)
	})
	t.Run("BATCH_TO_SPACE_ND cropped right", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4, 1, 1, 1}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{1, 2, 1, 1})
		mtRun(t, tflite.OpBatchToSpaceNd, nil, []*Tensor{out}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 0, 0, 1))
		mtWant(t, out, 1, 3)
	})
	t.Run("BATCH_TO_SPACE_ND 3-d, run-time block", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{2, 2, 1}, 1, 3, 2, 4)
		out := NewTensor(tflite.TypeInt8, []int{1, 4, 1})
		mtRun(t, tflite.OpBatchToSpaceNd, nil, []*Tensor{out}, in, mtTensor(tflite.TypeInt32, []int{1}, 2), i32([]int{1, 2}, 0, 0))
		mtWant(t, out, 1, 2, 3, 4)
	})
	t.Run("shape mismatch", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4, 1, 1, 1}, 1, 2, 3, 4)
		_, err := mtPrepare(tflite.OpBatchToSpaceNd, nil, []*Tensor{NewTensor(tflite.TypeInt8, []int{1, 2, 2, 1})}, in, i32([]int{2}, 2, 2), i32([]int{2, 2}, 0, 1, 0, 0))
		mtWantErr(t, err, ErrBadShape)
	})
}

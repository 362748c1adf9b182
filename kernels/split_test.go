package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestSplit(t *testing.T) {
	t.Run("SPLIT axis -1", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{2, 4}, mtSeq(8, 0)...)
		o0, o1 := NewTensor(tflite.TypeInt8, []int{2, 2}), NewTensor(tflite.TypeInt8, []int{2, 2})
		mtRun(t, tflite.OpSplit, tflite.Options{NumSplits: 2}, []*Tensor{o0, o1}, arConst(mtTensor(tflite.TypeInt32, []int{1}, -1)), in)
		mtWant(t, o0, 0, 1, 4, 5)
		mtWant(t, o1, 2, 3, 6, 7)
	})
	t.Run("SPLIT_V axis 0 with -1", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt16, []int{3, 2}, mtSeq(6, 10)...)
		o0, o1 := NewTensor(tflite.TypeInt16, []int{1, 2}), NewTensor(tflite.TypeInt16, []int{2, 2})
		mtRun(t, tflite.OpSplitV, tflite.Options{NumSplits: 2}, []*Tensor{o0, o1}, in,
			arConst(mtTensor(tflite.TypeInt32, []int{2}, 1, -1)), arConst(mtTensor(tflite.TypeInt32, []int{1}, 0)))
		mtWant(t, o0, 10, 11)
		mtWant(t, o1, 12, 13, 14, 15)
	})
	t.Run("SPLIT_V three pieces of the middle axis", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt32, []int{2, 4, 1}, mtSeq(8, 0)...)
		outs := []*Tensor{NewTensor(tflite.TypeInt32, []int{2, 1, 1}), NewTensor(tflite.TypeInt32, []int{2, 2, 1}), NewTensor(tflite.TypeInt32, []int{2, 1, 1})}
		mtRun(t, tflite.OpSplitV, tflite.Options{}, outs, in,
			arConst(mtTensor(tflite.TypeInt32, []int{3}, 1, 2, 1)), arConst(mtTensor(tflite.TypeInt32, []int{1}, 1)))
		mtWant(t, outs[0], 0, 4)
		mtWant(t, outs[1], 1, 2, 5, 6)
		mtWant(t, outs[2], 3, 7)
	})
	t.Run("refusals", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4}, 1, 2, 3, 4)
		outs := []*Tensor{NewTensor(tflite.TypeInt8, []int{2}), NewTensor(tflite.TypeInt8, []int{2})}
		_, err := mtPrepare(tflite.OpSplit, tflite.Options{}, outs, mtTensor(tflite.TypeInt32, []int{1}, 0), in)
		mtWantErr(t, err, ErrNotConstant)
		_, err = mtPrepare(tflite.OpSplitV, tflite.Options{}, outs, in, arConst(mtTensor(tflite.TypeInt32, []int{2}, 3, 1)), arConst(mtTensor(tflite.TypeInt32, []int{1}, 0)))
		mtWantErr(t, err, ErrBadShape)
		_, err = mtPrepare(tflite.OpSplit, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{1}), NewTensor(tflite.TypeInt8, []int{3})}, arConst(mtTensor(tflite.TypeInt32, []int{1}, 0)), in)
		mtWantErr(t, err, ErrBadShape)
	})
}

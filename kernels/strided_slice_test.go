package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestStridedSlice(t *testing.T) {
	tests := []struct {
		name              string
		in, out           []int
		begin, end, strid []int64
		opts              tflite.Options
		want              []int64
	}{
		{"1d stride 3", []int{10}, []int{3}, []int64{1}, []int64{8}, []int64{3}, tflite.Options{}, []int64{1, 4, 7}},
		{"1d negative stride", []int{10}, []int{3}, []int64{8}, []int64{2}, []int64{-2}, tflite.Options{}, []int64{8, 6, 4}},
		// begin −1 → 9, end −11 → −1 after +N, clamped to −1: the whole axis backwards.
		{"1d negative indices", []int{4}, []int{4}, []int64{-1}, []int64{-11}, []int64{-1}, tflite.Options{}, []int64{3, 2, 1, 0}},
		{"begin and end masks", []int{10}, []int{10}, []int64{5}, []int64{6}, []int64{1}, tflite.Options{BeginMask: 1, EndMask: 1}, mtSeq(10, 0)},
		{"end clamped", []int{5}, []int{3}, []int64{2}, []int64{100}, []int64{1}, tflite.Options{}, []int64{2, 3, 4}},
		// Row 1 of a [3,4] input, axis 0 shrunk: [4,5,6,7] with shape [4].
		{"shrink axis 0", []int{3, 4}, []int{4}, []int64{1, 0}, []int64{2, 4}, []int64{1, 1}, tflite.Options{ShrinkAxisMask: 1}, []int64{4, 5, 6, 7}},
		// Negative shrink index: row −1 = row 2; end is ignored.
		{"shrink negative", []int{3, 4}, []int{2}, []int64{-1, 1}, []int64{0, 3}, []int64{1, 1}, tflite.Options{ShrinkAxisMask: 1}, []int64{9, 10}},
		{"offset", []int{10}, []int{2}, []int64{3}, []int64{2}, []int64{1}, tflite.Options{Offset: true}, []int64{3, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := len(tc.in)
			in := mtTensor(tflite.TypeInt8, tc.in, mtSeq(NumElements(tc.in), 0)...)
			out := NewTensor(tflite.TypeInt8, tc.out)
			opts := tc.opts
			mtRun(t, tflite.OpStridedSlice, opts, []*Tensor{out}, in,
				arConst(mtTensor(tflite.TypeInt32, []int{r}, tc.begin...)),
				arConst(mtTensor(tflite.TypeInt32, []int{r}, tc.end...)),
				arConst(mtTensor(tflite.TypeInt32, []int{r}, tc.strid...)))
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("refusals", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{4}, 1, 2, 3, 4)
		c := func(v int64) *Tensor { return arConst(mtTensor(tflite.TypeInt32, []int{1}, v)) }
		out := NewTensor(tflite.TypeInt8, []int{2})
		_, err := mtPrepare(tflite.OpStridedSlice, tflite.Options{}, []*Tensor{out}, in, mtTensor(tflite.TypeInt32, []int{1}, 0), c(2), c(1))
		mtWantErr(t, err, ErrNotConstant)
		_, err = mtPrepare(tflite.OpStridedSlice, tflite.Options{}, []*Tensor{out}, in, c(0), c(2), c(0))
		mtWantErr(t, err, ErrBadShape)
		_, err = mtPrepare(tflite.OpStridedSlice, tflite.Options{}, []*Tensor{out}, in, c(0), c(3), c(1))
		mtWantErr(t, err, ErrBadShape)
		_, err = mtPrepare(tflite.OpStridedSlice, tflite.Options{NewAxisMask: 1}, []*Tensor{out}, in, c(0), c(2), c(1))
		mtWantErr(t, err, ErrUnsupportedOp)
		// Shrinking a [3,4] input's axis 0 at row 3 (or a begin far past
		// it, clamped to 3) selects nothing, but the shrunk axis is dropped
		// and the [4] output names four elements: FuzzPipeline found such a
		// slice reading past its input (Eval panicked). Row 2 is the last
		// one that exists.
		rows := mtTensor(tflite.TypeInt8, []int{3, 4}, mtSeq(12, 0)...)
		pair := func(a, b int64) *Tensor { return arConst(mtTensor(tflite.TypeInt32, []int{2}, a, b)) }
		for _, begin := range []int64{3, 808464639} {
			_, err = mtPrepare(tflite.OpStridedSlice, tflite.Options{ShrinkAxisMask: 1}, []*Tensor{NewTensor(tflite.TypeInt8, []int{4})}, rows, pair(begin, 0), pair(begin+1, 4), pair(1, 1))
			mtWantErr(t, err, ErrBadShape)
		}
		last := NewTensor(tflite.TypeInt8, []int{4})
		mtRun(t, tflite.OpStridedSlice, tflite.Options{ShrinkAxisMask: 1}, []*Tensor{last}, rows, pair(2, 0), pair(3, 4), pair(1, 1))
		mtWant(t, last, 8, 9, 10, 11)
	})
}

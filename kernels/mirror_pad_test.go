package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestMirrorPad(t *testing.T) {
	tests := []struct {
		name string
		mode tflite.MirrorPadMode
		pads []int64
		out  []int
		want []int64
	}{
		{"reflect", tflite.MirrorPadReflect, []int64{2, 2}, []int{7}, []int64{3, 2, 1, 2, 3, 2, 1}},
		{"symmetric", tflite.MirrorPadSymmetric, []int64{2, 2}, []int{7}, []int64{2, 1, 1, 2, 3, 3, 2}},
		{"symmetric full width", tflite.MirrorPadSymmetric, []int64{3, 0}, []int{6}, []int64{3, 2, 1, 1, 2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mtTensor(tflite.TypeInt8, []int{3}, 1, 2, 3)
			out := NewTensor(tflite.TypeInt8, tc.out)
			mtRun(t, tflite.OpMirrorPad, tflite.Options{Type: tflite.OptionsMirrorPad, MirrorPadMode: tc.mode}, []*Tensor{out}, in, arConst(mtTensor(tflite.TypeInt32, []int{1, 2}, tc.pads...)))
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("2-d reflect, int64 paddings", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{2, 2}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{3, 3})
		mtRun(t, tflite.OpMirrorPad, tflite.Options{Type: tflite.OptionsMirrorPad, MirrorPadMode: tflite.MirrorPadReflect}, []*Tensor{out}, in, arConst(mtTensor(tflite.TypeInt64, []int{2, 2}, 1, 0, 0, 1)))
		mtWant(t, out, 3, 4, 3, 1, 2, 1, 3, 4, 3)
	})
	t.Run("reflect padding as wide as the input", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{3}, 1, 2, 3)
		_, err := mtPrepare(tflite.OpMirrorPad, tflite.Options{Type: tflite.OptionsMirrorPad, MirrorPadMode: tflite.MirrorPadReflect}, []*Tensor{NewTensor(tflite.TypeInt8, []int{6})}, in, arConst(mtTensor(tflite.TypeInt32, []int{1, 2}, 3, 0)))
		mtWantErr(t, err, ErrBadShape)
	})
}

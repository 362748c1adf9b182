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
			mtRun(t, tflite.OpMirrorPad, &tflite.Options{MirrorPadMode: tc.mode}, []*Tensor{out}, in, mtConst(mtTensor(tflite.TypeInt32, []int{1, 2}, tc.pads...)))
			mtWant(t, out, tc.want...)
		})
	}
	t.Run("2-d reflect, int64 paddings", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{2, 2}, 1, 2, 3, 4)
		out := NewTensor(tflite.TypeInt8, []int{3, 3})
		mtRun(t, tflite.OpMirrorPad, &tflite.Options{MirrorPadMode: tflite.MirrorPadReflect}, []*Tensor{out}, in, mtConst(mtTensor(tflite.TypeInt64, []int{2, 2}, 1, 0, 0, 1)))
		mtWant(t, out, 3, 4, 3, 1, 2, 1, 3, 4, 3)
	})
	t.Run("reflect padding as wide as the input", func(t *testing.T) {
		in := mtTensor(tflite.TypeInt8, []int{3}, 1, 2, 3)
		_, err := mtPrepare(tflite.OpMirrorPad, &tflite.Options{MirrorPadMode: tflite.MirrorPadReflect}, []*Tensor{NewTensor(tflite.TypeInt8, []int{6})}, in, mtConst(mtTensor(tflite.TypeInt32, []int{1, 2}, 3, 0)))
		mtWantErr(t, err, ErrBadShape)
	})
}

func TestReverseV2(t *testing.T) {
	tests := []struct {
		name string
		typ  tflite.TensorType
		axes []int64
		want []int64
	}{
		{"axis 1 int8", tflite.TypeInt8, []int64{1}, []int64{2, 1, 0, 5, 4, 3}},
		{"axes 0 and -1 uint8", tflite.TypeUint8, []int64{0, -1}, []int64{5, 4, 3, 2, 1, 0}},
		{"axis 0 int16", tflite.TypeInt16, []int64{0}, []int64{3, 4, 5, 0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mtTensor(tc.typ, []int{2, 3}, mtSeq(6, 0)...)
			out := NewTensor(tc.typ, []int{2, 3})
			mtRun(t, tflite.OpReverseV2, nil, []*Tensor{out}, in, mtConst(mtTensor(tflite.TypeInt32, []int{len(tc.axes)}, tc.axes...)))
			mtWant(t, out, tc.want...)
		})
	}
	k, err := mtPrepare(tflite.OpReverseV2, nil, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, mtTensor(tflite.TypeInt8, []int{2}, 1, 2), mtTensor(tflite.TypeInt32, []int{1}, 1))
	if err != nil {
		t.Fatal(err)
	}
	mtWantErr(t, k.Eval(), ErrBadShape)
}

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
			mtRun(t, tflite.OpBroadcastTo, nil, []*Tensor{out}, in, mtConst(mtTensor(tflite.TypeInt32, []int{len(shape)}, tc.target...)))
			mtWant(t, out, tc.want...)
		})
	}
	in := mtTensor(tflite.TypeInt8, []int{2}, 1, 2)
	_, err := mtPrepare(tflite.OpBroadcastTo, nil, []*Tensor{NewTensor(tflite.TypeInt8, []int{2, 3})}, in, mtConst(mtTensor(tflite.TypeInt32, []int{2}, 2, 3)))
	mtWantErr(t, err, ErrBadShape)
	_, err = mtPrepare(tflite.OpBroadcastTo, nil, []*Tensor{NewTensor(tflite.TypeInt8, []int{2, 2})}, in, mtTensor(tflite.TypeInt32, []int{2}, 2, 2))
	mtWantErr(t, err, ErrNotConstant)
}

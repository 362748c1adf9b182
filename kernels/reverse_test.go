package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

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
			mtRun(t, tflite.OpReverseV2, tflite.Options{}, []*Tensor{out}, in, arConst(mtTensor(tflite.TypeInt32, []int{len(tc.axes)}, tc.axes...)))
			mtWant(t, out, tc.want...)
		})
	}
	k, err := mtPrepare(tflite.OpReverseV2, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt8, []int{2})}, mtTensor(tflite.TypeInt8, []int{2}, 1, 2), mtTensor(tflite.TypeInt32, []int{1}, 1))
	if err != nil {
		t.Fatal(err)
	}
	mtWantErr(t, k.Eval(), ErrBadShape)
}

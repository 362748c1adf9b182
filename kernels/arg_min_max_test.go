package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestArgMinMax(t *testing.T) {
	vals := []int64{1, 5, 5, -3, -3, 7} // [2,3]
	tests := []struct {
		name string
		op   tflite.BuiltinOperator
		axis int64
		out  []int
		want []int64
	}{
		{"ARG_MAX axis 1 (tie keeps the first)", tflite.OpArgMax, 1, []int{2}, []int64{1, 2}},
		{"ARG_MAX axis -1", tflite.OpArgMax, -1, []int{2}, []int64{1, 2}},
		{"ARG_MIN axis 1 (tie keeps the first)", tflite.OpArgMin, 1, []int{2}, []int64{0, 0}},
		{"ARG_MAX axis 0", tflite.OpArgMax, 0, []int{3}, []int64{0, 0, 1}},
		{"ARG_MIN axis 0", tflite.OpArgMin, 0, []int{3}, []int64{1, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := arQuant(mtTensor(tflite.TypeInt8, []int{2, 3}, vals...), 0.1, -20)
			out := NewTensor(tflite.TypeInt32, tc.out)
			k := mtRun(t, tc.op, tflite.Options{OutputType: tflite.TypeInt32}, []*Tensor{out}, in, arConst(mtTensor(tflite.TypeInt32, []int{1}, tc.axis)))
			mtWant(t, out, tc.want...)
			var c Chain
			_ = k.Explain(0, 0, &c)
			if len(c.Sources) != in.Shape[int((tc.axis+2)%2)] {
				t.Errorf("explanation lists %d sources: %+v", len(c.Sources), c.Sources)
			}
		})
	}
	t.Run("float32, run-time axis", func(t *testing.T) {
		out := NewTensor(tflite.TypeInt32, []int{2})
		axis := mtTensor(tflite.TypeInt32, []int{1}, 1)
		mtRun(t, tflite.OpArgMin, tflite.Options{}, []*Tensor{out}, mtFloats([]int{2, 2}, 0.5, -0.5, 2, 3), axis)
		mtWant(t, out, 1, 0)
		axis.Int32()[0] = 5
		k, _ := mtPrepare(tflite.OpArgMin, tflite.Options{}, []*Tensor{out}, mtFloats([]int{2, 2}, 0.5, -0.5, 2, 3), axis)
		err := k.Eval()
		mtWantErr(t, err, ErrBadShape)
		mtWantErr(t, err, ErrRuntime) // decided by run-time values (FuzzPipeline found it untyped)
	})
	_, err := mtPrepare(tflite.OpArgMax, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt64, []int{2})}, mtTensor(tflite.TypeInt8, []int{2, 3}, vals...), arConst(mtTensor(tflite.TypeInt32, []int{1}, 1)))
	mtWantErr(t, err, ErrUnsupportedType)
	_, err = mtPrepare(tflite.OpArgMax, tflite.Options{}, []*Tensor{NewTensor(tflite.TypeInt32, []int{3})}, mtTensor(tflite.TypeInt8, []int{2, 3}, vals...), arConst(mtTensor(tflite.TypeInt32, []int{1}, 1)))
	mtWantErr(t, err, ErrBadShape)
}

package kernels

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestMaximumMinimum(t *testing.T) {
	cases := []struct {
		name           string
		typ            tflite.TensorType
		shape1, shape2 []int
		in1, in2       []int64
		outShape       []int
		wantMax        []int64
		wantMin        []int64
	}{
		// [2,1] against [3]: out[i][j] = op(in1[i], in2[j]).
		{"int8 broadcast", tflite.TypeInt8, []int{2, 1}, []int{3}, []int64{1, 5}, []int64{0, 3, 7}, []int{2, 3},
			[]int64{1, 3, 7, 5, 5, 7}, []int64{0, 1, 1, 0, 3, 5}},
		{"int16 same", tflite.TypeInt16, []int{3}, []int{3}, []int64{-32768, 100, 7}, []int64{32767, -100, 7}, []int{3},
			[]int64{32767, 100, 7}, []int64{-32768, -100, 7}},
		{"int32 scalar", tflite.TypeInt32, []int{2, 2}, []int{1}, []int64{math.MinInt32, -1, 0, math.MaxInt32}, []int64{0}, []int{2, 2},
			[]int64{0, 0, 0, math.MaxInt32}, []int64{math.MinInt32, -1, 0, 0}},
	}
	for _, tc := range cases {
		for _, op := range []tflite.BuiltinOperator{tflite.OpMaximum, tflite.OpMinimum} {
			t.Run(tc.name+"/"+op.String(), func(t *testing.T) {
				scale := float32(0.5)
				if tc.typ == tflite.TypeInt32 {
					scale = 0
				}
				in1 := arTensor(tc.typ, tc.shape1, scale, 0, tc.in1...)
				in2 := arConst(arTensor(tc.typ, tc.shape2, scale, 0, tc.in2...))
				out := arTensor(tc.typ, tc.outShape, scale, 0)
				k := arRun(t, arNode(op, tflite.Options{}, RoundingDouble, out, in1, in2))
				want := tc.wantMax
				if op == tflite.OpMinimum {
					want = tc.wantMin
				}
				arEqual(t, arValues(out), want)
				arCheckNoAlloc(t, k)
			})
		}
	}
	bad := arNode(tflite.OpMaximum, tflite.Options{}, RoundingDouble, arTensor(tflite.TypeInt8, []int{2}, 1, 0),
		arTensor(tflite.TypeInt8, []int{2}, 1, 0), arTensor(tflite.TypeInt16, []int{2}, 1, 0))
	if _, err := Prepare(bad); err == nil {
		t.Error("MAXIMUM of int8 and int16 prepared")
	}
}

package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestAbs(t *testing.T) {
	cases := []struct {
		name      string
		typ       tflite.TensorType
		sIn, sOut float32
		zIn, zOut int64
		in, want  []int64
	}{
		// Same scale: |x − 3| + 3, clamped: |−128 − 3| + 3 = 134 → 127.
		{"int8 samescale", tflite.TypeInt8, 0.1, 0.1, 3, 3, []int64{-128, 3, 10, -5}, []int64{127, 3, 10, 11}},
		// M = 0.5/0.25 = 2, zp_out −128: |−5 − 3| = 8 → 16 − 128 = −112;
		// |127 − 3| = 124 → 248 − 128 = 120; |−128 − 3| = 131 → 262 − 128 → 127.
		{"int8 rescale", tflite.TypeInt8, 0.5, 0.25, 3, -128, []int64{-5, 3, 127, -128}, []int64{-112, -128, 120, 127}},
		// int16, M = 0.75 (3/8 ÷ 1/2): |−3|·0.75 = 2.25 → 2; |5|·0.75 = 3.75 → 4.
		{"int16 rescale", tflite.TypeInt16, 0.375, 0.5, 0, 0, []int64{-3, 5, -32768}, []int64{2, 4, 24576}},
	}
	for _, tc := range cases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				in := arTensor(tc.typ, []int{len(tc.in)}, tc.sIn, tc.zIn, tc.in...)
				out := arTensor(tc.typ, []int{len(tc.in)}, tc.sOut, tc.zOut)
				k := arRun(t, arNode(tflite.OpAbs, tflite.Options{}, rule, out, in))
				arEqual(t, arValues(out), tc.want)
				arCheckNoAlloc(t, k)
			})
		}
	}
	t.Run("int16 unquantized", func(t *testing.T) {
		in := arTensor(tflite.TypeInt16, []int{3}, 0, 0, -32768, -5, 7)
		out := arTensor(tflite.TypeInt16, []int{3}, 0, 0)
		arRun(t, arNode(tflite.OpAbs, tflite.Options{}, RoundingDouble, out, in))
		arEqual(t, arValues(out), []int64{-32768, 5, 7}) // std::abs(−32768) wraps in int16
	})
}

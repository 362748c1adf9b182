package kernels

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

func TestHardSwish(t *testing.T) {
	cases := []struct {
		sIn, sOut float32
		zIn, zOut int64
	}{
		{0.0911484, 0.0350704, 33, -117},
		{0.05, 0.05, -20, -100},
		{0.5, 0.1, 0, -128}, // large input scale: the reluish multiplier shifts left
	}
	all := make([]int64, 256)
	for i := range all {
		all[i] = int64(i) - 128
	}
	for _, tc := range cases {
		in := arTensor(tflite.TypeInt8, []int{16, 16}, tc.sIn, tc.zIn, all...)
		out := arTensor(tflite.TypeInt8, []int{16, 16}, tc.sOut, tc.zOut)
		k := arRun(t, arNode(tflite.OpHardSwish, tflite.Options{}, RoundingDouble, out, in))
		arCheckNoAlloc(t, k)
		got := arValues(out)
		for i, x := range all {
			v := float64(tc.sIn) * float64(x-tc.zIn)
			hs := v * math.Min(6, math.Max(0, v+3)) / 6
			want := float64(oracle.Quantize(hs, tc.sOut, tc.zOut, tflite.TypeInt8))
			if math.Abs(float64(got[i])-want) > 1 {
				t.Errorf("s_in %g x %d: got %d, float reference %g", tc.sIn, x, got[i], want)
			}
			if x == tc.zIn && got[i] != tc.zOut {
				t.Errorf("s_in %g: input at its zero point gave %d, want the output zero point %d", tc.sIn, got[i], tc.zOut)
			}
		}
	}
}

package kernels

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
	"github.com/tflq/tflq-trace/tflite"
)

func TestElu(t *testing.T) {
	t.Run("hand values", func(t *testing.T) {
		// s_in = 0.5, s_out = 0.25, zero points 0: x = 10 → 5.0 → 20;
		// x = −2 → e^−1 − 1 = −0.632 → −2.53 → −3; x = −128 → −0.99… → −4;
		// x = 127 → 63.5 → 254 → 127.
		in := arTensor(tflite.TypeInt8, []int{4}, 0.5, 0, 10, -2, -128, 127)
		out := arTensor(tflite.TypeInt8, []int{4}, 0.25, 0)
		for _, rule := range Roundings() {
			k := arRun(t, arNode(tflite.OpElu, tflite.Options{}, rule, out, in))
			arEqual(t, arValues(out), []int64{20, -3, -4, 127})
			arCheckNoAlloc(t, k)
		}
	})
	t.Run("table against float64", func(t *testing.T) {
		all := make([]int64, 256)
		for i := range all {
			all[i] = int64(i) - 128
		}
		const sIn, sOut, zIn, zOut = 0.0456107, 0.0342475, -43, -99
		in := arTensor(tflite.TypeInt8, []int{256}, sIn, zIn, all...)
		out := arTensor(tflite.TypeInt8, []int{256}, sOut, zOut)
		arRun(t, arNode(tflite.OpElu, tflite.Options{}, RoundingDouble, out, in))
		for i, got := range arValues(out) {
			v := float64(float32(sIn)) * float64(all[i]-zIn)
			if v < 0 {
				v = math.Expm1(v)
			}
			want := float64(oracle.Quantize(v, sOut, zOut, tflite.TypeInt8))
			if math.Abs(float64(got)-want) > 1 {
				t.Errorf("x %d: got %d, float64 reference %g", all[i], got, want)
			}
		}
	})
}

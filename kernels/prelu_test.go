package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestPrelu(t *testing.T) {
	t.Run("int8 scalar alpha", func(t *testing.T) {
		// M1 = 0.5/0.5 = 1, M2 = 0.5·(1/64)/0.5 = 2^−6, alpha = 16 (0.25).
		// x = −8: −8·16 = −128 → −2. x = −10: −160·2^−6 = −2.5: double rounding
		// rounds the final RoundingDivideByPOT away from zero (−3), single
		// rounding adds 2^(total−1) and shifts (−2).
		in := []int64{10, -8, -10, 127, -128, 0}
		for _, rule := range Roundings() {
			t.Run(rule.String(), func(t *testing.T) {
				x := arTensor(tflite.TypeInt8, []int{1, 2, 3}, 0.5, 0, in...)
				alpha := arConst(arTensor(tflite.TypeInt8, []int{1}, 1.0/64, 0, 16))
				out := arTensor(tflite.TypeInt8, []int{1, 2, 3}, 0.5, 0)
				k := arRun(t, arNode(tflite.OpPrelu, tflite.Options{}, rule, out, x, alpha))
				tie := int64(-3)
				if rule == RoundingSingle {
					tie = -2
				}
				arEqual(t, arValues(out), []int64{10, -2, tie, 127, -32, 0})
				arCheckNoAlloc(t, k)
			})
		}
	})
	t.Run("int16 channel alpha", func(t *testing.T) {
		// alpha per channel: 2·(1/4) = 0.5 and −4·(1/4) = −1; M2 = (1/8)(1/4)/(1/8) = 1/4.
		x := arTensor(tflite.TypeInt16, []int{2, 2}, 1.0/8, 0, -8, -8, 16, 3)
		alpha := arConst(arTensor(tflite.TypeInt8, []int{2}, 1.0/4, 0, 2, -4))
		out := arTensor(tflite.TypeInt16, []int{2, 2}, 1.0/8, 0)
		arRun(t, arNode(tflite.OpPrelu, tflite.Options{}, RoundingDouble, out, x, alpha))
		arEqual(t, arValues(out), []int64{-4, 8, 16, 3})
	})
	t.Run("alpha with zero point", func(t *testing.T) {
		// alpha raw 40, zp 8 → 32·(1/64) = 0.5; input zp 4, out zp −1, all scales 1/2 except alpha.
		// x = 0: d = −4 → −4·32·(1/64) = −2 → −3; x = 9: d = 5 → 5 − 1 = 4.
		x := arTensor(tflite.TypeInt8, []int{2}, 0.5, 4, 0, 9)
		alpha := arConst(arTensor(tflite.TypeInt8, []int{1}, 1.0/64, 8, 40))
		out := arTensor(tflite.TypeInt8, []int{2}, 0.5, -1)
		arRun(t, arNode(tflite.OpPrelu, tflite.Options{}, RoundingDouble, out, x, alpha))
		arEqual(t, arValues(out), []int64{-3, 4})
	})
}

package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestSquaredDifference(t *testing.T) {
	t.Run("int8", func(t *testing.T) {
		// s1 = s2 = 0.5 → M1 = M2 = 0.5; ls = 7, so b = 64·x exactly;
		// Mout = 1² / (2^14 · 0.25) = 2^−12 and y = (x1 − x2)² − 128.
		for _, rule := range Roundings() {
			t.Run(rule.String(), func(t *testing.T) {
				a := arTensor(tflite.TypeInt8, []int{1, 2, 2}, 0.5, 0, 5, -3, 20, 7)
				b := arTensor(tflite.TypeInt8, []int{2}, 0.5, 0, 2, 4)
				out := arTensor(tflite.TypeInt8, []int{1, 2, 2}, 0.25, -128)
				k := arRun(t, arNode(tflite.OpSquaredDifference, tflite.Options{}, rule, out, a, b))
				// (5−2)² = 9, (−3−4)² = 49, (20−2)² = 324 → clamp, (7−4)² = 9.
				arEqual(t, arValues(out), []int64{9 - 128, 49 - 128, 127, 9 - 128})
				arCheckNoAlloc(t, k)
			})
		}
	})
	t.Run("int8 zero points", func(t *testing.T) {
		// zp1 = 3, zp2 = −2: (10−3) − (0+2) = 5 → 25 − 128 = −103.
		a := arTensor(tflite.TypeInt8, []int{1}, 0.5, 3, 10)
		b := arTensor(tflite.TypeInt8, []int{1}, 0.5, -2, 0)
		out := arTensor(tflite.TypeInt8, []int{1}, 0.25, -128)
		arRun(t, arNode(tflite.OpSquaredDifference, tflite.Options{}, RoundingDouble, out, a, b))
		arEqual(t, arValues(out), []int64{-103})
	})
	t.Run("int16", func(t *testing.T) {
		// s = 2^−10: M = 0.5, ls = 0, b = x/2 rounded; Mout = 2^−18 / 2^−20 = 4.
		// (8, 2): b = 4, 1 → 9·4 = 36. (3, 0): b = 1.5 → 2, 0 → 16.
		// (100, −100): 100² · 4 = 40000 → 32767.
		a := arTensor(tflite.TypeInt16, []int{3}, 1.0/1024, 0, 8, 3, 100)
		b := arTensor(tflite.TypeInt16, []int{3}, 1.0/1024, 0, 2, 0, -100)
		out := arTensor(tflite.TypeInt16, []int{3}, 1.0/(1<<20), 0)
		arRun(t, arNode(tflite.OpSquaredDifference, tflite.Options{}, RoundingDouble, out, a, b))
		arEqual(t, arValues(out), []int64{36, 16, 32767})
	})
}

package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestAddN(t *testing.T) {
	// s_in = 0.5, zp_in = 4, s_out = 1, zp_out = 0: M_in = 0.5, M_out = 2^−20,
	// scale(v) = v·2^19. The accumulator starts at scale(−4), so
	// y = ((x1 − 4) + (x2 − 4) − 4)/2 = (x1 + x2 − 12)/2.
	// (10, 6) → 2; (11, 6) → 2.5 → 3 under both rules; (1, 6) → −2.5: double
	// rounding rounds half away from zero (−3), single adds 2^(n−1) (−2);
	// (−128, −128) → −134 → −128.
	for _, rule := range Roundings() {
		t.Run(rule.String(), func(t *testing.T) {
			a := arTensor(tflite.TypeInt8, []int{4}, 0.5, 4, 10, 11, 1, -128)
			b := arTensor(tflite.TypeInt8, []int{4}, 0.5, 4, 6, 6, 6, -128)
			out := arTensor(tflite.TypeInt8, []int{4}, 1, 0)
			k := arRun(t, arNode(tflite.OpAddN, tflite.Options{}, rule, out, a, b))
			tie := int64(-3)
			if rule == RoundingSingle {
				tie = -2
			}
			arEqual(t, arValues(out), []int64{2, 3, tie, -128})
			arCheckNoAlloc(t, k)
		})
	}
	t.Run("three inputs", func(t *testing.T) {
		// zp 0: no quirk offset; s_out = 0.5 so y = x1 + x2 + x3 (+ zp_out 1).
		ins := []*Tensor{
			arTensor(tflite.TypeInt8, []int{2}, 0.5, 0, 1, -40),
			arTensor(tflite.TypeInt8, []int{2}, 0.5, 0, 2, -40),
			arTensor(tflite.TypeInt8, []int{2}, 0.5, 0, 3, -40),
		}
		out := arTensor(tflite.TypeInt8, []int{2}, 0.5, 1)
		arRun(t, arNode(tflite.OpAddN, tflite.Options{}, RoundingDouble, out, ins...))
		arEqual(t, arValues(out), []int64{7, -119})
	})
	t.Run("mismatched quantization", func(t *testing.T) {
		a := arTensor(tflite.TypeInt8, []int{2}, 0.5, 0)
		b := arTensor(tflite.TypeInt8, []int{2}, 0.25, 0)
		out := arTensor(tflite.TypeInt8, []int{2}, 1, 0)
		if _, err := Prepare(arNode(tflite.OpAddN, tflite.Options{}, RoundingDouble, out, a, b)); err == nil {
			t.Error("ADD_N with different input scales prepared")
		}
	})
}

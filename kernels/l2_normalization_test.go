package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestL2Normalization(t *testing.T) {
	// Rows of the last axis, zero point 2, output 1/128:
	// (3, 4) → 0.6, 0.8 → 76.8 → 77, 102.4 → 102;
	// (0, 0) → Σd² = 0, the inverse square root is taken as 1 → 0, 0;
	// (−10, 0): one nonzero element → −1 → −128 and 0;
	// (10, 0) → 1 → 128, clamped to 127.
	in := []int64{5, 6, 2, 2, -8, 2, 12, 2}
	want := []int64{77, 102, 0, 0, -128, 0, 127, 0}
	for _, rule := range Roundings() {
		t.Run(rule.String(), func(t *testing.T) {
			x := arTensor(tflite.TypeInt8, []int{2, 2, 2}, 0.1, 2, in...)
			out := arTensor(tflite.TypeInt8, []int{2, 2, 2}, 1.0/128, 0)
			k := arRun(t, arNode(tflite.OpL2Normalization, tflite.Options{}, rule, out, x))
			arEqual(t, arValues(out), want)
			arCheckNoAlloc(t, k)
		})
	}
	t.Run("activation rejected", func(t *testing.T) {
		x := arTensor(tflite.TypeInt8, []int{2}, 0.1, 0)
		out := arTensor(tflite.TypeInt8, []int{2}, 1.0/128, 0)
		if _, err := Prepare(arNode(tflite.OpL2Normalization, tflite.Options{Activation: tflite.ActRelu}, RoundingDouble, out, x)); err == nil {
			t.Error("L2_NORMALIZATION with RELU prepared")
		}
	})
}

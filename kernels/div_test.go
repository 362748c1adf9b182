package kernels

import (
	"errors"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestDiv(t *testing.T) {
	for _, rule := range Roundings() {
		t.Run("int8/"+rule.String(), func(t *testing.T) {
			// All scales 1, zero points 0: y = round(x1/x2).
			// 100/7 = 14.29 → 14; 100/−7 → −14; −100/9 = −11.1 → −11;
			// 127/2 = 63.5 → 64; 5/7 = 0.71 → 1; −128/1 → −128.
			x1 := arTensor(tflite.TypeInt8, []int{6}, 1, 0, 100, 100, -100, 127, 5, -128)
			x2 := arConst(arTensor(tflite.TypeInt8, []int{6}, 1, 0, 7, -7, 9, 2, 7, 1))
			out := arTensor(tflite.TypeInt8, []int{6}, 1, 0)
			k := arRun(t, arNode(tflite.OpDiv, tflite.Options{}, rule, out, x1, x2))
			// 127/2: the reciprocal of 2 is 2^31 − 1 (just under one), so the
			// quotient is 63.5 − ε. Double rounding rounds twice (SRDHM to
			// 63.5·2^24 exactly, then half away from zero: 64); single
			// rounding rounds once and sees the ε: 63.
			half := int64(64)
			if rule == RoundingSingle {
				half = 63
			}
			arEqual(t, arValues(out), []int64{14, -14, -11, half, 1, -128})
			arCheckNoAlloc(t, k)
		})
	}
	t.Run("broadcast relu zero points", func(t *testing.T) {
		// x1 zp 10, divisor scalar raw −6 with zp 2 → −8; s_out 0.5, zp_out −20, RELU (lo = −20).
		// (50−10)/−8 = −5 → relu → −20; (−22−10)/−8 = 4 → 4/0.5 = 8 − 20 = −12.
		x1 := arTensor(tflite.TypeInt8, []int{2, 1}, 1, 10, 50, -22)
		x2 := arConst(arTensor(tflite.TypeInt8, []int{1}, 1, 2, -6))
		out := arTensor(tflite.TypeInt8, []int{2, 1}, 0.5, -20)
		arRun(t, arNode(tflite.OpDiv, tflite.Options{Activation: tflite.ActRelu}, RoundingDouble, out, x1, x2))
		arEqual(t, arValues(out), []int64{-20, -12})
	})
	t.Run("errors", func(t *testing.T) {
		// A zero numerator needs a left shift of 31: fine with double rounding,
		// an abort in TFLite's single-rounding build.
		x1 := arTensor(tflite.TypeInt8, []int{1}, 1, 0, 0)
		x2 := arConst(arTensor(tflite.TypeInt8, []int{1}, 1, 0, 3))
		out := arTensor(tflite.TypeInt8, []int{1}, 1, 0)
		arRun(t, arNode(tflite.OpDiv, tflite.Options{}, RoundingDouble, out, x1, x2))
		arEqual(t, arValues(out), []int64{0})
		k, err := Prepare(arNode(tflite.OpDiv, tflite.Options{}, RoundingSingle, out, x1, x2))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Eval(); !errors.Is(err, ErrRuntime) {
			t.Errorf("single-rounding zero numerator: %v, want ErrRuntime", err)
		}
		// 5/127: total shift 1 − 6 − 28 = −33, beyond RoundingDivideByPOT's 31.
		x1.Int8()[0], x2.Int8()[0] = 5, 127
		k, _ = Prepare(arNode(tflite.OpDiv, tflite.Options{}, RoundingDouble, out, x1, x2))
		if err := k.Eval(); !errors.Is(err, ErrRuntime) {
			t.Errorf("right shift of 33: %v, want ErrRuntime", err)
		}
		x2.Int8()[0] = 0
		k, _ = Prepare(arNode(tflite.OpDiv, tflite.Options{}, RoundingDouble, out, x1, x2))
		if err := k.Eval(); !errors.Is(err, ErrRuntime) {
			t.Errorf("divisor at its zero point: %v, want ErrRuntime", err)
		}
	})
}

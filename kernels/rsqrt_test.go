package kernels

import (
	"errors"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestRsqrt(t *testing.T) {
	// s_in = 1/16, s_out = 1/32: y = 1/√(d/16)·32 = 128/√d, zero points −128.
	// d = 4 → 64, d = 16 → 32, d = 64 → 16, d = 100 → 12.8 → 13, d = 1 → 128
	// (stored 128 − 128 = 0), and d = 0 gives the largest value, 127.
	in := []int64{-124, -112, -64, -28, -127, -128}
	want := []int64{64 - 128, 32 - 128, 16 - 128, 13 - 128, 0, 127}
	for _, rule := range Roundings() {
		t.Run("int8/"+rule.String(), func(t *testing.T) {
			x := arTensor(tflite.TypeInt8, []int{2, 3}, 1.0/16, -128, in...)
			out := arTensor(tflite.TypeInt8, []int{2, 3}, 1.0/32, -128)
			k := arRun(t, arNode(tflite.OpRsqrt, tflite.Options{}, rule, out, x))
			arEqual(t, arValues(out), want)
			arCheckNoAlloc(t, k)
		})
		t.Run("int16/"+rule.String(), func(t *testing.T) {
			// s_in = 2^−8, s_out = 2^−10: y = 1/√(d/256)·1024 = 16384/√d.
			x := arTensor(tflite.TypeInt16, []int{4}, 1.0/256, 0, 4, 256, 10000, 1)
			out := arTensor(tflite.TypeInt16, []int{4}, 1.0/1024, 0)
			arRun(t, arNode(tflite.OpRsqrt, tflite.Options{}, rule, out, x))
			arEqual(t, arValues(out), []int64{8192, 1024, 164, 16384})
		})
	}
	t.Run("negative input", func(t *testing.T) {
		x := arTensor(tflite.TypeInt8, []int{2}, 1.0/16, 0, 5, -1)
		out := arTensor(tflite.TypeInt8, []int{2}, 1.0/32, 0)
		k, err := Prepare(arNode(tflite.OpRsqrt, tflite.Options{}, RoundingDouble, out, x))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Eval(); !errors.Is(err, ErrRuntime) {
			t.Errorf("Eval of an input below the zero point: %v, want ErrRuntime", err)
		}
	})
}

package kernels

import (
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

func TestResizeBilinear(t *testing.T) {
	cases := []struct {
		name                string
		align, half         bool
		in                  []int64
		outW                int
		wantDouble, wantSgl []int64
	}{
		// Width 2 → 4: scale = (2048 + 2)/4 = 512 (Q.10). x = 1 → 512: halfway → 50;
		// x = 2, 3 → columns 1, 1 (the upper index is clamped) → 100.
		{"up2", false, false, []int64{0, 100}, 4, []int64{0, 50, 100, 100}, []int64{0, 50, 100, 100}},
		// align_corners, 2 → 3: scale = (1024 + 1)/2 = 512: 0, 50.5 → 51, 101.
		{"align corners", true, false, []int64{0, 101}, 3, []int64{0, 51, 101}, []int64{0, 51, 101}},
		// −50.5: double rounding subtracts 2^19 and truncates (−51); single adds
		// 2^19 and shifts (floor: −50).
		{"align corners negative", true, false, []int64{0, -101}, 3, []int64{0, -51, -101}, []int64{0, -50, -101}},
		// half pixel centers: v = 512x + 256 − 512 → −256 (column 0 only), 256, 768, 1280.
		{"half pixel", false, true, []int64{0, 100}, 4, []int64{0, 25, 75, 100}, []int64{0, 25, 75, 100}},
	}
	for _, tc := range cases {
		for _, rule := range Roundings() {
			t.Run(tc.name+"/"+rule.String(), func(t *testing.T) {
				in := arTensor(tflite.TypeInt8, []int{1, 1, 2, 1}, 0.1, 3, tc.in...)
				size := arConst(arTensor(tflite.TypeInt32, []int{2}, 0, 0, 1, int64(tc.outW)))
				out := arTensor(tflite.TypeInt8, []int{1, 1, tc.outW, 1}, 0.1, 3)
				opts := tflite.Options{AlignCorners: tc.align, HalfPixelCenters: tc.half}
				k := arRun(t, arNode(tflite.OpResizeBilinear, opts, rule, out, in, size))
				want := tc.wantDouble
				if rule == RoundingSingle {
					want = tc.wantSgl
				}
				arEqual(t, arValues(out), want)
				arCheckNoAlloc(t, k)
			})
		}
	}
	t.Run("2d", func(t *testing.T) {
		// 2×2 → 3×3 with align_corners: the centre is the mean of the four corners,
		// (0 + 40 + 80 + 120)/4 = 60; edge midpoints are pair means.
		in := arTensor(tflite.TypeInt8, []int{1, 2, 2, 1}, 0.1, 0, 0, 40, 80, 120)
		size := arConst(arTensor(tflite.TypeInt32, []int{2}, 0, 0, 3, 3))
		out := arTensor(tflite.TypeInt8, []int{1, 3, 3, 1}, 0.1, 0)
		arRun(t, arNode(tflite.OpResizeBilinear, tflite.Options{AlignCorners: true}, RoundingDouble, out, in, size))
		arEqual(t, arValues(out), []int64{0, 20, 40, 40, 60, 80, 80, 100, 120})
	})
	t.Run("both flags rejected", func(t *testing.T) {
		in := arTensor(tflite.TypeInt8, []int{1, 1, 2, 1}, 0.1, 0)
		size := arConst(arTensor(tflite.TypeInt32, []int{2}, 0, 0, 1, 4))
		out := arTensor(tflite.TypeInt8, []int{1, 1, 4, 1}, 0.1, 0)
		opts := tflite.Options{AlignCorners: true, HalfPixelCenters: true}
		if _, err := Prepare(arNode(tflite.OpResizeBilinear, opts, RoundingDouble, out, in, size)); err == nil {
			t.Error("align_corners with half_pixel_centers prepared")
		}
	})
}

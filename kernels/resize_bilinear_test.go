package kernels

import (
	"errors"
	"strings"
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

// TestResizeBilinearUndefinedGeometry: where TFLite's RESIZE_BILINEAR
// arithmetic leaves int32 or the input tensor (undefined behaviour in
// TFLite), prepare refuses with ErrBadShape instead of Eval panicking —
// FuzzPipeline found an int8 input of height 2 110 000, whose Q.10 scale
// 1024·2110000 wraps negative. The extents just inside are accepted and
// every element explains to its stored value.
func TestResizeBilinearUndefinedGeometry(t *testing.T) {
	cases := []struct {
		name      string
		rt        Runtime
		typ       tflite.TensorType
		inH, outH int
		align     bool
		refusal   string // "" when it runs
	}{
		// 1024·2^21 = 2^31 overflows; one less fits, and so does 2^21 with
		// align_corners, whose scale is 1024·(in−1)/(out−1).
		{"int8 height 2^21", RuntimeTFLM, tflite.TypeInt8, 1 << 21, 2, false, "its Q.10 scale 1024·2097152 overflows TFLite's int32"},
		{"int8 height 2^21-1", RuntimeTFLM, tflite.TypeInt8, 1<<21 - 1, 2, false, ""},
		{"int8 height 2^21 align_corners", RuntimeTFLM, tflite.TypeInt8, 1 << 21, 2, true, ""},
		{"int8 height 2^21+1 align_corners", RuntimeTFLM, tflite.TypeInt8, 1<<21 + 1, 2, true, "its Q.10 scale 1024·2097152 overflows TFLite's int32"},
		// 2 → 4096: scale (2048 + 2048)/4096 = 1, the last output's
		// coordinate 4095 is row 3 of 2; 2 → 2048: 2047 is row 1.
		{"int8 2 to 4096", RuntimeTFLMSingle, tflite.TypeInt8, 2, 4096, false, "the source row of output 4095 is 3, past the input"},
		{"int8 2 to 2048", RuntimeTFLMSingle, tflite.TypeInt8, 2, 2048, false, ""},
		// float32 5/9718272 rounds up: (9718271·scale) reaches 5.
		{"uint8 LiteRT 5 to 9718272", RuntimeTFLiteRef, tflite.TypeUint8, 5, 9718272, false, "the source row of output 9718271 is 5, past the input"},
		{"int8 XNNPACK 5 to 9718272", RuntimeTFLiteXNNPACK, tflite.TypeInt8, 5, 9718272, false, "XNNPACK's float32 source index of output 9718271 rounds to 5, past the input"},
		{"int8 XNNPACK 2 to 2048", RuntimeTFLiteXNNPACK, tflite.TypeInt8, 2, 2048, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := arTensor(tc.typ, []int{1, tc.inH, 1, 1}, 0.1, 3)
			for i := range in.Data {
				in.Data[i] = byte(i*37 + 11)
			}
			size := arConst(arTensor(tflite.TypeInt32, []int{2}, 0, 0, int64(tc.outH), 1))
			out := arTensor(tc.typ, []int{1, tc.outH, 1, 1}, 0.1, 3)
			n := arNode(tflite.OpResizeBilinear, tflite.Options{AlignCorners: tc.align}, tc.rt.Rounding(), out, in, size)
			n.Runtime = tc.rt
			if tc.refusal == "" {
				arRun(t, n)
				return
			}
			_, _, err := PrepareImpl(n)
			if !errors.Is(err, ErrBadShape) || !strings.Contains(err.Error(), tc.refusal) {
				t.Fatalf("prepare: %v, want ErrBadShape with %q", err, tc.refusal)
			}
		})
	}
}

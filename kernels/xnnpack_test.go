package kernels

import (
	"math"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// TestXNNRequantizeFP32 pins XNNPACK's fp32 requantization on ties (half to
// even, not away), on the float32 rounding of a large accumulator, and on
// saturation.
func TestXNNRequantizeFP32(t *testing.T) {
	for _, tc := range []struct {
		acc        int32
		scale      float32
		zp, lo, hi int32
		want       int32
	}{
		{1, 0.5, 0, -128, 127, 0},   // 0.5 → 0
		{3, 0.5, 0, -128, 127, 2},   // 1.5 → 2
		{5, 0.5, 0, -128, 127, 2},   // 2.5 → 2 (half away would give 3)
		{-5, 0.5, 0, -128, 127, -2}, // −2.5 → −2
		{-3, 0.5, 10, -128, 127, 8}, // −1.5 → −2, + 10
		// 2^24 + 1 rounds to 2^24 in float32 before the product: 2^24·2^-25
		// = 0.5 → 0, where the exact (2^24+1)·2^-25 is just above 0.5 → 1.
		{1<<24 + 1, 0x1p-25, 0, -128, 127, 0},
		{math.MaxInt32, 255, 0, -128, 127, 127},
		{math.MinInt32, 255, 0, 0, 255, 0},
	} {
		if _, got := xnnRequantizeFP32(tc.acc, tc.scale, tc.zp, tc.lo, tc.hi); got != tc.want {
			t.Errorf("xnnRequantizeFP32(%d, %g, %d) = %d, want %d", tc.acc, tc.scale, tc.zp, got, tc.want)
		}
	}
}

// TestXNNDepthwisePairWrap: with depth multiplier 1 and a 3×3 kernel,
// XNNPACK's int8 depthwise microkernel sums the products of taps (0,1),
// (2,3), ... (packed order fx·Fh + fy) in int16. Channel 0 has every weight
// −128 and every input −128: each of the four pairs wraps (16384 + 16384 →
// −32768). Channel 1 has ordinary weights and is exact. The reference below
// replays the microkernel's int16 arithmetic independently.
func TestXNNDepthwisePairWrap(t *testing.T) {
	const inZP = -3
	in := make([]int64, 9*2) // [1,3,3,2]
	w := make([]int64, 9*2)  // [1,3,3,2]
	for i := range 9 {
		in[2*i] = -128
		in[2*i+1] = int64(i*13%200 - 100)
		w[2*i] = -128
		w[2*i+1] = int64(i*29%250 - 125)
	}
	bias := []int64{1000, -500}
	scales := []float32{0.002, 0.003}
	inT := qtensor(tflite.TypeInt8, []int{1, 3, 3, 2}, []float32{0.05}, inZP, in)
	wT := qtensor(tflite.TypeInt8, []int{1, 3, 3, 2}, scales, 0, w)
	wT.QuantizedDimension = 3
	wT.Const = true
	bT := qtensor(tflite.TypeInt32, []int{2}, []float32{0.05 * 0.002, 0.05 * 0.003}, 0, bias)
	bT.Const = true
	out := qtensor(tflite.TypeInt8, []int{1, 1, 1, 2}, []float32{0.5}, 1, nil)
	n := &Node{Op: tflite.OpDepthwiseConv2D, Inputs: []*Tensor{inT, wT, bT}, Outputs: []*Tensor{out},
		Options: tflite.Options{Type: tflite.OptionsDepthwiseConv2D, Padding: tflite.PaddingValid, StrideH: 1, StrideW: 1,
			DilationH: 1, DilationW: 1, DepthMultiplier: 1},
		Runtime: RuntimeTFLiteXNNPACK}
	k, impl, err := PrepareImpl(n)
	if err != nil || impl != ImplXNNPACK {
		t.Fatalf("PrepareImpl: %v, %v", impl, err)
	}
	if err := k.Eval(); err != nil {
		t.Fatal(err)
	}
	for ch := range 2 {
		// The microkernel: bias − zp_in·Σw, then int16 products of raw
		// values summed in int16 pairs (fx outer, fy inner).
		acc := int32(bias[ch])
		for i := range 9 {
			acc -= int32(inZP) * int32(w[2*i+ch])
		}
		var pair int16
		for t := range 9 {
			fx, fy := t/3, t%3
			i := fy*3 + fx
			p := int16(in[2*i+ch]) * int16(w[2*i+ch])
			if t%2 == 0 {
				pair = p
			} else {
				acc += int32(pair + p)
			}
		}
		acc += int32(pair) // the last, odd tap alone
		scale := float32(float32(float32(0.05)*scales[ch]) / 0.5)
		want := int32(math.RoundToEven(float64(float32(float32(acc)*scale)))) + 1
		want = min(max(want, -128), 127)
		if got := int32(out.Int8()[ch]); got != want {
			t.Errorf("channel %d: %d, want %d", ch, got, want)
		}
		var c Chain
		if err := k.Explain(0, ch, &c); err != nil || c.Final != int64(out.Int8()[ch]) {
			t.Errorf("channel %d: explain ends at %d (%v), stored %d", ch, c.Final, err, out.Int8()[ch])
		}
	}
	// Without the wrap-around, channel 0 would be round(0.0002·(1000 −
	// 3·1152 + 9·16384)) + 1 = 30; with it, 4·65536 lower.
	if out.Int8()[0] == 30 {
		t.Errorf("channel 0 = 30: the exact sum, not XNNPACK's wrapped one")
	}
}

package kernels

import (
	"math"
	"testing"
)

// The int16 gemmlowp functions are checked here against the real functions
// over every int16 input (their exactness, bit for bit, is pinned by the
// shared goldens: the LSTM of mnist_lstm_uint8io under tflite-ref and the
// power-of-two int16 LOGISTIC/TANH cases under tflite-xnnpack), and on the
// points where gemmlowp selects a constant. The tolerances are those of
// 16-bit gemmlowp: its Newton-Raphson reciprocal keeps 13 fractional bits
// (Q2.13), so 1/(1+x) is good to about 4 LSB of Q0.15 and (1−x)/(1+x), whose
// Rescale<0> multiplies by 4, to about 12.
func TestFixedPoint16Functions(t *testing.T) {
	worst := func(name string, f func(int16) int16, ref func(float64) float64, inBits int, tol float64) {
		t.Helper()
		maxErr := 0.0
		for r := math.MinInt16; r <= math.MaxInt16; r++ {
			x := math.Ldexp(float64(r), inBits-15)
			got := float64(f(int16(r)))
			want := ref(x) * 32768
			maxErr = max(maxErr, math.Abs(got-min(want, 32767)))
		}
		if maxErr > tol {
			t.Errorf("%s: max error %.3g LSB over every int16 input, want ≤ %g", name, maxErr, tol)
		}
	}
	logistic := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	for _, bits := range []int{0, 3, 4} {
		worst("logistic", func(r int16) int16 { return FixedPointLogistic16(r, bits) }, logistic, bits, 7)
	}
	for _, bits := range []int{0, 3, 4, 6} {
		worst("tanh", func(r int16) int16 { return FixedPointTanh16(r, bits) }, math.Tanh, bits, 12)
	}
	for x := -32768; x <= 0; x += 7 {
		worst := math.Abs(float64(ExpOnNegativeValues16(int16(x), 3)) - math.Exp(math.Ldexp(float64(x), -12))*32768)
		if worst > 4 {
			t.Fatalf("exp(%d in Q3.12) off by %.3g LSB", x, worst)
		}
	}
	// Selected constants: logistic(0) = one half (16384), tanh(0) = 0,
	// exp(0) = the Q0.15 maximum; tanh is odd and logistic(−a) = 1 − logistic(a).
	if FixedPointLogistic16(0, 3) != 16384 || FixedPointTanh16(0, 3) != 0 || ExpOnNegativeValues16(0, 3) != math.MaxInt16 {
		t.Error("constants at 0")
	}
	for i := 1; i < math.MaxInt16; i += 13 {
		r := int16(i)
		if FixedPointTanh16(-r, 3) != -FixedPointTanh16(r, 3) {
			t.Fatalf("tanh16 not odd at %d", r)
		}
		if FixedPointLogistic16(-r, 3) != math.MaxInt16-FixedPointLogistic16(r, 3) {
			t.Fatalf("logistic16(−%d) ≠ 1 − logistic16(%d)", r, r)
		}
	}
	// Narrowed constants (RescaleConstantInitializer): exp(−1/8) in Q0.15
	// = round(0.8825·32768) = 28918; 1/3 = 10923.
	if c := fixedPointConstant16(fpExpMinusOneEighth); c != 28918 {
		t.Errorf("exp(−1/8) constant = %d, want 28918", c)
	}
	if c := fixedPointConstant16(fpOneThird); c != 10923 {
		t.Errorf("1/3 constant = %d, want 10923", c)
	}
	// Saturating and rounding shifts.
	if SaturatingRoundingMultiplyByPOT16(16384, 1) != math.MaxInt16 || SaturatingRoundingMultiplyByPOT16(-16385, 1) != math.MinInt16 ||
		SaturatingRoundingMultiplyByPOT16(-3, -1) != -2 || SaturatingRoundingMultiplyByPOT16(3, -1) != 2 {
		t.Error("SaturatingRoundingMultiplyByPOT16 edge cases")
	}
}

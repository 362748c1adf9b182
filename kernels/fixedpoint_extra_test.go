package kernels

import (
	"math"
	"testing"
)

func TestCountLeadingSignBits32(t *testing.T) {
	for _, tc := range []struct {
		x    int32
		want int
	}{
		{0, 31}, {-1, 31}, {1, 30}, {-2, 30}, {5, 28}, {-5, 28}, {127, 24}, {-128, 24},
		{math.MaxInt32, 0}, {math.MinInt32, 0}, {1 << 30, 0}, {-(1 << 30), 1},
	} {
		if got := CountLeadingSignBits32(tc.x); got != tc.want {
			t.Errorf("CountLeadingSignBits32(%d) = %d, want %d", tc.x, got, tc.want)
		}
		// The defining property: x·2^n still fits, x·2^(n+1) does not (x ∉ {0, −1}).
		if n := CountLeadingSignBits32(tc.x); tc.x != 0 && tc.x != -1 {
			if v := int64(tc.x) << uint(n); v < math.MinInt32 || v > math.MaxInt32 {
				t.Errorf("%d << %d overflows", tc.x, n)
			}
			if v := int64(tc.x) << uint(n+1); v >= math.MinInt32 && v <= math.MaxInt32 {
				t.Errorf("%d << %d still fits", tc.x, n+1)
			}
		}
	}
}

func TestGetInvSqrtQuantizedMultiplierExp(t *testing.T) {
	if q := GetInvSqrtQuantizedMultiplierExp(0); q.Multiplier != math.MaxInt32 || q.Shift != 0 {
		t.Errorf("x = 0: %+v, want (MaxInt32, 0)", q)
	}
	if q := GetInvSqrtQuantizedMultiplierExp(1); q.Multiplier != math.MaxInt32 || q.Shift != 0 {
		t.Errorf("x = 1: %+v, want (MaxInt32, 0)", q)
	}
	for _, x := range []int32{2, 3, 4, 17, 100, 255 * 255, 1 << 20, 123456789, 1 << 29, math.MaxInt32} {
		q := GetInvSqrtQuantizedMultiplierExp(x)
		want := 1 / math.Sqrt(float64(x))
		if rel := math.Abs(q.Real()-want) / want; rel > 5e-6 { // five Newton steps from 1: ~1e-6
			t.Errorf("x = %d: %d·2^(%d−31) = %g, want %g (relative error %g)", x, q.Multiplier, q.Shift, q.Real(), want, rel)
		}
		if q.Shift > 0 || q.Multiplier < 0 {
			t.Errorf("x = %d: multiplier %d shift %d, want a non-negative multiplier and shift ≤ 0", x, q.Multiplier, q.Shift)
		}
	}
}

func TestLogXForXGreaterThanOrEqualTo1(t *testing.T) {
	// Input Q12.19 (as LOG_SOFTMAX sums exps), output Q5.26.
	for _, x := range []float64{1, 1.5, 2, math.E, 8, 100, 1000, 4095} {
		raw := int32(math.Round(math.Ldexp(x, 19)))
		got := math.Ldexp(float64(LogXForXGreaterThanOrEqualTo1(raw, 12, 5)), -26)
		if math.Abs(got-math.Log(x)) > 1e-5 {
			t.Errorf("ln(%g) = %g, want %g", x, got, math.Log(x))
		}
	}
}

func TestInt16FixedPoint(t *testing.T) {
	for _, tc := range []struct {
		a, b               int16
		rounding, truncate int16
	}{
		{16384, 16384, 8192, 8192},      // 0.5 · 0.5
		{3, 16384, 2, 1},                // 1.5 → 2 (rounded), 1 (truncated)
		{-3, 16384, -1, -1},             // −1.5: the nudge 1 − 2^14 rounds ties toward +∞; truncation also gives −1
		{-5, 16384, -2, -2},             // −2.5 → −2 both
		{-32768, -32768, 32767, 32767},  // the saturating case
		{-32768, 32767, -32767, -32767}, // −0.99997
	} {
		if got := SaturatingRoundingDoublingHighMul16(tc.a, tc.b); got != tc.rounding {
			t.Errorf("SRDHM16(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.rounding)
		}
		if got := SaturatingDoublingHighMul16(tc.a, tc.b); got != tc.truncate {
			t.Errorf("SDHM16(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.truncate)
		}
	}
	if got := SaturatingLeftShift16(300, 7); got != 32767 {
		t.Errorf("SaturatingLeftShift16(300, 7) = %d, want 32767", got)
	}
	if got := SaturatingLeftShift16(-300, 7); got != -32768 {
		t.Errorf("SaturatingLeftShift16(-300, 7) = %d, want -32768", got)
	}
	if got := SaturatingLeftShift16(-3, 4); got != -48 {
		t.Errorf("SaturatingLeftShift16(-3, 4) = %d, want -48", got)
	}
	for _, tc := range []struct {
		m    int32
		want int16
	}{{1 << 30, 1 << 14}, {1<<30 + 1<<15, 1<<14 + 1}, {1<<30 + 1<<15 - 1, 1 << 14}, {math.MaxInt32, 32767}, {math.MaxInt32 - 1<<15, 32767}} {
		if got := DownScaleInt32ToInt16Multiplier(tc.m); got != tc.want {
			t.Errorf("DownScaleInt32ToInt16Multiplier(%d) = %d, want %d", tc.m, got, tc.want)
		}
	}
	if SaturatingAdd32(math.MaxInt32, 1) != math.MaxInt32 || SaturatingSub32(math.MinInt32, 1) != math.MinInt32 || SaturatingAdd32(-5, 3) != -2 {
		t.Error("SaturatingAdd32/SaturatingSub32 do not saturate")
	}
}

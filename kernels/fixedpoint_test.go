package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/internal/oracle"
)

// edges32 are the int32 operands where fixed-point rounding goes wrong first.
var edges32 = []int32{0, 1, -1, 2, -2, 3, -3, 127, -128, 1 << 15, -(1 << 15), -(3 << 15), 1<<30 - 1, 1 << 30, -(1 << 30),
	math.MaxInt32, math.MinInt32, math.MaxInt32 - 1, math.MinInt32 + 1}

// TestSRDHMAndRDBPOTMatchOracle compares SaturatingRoundingDoublingHighMul
// with the oracle on every pair of edge operands and random ones, and
// RoundingDivideByPOT (32- and 64-bit) on every edge operand and exponent and
// on every int16 value.
func TestSRDHMAndRDBPOTMatchOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	srdhm := func(a, b int32) {
		if got, want := SaturatingRoundingDoublingHighMul(a, b), oracle.SaturatingRoundingDoublingHighMul(a, b); got != want {
			t.Fatalf("SRDHM(%d, %d) = %d, oracle %d", a, b, got, want)
		}
	}
	rdbpot := func(x int32, e int) {
		want := oracle.RoundingDivideByPOT(int64(x), e)
		if got := RoundingDivideByPOT(x, e); int64(got) != want {
			t.Fatalf("RDBPOT(%d, %d) = %d, oracle %d", x, e, got, want)
		}
		if got := RoundingDivideByPOT64(int64(x), e); got != want {
			t.Fatalf("RDBPOT64(%d, %d) = %d, oracle %d", x, e, got, want)
		}
	}
	for _, a := range edges32 {
		for _, b := range edges32 {
			srdhm(a, b)
		}
		for e := 0; e <= 31; e++ {
			rdbpot(a, e)
		}
	}
	for range 100000 {
		srdhm(int32(rng.Uint32())>>uint(rng.IntN(32)), int32(rng.Uint32())>>uint(rng.IntN(32)))
		x := rng.Int64() >> uint(rng.IntN(64))
		e := rng.IntN(64)
		if got, want := RoundingDivideByPOT64(x, e), oracle.RoundingDivideByPOT(x, e); got != want {
			t.Fatalf("RDBPOT64(%d, %d) = %d, oracle %d", x, e, got, want)
		}
	}
	for x := int32(math.MinInt16); x <= math.MaxInt16; x++ {
		for e := 0; e <= 17; e++ {
			rdbpot(x, e)
		}
	}
}

func TestMultiplyByQuantizedMultiplierRules(t *testing.T) {
	tests := []struct {
		name           string
		x, q           int32
		shift          int
		double, single int32
	}{
		// 5·0.25 = 1.25: double rounding rounds 2.5 up to 3, then 1.5 to 2;
		// single rounding rounds 1.25 once, to 1.
		{"double rounding differs", 5, 1 << 30, -1, 2, 1},
		{"negative agrees", -5, 1 << 30, -1, -1, -1},
		{"identity after 2^31 rounding", 1000, 1 << 30, 1, 1000, 1000},
		{"shift -31 extreme", math.MaxInt32, math.MaxInt32, -31, 1, 1},
		{"left shift", 3, 1 << 30, 3, 12, 12},
		{"zero multiplier", 12345, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MultiplyByQuantizedMultiplier(tc.x, tc.q, tc.shift, RoundingDouble); got != tc.double {
				t.Errorf("double: got %d, want %d", got, tc.double)
			}
			if got := MultiplyByQuantizedMultiplier(tc.x, tc.q, tc.shift, RoundingSingle); got != tc.single {
				t.Errorf("single: got %d, want %d", got, tc.single)
			}
		})
	}
}

// TestMultiplyByQuantizedMultiplierExact checks both rules against the
// oracle (exact big-integer arithmetic) on boundary operands for every shift
// and on random ones.
func TestMultiplyByQuantizedMultiplierExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	edges := []int32{0, 1, -1, 2, -2, 127, -128, 1 << 15, -(1 << 15), math.MaxInt32, math.MinInt32, math.MaxInt32 - 1, math.MinInt32 + 1}
	qs := []int32{0, 1 << 30, 1<<30 + 1, math.MaxInt32, math.MaxInt32 - 1, 1518500250}
	check := func(x, q int32, shift int) {
		m := oracle.Multiplier{Mantissa: q, Shift: shift}
		// Single rounding is defined for shift ≤ 30 and results in int32.
		if shift <= 30 {
			want := oracle.MultiplyByQuantizedMultiplier(int64(x), m, oracle.Single)
			got := MultiplyByQuantizedMultiplier(x, q, shift, RoundingSingle)
			if want >= math.MinInt32 && want <= math.MaxInt32 && int64(got) != want {
				t.Fatalf("single(%d, %d, %d) = %d, want %d", x, q, shift, got, want)
			}
		}
		want := oracle.MultiplyByQuantizedMultiplier(int64(x), m, oracle.Double)
		if got := MultiplyByQuantizedMultiplier(x, q, shift, RoundingDouble); int64(got) != want {
			t.Fatalf("double(%d, %d, %d) = %d, want %d", x, q, shift, got, want)
		}
	}
	for _, x := range edges {
		for _, q := range qs {
			for shift := -31; shift <= 31; shift++ {
				check(x, q, shift)
			}
		}
	}
	for i := 0; i < 200000; i++ {
		x := int32(r.Uint32())
		if i%2 == 0 {
			x >>= r.IntN(31)
		}
		q := int32(1<<30 + r.Int32N(1<<30))
		check(x, q, -r.IntN(32))
	}
}

// TestQuantizeMultiplierMatchesOracle compares QuantizeMultiplier with the
// oracle's exact derivation on multipliers spread over 2^-40 .. 2^40 and on
// exact ties of the mantissa rounding, under both rules.
func TestQuantizeMultiplierMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	check := func(m float64) {
		for _, r := range Roundings() {
			got := QuantizeMultiplier(m, r)
			want := oracle.QuantizeMultiplier(m, oracleRounding(r))
			if got.Multiplier != want.Mantissa || got.Shift != want.Shift {
				t.Fatalf("QuantizeMultiplier(%v, %v) = %+v, oracle %+v", m, r, got, want)
			}
		}
	}
	for range 50000 {
		check(math.Exp2(rng.Float64()*80 - 40))
		k := float64(1<<30 + rng.Int64N(1<<30))
		check(math.Ldexp((k+0.5)/(1<<31), rng.IntN(60)-40))
	}
	// The special cases: exact powers of two, a mantissa rounded up to 2^31,
	// the flush to zero below 2^-32, the single-rounding saturation above
	// 2^30, and the extremes of float64.
	for _, m := range []float64{0, 1, 0.5, 0.75, 0.0023456, math.Ldexp(1, -31), 0.5 + math.Ldexp(1, -32), 1 - math.Ldexp(1, -33),
		0.75 * math.Ldexp(1, -32), math.Ldexp(1, -32) - math.Ldexp(1, -64), math.Ldexp(1, -40), math.Ldexp(1, 29), math.Ldexp(1, 30) - 0.25,
		math.Nextafter(math.Ldexp(1, 30)-0.25, 0), math.Ldexp(1, 31), math.MaxFloat64, math.SmallestNonzeroFloat64} {
		check(m)
	}
}

func TestMultiplyByQuantizedMultiplier64(t *testing.T) {
	tests := []struct {
		x     int64
		q     int32
		shift int
		want  int32
	}{
		{1 << 20, 1 << 30, 0, 1 << 19},         // M = 0.5, reduced multiplier 2^14
		{32768, math.MaxInt32, 0, 32767},       // reduced multiplier saturates at 0x7FFF
		{-3, 1 << 30, 0, -1},                   // −1.5 rounds half up to −1
		{3, 1 << 30, 0, 2},                     // 1.5 rounds half up to 2
		{1 << 40, 1 << 30, -20, 1 << 19},       // large 48-bit accumulator
		{-(1 << 47), 1 << 30, -31, -(1 << 15)}, // extreme negative
	}
	for _, tc := range tests {
		if got := MultiplyByQuantizedMultiplier64(tc.x, tc.q, tc.shift); got != tc.want {
			t.Errorf("MBQM64(%d, %d, %d) = %d, want %d", tc.x, tc.q, tc.shift, got, tc.want)
		}
	}
	if got := ReducedMultiplier(0x7FFEFFFF); got != 0x7FFF {
		t.Errorf("ReducedMultiplier(0x7FFEFFFF) = %#x, want 0x7fff", got)
	}
	r := rand.New(rand.NewPCG(13, 14))
	for range 100000 {
		x := (r.Int64N(1<<48) - 1<<47) >> uint(r.IntN(40))
		m := oracle.Multiplier{Mantissa: int32(1<<30 + r.Int32N(1<<30)), Shift: r.IntN(39) - 31}
		want := oracle.MultiplyByQuantizedMultiplier64(x, m)
		if want < math.MinInt32 || want > math.MaxInt32 {
			continue // TFLite truncates; the kernels never get here
		}
		if got := MultiplyByQuantizedMultiplier64(x, m.Mantissa, m.Shift); int64(got) != want {
			t.Fatalf("MBQM64(%d, %+v) = %d, oracle %d", x, m, got, want)
		}
	}
}

func TestSmallerAndGreaterThanOne(t *testing.T) {
	// Under double rounding the two forms are SRDHM then RDBPOT, and
	// left shift then SRDHM; under single rounding both are
	// MultiplyByQuantizedMultiplier.
	q := QuantizeMultiplier(0.3, RoundingDouble)
	for _, x := range []int32{-(1 << 20), -12345, -1, 0, 1, 777, 1 << 20} {
		want := RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, q.Multiplier), -q.Shift)
		if got := MultiplyByQuantizedMultiplierSmallerThanOneExp(x, q.Multiplier, q.Shift, RoundingDouble); got != want {
			t.Errorf("SmallerThanOne double(%d) = %d, want %d", x, got, want)
		}
		if got, want := MultiplyByQuantizedMultiplierSmallerThanOneExp(x, q.Multiplier, q.Shift, RoundingSingle), MultiplyByQuantizedMultiplier(x, q.Multiplier, q.Shift, RoundingSingle); got != want {
			t.Errorf("SmallerThanOne single(%d) = %d, want %d", x, got, want)
		}
		if got, want := MultiplyByQuantizedMultiplierGreaterThanOne(x, 1<<30, 3, RoundingDouble), x*4; got != want {
			t.Errorf("GreaterThanOne double(%d) = %d, want %d", x, got, want)
		}
	}
}

// --- gemmlowp fixed-point math and LUT helpers (softmax, logistic, tanh) ---

func TestRoundingHalfSum(t *testing.T) {
	tests := []struct{ a, b, want int32 }{
		{0, 0, 0},
		{1, 2, 2},    // 1.5 → 2
		{-1, -2, -2}, // −1.5 → −2
		{3, -4, -1},  // −0.5 → −1
		{math.MaxInt32, math.MaxInt32, math.MaxInt32},
		{math.MinInt32, math.MinInt32, math.MinInt32},
	}
	for _, tc := range tests {
		if got := RoundingHalfSum(tc.a, tc.b); got != tc.want {
			t.Errorf("RoundingHalfSum(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSaturatingRoundingMultiplyByPOT(t *testing.T) {
	tests := []struct {
		x        int32
		exponent int
		want     int32
	}{
		{7, 0, 7},
		{3, 2, 12},
		{1<<29 - 1, 2, 1<<31 - 4},
		{1 << 29, 2, math.MaxInt32},
		{-(1 << 29), 2, math.MinInt32},
		{-(1 << 29) + 1, 2, -(1 << 31) + 4},
		{5, -1, 3},   // 2.5 → 3
		{-5, -1, -3}, // −2.5 → −3
		{-5, -2, -1}, // −1.25 → −1
	}
	for _, tc := range tests {
		if got := SaturatingRoundingMultiplyByPOT(tc.x, tc.exponent); got != tc.want {
			t.Errorf("SaturatingRoundingMultiplyByPOT(%d, %d) = %d, want %d", tc.x, tc.exponent, got, tc.want)
		}
	}
	if got := RescaleFixedPoint(3<<20, 0, 12); got != 3<<8 {
		t.Errorf("RescaleFixedPoint Q0.31 → Q12.19 of 3·2^20 = %d, want 3·2^8", got)
	}
}

// nearRaw checks a Q0.31 result against a real value within tol raw units.
func nearRaw(t *testing.T, what string, got int32, want float64, tol float64) {
	t.Helper()
	if math.Abs(float64(got)-want*(1<<31)) > tol {
		t.Fatalf("%s = %d (%.9f), want %.9f", what, got, math.Ldexp(float64(got), -31), want)
	}
}

func TestExpOnNegativeValues(t *testing.T) {
	for _, intBits := range []int{0, 4, 5, 12} {
		if got := ExpOnNegativeValues(0, intBits); got != math.MaxInt32 {
			t.Errorf("exp(0) with %d integer bits = %d, want MaxInt32", intBits, got)
		}
		lo := -math.Ldexp(1, min(intBits, 5))
		// The 4th-order Taylor expansion on [−1/4, 0) is good to ~2.5e-7.
		for i := 1; i <= 4000; i++ {
			x := lo * float64(i) / 4000
			raw := int32(math.Round(math.Ldexp(x, 31-intBits)))
			nearRaw(t, fmt.Sprintf("exp(%g) Q%d", x, intBits), ExpOnNegativeValues(raw, intBits), math.Exp(math.Ldexp(float64(raw), intBits-31)), 600)
		}
	}
	// exp(−1): two quarter steps and the 1/2 bit of the barrel shifter.
	nearRaw(t, "exp(−1)", ExpOnNegativeValues(-(1<<26), 5), math.Exp(-1), 300)
	// Below −32 with more than 5 integer bits the result is 0.
	if got := ExpOnNegativeValues(-33<<19, 12); got != 0 {
		t.Errorf("exp(−33) in Q12.19 = %d, want 0", got)
	}
	// The constant of the quarter interval: exp(−1/8) at its centre.
	nearRaw(t, "exp(−1/8)", ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(-(1 << 28)), math.Exp(-0.125), 2)
}

func TestOneOverOnePlusXAndFriends(t *testing.T) {
	for i := 0; i < 2000; i++ {
		x := float64(i) / 2000
		raw := int32(math.Round(math.Ldexp(x, 31)))
		nearRaw(t, fmt.Sprintf("1/(1+%g)", x), OneOverOnePlusXForXIn01(raw), 1/(1+x), 16)
		nearRaw(t, fmt.Sprintf("(1−%g)/(1+%g)", x, x), OneMinusXOverOnePlusXForXIn01(raw), (1-x)/(1+x), 16)
	}
	for i := -3000; i <= 3000; i++ {
		x := float64(i) / 200 // [−15, 15] in Q4.27
		raw := int32(math.Round(math.Ldexp(x, 27)))
		xr := math.Ldexp(float64(raw), -27)
		nearRaw(t, fmt.Sprintf("logistic(%g)", x), FixedPointLogistic(raw, 4), 1/(1+math.Exp(-xr)), 400)
		nearRaw(t, fmt.Sprintf("tanh(%g)", x), FixedPointTanh(raw, 4), math.Tanh(xr), 800)
		if FixedPointTanh(-raw, 4) != -FixedPointTanh(raw, 4) {
			t.Fatalf("tanh is not odd at %d", raw)
		}
	}
	if FixedPointLogistic(0, 4) != 1<<30 || FixedPointTanh(0, 4) != 0 {
		t.Error("logistic(0) must be exactly 1/2 and tanh(0) exactly 0")
	}
}

func TestGetReciprocal(t *testing.T) {
	tests := []struct {
		x        int32
		digits   int
		wantBits int
	}{
		{1 << 21, 12, 2}, // 4.0 in Q12.19: 1/4 = (≈1)·2^−2
		{3 << 18, 12, 0}, // 1.5: 1/1.5 = 0.667·2^0
		{5 << 19, 12, 2}, // 5.0: 1/5 = 0.8·2^−2
		{1 << 19, 12, 0}, // 1.0
		{7 << 27, 3, 1},  // 3.5 in Q3.28: 1/3.5 = 0.571·2^−1
	}
	for _, tc := range tests {
		got, bits := GetReciprocal(tc.x, tc.digits)
		x := math.Ldexp(float64(tc.x), tc.digits-31)
		if bits != tc.wantBits || math.Abs(math.Ldexp(float64(got), -31-bits)-1/x) > 1e-8 {
			t.Errorf("GetReciprocal(%g) = %d·2^−(31+%d), want 1/x = %g with %d bits over unit", x, got, bits, 1/x, tc.wantBits)
		}
	}
	for _, tc := range []struct {
		x    uint32
		want int
	}{{0, 32}, {1, 31}, {1 << 31, 0}, {0xFFFF, 16}} {
		if got := CountLeadingZeros32(tc.x); got != tc.want {
			t.Errorf("CountLeadingZeros32(%#x) = %d, want %d", tc.x, got, tc.want)
		}
	}
}

func TestCalculateInputRadiusAndCheckedLog2(t *testing.T) {
	for _, tc := range []struct {
		intBits, leftShift, total int
		want                      int32
	}{
		{4, 20, 31, 1920}, // 15·2^27/2^20
		{5, 27, 31, 15},   // floor(31·2^26/2^27) = floor(15.5)
		{4, 24, 31, 120},  // 15·2^27/2^24
		{5, 31, 31, 0},    // floor(31/32)
		{4, 0, 31, 2013265920},
	} {
		if got := CalculateInputRadius(tc.intBits, tc.leftShift, tc.total); got != tc.want {
			t.Errorf("CalculateInputRadius(%d, %d, %d) = %d, want %d", tc.intBits, tc.leftShift, tc.total, got, tc.want)
		}
	}
	for _, tc := range []struct {
		x    float32
		log2 int
		ok   bool
	}{{1.0 / 4096, -12, true}, {1.0 / 32768, -15, true}, {1, 0, true}, {3.1e-4, -12, false}, {0.75, 0, false}} {
		log2, ok := CheckedLog2(tc.x)
		if log2 != tc.log2 || ok != tc.ok {
			t.Errorf("CheckedLog2(%g) = %d, %v; want %d, %v", tc.x, log2, ok, tc.log2, tc.ok)
		}
	}
}

// TestGenLUTAndLookup: for f(x) = x on [−1, 1] with outputs [−1, 1] the
// table is exactly linear, lut[i] = −32768 + 128·i (no midpoint bias), with
// the last entry 32768 clamped to 32767; looking it up is then the identity
// except in the last segment, where the slope is 127.
func TestGenLUTAndLookup(t *testing.T) {
	var lut [LUTSizeInt16]int16
	GenLUTInt16(func(x float32) float32 { return x }, -1, 1, -1, 1, &lut)
	for i := 0; i < 512; i++ {
		if want := int16(-32768 + 128*i); lut[i] != want {
			t.Fatalf("lut[%d] = %d, want %d", i, lut[i], want)
		}
	}
	if lut[512] != 32767 {
		t.Fatalf("lut[512] = %d, want 32767", lut[512])
	}
	for v := -32768; v < 32640; v += 7 {
		if got := LUTLookupInt16(int16(v), &lut); int(got) != v {
			t.Fatalf("LUTLookupInt16(%d) = %d", v, got)
		}
	}
	// Last segment: base 32640, slope 127: (127·127 + 64) >> 7 = 126.
	if got := LUTLookupInt16(32767, &lut); got != 32766 {
		t.Fatalf("LUTLookupInt16(32767) = %d, want 32766", got)
	}
	// The softmax exp table: exp(0) saturates, exp(−10)·32768 ≈ 1.5.
	var exp [LUTSizeInt16]int16
	GenLUTInt16(ExpFloat32, -10, 0, -1, 1, &exp)
	if exp[512] != 32767 || exp[0] < 1 || exp[0] > 2 {
		t.Fatalf("exp table ends %d … %d", exp[0], exp[512])
	}
	for i, v := range sigmoidTableUint16 {
		want := 65536 / (1 + math.Exp(-float64(i)/24))
		if math.Abs(float64(v)-want) > 1.5 { // TFLite's table is not the rounded sigmoid
			t.Fatalf("sigmoidTableUint16[%d] = %d, sigmoid %g", i, v, want)
		}
	}
}

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

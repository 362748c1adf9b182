package oracle

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/tflq/tflq-trace/tflite"
)

// ---- the definitions, stated a second way ----
//
// The oracle rounds by adding a half and flooring (roundHalfUpPOT). The tests
// state each rounding the other way: split the exact rational into its floor
// and fraction and compare the fraction with 1/2, the tie resolved by the
// rule's direction. SaturatingRoundingDoublingHighMul's "nudge, then
// truncating division" and RoundingDivideByPOT's "mask and threshold" in
// gemmlowp are both this nearest-integer rounding (ties toward +∞, and away
// from zero, respectively): the kernels' tests check the kernels, which
// transcribe the C++ operations, against the oracle.

type tieRule int

const (
	tieUp   tieRule = iota // toward +∞
	tieAway                // away from zero
)

// nearest is the integer nearest to num/den (den > 0), ties by rule.
func nearest(num, den *big.Int, rule tieRule) int64 {
	fl, rem := new(big.Int).DivMod(num, den, new(big.Int)) // Euclidean: 0 ≤ rem < den, fl = ⌊num/den⌋
	switch c := new(big.Int).Lsh(rem, 1).Cmp(den); {
	case c > 0, c == 0 && (rule == tieUp || num.Sign() > 0):
		fl.Add(fl, big.NewInt(1))
	}
	return fl.Int64()
}

func pow2(k int) *big.Int { return new(big.Int).Lsh(big.NewInt(1), uint(k)) }

func mul(a, b int64) *big.Int { return new(big.Int).Mul(big.NewInt(a), big.NewInt(b)) }

// defSRDHM is round(a·b/2^31) with ties toward +∞, saturated.
func defSRDHM(a, b int32) int64 {
	if a == math.MinInt32 && b == math.MinInt32 {
		return math.MaxInt32
	}
	return nearest(mul(int64(a), int64(b)), pow2(31), tieUp)
}

// defMBQM is MultiplyByQuantizedMultiplier from the definitions: double
// rounding rounds x·2^left·M/2^31 (x·2^left wrapped to 32 bits) toward +∞ on
// ties, then the quotient by 2^right away from zero; single rounding rounds
// x·M/2^(31−shift) once, ties toward +∞.
func defMBQM(x, q int32, shift int, r Rounding) int64 {
	if r == Single {
		return nearest(mul(int64(x), int64(q)), pow2(31-shift), tieUp)
	}
	left, right := max(shift, 0), max(-shift, 0)
	wrapped := int32(int64(x) * (int64(1) << uint(min(left, 32)))) // Go conversion keeps the low 32 bits
	return nearest(big.NewInt(defSRDHM(wrapped, q)), pow2(right), tieAway)
}

var edges32 = []int32{0, 1, -1, 2, -2, 3, -3, 127, -128, 1 << 15, -(1 << 15), 1<<30 - 1, 1 << 30, -(1 << 30),
	math.MaxInt32, math.MinInt32, math.MaxInt32 - 1, math.MinInt32 + 1}

// ---- QuantizeMultiplier ----

func TestQuantizeMultiplierKnown(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    float64
		r    Rounding
		want Multiplier
	}{
		{"zero", 0, Double, Multiplier{0, 0}},
		{"one", 1, Double, Multiplier{1 << 30, 1}},
		{"half", 0.5, Double, Multiplier{1 << 30, 0}},
		{"three quarters", 0.75, Single, Multiplier{3 << 29, 0}},
		{"0.3", 0.3, Double, Multiplier{1288490189, -1}}, // 0.6·2^31 = 1288490188.8
		{"2^-31 is the smallest kept", math.Ldexp(1, -31), Double, Multiplier{1 << 30, -30}},
		{"tie rounds away from zero", 0.5 + math.Ldexp(1, -32), Double, Multiplier{1<<30 + 1, 0}},
		{"tie 2^30 + 1.5 rounds away", 0.5 + 3*math.Ldexp(1, -32), Double, Multiplier{1<<30 + 2, 0}},
		{"2^30 + 0.75 rounds to nearest", 0.5 + 3*math.Ldexp(1, -33), Double, Multiplier{1<<30 + 1, 0}},
		{"rounds up to 2^31: halved, shift + 1", 1 - math.Ldexp(1, -33), Double, Multiplier{1 << 30, 1}},
		{"below 2^-32 flushes to zero", 0.75 * math.Ldexp(1, -32), Double, Multiplier{0, 0}},
		{"2^-40 flushes", math.Ldexp(1, -40), Single, Multiplier{0, 0}},
		{"2^31 kept under double", math.Ldexp(1, 31), Double, Multiplier{1 << 30, 32}},
		{"2^31 saturates under single", math.Ldexp(1, 31), Single, Multiplier{math.MaxInt32, 30}},
		{"2^29 kept under single", math.Ldexp(1, 29), Single, Multiplier{1 << 30, 30}},
		{"smallest double", math.SmallestNonzeroFloat64, Double, Multiplier{0, 0}},
		{"largest double: rounds to 2^31", math.MaxFloat64, Double, Multiplier{1 << 30, 1025}}, // (1 − 2^-53)·2^31 rounds to 2^31
	} {
		if got := QuantizeMultiplier(tc.m, tc.r); got != tc.want {
			t.Errorf("%s: QuantizeMultiplier(%g, %v) = %+v, want %+v", tc.name, tc.m, tc.r, got, tc.want)
		}
	}
}

// TestQuantizeMultiplierSpecification checks QuantizeMultiplier against
// its specification, in exact arithmetic, on random multipliers spread over
// 2^-45 .. 2^45, on exact ties of the mantissa rounding and on their
// neighbours: the result is the mantissa in [2^30, 2^31) nearest to
// real·2^(31−shift), ties away from zero (up); it is (0, 0) exactly when
// real < 2^-32 − 2^-64 (below that, the mantissa at shift −31 would round
// to less than 2^30); under single rounding it saturates to (2^31 − 1, 30)
// exactly when real ≥ 2^30 − 1/4.
func TestQuantizeMultiplierSpecification(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	flushBelow := new(big.Rat).SetFrac(new(big.Int).Sub(pow2(32), big.NewInt(1)), pow2(64))
	saturateFrom := big.NewRat(1<<32-1, 4)
	check := func(m float64) {
		t.Helper()
		exact := new(big.Rat).SetFloat64(m)
		for _, r := range []Rounding{Double, Single} {
			got := QuantizeMultiplier(m, r)
			switch {
			case exact.Cmp(flushBelow) < 0:
				if got != (Multiplier{}) {
					t.Fatalf("QuantizeMultiplier(%v, %v) = %+v, want the flush to (0, 0)", m, r, got)
				}
				continue
			case r == Single && exact.Cmp(saturateFrom) >= 0:
				if got != (Multiplier{math.MaxInt32, 30}) {
					t.Fatalf("QuantizeMultiplier(%v, single) = %+v, want the saturation", m, got)
				}
				continue
			}
			if got.Mantissa < 1<<30 {
				t.Fatalf("QuantizeMultiplier(%v, %v) = %+v: mantissa below 2^30", m, r, got)
			}
			// real·2^(31−shift) = num/den: the mantissa is its nearest integer.
			scaled := new(big.Rat).Mul(exact, new(big.Rat).SetFrac(pow2(max(31-got.Shift, 0)), pow2(max(got.Shift-31, 0))))
			if want := nearest(scaled.Num(), scaled.Denom(), tieAway); want != int64(got.Mantissa) {
				t.Fatalf("QuantizeMultiplier(%v, %v) = %+v, nearest mantissa at that shift %d", m, r, got, want)
			}
		}
	}
	for range 100000 {
		check(math.Exp2(rng.Float64()*90 - 45))
	}
	for range 20000 {
		// frac·2^31 = k + 1/2 exactly: a tie.
		k := float64(1<<30 + rng.Int64N(1<<30))
		tie := math.Ldexp((k+0.5)/(1<<31), rng.IntN(80)-45)
		check(tie)
		check(math.Nextafter(tie, 0))
		check(math.Nextafter(tie, 2))
	}
	for _, m := range []float64{math.Ldexp(1, -32), math.Ldexp(1, -32) - math.Ldexp(1, -64), math.Nextafter(math.Ldexp(1, -32)-math.Ldexp(1, -64), 0),
		math.Ldexp(1, 30) - 0.25, math.Nextafter(math.Ldexp(1, 30)-0.25, 0), 1 - math.Ldexp(1, -33), 1 - math.Ldexp(1, -32)} {
		check(m)
	}
}

// ---- SaturatingRoundingDoublingHighMul, RoundingDivideByPOT ----

func TestSRDHMKnown(t *testing.T) {
	const minI, maxI = math.MinInt32, math.MaxInt32
	for _, tc := range []struct{ a, b, want int32 }{
		{minI, minI, maxI},          // the one overflow saturates
		{minI, maxI, -2147483647},   // −(2^31 − 1) exactly
		{maxI, maxI, 2147483646},    // 2^31 − 2 + 2^-31
		{1 << 30, 1 << 30, 1 << 29}, // exact
		{1 << 15, 1 << 15, 1},       // +1/2 rounds up
		{-(1 << 15), 1 << 15, 0},    // −1/2 rounds toward +∞
		{3 << 15, 1 << 15, 2},       // 3/2 → 2
		{-(3 << 15), 1 << 15, -1},   // −3/2 → −1
		{-101, 1 << 30, -50},        // −50.5 → −50
		{0, maxI, 0},
	} {
		if got := SaturatingRoundingDoublingHighMul(tc.a, tc.b); got != tc.want {
			t.Errorf("SRDHM(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRoundingDivideByPOTKnown(t *testing.T) {
	for _, tc := range []struct {
		x    int64
		e    int
		want int64
	}{
		{5, 1, 3}, {-5, 1, -3}, {7, 2, 2}, {-6, 2, -2}, {-7, 2, -2}, {6, 2, 2}, {-2, 2, -1}, {2, 2, 1}, {1, 2, 0},
		{math.MinInt32, 31, -1}, {math.MaxInt32, 31, 1}, {-1, 31, 0}, {1 << 30, 31, 1}, {1<<30 - 1, 31, 0},
		{12345, 0, 12345}, {math.MinInt64, 63, -1}, {math.MaxInt64, 63, 1}, {-(1 << 62), 63, -1},
	} {
		if got := RoundingDivideByPOT(tc.x, tc.e); got != tc.want {
			t.Errorf("RDBPOT(%d, %d) = %d, want %d", tc.x, tc.e, got, tc.want)
		}
	}
}

// TestSRDHMAndRDBPOTDefinitions compares every pair of edge values, random
// operands and (RoundingDivideByPOT) every int16 value with the
// nearest-integer definitions.
func TestSRDHMAndRDBPOTDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	randInt32 := func() int32 { return int32(rng.Uint32()) >> uint(rng.IntN(32)) }
	srdhm := func(a, b int32) {
		if got, want := SaturatingRoundingDoublingHighMul(a, b), defSRDHM(a, b); int64(got) != want {
			t.Fatalf("SRDHM(%d, %d) = %d, want %d", a, b, got, want)
		}
	}
	rdbpot := func(x int64, e int) {
		if got, want := RoundingDivideByPOT(x, e), nearest(big.NewInt(x), pow2(e), tieAway); got != want {
			t.Fatalf("RDBPOT(%d, %d) = %d, want %d", x, e, got, want)
		}
	}
	for _, a := range edges32 {
		for _, b := range edges32 {
			srdhm(a, b)
		}
		for e := 0; e <= 31; e++ {
			rdbpot(int64(a), e)
		}
	}
	for range 200000 {
		srdhm(randInt32(), randInt32())
		rdbpot(int64(randInt32()), rng.IntN(32))
		rdbpot(int64(rng.Uint64()), rng.IntN(64))
	}
	for x := int64(math.MinInt16); x <= math.MaxInt16; x++ {
		for e := 0; e <= 17; e++ {
			rdbpot(x, e)
		}
	}
}

// ---- MultiplyByQuantizedMultiplier ----

func TestMultiplyByQuantizedMultiplierKnown(t *testing.T) {
	for _, tc := range []struct {
		name           string
		x              int64
		m              Multiplier
		double, single int64
	}{
		// 5·0.25 = 1.25: double rounding rounds 2.5 up to 3, then 3/2 = 1.5 to 2;
		// single rounding rounds 1.25 once, to 1.
		{"double rounding differs", 5, Multiplier{1 << 30, -1}, 2, 1},
		{"negative: −1.25", -5, Multiplier{1 << 30, -1}, -1, -1},
		// 3·2^30·2^(−2−31) = 3/8 = 0.375 → 0 (single); SRDHM(3, 2^30) = 2, RDBPOT(2, 2) = 1.
		{"hand-checked conv", 3, Multiplier{1 << 30, -2}, 1, 0},
		// −3.5: ties away from zero (double) vs toward +∞ (single).
		{"tie −3.5", -7, Multiplier{1 << 30, 0}, -3, -3},
		{"tie −7/4 · 2", -7, Multiplier{1 << 30, -1}, -2, -2},
		{"identity", 1000, Multiplier{1 << 30, 1}, 1000, 1000},
		{"left shift", 3, Multiplier{1 << 30, 3}, 12, 12},
		{"shift −31 extreme", math.MaxInt32, Multiplier{math.MaxInt32, -31}, 1, 1},
		{"zero multiplier", 12345, Multiplier{0, 0}, 0, 0},
	} {
		if got := MultiplyByQuantizedMultiplier(tc.x, tc.m, Double); got != tc.double {
			t.Errorf("%s: double = %d, want %d", tc.name, got, tc.double)
		}
		if got := MultiplyByQuantizedMultiplier(tc.x, tc.m, Single); got != tc.single {
			t.Errorf("%s: single = %d, want %d", tc.name, got, tc.single)
		}
	}
	// The left shift wraps in 32 bits like the C++ int32 multiply:
	// (2^30 + 1)·2^2 = 2^32 + 4 → 4, times 1/2 → 2.
	if got := MultiplyByQuantizedMultiplier(1<<30+1, Multiplier{1 << 30, 2}, Double); got != 2 {
		t.Errorf("wrapping left shift: got %d, want 2", got)
	}
}

// TestMultiplyByQuantizedMultiplierDefinitions compares both rules with
// their definitions (defMBQM) on boundary operands for every shift and on
// random ones, and checks that the result is within one unit (double, when
// nothing wraps or saturates) or half a unit (single) of the exact x·M.
func TestMultiplyByQuantizedMultiplierDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	qs := []int32{0, 1, 1 << 30, 1<<30 + 1, 1518500250, math.MaxInt32 - 1, math.MaxInt32}
	within := func(got int64, x, q int32, shift int, tol *big.Rat) bool {
		exact := new(big.Rat).SetFrac(mul(int64(x), int64(q)), pow2(31-shift))
		d := new(big.Rat).Sub(new(big.Rat).SetInt64(got), exact)
		return d.Abs(d).Cmp(tol) <= 0
	}
	check := func(x, q int32, shift int) {
		t.Helper()
		m := Multiplier{q, shift}
		double := MultiplyByQuantizedMultiplier(int64(x), m, Double)
		if want := defMBQM(x, q, shift, Double); double != want {
			t.Fatalf("double(%d, %d, %d) = %d, want %d", x, q, shift, double, want)
		}
		if shift <= 0 && !(x == math.MinInt32 && q == math.MinInt32) && !within(double, x, q, shift, big.NewRat(1, 1)) {
			t.Fatalf("double(%d, %d, %d) = %d is more than 1 from x·M", x, q, shift, double)
		}
		if shift > 30 {
			return
		}
		single := MultiplyByQuantizedMultiplier(int64(x), m, Single)
		if want := defMBQM(x, q, shift, Single); single != want {
			t.Fatalf("single(%d, %d, %d) = %d, want %d", x, q, shift, single, want)
		}
		if !within(single, x, q, shift, big.NewRat(1, 2)) {
			t.Fatalf("single(%d, %d, %d) = %d is more than 1/2 from x·M", x, q, shift, single)
		}
	}
	for _, x := range edges32 {
		for _, q := range qs {
			for shift := -31; shift <= 31; shift++ {
				check(x, q, shift)
			}
		}
	}
	for range 200000 {
		x := int32(rng.Uint32()) >> uint(rng.IntN(32))
		q := int32(1<<30 + rng.Int32N(1<<30))
		check(x, q, rng.IntN(40)-31)
	}
}

func TestMultiplyByQuantizedMultiplier64(t *testing.T) {
	for _, tc := range []struct {
		x    int64
		m    Multiplier
		want int64
	}{
		{1 << 20, Multiplier{1 << 30, 0}, 1 << 19},           // M = 1/2, reduced 2^14
		{32768, Multiplier{math.MaxInt32, 0}, 32767},         // reduced multiplier saturates at 0x7FFF
		{-3, Multiplier{1 << 30, 0}, -1},                     // −1.5 rounds half up
		{3, Multiplier{1 << 30, 0}, 2},                       // 1.5 rounds half up
		{1 << 40, Multiplier{1 << 30, -20}, 1 << 19},         // wide accumulator
		{-(1 << 47), Multiplier{1 << 30, -31}, -(1 << 15)},   // the extreme negative
		{100, Multiplier{1<<30 + 1<<15, 0}, 50},              // (2^30 + 2^15 + 2^15) >> 16 = 2^14 + 1
		{1 << 16, Multiplier{1<<30 + 1<<15 - 1, 0}, 1 << 15}, // rounds down to 2^14
	} {
		if got := MultiplyByQuantizedMultiplier64(tc.x, tc.m); got != tc.want {
			t.Errorf("MBQM64(%d, %+v) = %d, want %d", tc.x, tc.m, got, tc.want)
		}
	}
	for _, tc := range []struct {
		m    int32
		want int64
	}{{1 << 30, 1 << 14}, {0x7FFEFFFF, 0x7FFF}, {0x7FFF0000, 0x7FFF}, {0x7FFF8000, 0x7FFF}, {0x7FFF7FFF, 0x7FFF}, {math.MaxInt32, 0x7FFF}, {1<<30 + 1<<15, 1<<14 + 1}, {1<<30 + 1<<15 - 1, 1 << 14}} {
		if got := ReducedMultiplier(tc.m); got != tc.want {
			t.Errorf("ReducedMultiplier(%#x) = %#x, want %#x", tc.m, got, tc.want)
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 100000 {
		x := rng.Int64N(1<<48) - 1<<47
		x >>= uint(rng.IntN(40))
		m := Multiplier{int32(1<<30 + rng.Int32N(1<<30)), rng.IntN(39) - 31}
		reduced := int64(0x7FFF)
		if m.Mantissa < 0x7FFF0000 {
			reduced = nearest(big.NewInt(int64(m.Mantissa)), pow2(16), tieUp)
		}
		if got, want := MultiplyByQuantizedMultiplier64(x, m), nearest(mul(x, reduced), pow2(15-m.Shift), tieUp); got != want {
			t.Fatalf("MBQM64(%d, %+v) = %d, want %d", x, m, got, want)
		}
	}
}

// TestPreconditionsPanic: inputs TFLite does not define are refused.
func TestPreconditionsPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"x beyond int32":           func() { MultiplyByQuantizedMultiplier(1<<31, Multiplier{1 << 30, 0}, Double) },
		"single shift 31":          func() { MultiplyByQuantizedMultiplier(1, Multiplier{1 << 30, 31}, Single) },
		"right shift 32":           func() { MultiplyByQuantizedMultiplier(1, Multiplier{1 << 30, -32}, Double) },
		"64-bit x beyond 2^47":     func() { MultiplyByQuantizedMultiplier64(1<<47, Multiplier{1 << 30, 0}) },
		"64-bit shift 8":           func() { MultiplyByQuantizedMultiplier64(1, Multiplier{1 << 30, 8}) },
		"negative real":            func() { QuantizeMultiplier(-0.5, Double) },
		"NaN real":                 func() { QuantizeMultiplier(math.NaN(), Double) },
		"multiplier ≥ 1 in ADD":    func() { Binary{Type: tflite.TypeInt8, S1: 1, S2: 1, SOut: 1e-9}.Add(1, 1) },
		"negative RDBPOT exponent": func() { RoundingDivideByPOT(1, -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestDivRoundHalfAway(t *testing.T) {
	for _, tc := range []struct{ n, d, want int64 }{
		{3, 2, 2}, {-3, 2, -2}, {5, 3, 2}, {4, 3, 1}, {-4, 3, -1}, {-5, 3, -2}, {0, 7, 0}, {7, 2, 4}, {-7, 2, -4}, {1, 4, 0}, {-2, 4, -1},
	} {
		if got := DivRoundHalfAway(tc.n, tc.d); got != tc.want {
			t.Errorf("DivRoundHalfAway(%d, %d) = %d, want %d", tc.n, tc.d, got, tc.want)
		}
	}
	// TFLite's AveragePool form: (acc ± count/2) / count, truncating.
	for n := int64(-500); n <= 500; n++ {
		for d := int64(1); d <= 25; d++ {
			want := (n + d/2) / d
			if n < 0 {
				want = (n - d/2) / d
			}
			if got := DivRoundHalfAway(n, d); got != want {
				t.Fatalf("DivRoundHalfAway(%d, %d) = %d, AveragePool gives %d", n, d, got, want)
			}
		}
	}
}

// Package oracle is the test reference of tflq-trace: TFLite's quantized
// integer arithmetic, re-derived once from TFLite's definitions, against
// which the kernels' own tests (package kernels) and the built-model tests
// (package trace) check the kernels. It is the one place such reference
// arithmetic lives (gonum's testblas pattern): a test that needs "what TFLite
// computes" asks the oracle, and two tests can no longer disagree about it.
//
// Rules the package keeps:
//
//   - It never imports package kernels (the kernels' internal tests import
//     it, so that would be an import cycle) and shares no code with it:
//     every function is written from the TFLite / TFLite-Micro source named
//     in its comment, not from the Go kernel.
//   - The fixed-point primitives are computed in exact integer arithmetic
//     (math/big), from the mathematical statement of each rounding (add a
//     half, floor), not by transcribing the C++ bit tricks. The package's
//     tests check them against hand-computed values and a second statement of
//     the same definitions (compare the fraction with 1/2); the kernels,
//     which do transcribe the C++, are checked against them by their tests.
//   - A precondition TFLite states as a DCHECK or assert panics here: a test
//     that reaches one has built inputs TFLite does not define, and should
//     hear about it.
//
// Integer values are int64 throughout (a stored int8 or int16 widened, an
// int32 accumulator, ...); where TFLite holds a value in int32 the function
// says what happens to a value that does not fit.
package oracle

import (
	"fmt"
	"math"
	"math/big"
)

// Rounding is the rounding rule of MultiplyByQuantizedMultiplier, one per
// TFLite build.
type Rounding uint8

const (
	// Double is gemmlowp's double rounding: TFLite-Micro's default build
	// (TFLITE_SINGLE_ROUNDING unset or 0).
	Double Rounding = iota
	// Single is the TFLITE_SINGLE_ROUNDING=1 build.
	Single
)

var roundingNames = [...]string{Double: "double", Single: "single"}

func (r Rounding) String() string {
	if int(r) < len(roundingNames) {
		return roundingNames[r]
	}
	return fmt.Sprintf("Rounding(%d)", uint8(r))
}

// Multiplier is a real multiplier in TFLite's (quantized_multiplier, shift)
// form: M = Mantissa·2^(Shift−31), Mantissa in [2^30, 2^31) or 0.
type Multiplier struct {
	Mantissa int32
	Shift    int
}

// Real is the value Mantissa·2^(Shift−31) (exact in float64).
func (m Multiplier) Real() float64 { return math.Ldexp(float64(m.Mantissa), m.Shift-31) }

// QuantizeMultiplier is TFLite's QuantizeMultiplier
// (tensorflow/lite/kernels/internal/quantization_util.cc): for real =
// q·2^shift with q in [0.5, 1) (std::frexp), Mantissa = round(q·2^31) with
// ties away from zero (TfLiteRound); a mantissa rounded up to 2^31 is halved
// and shift incremented; shift < −31 flushes to (0, 0); under the
// single-rounding build a shift > 30 saturates to (2^31 − 1, 30).
//
// It is computed exactly: real is taken as the rational it is, its binary
// exponent found by comparison with powers of two (not math.Frexp), and the
// mantissa rounded in integer arithmetic. real must be finite and ≥ 0 (the
// references never need a negative multiplier).
func QuantizeMultiplier(real float64, r Rounding) Multiplier {
	if real == 0 {
		return Multiplier{}
	}
	if !(real > 0) || math.IsInf(real, 0) {
		panic(fmt.Sprintf("oracle.QuantizeMultiplier(%v): want a finite multiplier ≥ 0", real))
	}
	v := new(big.Rat).SetFloat64(real) // exact
	// v = num/den with 2^(a−1) ≤ num < 2^a, 2^(b−1) ≤ den < 2^b, so
	// 2^(a−b−1) < v < 2^(a−b+1); settle e with 2^(e−1) ≤ v < 2^e.
	e := v.Num().BitLen() - v.Denom().BitLen()
	if v.Cmp(pow2Rat(e)) >= 0 {
		e++
	}
	// v·2^(31−e) is in [2^30, 2^31): round it half up (= away from zero).
	scaled := new(big.Rat).Mul(v, pow2Rat(31-e))
	q := floorRat(scaled.Add(scaled, big.NewRat(1, 2))).Int64()
	if q == 1<<31 {
		q = 1 << 30
		e++
	}
	if e < -31 {
		return Multiplier{}
	}
	if r == Single && e > 30 {
		return Multiplier{Mantissa: math.MaxInt32, Shift: 30}
	}
	return Multiplier{Mantissa: int32(q), Shift: e}
}

// SaturatingRoundingDoublingHighMul is gemmlowp's
// SaturatingRoundingDoublingHighMul (fixedpoint.h): a·b/2^31 rounded to the
// nearest integer with ties toward +∞ (gemmlowp's nudge of 2^30, or 1 − 2^30
// for a negative product, before a truncating division amounts to exactly
// that), except that INT32_MIN·INT32_MIN, the one product whose result
// overflows, saturates to INT32_MAX.
func SaturatingRoundingDoublingHighMul(a, b int32) int32 {
	if a == math.MinInt32 && b == math.MinInt32 {
		return math.MaxInt32
	}
	p := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(b)))
	return int32(roundHalfUpPOT(p, 31).Int64())
}

// RoundingDivideByPOT is gemmlowp's RoundingDivideByPOT (fixedpoint.h):
// x/2^exponent rounded to the nearest integer with ties away from zero.
// exponent must be in [0, 63] (gemmlowp: [0, 31] for int32 x).
func RoundingDivideByPOT(x int64, exponent int) int64 {
	if exponent < 0 || exponent > 63 {
		panic(fmt.Sprintf("oracle.RoundingDivideByPOT: exponent %d outside [0, 63]", exponent))
	}
	return roundHalfAwayPOT(big.NewInt(x), uint(exponent)).Int64()
}

// MultiplyByQuantizedMultiplier is TFLite's
// MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int
// shift) (tensorflow/lite/kernels/internal/common.cc), round(x·M) for M =
// m.Mantissa·2^(m.Shift−31) under rule r:
//
//   - Double: with left = max(shift, 0) and right = max(−shift, 0),
//     RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x·2^left,
//     Mantissa), right). x·2^left is the C++ int32 multiply x * (1 << left):
//     it wraps modulo 2^32 like the compiled code (signed overflow is
//     undefined behaviour in C++; the two's-complement wrap is what runs).
//   - Single: x·Mantissa/2^(31−shift) rounded once, ties toward +∞
//     (DCHECK shift in [−31, 30]). The exact value is returned; TFLite
//     DCHECKs that it fits in int32 and otherwise truncates it.
//
// x must be an int32 value (the C++ parameter is int32_t): a reference
// modelling TFLite's wrapping int32 accumulator wraps it itself, explicitly.
func MultiplyByQuantizedMultiplier(x int64, m Multiplier, r Rounding) int64 {
	if x < math.MinInt32 || x > math.MaxInt32 {
		panic(fmt.Sprintf("oracle.MultiplyByQuantizedMultiplier: x = %d is not an int32 value", x))
	}
	if m.Mantissa < 0 {
		panic(fmt.Sprintf("oracle.MultiplyByQuantizedMultiplier: negative multiplier %d", m.Mantissa))
	}
	if r == Single {
		if m.Shift < -31 || m.Shift > 30 {
			panic(fmt.Sprintf("oracle.MultiplyByQuantizedMultiplier: single rounding with shift %d outside [−31, 30]", m.Shift))
		}
		p := new(big.Int).Mul(big.NewInt(x), big.NewInt(int64(m.Mantissa)))
		return roundHalfUpPOT(p, uint(31-m.Shift)).Int64()
	}
	left, right := max(m.Shift, 0), max(-m.Shift, 0)
	if right > 31 {
		panic(fmt.Sprintf("oracle.MultiplyByQuantizedMultiplier: right shift %d beyond 31", right))
	}
	var shifted int32 // x·2^left modulo 2^32
	if left < 32 {
		shifted = int32(uint32(x) << uint(left))
	}
	return RoundingDivideByPOT(int64(SaturatingRoundingDoublingHighMul(shifted, m.Mantissa)), right)
}

// ReducedMultiplier is the Q0.15 multiplier of the 64-bit form:
// round(Mantissa/2^16) with ties up, i.e. (Mantissa + 2^15) >> 16, or 0x7FFF
// for a mantissa ≥ 0x7FFF0000 (tensorflow/lite/kernels/internal/common.cc,
// MultiplyByQuantizedMultiplier(int64_t x, ...)).
func ReducedMultiplier(mantissa int32) int64 {
	if mantissa >= 0x7FFF0000 {
		return 0x7FFF
	}
	return roundHalfUpPOT(big.NewInt(int64(mantissa)), 16).Int64()
}

// MultiplyByQuantizedMultiplier64 is TFLite's
// MultiplyByQuantizedMultiplier(int64_t x, int32_t quantized_multiplier, int
// shift) (tensorflow/lite/kernels/internal/common.cc), the int16×8 kernels'
// requantization of a 64-bit accumulator, the same under both builds:
// x·ReducedMultiplier(Mantissa)/2^(15−shift) rounded once, ties toward +∞.
// TFLite asserts x in [−2^47, 2^47) and shift in [−31, 8); the exact value
// is returned (TFLite truncates it to int32).
func MultiplyByQuantizedMultiplier64(x int64, m Multiplier) int64 {
	if x < -(1<<47) || x >= 1<<47 {
		panic(fmt.Sprintf("oracle.MultiplyByQuantizedMultiplier64: x = %d outside [−2^47, 2^47)", x))
	}
	if m.Mantissa < 0 || m.Shift < -31 || m.Shift >= 8 {
		panic(fmt.Sprintf("oracle.MultiplyByQuantizedMultiplier64: multiplier %+v outside TFLite's domain", m))
	}
	p := new(big.Int).Mul(big.NewInt(x), big.NewInt(ReducedMultiplier(m.Mantissa)))
	return roundHalfUpPOT(p, uint(15-m.Shift)).Int64()
}

// Requantize is MultiplyByQuantizedMultiplier(x, QuantizeMultiplier(real, r), r):
// round(x·real) the way TFLite computes it from a real multiplier.
func Requantize(x int64, real float64, r Rounding) int64 {
	return MultiplyByQuantizedMultiplier(x, QuantizeMultiplier(real, r), r)
}

// Clamp limits v to [lo, hi].
func Clamp(v, lo, hi int64) int64 { return min(max(v, lo), hi) }

// DivRoundHalfAway is n/d (d > 0) rounded to the nearest integer with ties
// away from zero: the rounding of TFLite's integer average
// ((acc ± count/2) / count in reference_integer_ops::AveragePool).
func DivRoundHalfAway(n, d int64) int64 {
	if d <= 0 {
		panic(fmt.Sprintf("oracle.DivRoundHalfAway: divisor %d", d))
	}
	r := new(big.Rat).SetFrac(big.NewInt(n), big.NewInt(d))
	neg := r.Sign() < 0
	r.Abs(r)
	q := floorRat(r.Add(r, big.NewRat(1, 2)))
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// ---- exact rounding helpers ----

// pow2Rat is 2^k as a rational.
func pow2Rat(k int) *big.Rat {
	if k >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(k)))
	}
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), uint(-k)))
}

// floorRat is ⌊r⌋.
func floorRat(r *big.Rat) *big.Int {
	return new(big.Int).Div(r.Num(), r.Denom()) // Euclidean division: the floor for a positive denominator
}

// roundHalfUpPOT is n/2^k rounded to nearest, ties toward +∞: ⌊n/2^k + 1/2⌋.
func roundHalfUpPOT(n *big.Int, k uint) *big.Int {
	if k == 0 {
		return new(big.Int).Set(n)
	}
	t := new(big.Int).Add(n, new(big.Int).Lsh(big.NewInt(1), k-1))
	return t.Rsh(t, k) // Rsh is an arithmetic shift: it floors negatives
}

// roundHalfAwayPOT is n/2^k rounded to nearest, ties away from zero.
func roundHalfAwayPOT(n *big.Int, k uint) *big.Int {
	if n.Sign() >= 0 {
		return roundHalfUpPOT(n, k)
	}
	r := roundHalfUpPOT(new(big.Int).Neg(n), k)
	return r.Neg(r)
}

package kernels

// Fixed-point primitives shared by every kernel. They reproduce TFLite's
// integer arithmetic exactly (tensorflow/lite/kernels/internal/common.h and
// gemmlowp's fixedpoint.h): a real multiplier M is stored as a Q0.31 integer
// Multiplier in [2^30, 2^31) and a power-of-two Shift, so that
// M = Multiplier · 2^(Shift−31).
//
// Two rounding rules exist for MultiplyByQuantizedMultiplier, and the rule is
// a run-time value (Rounding), not a build tag:
//
//   - RoundingDouble (TFLite-Micro's default, gemmlowp): round once in
//     SaturatingRoundingDoublingHighMul (x·M·2, keep the high 32 bits, round
//     half away from zero... up, see below) and again in RoundingDivideByPOT
//     (round half away from zero).
//   - RoundingSingle (TFLITE_SINGLE_ROUNDING=1): one 64-bit product and one
//     rounding right shift, round half up.

import (
	"fmt"
	"math"
)

// Rounding selects how requantization rounds.
type Rounding uint8

const (
	// RoundingDouble is gemmlowp's double rounding: TFLite-Micro's default build.
	RoundingDouble Rounding = iota
	// RoundingSingle is the TFLITE_SINGLE_ROUNDING=1 build.
	RoundingSingle
)

// Roundings lists every rounding rule, in order.
var Roundings = []Rounding{RoundingDouble, RoundingSingle}

func (r Rounding) String() string {
	switch r {
	case RoundingDouble:
		return "double"
	case RoundingSingle:
		return "single"
	}
	return fmt.Sprintf("Rounding(%d)", uint8(r))
}

// ParseRounding parses "double" or "single".
func ParseRounding(s string) (Rounding, error) {
	for _, r := range Roundings {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown rounding rule %q (want double or single)", s)
}

// QuantizedMultiplier is a real multiplier M = Multiplier · 2^(Shift−31),
// with Multiplier a Q0.31 value in [2^30, 2^31) (or 0 for M = 0).
// Shift > 0 is a left shift, Shift < 0 a right shift.
type QuantizedMultiplier struct {
	Multiplier int32
	Shift      int
}

// Real returns the multiplier's real value.
func (q QuantizedMultiplier) Real() float64 {
	return float64(q.Multiplier) * math.Ldexp(1, q.Shift-31)
}

// QuantizeMultiplier converts a real multiplier to Q0.31 + shift exactly as
// TFLite's QuantizeMultiplier does: frexp, round half away from zero, a
// rounded 2^31 halves with shift+1, a shift below −31 flushes to zero, and,
// under RoundingSingle only, a shift above 30 saturates to (2^31−1, 30).
func QuantizeMultiplier(m float64, r Rounding) QuantizedMultiplier {
	if m == 0 {
		return QuantizedMultiplier{}
	}
	frac, shift := math.Frexp(m)
	qFixed := int64(math.Round(frac * (1 << 31)))
	if qFixed == 1<<31 {
		qFixed /= 2
		shift++
	}
	if shift < -31 {
		shift = 0
		qFixed = 0
	}
	if r == RoundingSingle && shift > 30 {
		shift = 30
		qFixed = 1<<31 - 1
	}
	return QuantizedMultiplier{Multiplier: int32(qFixed), Shift: shift}
}

// SaturatingRoundingDoublingHighMul returns the high 32 bits of 2·a·b, that
// is a·b/2^31, rounded to nearest with ties toward +∞ (gemmlowp adds a nudge
// of 2^30, or 1−2^30 for negative products, then truncates), saturating the one
// overflowing case INT32_MIN·INT32_MIN to INT32_MAX.
func SaturatingRoundingDoublingHighMul(a, b int32) int32 {
	if a == b && a == math.MinInt32 {
		return math.MaxInt32
	}
	ab := int64(a) * int64(b)
	nudge := int64(1 << 30)
	if ab < 0 {
		nudge = 1 - (1 << 30)
	}
	// C++ integer division truncates toward zero; so does Go's.
	return int32((ab + nudge) / (1 << 31))
}

// RoundingDivideByPOT returns x / 2^exponent rounded half away from zero.
// exponent must be in [0, 31].
func RoundingDivideByPOT(x int32, exponent int) int32 {
	mask := int32(uint32(1)<<uint(exponent) - 1)
	remainder := x & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	result := x >> uint(exponent)
	if remainder > threshold {
		result++
	}
	return result
}

// RoundingDivideByPOT64 is RoundingDivideByPOT for int64 values, exponent in [0, 63].
func RoundingDivideByPOT64(x int64, exponent int) int64 {
	mask := int64(uint64(1)<<uint(exponent) - 1)
	remainder := x & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	result := x >> uint(exponent)
	if remainder > threshold {
		result++
	}
	return result
}

// MultiplyByQuantizedMultiplier returns round(x · M) for M =
// multiplier·2^(shift−31) under rule r.
//
// Double rounding: SaturatingRoundingDoublingHighMul(x·2^max(shift,0),
// multiplier) then RoundingDivideByPOT by max(−shift, 0). The left shift is
// done in 32-bit arithmetic and wraps like TFLite's.
//
// Single rounding: (x·multiplier + 2^(30−shift)) >> (31−shift) in 64 bits.
func MultiplyByQuantizedMultiplier(x, multiplier int32, shift int, r Rounding) int32 {
	if r == RoundingSingle {
		totalShift := uint(31 - shift)
		round := int64(1) << (totalShift - 1)
		return int32((int64(x)*int64(multiplier) + round) >> totalShift)
	}
	leftShift, rightShift := 0, 0
	if shift > 0 {
		leftShift = shift
	} else {
		rightShift = -shift
	}
	return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x*(1<<uint(leftShift)), multiplier), rightShift)
}

// ReducedMultiplier is the Q0.15 multiplier the 64-bit-accumulator form uses:
// (multiplier + 2^15) >> 16, or 0x7FFF when that would overflow.
func ReducedMultiplier(multiplier int32) int32 {
	if multiplier < 0x7FFF0000 {
		return (multiplier + (1 << 15)) >> 16
	}
	return 0x7FFF
}

// MultiplyByQuantizedMultiplier64 is the form used by the int16×8 kernels
// with a 64-bit accumulator (both rounding rules compute the same thing): the
// multiplier is reduced to Q0.15, then (x·reduced + 2^(14−shift)) >> (15−shift).
func MultiplyByQuantizedMultiplier64(x int64, multiplier int32, shift int) int32 {
	totalShift := uint(15 - shift)
	return int32((x*int64(ReducedMultiplier(multiplier)) + int64(1)<<(totalShift-1)) >> totalShift)
}

// MultiplyByQuantizedMultiplierSmallerThanOneExp is used by ADD/SUB and
// others for multipliers < 1 (leftShift ≤ 0): under double rounding
// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier),
// −leftShift); under single rounding it is MultiplyByQuantizedMultiplier.
func MultiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplier int32, leftShift int, r Rounding) int32 {
	if r == RoundingSingle {
		return MultiplyByQuantizedMultiplier(x, multiplier, leftShift, r)
	}
	return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier), -leftShift)
}

// MultiplyByQuantizedMultiplierGreaterThanOne is used for multipliers ≥ 1
// (leftShift ≥ 0): under double rounding
// SaturatingRoundingDoublingHighMul(x·2^leftShift, multiplier); under single
// rounding it is MultiplyByQuantizedMultiplier.
func MultiplyByQuantizedMultiplierGreaterThanOne(x, multiplier int32, leftShift int, r Rounding) int32 {
	if r == RoundingSingle {
		return MultiplyByQuantizedMultiplier(x, multiplier, leftShift, r)
	}
	return SaturatingRoundingDoublingHighMul(x*(1<<uint(leftShift)), multiplier)
}

// Clamp32 limits x to [lo, hi].
func Clamp32(x, lo, hi int32) int32 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

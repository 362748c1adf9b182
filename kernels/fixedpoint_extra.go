package kernels

// Fixed-point primitives used by DIV, RSQRT, L2_NORMALIZATION, LOG_SOFTMAX and
// HARD_SWISH, beyond those of fixedpoint.go (TFLite's
// kernels/internal/common.h and gemmlowp's fixedpoint.h). Kept apart so that
// they can be folded into fixedpoint.go later.

import "math"

// CountLeadingSignBits32 is TFLite's CountLeadingSignBits for int32: the
// number of redundant sign bits, so that x·2^result still fits in int32
// (31 for 0 and −1, 0 for MinInt32).
func CountLeadingSignBits32(x int32) int {
	switch {
	case x >= 0:
		return CountLeadingZeros32(uint32(x)) - 1
	case x != math.MinInt32:
		return CountLeadingZeros32(2*uint32(-x) - 1)
	}
	return 0
}

// SaturatingAdd32 and SaturatingSub32 are TFLite's SaturatingAddNonGemmlowp
// and SaturatingSub on int32: the exact result clamped to the int32 range.
func SaturatingAdd32(a, b int32) int32 {
	return int32(min(max(int64(a)+int64(b), math.MinInt32), math.MaxInt32))
}

// SaturatingSub32 is a − b clamped to the int32 range.
func SaturatingSub32(a, b int32) int32 {
	return int32(min(max(int64(a)-int64(b), math.MinInt32), math.MaxInt32))
}

// GetInvSqrtQuantizedMultiplierExp returns 1/√x for an integer x ≥ 0 as a
// Q0.31 multiplier and a left shift (TFLite's function called with
// reverse_shift = −1), exactly as TFLite computes it: x ≤ 1
// gives (MaxInt32, 0); otherwise x is brought into [2^27, 2^29) by shifts of
// two bits, five Newton–Raphson steps x ← 1.5x − (x/2)·x³ run in Q3.28, the
// result is multiplied by √2/2, and a negative right shift is folded into the
// multiplier.
func GetInvSqrtQuantizedMultiplierExp(x int32) QuantizedMultiplier {
	if x <= 1 {
		return QuantizedMultiplier{Multiplier: math.MaxInt32, Shift: 0}
	}
	shift := 11 // a right shift until the end
	for x >= 1<<29 {
		x /= 4
		shift++
	}
	maxLeftShiftBits := CountLeadingZeros32(uint32(x)) - 1
	leftShiftBitPairs := maxLeftShiftBits/2 - 1
	shift -= leftShiftBitPairs
	x <<= uint(2 * leftShiftBitPairs)
	const (
		intBits      = 3
		oneQ3        = 1 << (31 - intBits)
		halfThreeQ3  = 1<<28 + 1<<27 // 1.5 in Q3.28
		halfSqrt2Q0  = 1518500250    // √2/2 in Q0.31
		productIntQ6 = 2 * intBits
		productIntQ9 = 3 * intBits
	)
	input := x >> 1                                         // Q3.28
	halfInput := SaturatingRoundingMultiplyByPOT(input, -1) // x/2
	v := int32(oneQ3)
	for i := 0; i < 5; i++ {
		cube := RescaleFixedPoint(SaturatingRoundingDoublingHighMul(SaturatingRoundingDoublingHighMul(v, v), v), productIntQ9, intBits)
		a := SaturatingRoundingDoublingHighMul(halfThreeQ3, v)  // Q6
		b := SaturatingRoundingDoublingHighMul(halfInput, cube) // Q6
		v = RescaleFixedPoint(a-b, productIntQ6, intBits)
	}
	v = SaturatingRoundingDoublingHighMul(v, halfSqrt2Q0) // Q3 · Q0 = Q3
	if shift < 0 {
		v <<= uint(-shift)
		shift = 0
	}
	return QuantizedMultiplier{Multiplier: v, Shift: -shift}
}

// Q0.31 constants of TFLite's log_x_for_x_greater_than_or_equal_to_1.
const (
	fpLog2         = 1488522236 // ln 2
	fpSqrtSqrtHalf = 1805811301 // 0.5^(1/4)
	fpSqrtHalf     = 1518500250 // √0.5
	fpOneQuarter   = 536870912  // 1/4
	fpLogAlphaN    = 117049297  // 11/240 · 2^(1/4)
	fpLogAlphaD    = 127690142  // 1/20 · 2^(1/4)
	fpLogAlphaI    = 1057819769 // 2/2^(1/4) − 2^(1/4)
	fpLogAlphaF    = 638450708  // 1/4 · 2^(1/4)
)

// LogXForXGreaterThanOrEqualTo1 is TFLite's
// log_x_for_x_greater_than_or_equal_to_1<outBits>(x) for x a fixed-point
// value with inBits integer bits: ln(x) with outBits integer bits. The input
// is normalised by its leading zeros (two candidates, one premultiplied by
// √0.5), and ln of the mantissa comes from a rational approximation around
// 0.5^(1/4); the sum accumulates with one extra integer bit.
func LogXForXGreaterThanOrEqualTo1(x int32, inBits, outBits int) int32 {
	accumBits := outBits + 1
	shiftedQuarter := RescaleFixedPoint(fpOneQuarter, 0, accumBits)

	za := x // read as Q0.31
	zaHeadroomPlus1 := CountLeadingZeros32(uint32(za))
	raTmp := SaturatingRoundingMultiplyByPOT(za, zaHeadroomPlus1-1)
	ra := SaturatingRoundingMultiplyByPOT(SaturatingRoundingDoublingHighMul(raTmp, fpSqrtHalf), 1)
	zaPow2Adj := SaturatingAdd32(SaturatingRoundingMultiplyByPOT(int32(inBits-zaHeadroomPlus1), 31-accumBits), shiftedQuarter)

	zb := SaturatingRoundingDoublingHighMul(za, fpSqrtHalf)
	zbHeadroom := CountLeadingZeros32(uint32(zb)) - 1
	rb := SaturatingRoundingMultiplyByPOT(za, zbHeadroom)
	zbPow2Adj := SaturatingSub32(SaturatingRoundingMultiplyByPOT(int32(inBits-zbHeadroom), 31-accumBits), shiftedQuarter)

	r := min(ra, rb)
	zPow2Adj := max(zaPow2Adj, zbPow2Adj)

	mul := SaturatingRoundingDoublingHighMul
	p := RoundingHalfSum(r, fpSqrtSqrtHalf)
	q := r - fpSqrtSqrtHalf
	q = q + q
	commonSq := mul(q, q)
	num := mul(q, r) + mul(mul(q, commonSq), fpLogAlphaN)
	denomMinusOne := mul(p, fpLogAlphaI+q+mul(fpLogAlphaD, commonSq)) + mul(fpLogAlphaF, q)
	recipDenom := OneOverOnePlusXForXIn01(denomMinusOne)
	numScaled := RescaleFixedPoint(num, 0, accumBits)
	return RescaleFixedPoint(mul(zPow2Adj, fpLog2)+mul(numScaled, recipDenom), accumBits, outBits)
}

// SaturatingRoundingDoublingHighMul16 is gemmlowp's int16
// SaturatingRoundingDoublingHighMul: a·b/2^15 rounded to nearest (nudge
// 2^14, or 1−2^14 for negative products, then truncation), with
// MinInt16·MinInt16 saturating to MaxInt16.
func SaturatingRoundingDoublingHighMul16(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	ab := int32(a) * int32(b)
	nudge := int32(1 << 14)
	if ab < 0 {
		nudge = 1 - (1 << 14)
	}
	return int16((ab + nudge) / (1 << 15))
}

// SaturatingDoublingHighMul16 is TFLite's SaturatingDoublingHighMul (ARM
// SQDMULH): a·b/2^15 truncated toward zero, MinInt16·MinInt16 → MaxInt16.
func SaturatingDoublingHighMul16(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	return int16(int32(a) * int32(b) / (1 << 15))
}

// SaturatingLeftShift16 is TFLite's hard-swish SaturatingLeftShift: x·2^amount
// clamped to the int16 range.
func SaturatingLeftShift16(x int16, amount int) int16 {
	return int16(min(max(int64(x)*(int64(1)<<uint(amount)), math.MinInt16), math.MaxInt16))
}

// DownScaleInt32ToInt16Multiplier is TFLite's DownScaleInt32ToInt16Multiplier:
// a Q0.31 multiplier rounded to Q0.15, saturating at MaxInt16.
func DownScaleInt32ToInt16Multiplier(m int32) int16 {
	const roundingOffset = 1 << 15
	if m >= math.MaxInt32-roundingOffset {
		return math.MaxInt16
	}
	return int16((m + roundingOffset) >> 16)
}

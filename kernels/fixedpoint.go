package kernels

import (
	"fmt"
	"math"
	"math/bits"
)

// Rounding selects how requantization rounds. TFLite has two rounding rules for
// MultiplyByQuantizedMultiplier, chosen when it is built; here the rule is a
// run-time value, not a build tag. Both round x·M, with
// M = Multiplier·2^(Shift−31) (see QuantizedMultiplier):
//
//   - RoundingDouble (TFLite-Micro's default, gemmlowp) rounds twice: first
//     in SaturatingRoundingDoublingHighMul, which keeps the high 32 bits of
//     2·x·Multiplier, i.e. x·Multiplier/2^31, rounded to nearest with ties
//     toward +∞ (round half up: −2.5 → −2, 2.5 → 3); then in
//     RoundingDivideByPOT, which divides by 2^max(−Shift, 0) rounding to
//     nearest with ties away from zero (−2.5 → −3, 2.5 → 3).
//   - RoundingSingle (TFLITE_SINGLE_ROUNDING=1) rounds once: the 64-bit
//     product x·Multiplier plus 2^(total−1), shifted right by
//     total = 31 − Shift (an arithmetic, flooring shift), which rounds to
//     nearest with ties toward +∞ (round half up).
//
// The two rules can differ in the last bit of a result.
type Rounding uint8

const (
	// RoundingDouble is gemmlowp's double rounding: TFLite-Micro's default build.
	RoundingDouble Rounding = iota
	// RoundingSingle is the TFLITE_SINGLE_ROUNDING=1 build.
	RoundingSingle
)

// Roundings lists every rounding rule, in order (a new slice each call).
func Roundings() []Rounding { return []Rounding{RoundingDouble, RoundingSingle} }

// String returns the rule's name, "double" or "single", as ParseRounding reads
// it.
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
	for _, r := range Roundings() {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown rounding rule %q (want double or single)", s)
}

// QuantizedMultiplier is a real multiplier M = Multiplier · 2^(Shift−31),
// with Multiplier a Q0.31 value in [2^30, 2^31) (or 0 for M = 0).
// Shift > 0 is a left shift, Shift < 0 a right shift.
//
// This is how TFLite's integer arithmetic stores a real multiplier
// (tensorflow/lite/kernels/internal/common.h and gemmlowp's fixedpoint.h); the
// fixed-point primitives of this package reproduce that arithmetic exactly.
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

// ---------------------------------------------------------------------------
// gemmlowp fixed-point math (fixedpoint.h) and the TFLite helpers built on it
// (tensorflow/lite/kernels/internal/common.h, quantization_util.cc), used by
// SOFTMAX, LOGISTIC and TANH. "intBits" parameters give a fixed-point value's
// integer bits (see RescaleFixedPoint).

// RoundingHalfSum returns (a+b)/2 rounded to nearest, ties away from zero
// (gemmlowp's RoundingHalfSum, the NEON VRHADD).
func RoundingHalfSum(a, b int32) int32 {
	sum := int64(a) + int64(b)
	sign := int64(1)
	if sum < 0 {
		sign = -1
	}
	return int32((sum + sign) / 2)
}

// SaturatingRoundingMultiplyByPOT returns x·2^exponent: for exponent > 0 a
// left shift that saturates to [MinInt32, MaxInt32], for exponent < 0
// RoundingDivideByPOT by −exponent (gemmlowp's SaturatingRoundingMultiplyByPOT).
func SaturatingRoundingMultiplyByPOT(x int32, exponent int) int32 {
	switch {
	case exponent == 0:
		return x
	case exponent < 0:
		return RoundingDivideByPOT(x, -exponent)
	}
	threshold := int32(1)<<uint(31-exponent) - 1
	if x > threshold {
		return math.MaxInt32
	}
	if x < -threshold {
		return math.MinInt32
	}
	return x * (1 << uint(exponent))
}

// RescaleFixedPoint changes a fixed-point value's integer bits from srcBits
// to dstBits (gemmlowp's Rescale): SaturatingRoundingMultiplyByPOT by
// srcBits−dstBits.
//
// A fixed-point value with k integer bits is an int32 raw value r meaning
// r·2^(k−31) (Qk.(31−k)); the "intBits" parameters of the gemmlowp functions
// (ExpOnNegativeValues, FixedPointLogistic, FixedPointTanh, ...) give k.
func RescaleFixedPoint(x int32, srcBits, dstBits int) int32 {
	return SaturatingRoundingMultiplyByPOT(x, srcBits-dstBits)
}

// Q0.31 constants of gemmlowp's exp, tanh and logistic.
const (
	fpExpMinusOneEighth    = 1895147668  // exp(−1/8)
	fpOneThird             = 715827883   // 1/3
	fpFortyEightOver17     = 1515870810  // 48/17 in Q2.29
	fpMinusThirtyTwoOver17 = -1010580540 // −32/17 in Q2.29
)

// expBarrelMultipliers[k] is exp(−2^(k−2)) in Q0.31, for k = 0..6
// (exponents −2..4 of gemmlowp's exp_on_negative_values barrel shifter).
var expBarrelMultipliers = [7]int32{1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242}

// ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl returns exp(a) in Q0.31 for
// a in [−1/4, 0) in Q0.31: a Taylor expansion around −1/8.
func ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(a int32) int32 {
	x := a + 1<<28 // a + 1/8
	x2 := SaturatingRoundingDoublingHighMul(x, x)
	x3 := SaturatingRoundingDoublingHighMul(x2, x)
	x4 := SaturatingRoundingDoublingHighMul(x2, x2)
	x4Over4 := SaturatingRoundingMultiplyByPOT(x4, -2)
	poly := SaturatingRoundingMultiplyByPOT(SaturatingRoundingDoublingHighMul(x4Over4+x3, fpOneThird)+x2, -1)
	return fpExpMinusOneEighth + SaturatingRoundingDoublingHighMul(fpExpMinusOneEighth, x+poly)
}

// ExpOnNegativeValues returns exp(a) in Q0.31 for a ≤ 0 given with intBits
// integer bits (gemmlowp's exp_on_negative_values): the fractional part
// modulo 1/4 goes through the Taylor expansion, then each set bit of the
// remainder multiplies by exp(−2^k); a = 0 gives the Q0.31 maximum.
func ExpOnNegativeValues(a int32, intBits int) int32 {
	fracBits := 31 - intBits
	oneQuarter := int32(1) << uint(fracBits-2)
	aModQuarterMinusQuarter := (a & (oneQuarter - 1)) - oneQuarter
	result := ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(RescaleFixedPoint(aModQuarterMinusQuarter, intBits, 0))
	remainder := aModQuarterMinusQuarter - a
	for k, mult := range expBarrelMultipliers {
		exponent := k - 2
		if intBits <= exponent {
			continue
		}
		if remainder&int32(uint32(1)<<uint(fracBits+exponent)) != 0 {
			result = SaturatingRoundingDoublingHighMul(result, mult)
		}
	}
	if intBits > 5 {
		clamp := -(int32(1) << uint(36-intBits)) // −32
		if a < clamp {
			result = 0
		}
	}
	if a == 0 {
		result = math.MaxInt32
	}
	return result
}

// newtonRaphsonReciprocal runs gemmlowp's three Newton-Raphson steps for
// 1/halfDenominator and returns the Q2.29 estimate.
func newtonRaphsonReciprocal(halfDenominator int32) int32 {
	x := fpFortyEightOver17 + SaturatingRoundingDoublingHighMul(halfDenominator, fpMinusThirtyTwoOver17)
	const oneQ2 = 1 << 29
	for i := 0; i < 3; i++ {
		halfDenominatorTimesX := SaturatingRoundingDoublingHighMul(halfDenominator, x)
		oneMinus := oneQ2 - halfDenominatorTimesX
		x += RescaleFixedPoint(SaturatingRoundingDoublingHighMul(x, oneMinus), 4, 2)
	}
	return x
}

// OneOverOnePlusXForXIn01 returns 1/(1+a) in Q0.31 for a in [0, 1) in Q0.31
// (gemmlowp's one_over_one_plus_x_for_x_in_0_1).
func OneOverOnePlusXForXIn01(a int32) int32 {
	x := newtonRaphsonReciprocal(RoundingHalfSum(a, math.MaxInt32))
	return RescaleFixedPoint(x, 1, 0) // x/2 as Q1.30, rescaled to Q0.31
}

// OneMinusXOverOnePlusXForXIn01 returns (1−a)/(1+a) in Q0.31 for a in
// [0, 1) in Q0.31 (gemmlowp's one_minus_x_over_one_plus_x_for_x_in_0_1).
func OneMinusXOverOnePlusXForXIn01(a int32) int32 {
	x := newtonRaphsonReciprocal(RoundingHalfSum(a, math.MaxInt32))
	return RescaleFixedPoint(x-1<<29, 2, 0)
}

// FixedPointLogistic returns 1/(1+exp(−a)) in Q0.31 for a with intBits
// integer bits (gemmlowp's logistic).
func FixedPointLogistic(a int32, intBits int) int32 {
	abs := a
	if a <= 0 {
		abs = -a
	}
	positive := OneOverOnePlusXForXIn01(ExpOnNegativeValues(-abs, intBits))
	switch {
	case a == 0:
		return 1 << 30
	case a > 0:
		return positive
	}
	return math.MaxInt32 - positive
}

// FixedPointTanh returns tanh(a) in Q0.31 for a with intBits integer bits
// (gemmlowp's tanh: (1 − exp(−2|a|)) / (1 + exp(−2|a|)) with the sign of a).
func FixedPointTanh(a int32, intBits int) int32 {
	negAbs := a
	if a >= 0 {
		negAbs = -a
	}
	// exp(2·negAbs): the raw value read with one more integer bit.
	t := OneMinusXOverOnePlusXForXIn01(ExpOnNegativeValues(negAbs, intBits+1))
	switch {
	case a == 0:
		return 0
	case a < 0:
		return -t
	}
	return t
}

// CountLeadingZeros32 is the number of leading zero bits of x (32 for 0).
func CountLeadingZeros32(x uint32) int { return bits.LeadingZeros32(x) }

// GetReciprocal returns 1/x in Q0.31 scaled by a power of two, for x > 0
// with xIntegerDigits integer bits (TFLite's GetReciprocal): x is normalised
// to [1, 2), its reciprocal computed by OneOverOnePlusXForXIn01, and
// numBitsOverUnit says how many bits x had above 1.0.
func GetReciprocal(x int32, xIntegerDigits int) (reciprocal int32, numBitsOverUnit int) {
	headroomPlusOne := CountLeadingZeros32(uint32(x))
	numBitsOverUnit = xIntegerDigits - headroomPlusOne
	shiftedMinusOne := int32(uint32(x)<<uint(headroomPlusOne) - 1<<31)
	return OneOverOnePlusXForXIn01(shiftedMinusOne), numBitsOverUnit
}

// CalculateInputRadius is TFLite's CalculateInputRadius: the largest input
// magnitude, floor((2^intBits − 1)·2^(totalSignedBits−intBits) / 2^leftShift),
// computed in double.
func CalculateInputRadius(intBits, leftShift, totalSignedBits int) int32 {
	maxInputRescaled := float64(int64(1)<<uint(intBits)-1) * float64(int64(1)<<uint(totalSignedBits-intBits)) /
		float64(int64(1)<<uint(leftShift))
	return int32(math.Floor(maxInputRescaled))
}

// CheckedLog2 is TFLite's CheckedLog2 in float32: log2 of x rounded to the
// nearest integer, and whether x is within 1e-3 (in log2) of that power of two.
func CheckedLog2(x float32) (log2 int, ok bool) {
	invLn2 := float32(1) / float32(math.Log(2))
	xLog2 := float32(float32(math.Log(float64(x))) * invLn2)
	rounded := float32(math.Round(float64(xLog2)))
	frac := xLog2 - rounded
	return int(rounded), float32(math.Abs(float64(frac))) < float32(1e-3)
}

// LUTSizeInt16 is the length of an int16 lookup table: 512 base values
// indexed by the high 9 bits of the input, plus one for the last slope.
const LUTSizeInt16 = 513

// GenLUTInt16 fills an int16 → int16 interpolation table for f over
// [inMin, inMax] with outputs mapped from [outMin, outMax] to the int16
// range, as TFLite-Micro's gen_lut<float, int16_t, int16_t> does in float32:
// each entry is the rounded sample minus half the rounded error the linear
// interpolation would make at the midpoint.
func GenLUTInt16(f func(float32) float32, inMin, inMax, outMin, outMax float32, lut *[LUTSizeInt16]int16) {
	const steps = 512
	step := float32((inMax - inMin) / steps)
	halfStep := float32(step / 2)
	scalingInv := float32(65536 / float32(outMax-outMin))
	round := func(x float32) float32 { return float32(math.Round(float64(x))) }
	clampTable := func(x float32) int16 {
		return int16(min(max(x, math.MinInt16), math.MaxInt16))
	}
	for i := 0; i < steps; i++ {
		at := float32(inMin + float32(float32(i)*step))
		val := f(at)
		valMid := f(float32(at + halfStep))
		valNext := f(float32(inMin + float32(float32(i+1)*step)))
		sample := round(float32(val * scalingInv))
		interpMid := round(float32(float32(float32(valNext*scalingInv)+sample) / 2))
		mid := round(float32(valMid * scalingInv))
		bias := round(float32((interpMid - mid) / 2))
		lut[i] = clampTable(float32(sample - bias))
	}
	lut[steps] = clampTable(round(float32(f(inMax) * scalingInv)))
}

// GenLUTInt16Double is GenLUTInt16 computed in double (TFLite's gen_lut<double,
// int16_t, int16_t>, LiteRT's LUTPopulate<int16_t> double overload): the
// same construction, every quantity a float64.
func GenLUTInt16Double(f func(float64) float64, inMin, inMax, outMin, outMax float64, lut *[LUTSizeInt16]int16) {
	const steps = 512
	step := (inMax - inMin) / steps
	halfStep := step / 2
	scalingInv := 65536 / (outMax - outMin)
	clampTable := func(x float64) int16 {
		return int16(min(max(x, math.MinInt16), math.MaxInt16))
	}
	for i := 0; i < steps; i++ {
		at := inMin + float64(i)*step
		val := f(at)
		valMid := f(at + halfStep)
		valNext := f(inMin + float64(i+1)*step)
		sample := math.Round(val * scalingInv)
		interpMid := math.Round((valNext*scalingInv + sample) / 2)
		mid := math.Round(valMid * scalingInv)
		bias := math.Round((interpMid - mid) / 2)
		lut[i] = clampTable(sample - bias)
	}
	lut[steps] = clampTable(math.Round(f(inMax) * scalingInv))
}

// LUTLookupInt16 interpolates an int16 table made by GenLUTInt16 (TFLite's
// LUTLookup): the high 9 bits pick the entry, the low 7 bits interpolate
// towards the next one, rounding.
func LUTLookupInt16(value int16, lut *[LUTSizeInt16]int16) int16 {
	index := 256 + int(value>>7)
	offset := int32(value & 0x7f)
	base := lut[index]
	slope := lut[index+1] - lut[index] // int16 arithmetic, as TFLite stores it
	delta := (int32(slope)*offset + 64) >> 7
	return int16(int32(base) + delta)
}

// ExpFloat32 is exp for float32 arguments (C's expf): exp computed in double
// and rounded once to float32.
func ExpFloat32(x float32) float32 { return float32(math.Exp(float64(x))) }

// sigmoidTableUint16 is TFLite's sigmoid_table_uint16: sigmoid(i/24) in
// Q0.16 for i = 0..255, the table the int16 LOGISTIC and TANH kernels
// interpolate (its values are TFLite's, kept as data because they are not
// all the correctly rounded sigmoid).
var sigmoidTableUint16 = [256]uint16{
	32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
	43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
	51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
	57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
	61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
	63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
	64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
	64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
	65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
	65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
	65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
	65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
	65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
	65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
	65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
	65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
}

// Primitives of DIV, RSQRT, L2_NORMALIZATION, LOG_SOFTMAX and HARD_SWISH
// (TFLite's kernels/internal/common.h and gemmlowp's fixedpoint.h).

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

// SaturatingAdd32 is TFLite's SaturatingAddNonGemmlowp on int32: a + b clamped
// to the int32 range.
func SaturatingAdd32(a, b int32) int32 {
	return int32(min(max(int64(a)+int64(b), math.MinInt32), math.MaxInt32))
}

// SaturatingSub32 is TFLite's SaturatingSub on int32: a − b clamped to the
// int32 range.
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

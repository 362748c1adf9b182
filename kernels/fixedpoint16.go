package kernels

import "math"

// gemmlowp's fixed-point functions on int16 raw values (fixedpoint.h
// instantiated with tRawType = int16), as full TFLite's integer LSTM
// (tensor_utils ApplySigmoid / ApplyTanh) and its optimized int16
// LOGISTIC / TANH kernels use them. A FixedPoint<int16, k> raw value r means
// r·2^(k−15) (Qk.(15−k)). The int32 versions (FixedPointLogistic, ...) are in
// fixedpoint.go; these follow the same templates with three int16 rules:
//
//   - addition and subtraction of raw values wrap (C++ narrows the int sum
//     back to int16), except where gemmlowp saturates for 16 bits
//     (AddSaturatingIf16Bit);
//   - products are SaturatingRoundingDoublingHighMul16;
//   - the Q0.31 constants are narrowed by RescaleConstantInitializer:
//     RoundingDivideByPOT(constant, 16).

// fixedPointConstant16 is gemmlowp's RescaleConstantInitializer<int16>: an
// int32 fixed-point constant narrowed to int16 by a rounding shift of 16.
func fixedPointConstant16(c int32) int16 { return int16(RoundingDivideByPOT(c, 16)) }

// RoundingDivideByPOT16 is gemmlowp's RoundingDivideByPOT on int16: x / 2^exponent
// rounded half away from zero, exponent in [0, 15].
func RoundingDivideByPOT16(x int16, exponent int) int16 {
	return int16(RoundingDivideByPOT(int32(x), exponent))
}

// SaturatingRoundingMultiplyByPOT16 is gemmlowp's
// SaturatingRoundingMultiplyByPOT on int16: x·2^exponent saturated to the
// int16 range for exponent > 0, RoundingDivideByPOT16 for exponent < 0.
func SaturatingRoundingMultiplyByPOT16(x int16, exponent int) int16 {
	switch {
	case exponent == 0:
		return x
	case exponent < 0:
		return RoundingDivideByPOT16(x, -exponent)
	}
	threshold := int16(1)<<uint(15-exponent) - 1
	if x > threshold {
		return math.MaxInt16
	}
	if x < -threshold {
		return math.MinInt16
	}
	return x * (1 << uint(exponent))
}

// roundingHalfSum16 is gemmlowp's int16 RoundingHalfSum: (a+b)/2 in int32,
// rounded half away from zero, narrowed.
func roundingHalfSum16(a, b int16) int16 {
	sum := int32(a) + int32(b)
	sign := int32(1)
	if sum < 0 {
		sign = -1
	}
	return int16((sum + sign) / 2)
}

// saturatingAdd16 is gemmlowp's SaturatingAdd on int16.
func saturatingAdd16(a, b int16) int16 {
	return int16(min(max(int32(a)+int32(b), math.MinInt16), math.MaxInt16))
}

// expOnIntervalBetweenNegativeOneQuarterAnd0Excl16 is the int16
// exp_on_interval_between_negative_one_quarter_and_0_excl: exp(a) in Q0.15
// for a in [−1/4, 0) in Q0.15.
func expOnIntervalBetweenNegativeOneQuarterAnd0Excl16(a int16) int16 {
	mul := SaturatingRoundingDoublingHighMul16
	constantTerm := fixedPointConstant16(fpExpMinusOneEighth)
	oneThird := fixedPointConstant16(fpOneThird)
	x := a + 1<<12 // a + 1/8 (ConstantPOT<−3> of Q0.15), wrapping
	x2 := mul(x, x)
	x3 := mul(x2, x)
	x4 := mul(x2, x2)
	x4Over4 := SaturatingRoundingMultiplyByPOT16(x4, -2)
	poly := SaturatingRoundingMultiplyByPOT16(mul(x4Over4+x3, oneThird)+x2, -1)
	return saturatingAdd16(constantTerm, mul(constantTerm, x+poly))
}

// ExpOnNegativeValues16 is gemmlowp's exp_on_negative_values on int16: exp(a)
// in Q0.15 for a ≤ 0 with intBits integer bits (Q intBits.(15−intBits)).
func ExpOnNegativeValues16(a int16, intBits int) int16 {
	fracBits := 15 - intBits
	oneQuarter := int16(1) << uint(fracBits-2)
	aModQuarterMinusQuarter := (a & (oneQuarter - 1)) - oneQuarter
	result := expOnIntervalBetweenNegativeOneQuarterAnd0Excl16(SaturatingRoundingMultiplyByPOT16(aModQuarterMinusQuarter, intBits))
	remainder := aModQuarterMinusQuarter - a
	for k, mult := range expBarrelMultipliers {
		exponent := k - 2
		if intBits <= exponent {
			continue
		}
		if int32(remainder)&(int32(1)<<uint(fracBits+exponent)) != 0 {
			result = SaturatingRoundingDoublingHighMul16(result, fixedPointConstant16(mult))
		}
	}
	if intBits > 5 {
		clamp := fixedPointConstant16(-(int32(1) << uint(36-intBits))) // −32
		if a < clamp {
			result = 0
		}
	}
	if a == 0 {
		result = math.MaxInt16
	}
	return result
}

// newtonRaphsonReciprocal16 runs gemmlowp's three Newton-Raphson steps for
// 1/halfDenominator on int16 and returns the Q2.13 estimate.
func newtonRaphsonReciprocal16(halfDenominator int16) int16 {
	mul := SaturatingRoundingDoublingHighMul16
	x := fixedPointConstant16(fpFortyEightOver17) + mul(halfDenominator, fixedPointConstant16(fpMinusThirtyTwoOver17))
	const oneQ2 = 1 << 13
	for i := 0; i < 3; i++ {
		halfDenominatorTimesX := mul(halfDenominator, x)
		oneMinus := oneQ2 - halfDenominatorTimesX
		x += SaturatingRoundingMultiplyByPOT16(mul(x, oneMinus), 2) // Rescale<2> of a Q4 product
	}
	return x
}

// OneOverOnePlusXForXIn01_16 is gemmlowp's one_over_one_plus_x_for_x_in_0_1 on
// int16: 1/(1+a) in Q0.15 for a in [0, 1) in Q0.15.
func OneOverOnePlusXForXIn01_16(a int16) int16 {
	x := newtonRaphsonReciprocal16(roundingHalfSum16(a, math.MaxInt16))
	return SaturatingRoundingMultiplyByPOT16(x, 1) // ExactMulByPot<−1> (Q1.14), Rescale<0>
}

// OneMinusXOverOnePlusXForXIn01_16 is gemmlowp's
// one_minus_x_over_one_plus_x_for_x_in_0_1 on int16: (1−a)/(1+a) in Q0.15.
func OneMinusXOverOnePlusXForXIn01_16(a int16) int16 {
	x := newtonRaphsonReciprocal16(roundingHalfSum16(a, math.MaxInt16))
	return SaturatingRoundingMultiplyByPOT16(x-1<<13, 2)
}

// FixedPointLogistic16 is gemmlowp's logistic on FixedPoint<int16, intBits>:
// 1/(1+exp(−a)) in Q0.15.
func FixedPointLogistic16(a int16, intBits int) int16 {
	abs := a
	if a <= 0 {
		abs = -a // wraps for MinInt16, as the C++ does
	}
	positive := OneOverOnePlusXForXIn01_16(ExpOnNegativeValues16(-abs, intBits))
	switch {
	case a == 0:
		return fixedPointConstant16(1 << 30) // one half
	case a > 0:
		return positive
	}
	return math.MaxInt16 - positive
}

// FixedPointTanh16 is gemmlowp's tanh on FixedPoint<int16, intBits>: tanh(a)
// in Q0.15.
func FixedPointTanh16(a int16, intBits int) int16 {
	negAbs := a
	if a >= 0 {
		negAbs = -a
	}
	// exp(2·negAbs): ExactMulByPot<1> reads the raw value with one more
	// integer bit.
	t := OneMinusXOverOnePlusXForXIn01_16(ExpOnNegativeValues16(negAbs, intBits+1))
	switch {
	case a == 0:
		return 0
	case a < 0:
		return -t
	}
	return t
}

package oracle

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// Binary is a quantized binary elementwise op's tensors and options: the
// two inputs' and the output's scales and zero points, the (shared) integer
// type, the fused activation and the rounding build.
type Binary struct {
	Type         tflite.TensorType // int8 or int16
	S1, S2, SOut float32
	Z1, Z2, ZOut int64
	Act          tflite.Activation
	Rounding     Rounding
}

// smallerThanOne is MultiplyByQuantizedMultiplierSmallerThanOneExp
// (tensorflow/lite/kernels/internal/common.h): under double rounding
// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, M), −shift), under
// single rounding MultiplyByQuantizedMultiplier; for shift ≤ 0 (which
// QuantizeMultiplierSmallerThanOneExp CHECKs) both are
// MultiplyByQuantizedMultiplier.
func smallerThanOne(v int64, real float64, r Rounding) int64 {
	m := QuantizeMultiplier(real, r)
	if m.Shift > 0 {
		panic(fmt.Sprintf("oracle: multiplier %v is not smaller than one (QuantizeMultiplierSmallerThanOneExp CHECKs shift ≤ 0)", real))
	}
	return MultiplyByQuantizedMultiplier(v, m, r)
}

// addSub is AddElementwise / SubElementwise
// (tensorflow/lite/kernels/internal/reference/integer_ops/add.h, sub.h):
// each input offset by −zp and shifted left by the headroom, scaled to the
// common scale by the multipliers that derive gives (AddMultipliers or
// SubMultipliers), added or subtracted, scaled to the output, offset by
// zp_out and clamped to the activation range.
func (p Binary) addSub(x1, x2 int64, derive func(s1, s2, sOut float32, leftShift int) (m1, m2, mOut float64), sign int64) int64 {
	ls := AddSubLeftShift(p.Type)
	m1, m2, mOut := derive(p.S1, p.S2, p.SOut, ls)
	a := smallerThanOne((x1-p.Z1)<<ls, m1, p.Rounding)
	b := smallerThanOne((x2-p.Z2)<<ls, m2, p.Rounding)
	raw := smallerThanOne(a+sign*b, mOut, p.Rounding)
	lo, hi := ActivationRange(p.Act, p.Type, p.SOut, p.ZOut)
	return Clamp(raw+p.ZOut, lo, hi)
}

// Add is one element of quantized ADD (TFLite-Micro add.cc with the
// multipliers of AddMultipliers, in double).
func (p Binary) Add(x1, x2 int64) int64 {
	return p.addSub(x1, x2, AddMultipliers, 1)
}

// Sub is one element of quantized SUB (TFLite-Micro sub.cc with the
// multipliers of SubMultipliers, in float32).
func (p Binary) Sub(x1, x2 int64) int64 {
	return p.addSub(x1, x2, SubMultipliers, -1)
}

// Mul is one element of quantized MUL (TFLite-Micro mul.cc) with the
// multiplier of MulMultiplier.
func (p Binary) Mul(x1, x2 int64) int64 {
	return p.mul(x1, x2, MulMultiplier(p.S1, p.S2, p.SOut))
}

// mul is MulElementwise
// (tensorflow/lite/kernels/internal/reference/integer_ops/mul.h) with the
// real multiplier m: zp_out +
// MultiplyByQuantizedMultiplier((x1 − zp1)·(x2 − zp2), M), clamped to the
// activation range.
func (p Binary) mul(x1, x2 int64, m float64) int64 {
	v := Requantize((x1-p.Z1)*(x2-p.Z2), m, p.Rounding)
	lo, hi := ActivationRange(p.Act, p.Type, p.SOut, p.ZOut)
	return Clamp(v+p.ZOut, lo, hi)
}

// SubTFLite is one element of full TFLite's quantized SUB (LiteRT sub.cc
// PrepareGeneralSubOp, int8, uint8 and general-scale int16): the multipliers
// of AddMultipliers (in double), not TFLite-Micro's float32 SubMultipliers.
func (p Binary) SubTFLite(x1, x2 int64) int64 {
	return p.addSub(x1, x2, AddMultipliers, -1)
}

// MulTFLite is one element of full TFLite's quantized MUL (LiteRT mul.cc):
// as Mul, with the multiplier of MulMultiplierTFLite.
func (p Binary) MulTFLite(x1, x2 int64) int64 {
	return p.mul(x1, x2, MulMultiplierTFLite(p.S1, p.S2, p.SOut))
}

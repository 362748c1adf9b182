package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// The mistake models of QUANTIZE and DEQUANTIZE.
//
// QUANTIZE from float32: q = clamp(round(x / s_out) + zp_out); the mistakes
// are the rounding (half-even, truncate), no-output-scale (x not divided by
// s_out), no-output-zp and no-clamp. Between integer types it is a
// requantization of x − zp_in by M = s_in/s_out, with the mistakes of a
// MAC output stage plus input-offset-sign.
//
// DEQUANTIZE: y = s·(q − zp); the mistake is input-offset-sign, s·(q + zp).

func (k *quantizeKernel) mistakeModel() (*MistakeModel, error) {
	n := k.out.NumElements()
	typeLo, typeHi := Range(k.out.Type)
	m := &MistakeModel{node: k.n, elements: n}
	if k.in.Type == tflite.TypeFloat32 {
		m.applicable = SetOf(MistakeHalfEven, MistakeTruncate, MistakeNoClamp)
		if k.outScale != 1 {
			m.applicable |= SetOf(MistakeNoOutputScale)
		}
		if k.outZP != 0 {
			m.applicable |= SetOf(MistakeNoOutputZP)
		}
		m.values = func(h Hypothesis, dst []float64) {
			src := k.in.Float32()
			for i := range dst {
				dst[i] = k.floatValue(h, src[i], typeLo, typeHi, nil)
			}
		}
		m.explain = func(h Hypothesis, elem int, c *Chain) {
			x := k.in.Float32()[elem]
			c.AddReal("input", int64(math.Float32bits(x)), float64(x), "the float input", "x = %g", x)
			c.Final = int64(k.floatValue(h, x, typeLo, typeHi, c))
		}
	} else {
		m.applicable = SetOf(MistakeFloatRequant, MistakeHalfEven, MistakeTruncate, MistakeNoClamp)
		if k.inZP != 0 {
			m.applicable |= SetOf(MistakeInputOffsetSign)
		}
		if k.outZP != 0 {
			m.applicable |= SetOf(MistakeNoOutputZP)
		}
		if k.out.Scale0() != 1 {
			m.applicable |= SetOf(MistakeNoOutputScale)
		}
		if k.rule == RoundingDouble {
			m.applicable |= SetOf(MistakeSingleRounding)
		}
		noScale := QuantizeMultiplier(float64(k.in.Scale0()), k.rule)
		m.values = func(h Hypothesis, dst []float64) {
			for i := range dst {
				dst[i] = k.intValue(h, int32(k.in.Int(i)), noScale, typeLo, typeHi, nil)
			}
		}
		m.explain = func(h Hypothesis, elem int, c *Chain) {
			x := int32(k.in.Int(elem))
			c.Add("input", int64(x), "the raw input", "x = %d", x)
			c.Final = int64(k.intValue(h, x, noScale, typeLo, typeHi, c))
		}
	}
	m.sentence = func(mk Mistake, h Hypothesis) string { return k.mistakeSentence(mk, h, typeLo, typeHi) }
	return m, nil
}

// floatValue is QUANTIZE from float32 under h.
func (k *quantizeKernel) floatValue(h Hypothesis, x float32, typeLo, typeHi int32, c *Chain) float64 {
	scale := k.outScale
	if h.Set.Has(MistakeNoOutputScale) {
		scale = 1
	}
	quot := x / scale
	kind, float := h.floatRounding()
	var r float64
	if float {
		r = kind.round(float64(quot))
	} else {
		r = math.Round(float64(quot))
		if r >= -(1<<31) && r < 1<<31 {
			r = float64(int32(r))
		} else {
			r = math.MinInt32
		}
	}
	zp := hypothesisZP(h, k.outZP)
	v := r + zp
	if c != nil {
		if h.Set.Has(MistakeNoOutputScale) {
			c.AddReal("divide", int64(math.Float32bits(quot)), float64(quot), "x not divided by the output scale (no-output-scale)", "%g / 1 = %g", x, quot)
		} else {
			c.AddReal("divide", int64(math.Float32bits(quot)), float64(quot), "x / scale in float32", "%g / %g = %g", x, scale, quot)
		}
		if float {
			s := c.Add(kind.step(), int64(r), kind.meaning(), "%s = %s", kind.formula(fmt.Sprintf("%g", quot)), fmtNum(r))
			s.Changed = r != float64(quot)
		} else {
			s := c.Add("round", int64(r), "rounded half away from zero to an integer", "round(%g) = %s", quot, fmtNum(r))
			s.Changed = r != float64(quot)
		}
		recordZP(c, h, r, v, k.outZP, "plus the output zero point")
		return recordClamp(c, v, h, k.lo, k.hi, typeLo, typeHi, "the output dtype's range")
	}
	return clampOutput(v, h, k.lo, k.hi, typeLo, typeHi)
}

// intValue is QUANTIZE between integer types under h.
func (k *quantizeKernel) intValue(h Hypothesis, x int32, noScale QuantizedMultiplier, typeLo, typeHi int32, c *Chain) float64 {
	off := x - k.inZP
	if h.Set.Has(MistakeInputOffsetSign) {
		off = x + k.inZP
	}
	real, q := k.real, k.q
	if h.Set.Has(MistakeNoOutputScale) {
		real, q = float64(k.in.Scale0()), noScale
	}
	var scaled float64
	kind, float := h.floatRounding()
	switch {
	case float:
		scaled = kind.round(float64(off) * real)
	case h.Set.Has(MistakeSingleRounding):
		q = QuantizeMultiplier(real, RoundingSingle)
		scaled = float64(MultiplyByQuantizedMultiplier(off, q.Multiplier, q.Shift, RoundingSingle))
	default:
		scaled = float64(MultiplyByQuantizedMultiplier(off, q.Multiplier, q.Shift, k.rule))
	}
	zp := hypothesisZP(h, k.outZP)
	v := scaled + zp
	if c == nil {
		return clampOutput(v, h, k.lo, k.hi, typeLo, typeHi)
	}
	if h.Set.Has(MistakeInputOffsetSign) {
		c.Add("offset", int64(off), "input plus its zero point (input-offset-sign; TFLite subtracts it)", "%d + %d = %d", x, k.inZP, off)
	} else {
		c.Add("offset", int64(off), "input minus its zero point", "%d − %d = %d", x, k.inZP, off)
	}
	switch {
	case float:
		prod := float64(off) * real
		c.AddReal("M", 0, real, "real multiplier in double", "M = %.10g", real)
		s := c.AddReal(kind.step(), int64(scaled), prod, kind.meaning(), "%s = %s", kind.formula(fmt.Sprintf("%d · %.10g", off, real)), fmtNum(scaled))
		s.Changed = scaled != prod
	case h.Set.Has(MistakeSingleRounding):
		explainMultiply(off, q, RoundingSingle, c)
	default:
		explainMultiply(off, q, k.rule, c)
	}
	recordZP(c, h, scaled, v, k.outZP, "scaled value plus the output zero point")
	return recordClamp(c, v, h, k.lo, k.hi, typeLo, typeHi, "the output dtype's range")
}

func (k *quantizeKernel) mistakeSentence(mk Mistake, h Hypothesis, typeLo, typeHi int32) string {
	fromFloat := k.in.Type == tflite.TypeFloat32
	switch mk {
	case MistakeInputOffsetSign:
		return fmt.Sprintf("TFLite subtracts the input zero point (x − %d); your numbers add it (x + %d).", k.inZP, k.inZP)
	case MistakeNoOutputScale:
		if fromFloat {
			return fmt.Sprintf("TFLite divides x by the output scale s_out = %.9g before rounding; your numbers round x itself.", k.outScale)
		}
		return fmt.Sprintf("TFLite multiplies by M = s_in/s_out = %.9g; your numbers use s_in = %.9g, not divided by s_out.", k.real, k.in.Scale0())
	case MistakeFloatRequant:
		return fmt.Sprintf("TFLite requantizes in fixed point (MultiplyByQuantizedMultiplier(x − zp_in, %d, %d), %s rounding); your numbers compute round((x − zp_in)·M) in double.", k.q.Multiplier, k.q.Shift, k.rule)
	case MistakeHalfEven:
		if fromFloat {
			return "TFLite rounds x / s_out half away from zero (TfLiteRound, 2.5 → 3); your numbers round ties to even (2.5 → 2), as np.round and rint do."
		}
		return "TFLite rounds to nearest with ties away from zero; your numbers round ties to even, as np.round and rint do."
	case MistakeTruncate:
		if h.Floor {
			return "TFLite rounds to the nearest integer (ties away from zero); your numbers round down (floor, Python's //)."
		}
		return "TFLite rounds to the nearest integer (ties away from zero); your numbers truncate toward zero (int(), astype(int))."
	case MistakeSingleRounding:
		return "TFLite-Micro's default build rounds twice (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT); your numbers round once, as TFLITE_SINGLE_ROUNDING=1 does."
	case MistakeNoOutputZP:
		return fmt.Sprintf("TFLite adds the output zero point zp_out = %d; your numbers don't.", k.outZP)
	case MistakeNoClamp:
		return clampSentence(h, k.lo, k.hi, typeLo, typeHi, "none")
	}
	return ""
}

func (k *dequantizeKernel) mistakeModel() (*MistakeModel, error) {
	m := &MistakeModel{node: k.n, elements: k.out.NumElements()}
	if k.zp != 0 {
		m.applicable = SetOf(MistakeInputOffsetSign)
	}
	value := func(h Hypothesis, q int32) (off int32, y float32) {
		off = q - k.zp
		if h.Set.Has(MistakeInputOffsetSign) {
			off = q + k.zp
		}
		return off, k.scale * float32(off)
	}
	m.values = func(h Hypothesis, dst []float64) {
		for i := range dst {
			_, y := value(h, int32(k.in.Int(i)))
			dst[i] = float64(y)
		}
	}
	m.explain = func(h Hypothesis, elem int, c *Chain) {
		q := int32(k.in.Int(elem))
		off, y := value(h, q)
		c.Add("input", int64(q), "the raw input", "q = %d", q)
		if h.Set.Has(MistakeInputOffsetSign) {
			c.Add("offset", int64(off), "input plus its zero point (input-offset-sign; TFLite subtracts it)", "%d + %d = %d", q, k.zp, off)
		} else {
			c.Add("offset", int64(off), "input minus its zero point", "%d − %d = %d", q, k.zp, off)
		}
		c.AddReal("scale", int64(math.Float32bits(y)), float64(y), "times the scale in float32", "%g · %d = %g", k.scale, off, y)
		c.Final = int64(math.Float32bits(y))
	}
	m.sentence = func(mk Mistake, _ Hypothesis) string {
		if mk == MistakeInputOffsetSign {
			return fmt.Sprintf("TFLite computes s·(q − zp) = %.9g·(q − %d); your numbers add the zero point, s·(q + %d).", k.scale, k.zp, k.zp)
		}
		return ""
	}
	return m, nil
}

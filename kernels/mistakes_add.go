package kernels

import (
	"fmt"
	"math"
)

// The mistake model of ADD (and SUB, which shares its kernel): the inputs'
// zero points added instead of subtracted (input-offset-sign), the fixed
// point under single rounding, the whole sum in double rounded one way or
// another (float-requant, half-even, truncate: round((s1·(x1 − zp1) ±
// s2·(x2 − zp2)) / s_out)), no-output-scale (the output multiplier, or the
// division, without s_out), no-output-zp and no-clamp.

// addMultipliers are ADD's three multipliers under one hypothesis.
type addMultipliers struct {
	q1, q2, qOut QuantizedMultiplier
	rule         Rounding
}

func (k *addSubKernel) mistakeModel() (*MistakeModel, error) {
	if k.pot {
		return nil, fmt.Errorf("%w for full TFLite's int16 power-of-two %v", ErrNoMistakeModel, k.node.Op)
	}
	typeLo, typeHi := Range(k.out.Type)
	m := &MistakeModel{node: k.node, elements: k.out.NumElements(), activationClamp: k.lo != typeLo || k.hi != typeHi}
	m.applicable = SetOf(MistakeFloatRequant, MistakeHalfEven, MistakeTruncate, MistakeNoClamp, MistakeNoOutputScale)
	if k.zp1 != 0 || k.zp2 != 0 {
		m.applicable |= SetOf(MistakeInputOffsetSign)
	}
	if k.outZP != 0 {
		m.applicable |= SetOf(MistakeNoOutputZP)
	}
	if k.node.Rounding == RoundingDouble {
		m.applicable |= SetOf(MistakeSingleRounding)
	}
	var cache [4]*addMultipliers
	mults := func(h Hypothesis) *addMultipliers {
		i := 0
		if h.Set.Has(MistakeSingleRounding) {
			i |= 1
		}
		if h.Set.Has(MistakeNoOutputScale) {
			i |= 2
		}
		if cache[i] == nil {
			a := &addMultipliers{q1: k.q1, q2: k.q2, qOut: k.qOut, rule: k.node.Rounding}
			realOut := k.realOut
			if h.Set.Has(MistakeNoOutputScale) {
				realOut = k.twiceMaxScale / math.Ldexp(1, k.leftShift) // 2·max(s1, s2)/2^shift, not divided by s_out
			}
			if h.Set.Has(MistakeSingleRounding) {
				a.rule = RoundingSingle
				a.q1, a.q2 = QuantizeMultiplier(k.real1, a.rule), QuantizeMultiplier(k.real2, a.rule)
			}
			if i != 0 {
				a.qOut = QuantizeMultiplier(realOut, a.rule)
			}
			cache[i] = a
		}
		return cache[i]
	}
	m.values = func(h Hypothesis, dst []float64) {
		a := mults(h)
		for i := range dst {
			i1, i2 := k.bc.Index(i)
			dst[i] = k.mistakenValue(h, a, int32(k.in1.Int(i1)), int32(k.in2.Int(i2)), typeLo, typeHi, nil)
		}
	}
	m.explain = func(h Hypothesis, elem int, c *Chain) {
		i1, i2 := k.bc.Index(elem)
		c.Final = int64(k.mistakenValue(h, mults(h), int32(k.in1.Int(i1)), int32(k.in2.Int(i2)), typeLo, typeHi, c))
	}
	m.sentence = func(mk Mistake, h Hypothesis) string { return k.mistakeSentence(mk, h, typeLo, typeHi) }
	return m, nil
}

// mistakenValue is one output element under h.
func (k *addSubKernel) mistakenValue(h Hypothesis, a *addMultipliers, x1, x2 int32, typeLo, typeHi int32, c *Chain) float64 {
	zp1, zp2 := k.zp1, k.zp2
	if h.Set.Has(MistakeInputOffsetSign) {
		zp1, zp2 = -zp1, -zp2
	}
	sign := 1.0
	if k.sub {
		sign = -1
	}
	var scaled float64
	if kind, ok := h.floatRounding(); ok {
		s1, s2 := float64(k.in1.Scale0()), float64(k.in2.Scale0())
		r1, r2 := s1*float64(x1-zp1), s2*float64(x2-zp2)
		real := r1 + sign*r2
		div := float64(k.out.Scale0())
		if h.Set.Has(MistakeNoOutputScale) {
			div = 1
		}
		q := real / div
		scaled = kind.round(q)
		if c != nil {
			c.AddReal("in1.x", int64(x1), r1, "raw value of input 1", "x1 = %d", x1)
			c.AddReal("in1.real", 0, r1, "its real value s1·(x1 − zp1) in double", "%.9g · (%d %s) = %.9g", s1, x1, plus(int64(-zp1)), r1)
			c.AddReal("in2.x", int64(x2), r2, "raw value of input 2", "x2 = %d", x2)
			c.AddReal("in2.real", 0, r2, "its real value s2·(x2 − zp2) in double", "%.9g · (%d %s) = %.9g", s2, x2, plus(int64(-zp2)), r2)
			name, op := "sum", "+"
			if k.sub {
				name, op = "diff", "−"
			}
			c.AddReal(name, 0, real, "the real result in double", "%.9g %s %.9g = %.9g", r1, op, r2, real)
			st := c.AddReal(kind.step(), int64(scaled), q, "divided by the output scale and "+kind.meaning(), "%s = %s",
				kind.formula(fmt.Sprintf("%.9g / %.9g", real, div)), fmtNum(scaled))
			st.Changed = scaled != q
		}
	} else {
		b1 := k.scaleInput(x1, zp1, a.q1, k.in1, 1, a.rule, c)
		b2 := k.scaleInput(x2, zp2, a.q2, k.in2, 2, a.rule, c)
		raw := b1 + b2
		if k.sub {
			raw = b1 - b2
		}
		if c == nil {
			scaled = float64(MultiplyByQuantizedMultiplier(raw, a.qOut.Multiplier, a.qOut.Shift, a.rule))
		} else {
			real := float64(raw) * k.twiceMaxScale / math.Ldexp(1, k.leftShift)
			if k.sub {
				c.AddReal("diff", int64(raw), real, "difference of the scaled inputs", "%d − %d = %d", b1, b2, raw)
			} else {
				c.AddReal("sum", int64(raw), real, "sum of the scaled inputs", "%d %s = %d", b1, plus(int64(b2)), raw)
			}
			scaled = float64(explainMultiply(raw, a.qOut, a.rule, c))
		}
	}
	zp := hypothesisZP(h, k.outZP)
	v := scaled + zp
	if c == nil {
		return clampOutput(v, h, k.lo, k.hi, typeLo, typeHi)
	}
	recordZP(c, h, scaled, v, k.outZP, "scaled value plus the output zero point")
	return recordClamp(c, v, h, k.lo, k.hi, typeLo, typeHi, "the activation range")
}

func (k *addSubKernel) mistakeSentence(mk Mistake, h Hypothesis, typeLo, typeHi int32) string {
	op := k.node.Op.String()
	switch mk {
	case MistakeInputOffsetSign:
		return fmt.Sprintf("TFLite subtracts each input's zero point (x1 − %d, x2 − %d) before scaling; your numbers add them.", k.zp1, k.zp2)
	case MistakeNoOutputScale:
		return fmt.Sprintf("TFLite divides the result by the output scale s_out = %.9g (it is in the output multiplier %.9g); your numbers leave s_out out.", k.out.Scale0(), k.realOut)
	case MistakeFloatRequant:
		return fmt.Sprintf("TFLite's %s works in fixed point: each input shifted left by %d, scaled by its own multiplier, the sum requantized by a third, each step rounding; your numbers compute (s1·(x1 − zp1) ± s2·(x2 − zp2))/s_out in double and round once, ties away from zero.", op, k.leftShift)
	case MistakeHalfEven:
		return fmt.Sprintf("TFLite's %s rounds in fixed point, to nearest; your numbers compute the result in double and round ties to even (np.round, rint).", op)
	case MistakeTruncate:
		if h.Floor {
			return fmt.Sprintf("TFLite's %s rounds to nearest; your numbers compute the result in double and round it down (floor).", op)
		}
		return fmt.Sprintf("TFLite's %s rounds to nearest; your numbers compute the result in double and truncate it toward zero (int(), astype(int)).", op)
	case MistakeSingleRounding:
		return "TFLite-Micro's default build rounds twice in each of the three multiplications (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT); your numbers round once, as TFLITE_SINGLE_ROUNDING=1 does."
	case MistakeNoOutputZP:
		return fmt.Sprintf("TFLite adds the output zero point zp_out = %d; your numbers don't.", k.outZP)
	case MistakeNoClamp:
		return clampSentence(h, k.lo, k.hi, typeLo, typeHi, fusedActivationOf(k.node).String())
	}
	return ""
}

package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// The mistake model of SOFTMAX with 8-bit input: TFLite computes in gemmlowp
// fixed point (exp_on_negative_values, a Q12.19 sum, GetReciprocal); the
// mistakes are the whole softmax in double, exp(β·s·(x − max)) / Σ, scaled by
// 2^bits and rounded one way or another (float-requant, half-even,
// truncate), the fixed point under single rounding, the output zero point
// (the dtype's minimum) not added, and no clamp (a probability of 1 gives
// 2^bits, one past the top). Adding the input zero point instead of
// subtracting it changes nothing (softmax is shift-invariant), so
// input-offset-sign does not apply.

// softmaxFixed is the fixed-point form under one rounding rule.
type softmaxFixed struct {
	rule    Rounding
	q       QuantizedMultiplier
	diffMin int32
}

func (k *softmaxKernel) mistakeModel() (*MistakeModel, error) {
	if k.in.Type != tflite.TypeInt8 && k.in.Type != tflite.TypeUint8 {
		return nil, fmt.Errorf("%w for %v %v", ErrNoMistakeModel, k.node.Op, k.in.Type)
	}
	if k.floatTable {
		return nil, fmt.Errorf("%w for the float-table %v of TFLite's 2022 optimized kernels", ErrNoMistakeModel, k.node.Op)
	}
	typeLo, typeHi := k.outMin, k.outMax
	m := &MistakeModel{node: k.node, elements: k.out.NumElements()}
	m.applicable = SetOf(MistakeFloatRequant, MistakeHalfEven, MistakeTruncate, MistakeNoClamp)
	if k.outMin != 0 {
		m.applicable |= SetOf(MistakeNoOutputZP)
	}
	base := softmaxFixed{rule: k.node.Rounding, q: k.q, diffMin: k.diffMin}
	single := base
	if base.rule == RoundingDouble {
		m.applicable |= SetOf(MistakeSingleRounding)
		real := min(float64(k.beta)*float64(k.in.Scale0())*float64(int32(1)<<(31-softmaxScaledDiffIntegerBits)), float64(1<<30-1))
		single = softmaxFixed{rule: RoundingSingle, q: QuantizeMultiplier(real, RoundingSingle)}
		single.diffMin = -CalculateInputRadius(softmaxScaledDiffIntegerBits, single.q.Shift, 31)
	}
	row := make([]int32, k.depth)
	unsat := make([]float64, k.depth)
	m.values = func(h Hypothesis, dst []float64) {
		f := base
		if h.Set.Has(MistakeSingleRounding) {
			f = single
		}
		for r := 0; r < k.rows; r++ {
			for j := range row {
				row[j] = int32(k.in.Int(r*k.depth + j))
			}
			k.mistakenRow(h, f, row, unsat, -1, nil)
			for j, u := range unsat {
				dst[r*k.depth+j] = k.softmaxOutput(h, u, typeLo, typeHi, nil)
			}
		}
	}
	m.explain = func(h Hypothesis, elem int, c *Chain) {
		f := base
		if h.Set.Has(MistakeSingleRounding) {
			f = single
		}
		r, j := elem/k.depth, elem%k.depth
		row := make([]int32, k.depth)
		for i := range row {
			row[i] = int32(k.in.Int(r*k.depth + i))
		}
		u := make([]float64, k.depth)
		k.mistakenRow(h, f, row, u, j, c)
		c.Final = int64(k.softmaxOutput(h, u[j], typeLo, typeHi, c))
	}
	m.sentence = func(mk Mistake, h Hypothesis) string {
		bits := k.outputBits
		switch mk {
		case MistakeFloatRequant, MistakeHalfEven, MistakeTruncate:
			how := map[Mistake]string{MistakeFloatRequant: "rounds p·2^%d half away from zero", MistakeHalfEven: "rounds p·2^%d half to even (np.round)", MistakeTruncate: "truncates p·2^%d toward zero"}[mk]
			if mk == MistakeTruncate && h.Floor {
				how = "rounds p·2^%d down (floor)"
			}
			return fmt.Sprintf("TFLite computes softmax in gemmlowp fixed point (exp_on_negative_values on Q5.26 differences, a Q12.19 sum, GetReciprocal, then RoundingDivideByPOT); your numbers compute p = exp(β·s·(x − max))/Σ in double and "+how+", which parts from the fixed point by one here and there.", bits)
		case MistakeSingleRounding:
			return "TFLite-Micro's default build rounds twice in the fixed-point multiplications; your numbers round once, as TFLITE_SINGLE_ROUNDING=1 does."
		case MistakeNoOutputZP:
			return fmt.Sprintf("TFLite adds the output zero point %d (the dtype's minimum: the output scale is 1/2^%d) to p·2^%d; your numbers don't.", k.outMin, bits, bits)
		case MistakeNoClamp:
			return fmt.Sprintf("TFLite clamps to [%d, %d]: a probability of 1 gives 2^%d%s, one past the top; your numbers are not clamped.", typeLo, typeHi, bits, plus(int64(k.outMin)))
		}
		return ""
	}
	return m, nil
}

// mistakenRow computes, for every element of a row, p·2^bits before the
// zero point (rounded): in fixed point under f, or in double when h has a
// float rounding mistake. With c non-nil it records the row's steps and
// those of element want.
func (k *softmaxKernel) mistakenRow(h Hypothesis, f softmaxFixed, row []int32, unsat []float64, want int, c *Chain) {
	maxIn, _ := Range(k.in.Type)
	for _, x := range row {
		maxIn = max(maxIn, x)
	}
	if c != nil {
		c.AddReal("max", int64(maxIn), float64(k.in.Scale0())*float64(maxIn-k.in.ZP0()), "largest input of the row", "max(row) = %d", maxIn)
	}
	if kind, ok := h.floatRounding(); ok {
		bs := float64(k.beta) * float64(k.in.Scale0())
		var sum float64
		for _, x := range row {
			sum += math.Exp(bs * float64(x-maxIn))
		}
		if c != nil {
			c.AddReal("sum_exp", 0, sum, "Σ exp(β·s·(x − max)) over the row, in double", "Σ exp = %.10g", sum)
		}
		scale := math.Ldexp(1, k.outputBits)
		for j, x := range row {
			e := math.Exp(bs * float64(x-maxIn))
			p := e / sum
			unsat[j] = kind.round(p * scale)
			if j == want && c != nil {
				c.AddReal("diff", int64(x-maxIn), bs*float64(x-maxIn), "input minus the row maximum", "%d − %d = %d", x, maxIn, x-maxIn)
				c.AddReal("exp", 0, e, "exp(β·s·diff) in double", "exp(%.9g · %d) = %.10g", bs, x-maxIn, e)
				c.AddReal("probability", 0, p, "exp / Σ exp in double", "%.10g / %.10g = %.10g", e, sum, p)
				s := c.AddReal(kind.step(), int64(unsat[j]), p*scale, "p·2^"+fmt.Sprint(k.outputBits)+" "+kind.meaning(),
					"%s = %s", kind.formula(fmt.Sprintf("%.10g · %g", p, scale)), fmtNum(unsat[j]))
				s.Changed = unsat[j] != p*scale
			}
		}
		return
	}
	var sum int32
	for _, x := range row {
		diff := x - maxIn
		if diff < f.diffMin {
			continue
		}
		scaled := MultiplyByQuantizedMultiplierGreaterThanOne(diff, f.q.Multiplier, f.q.Shift, f.rule)
		sum += RescaleFixedPoint(ExpOnNegativeValues(scaled, softmaxScaledDiffIntegerBits), 0, softmaxAccumulationIntegerBits)
	}
	recip, bitsOverUnit := GetReciprocal(sum, softmaxAccumulationIntegerBits)
	exponent := bitsOverUnit + 31 - k.outputBits
	if c != nil {
		recordSoftmaxSum(c, sum, recip, bitsOverUnit, k.outputBits)
	}
	exponent = min(max(exponent, 0), 31)
	for j, x := range row {
		diff := x - maxIn
		if diff < f.diffMin {
			unsat[j] = math.Inf(-1) // the kernel stores the minimum directly
			if j == want && c != nil {
				c.AddReal("diff", int64(diff), float64(k.in.Scale0())*float64(diff), "input minus the row maximum", "%d − %d = %d", x, maxIn, diff)
				s := c.Add("below_diff_min", int64(k.outMin), "difference below diff_min: exp is negligible, output is the minimum",
					"%d < %d → %d", diff, f.diffMin, k.outMin)
				s.Changed = true
			}
			continue
		}
		scaled := MultiplyByQuantizedMultiplierGreaterThanOne(diff, f.q.Multiplier, f.q.Shift, f.rule)
		exp := ExpOnNegativeValues(scaled, softmaxScaledDiffIntegerBits)
		prod := SaturatingRoundingDoublingHighMul(recip, exp)
		u := RoundingDivideByPOT(prod, exponent)
		unsat[j] = float64(u)
		if j == want && c != nil {
			c.AddReal("diff", int64(diff), float64(k.in.Scale0())*float64(diff), "input minus the row maximum", "%d − %d = %d", x, maxIn, diff)
			recordSoftmaxExp(c, diff, f.q, scaled, exp, recip, prod, bitsOverUnit, exponent, u)
		}
	}
}

// softmaxOutput adds the zero point (the dtype's minimum) and clamps as h
// says. An element below diff_min (unsat −Inf) is the minimum, or 0
// without the zero point.
func (k *softmaxKernel) softmaxOutput(h Hypothesis, unsat float64, typeLo, typeHi int32, c *Chain) float64 {
	zp := hypothesisZP(h, k.outMin)
	if math.IsInf(unsat, -1) {
		return zp
	}
	v := unsat + zp
	if c == nil {
		return clampOutput(v, h, typeLo, typeHi, typeLo, typeHi)
	}
	if h.Set.Has(MistakeNoOutputZP) {
		c.Add("zp", int64(v), "output zero point not added (no-output-zp)", "%s + 0 = %s", fmtNum(unsat), fmtNum(v))
	} else {
		c.Add("zp", int64(v), "plus the output zero point (the type minimum)", "%s + (%d) = %s", fmtNum(unsat), k.outMin, fmtNum(v))
	}
	return recordClamp(c, v, h, typeLo, typeHi, typeLo, typeHi, "the output type")
}

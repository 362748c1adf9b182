package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// divKernel is DIV (int8), after TFLite-Micro's div.cc with
// reference_ops::DivElementwise / BroadcastDivSlowQuantized. Prepare:
// M = s1 / (s2 · s_out) computed in float32 and widened to double,
// QuantizeMultiplier; clamp range from the fused activation. Per output
// element, reading the inputs through broadcasting, with n = x1 − zp1 and
// d = x2 − zp2 (d = 0 fails: TFLite DCHECKs it), both negated when d < 0:
//
//	(r, e)    = GetReciprocal(d, 31)               1/d = r·2^−(31+e)
//	h         = CountLeadingSignBits(n)
//	q         = MultiplyByQuantizedMultiplierGreaterThanOne(n, r, h)
//	y         = clamp(MultiplyByQuantizedMultiplierSmallerThanOneExp(q, M.mult, M.shift − e − h) + zp_out, act)
//
// Under TFLITE_SINGLE_ROUNDING those two multiplies are the single-rounding
// MultiplyByQuantizedMultiplier, which DCHECKs shift ≤ 30 and ≥ −31: a
// numerator at (or one step below) its zero point has h = 31, and the
// single-rounding build aborts; Eval reports that as an error.
type divKernel struct {
	binaryOperands
	zp1, zp2       int32
	outZP          int32
	real           float64
	q              QuantizedMultiplier
	actMin, actMax int32
}

// prepareDiv prepares a DIV node (see divKernel for the formula).
func prepareDiv(n *Node) (Kernel, error) {
	in1, in2, out, err := elementwiseOperands(n)
	if err != nil {
		return nil, err
	}
	if out.Type != tflite.TypeInt8 {
		return nil, fmt.Errorf("%w: DIV %v (TFLite-Micro divides int8 only)", ErrUnsupportedType, out.Type)
	}
	k := &divKernel{zp1: in1.ZP0(), zp2: in2.ZP0(), outZP: out.ZP0()}
	if k.binaryOperands, err = newBinaryOperands(n, in1, in2, out); err != nil {
		return nil, err
	}
	k.real = float64(in1.Scale0() / (in2.Scale0() * out.Scale0()))
	k.q = QuantizeMultiplier(k.real, n.Rounding)
	k.actMin, k.actMax = ActivationRange(fusedActivationOf(n), out)
	return k, nil
}

// element computes one output from the raw inputs, recording in c when
// non-nil. It fails where TFLite's checks would abort.
func (k *divKernel) element(x1, x2 int32, c *Chain) (int32, error) {
	r := k.node.Rounding
	num, den := x1-k.zp1, x2-k.zp2
	if c != nil {
		c.AddReal("in1.offset", int64(num), float64(k.in1.Scale0())*float64(num), "numerator minus its zero point", "%d − (%d) = %d", x1, k.zp1, num)
		c.AddReal("in2.offset", int64(den), float64(k.in2.Scale0())*float64(den), "divisor minus its zero point", "%d − (%d) = %d", x2, k.zp2, den)
	}
	if den == 0 {
		return 0, fmt.Errorf("%w: DIV by a divisor at its zero point (%d)", ErrRuntime, x2)
	}
	if den < 0 {
		num, den = -num, -den
		if c != nil {
			c.Add("negate", int64(num), "negative divisor: both signs inverted so the reciprocal is positive", "(%d, %d)", num, den)
		}
	}
	recip, recipShift := GetReciprocal(den, 31)
	headroom := CountLeadingSignBits32(num)
	totalShift := k.q.Shift - recipShift - headroom
	if r == RoundingSingle && headroom > 30 {
		return 0, fmt.Errorf("%w: DIV numerator %d needs a left shift of %d; TFLITE_SINGLE_ROUNDING's MultiplyByQuantizedMultiplier allows at most 30 (the reference aborts)",
			ErrRuntime, num, headroom)
	}
	if totalShift < -31 || (r == RoundingDouble && totalShift > 0) || totalShift > 30 {
		return 0, fmt.Errorf("%w: DIV output shift %d out of range", ErrRuntime, totalShift)
	}
	quot := MultiplyByQuantizedMultiplierGreaterThanOne(num, recip, headroom, r)
	if c != nil {
		c.AddReal("reciprocal", int64(recip), math.Ldexp(float64(recip), -31-recipShift), "GetReciprocal(d, 31): 1/d = reciprocal·2^−(31+bits over unit)",
			"1/%d → %d, bits over unit %d", den, recip, recipShift)
		c.Add("headroom", int64(headroom), "CountLeadingSignBits of the numerator: its left shift", "clrsb(%d) = %d", num, headroom)
		c.AddReal("quotient", int64(quot), math.Ldexp(float64(quot), -headroom-recipShift)*float64(k.in1.Scale0())/float64(k.in2.Scale0()),
			"MultiplyByQuantizedMultiplierGreaterThanOne(n, reciprocal, headroom) = n/d·2^(headroom + bits over unit); real: the quotient s1·n / (s2·d)",
			"MBQM>1(%d, %d, %d) = %d", num, recip, headroom, quot)
		c.Add("total_shift", int64(totalShift), "output shift − bits over unit − headroom", "%d − %d − %d = %d", k.q.Shift, recipShift, headroom, totalShift)
	}
	return Requantize(quot, QuantizedMultiplier{Multiplier: k.q.Multiplier, Shift: totalShift}, r, k.outZP, k.actMin, k.actMax, c), nil
}

func (k *divKernel) Eval() error {
	a, b, o := k.in1.Int8(), k.in2.Int8(), k.out.Int8()
	cur := k.bc.Cursor()
	for i := range o {
		y, err := k.element(int32(a[cur.I1]), int32(b[cur.I2]), nil)
		if err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
		o[i] = int8(y)
		cur.Next()
	}
	return nil
}

func (k *divKernel) Explain(out, elem int, c *Chain) error {
	x1, x2, err := k.explainInputs(out, elem, c)
	if err != nil {
		return err
	}
	y, err := k.element(x1, x2, c)
	if err != nil {
		return err
	}
	c.Final = int64(y)
	return nil
}

func (k *divKernel) Describe() Params {
	return Params{
		Multipliers: []Multiplier{{Name: "output", Channel: -1, Real: k.real, Quantized: k.q}},
		HasClamp:    true, ClampMin: k.actMin, ClampMax: k.actMax,
		Ints: []NamedInt{
			{Name: "input1_offset", Value: int64(-k.zp1)},
			{Name: "input2_offset", Value: int64(-k.zp2)},
			{Name: "output_offset", Value: int64(k.outZP)},
		},
	}
}

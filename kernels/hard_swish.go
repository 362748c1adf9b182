package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// hardSwishKernel is HARD_SWISH (int8), after TFLite-Micro's
// hard_swish_common.cc with reference_ops::HardSwish (quantized), all in int16
// fixed point. Prepare, in float32 (each quotient widened to double only for
// QuantizeMultiplier), with hires = s_in / 128 and reluish scale 3/32768:
//
//	Mout  = hires / s_out       → Q0.15 multiplier mo (DownScaleInt32ToInt16Multiplier), exponent eo ≤ 0
//	Mrelu = hires / (3/32768)   → Q0.15 multiplier mr, exponent er
//
// Per element (int16 arithmetic):
//
//	h  = (x − zp_in) · 2^7
//	p  = SRDHM16(h, mo)                            x on the output scale before the shift
//	r  = h; if er > 0: r = SatLeftShift16(r, er − 1)
//	r  = SRDHM16(r, mr); if er > 0: r = SatLeftShift16(r, 1); if er < 0: r = RDBPOT(r, −er)
//	r  = (r + 2^15) >> 1                           relu6(x+3)/6 in Q0.15, in [0, 1]
//	y  = clamp(RDBPOT(SaturatingDoublingHighMul16(r, p), −eo) + zp_out)
//
// The rounding rule does not apply: this kernel never calls
// MultiplyByQuantizedMultiplier.
type hardSwishKernel struct {
	unaryOperands
	inZP, outZP       int32
	realOut, realRelu float64
	qOut, qRelu       QuantizedMultiplier
	outMult16, relu16 int16
	outExp, reluExp   int
}

// prepareHardSwish prepares a HARD_SWISH node (see hardSwishKernel for the
// formula).
func prepareHardSwish(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8)
	if err != nil {
		return nil, err
	}
	k := &hardSwishKernel{unaryOperands: unaryOperands{node: n, in: in, out: out}, inZP: in.ZP0(), outZP: out.ZP0()}
	hires := float32(1.0/128.0) * in.Scale0()
	const reluishScale = float32(3.0 / 32768.0)
	k.realOut = float64(hires / out.Scale0())
	k.realRelu = float64(hires / reluishScale)
	k.qOut = QuantizeMultiplier(k.realOut, n.Rounding)
	k.qRelu = QuantizeMultiplier(k.realRelu, n.Rounding)
	k.outMult16, k.outExp = DownScaleInt32ToInt16Multiplier(k.qOut.Multiplier), k.qOut.Shift
	k.relu16, k.reluExp = DownScaleInt32ToInt16Multiplier(k.qRelu.Multiplier), k.qRelu.Shift
	if k.outExp > 0 {
		return nil, fmt.Errorf("%w: HARD_SWISH output multiplier %g needs a left shift", ErrBadQuantization, k.realOut)
	}
	return k, nil
}

// element computes one output from the raw input x, recording in c when non-nil.
func (k *hardSwishKernel) element(x int32, c *Chain) int32 {
	d := int16(x - k.inZP)
	hires := d * (1 << 7)
	preshift := SaturatingRoundingDoublingHighMul16(hires, k.outMult16)
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point (int16)", "%d − (%d) = %d", x, k.inZP, d)
		c.Add("hires", int64(hires), "left shift by 7: the input on the scale s_in/128", "%d · 2^7 = %d", d, hires)
		c.AddReal("preshift_output", int64(preshift), float64(preshift)*math.Ldexp(float64(k.out.Scale0()), k.outExp),
			"input on the output scale before the final shift: SRDHM16(hires, output multiplier)", "SRDHM16(%d, %d) = %d", hires, k.outMult16, preshift)
	}
	r := hires
	if k.reluExp > 0 {
		r = SaturatingLeftShift16(r, k.reluExp-1)
		if c != nil {
			c.Add("relu.left_shift", int64(r), "saturating left shift by exponent − 1", "sat(%d · 2^%d) = %d", hires, k.reluExp-1, r)
		}
	}
	m := SaturatingRoundingDoublingHighMul16(r, k.relu16)
	if c != nil {
		c.Add("relu.srdhm", int64(m), "SRDHM16 by the reluish multiplier", "SRDHM16(%d, %d) = %d", r, k.relu16, m)
	}
	r = m
	if k.reluExp > 0 {
		r = SaturatingLeftShift16(r, 1)
		if c != nil {
			s := c.Add("relu.last_shift", int64(r), "last saturating left shift by 1", "sat(%d · 2) = %d", m, r)
			s.Changed = int32(r) != 2*int32(m)
		}
	} else if k.reluExp < 0 {
		r = int16(RoundingDivideByPOT(int32(r), -k.reluExp))
		if c != nil {
			c.Add("relu.rdbpot", int64(r), "RoundingDivideByPOT by −exponent", "RDBPOT(%d, %d) = %d", m, -k.reluExp, r)
		}
	}
	reluish := int16((int32(r) + 1<<15) >> 1)
	prod := SaturatingDoublingHighMul16(reluish, preshift)
	shifted := int16(RoundingDivideByPOT(int32(prod), -k.outExp))
	sum := shifted + int16(k.outZP)
	y := Clamp32(int32(sum), math.MinInt8, math.MaxInt8)
	if c != nil {
		c.AddReal("reluish", int64(reluish), math.Ldexp(float64(reluish), -15), "relu6(x + 3)/6 in Q0.15: (r + 2^15) >> 1", "(%d + 32768) >> 1 = %d", r, reluish)
		c.Add("product", int64(prod), "SaturatingDoublingHighMul16 (truncating) of reluish and the pre-shift output", "SDHM16(%d, %d) = %d", reluish, preshift, prod)
		s := c.Add("rdbpot", int64(shifted), "RoundingDivideByPOT by −output exponent", "RDBPOT(%d, %d) = %d", prod, -k.outExp, shifted)
		s.Changed = -k.outExp > 0 && int32(prod)&(int32(1)<<uint(-k.outExp)-1) != 0
		c.Add("zp", int64(sum), "plus the output zero point", "%d %s = %d", shifted, plus(int64(k.outZP)), sum)
		s = c.Add("clamp", int64(y), "clamped to int8", "clamp(%d, −128, 127) = %d", sum, y)
		s.Changed = y != int32(sum)
	}
	return y
}

func (k *hardSwishKernel) Eval() error {
	return evalUnary(k, &k.unaryOperands, (*hardSwishKernel).element)
}

func (k *hardSwishKernel) Explain(out, elem int, c *Chain) error {
	return explainUnary(k, &k.unaryOperands, (*hardSwishKernel).element, out, elem, c)
}

func (k *hardSwishKernel) Describe() Params {
	return Params{
		Multipliers: []Multiplier{
			{Name: "output", Channel: -1, Real: k.realOut, Quantized: k.qOut},
			{Name: "reluish", Channel: -1, Real: k.realRelu, Quantized: k.qRelu},
		},
		Ints: []NamedInt{
			{Name: "output_multiplier_int16", Value: int64(k.outMult16)},
			{Name: "output_exponent", Value: int64(k.outExp)},
			{Name: "reluish_multiplier_int16", Value: int64(k.relu16)},
			{Name: "reluish_exponent", Value: int64(k.reluExp)},
			{Name: "input_zero_point", Value: int64(k.inZP)},
			{Name: "output_zero_point", Value: int64(k.outZP)},
		},
	}
}

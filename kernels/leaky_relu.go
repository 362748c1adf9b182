package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// leakyReluKernel is LEAKY_RELU (int8, int16), after TFLite-Micro's
// leaky_relu.cc / leaky_relu_common.cc with reference_ops::QuantizeLeakyRelu.
//
// Prepare: two multipliers, each computed in float32 and widened to double
// for QuantizeMultiplier:
//
//	M_identity = s_in / s_out,   M_alpha = s_in·α / s_out
//
// Per element, with d = x − zp_in:
//
//	y = clamp(zp_out + MultiplyByQuantizedMultiplier(d, d ≥ 0 ? M_identity : M_alpha), type range)
type leakyReluKernel struct {
	unaryOperands
	inZP, outZP             int32
	alpha                   float32
	realIdentity, realAlpha float64
	identity, alphaM        QuantizedMultiplier
	lo, hi                  int32
}

// prepareLeakyRelu prepares a LEAKY_RELU node (see leakyReluKernel for the
// formula).
func prepareLeakyRelu(n *Node) (Kernel, error) {
	in := n.Input(0)
	if in == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: LEAKY_RELU needs one input and one output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if in.Type != out.Type || (in.Type != tflite.TypeInt8 && in.Type != tflite.TypeInt16) {
		return nil, fmt.Errorf("%w: LEAKY_RELU %v → %v", ErrUnsupportedType, in.Type, out.Type)
	}
	if in.NumElements() != out.NumElements() {
		return nil, fmt.Errorf("%w: LEAKY_RELU input %v, output %v", ErrBadShape, in.Shape, out.Shape)
	}
	if !in.Quantized() || !out.Quantized() || out.Scale0() <= 0 {
		return nil, fmt.Errorf("%w: LEAKY_RELU needs quantized input and output", ErrBadQuantization)
	}
	k := &leakyReluKernel{unaryOperands: unaryOperands{node: n, in: in, out: out}, inZP: in.ZP0(), outZP: out.ZP0()}
	k.alpha = n.Options.Alpha
	sIn, sOut := in.Scale0(), out.Scale0()
	k.realAlpha = float64(float32(sIn*k.alpha) / sOut)
	k.realIdentity = float64(sIn / sOut)
	k.alphaM = QuantizeMultiplier(k.realAlpha, n.Rounding)
	k.identity = QuantizeMultiplier(k.realIdentity, n.Rounding)
	k.lo, k.hi = Range(out.Type)
	return k, nil
}

// element computes one output value from the raw input x, recording every
// stage in c when c is non-nil.
func (k *leakyReluKernel) element(x int32, c *Chain) int32 {
	d := x - k.inZP
	q := k.identity
	if d < 0 {
		q = k.alphaM
	}
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point", "%d − (%d) = %d", x, k.inZP, d)
		if d < 0 {
			c.Add("branch", 0, "negative input: the alpha multiplier applies", "%d < 0 → α = %g", d, k.alpha)
		} else {
			c.Add("branch", 1, "non-negative input: the identity multiplier applies", "%d ≥ 0", d)
		}
	}
	return Requantize(d, q, k.node.Rounding, k.outZP, k.lo, k.hi, c)
}

func (k *leakyReluKernel) Eval() error {
	return evalUnary(k, &k.unaryOperands, (*leakyReluKernel).element)
}

func (k *leakyReluKernel) Explain(out, elem int, c *Chain) error {
	return explainUnary(k, &k.unaryOperands, (*leakyReluKernel).element, out, elem, c)
}

func (k *leakyReluKernel) Describe() Params {
	return Params{
		Multipliers: []Multiplier{
			{Name: "identity", Channel: -1, Real: k.realIdentity, Quantized: k.identity},
			{Name: "alpha", Channel: -1, Real: k.realAlpha, Quantized: k.alphaM},
		},
		HasClamp: true, ClampMin: k.lo, ClampMax: k.hi,
		Ints: []NamedInt{{Name: "input_zero_point", Value: int64(k.inZP)}, {Name: "output_zero_point", Value: int64(k.outZP)}},
	}
}

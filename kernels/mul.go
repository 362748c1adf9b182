package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// mulKernel is MUL (int8, int16), after TFLite-Micro's mul.cc / mul_common.cc
// with reference_integer_ops::MulElementwise / BroadcastMul6DSlow.
//
// Prepare: M = s1·s2 / sout in double, quantized by QuantizeMultiplier (M
// may exceed 1). int16 requires all three zero points to be 0. Per output
// element, reading the inputs through broadcasting:
//
//	p = (x1 − zp1) · (x2 − zp2)
//	y = clamp(MultiplyByQuantizedMultiplier(p, M) + zp_out, act)
type mulKernel struct {
	binaryOperands
	in1ZP, in2ZP   int32
	outZP          int32
	real           float64
	q              QuantizedMultiplier
	actMin, actMax int32
}

// prepareMul prepares a MUL node (see mulKernel for the formula).
func prepareMul(n *Node) (Kernel, error) { return newMul(n, false) }

// prepareMulTFLite prepares MUL as full TFLite's mul.cc does (ImplTFLite:
// reference and optimized kernels compute alike): the multiplier is the
// float32 expression s1·s2/s_out (every operation rounded to float32, then
// widened for QuantizeMultiplier) where TFLite-Micro widens each scale to
// double first, and legacy uint8 is admitted (reference_ops::Mul, the same
// formula with uint8 bounds). From source; no golden distinguishes the
// multipliers, and there is no uint8 MUL golden for full TFLite's kernels.
func prepareMulTFLite(n *Node) (Kernel, error) { return newMul(n, true) }

// newMul prepares TFLite-Micro's MUL or, with fullTFLite, full TFLite's.
func newMul(n *Node, fullTFLite bool) (Kernel, error) {
	in1, in2, out, err := elementwiseOperandsOf(n, fullTFLite)
	if err != nil {
		return nil, err
	}
	k := &mulKernel{}
	if k.binaryOperands, err = newBinaryOperands(n, in1, in2, out); err != nil {
		return nil, err
	}
	k.in1ZP, k.in2ZP, k.outZP = in1.ZP0(), in2.ZP0(), out.ZP0()
	if out.Type == tflite.TypeInt16 && (k.in1ZP != 0 || k.in2ZP != 0 || k.outZP != 0) {
		return nil, fmt.Errorf("%w: int16 MUL needs zero points 0, have %d, %d, %d", ErrBadQuantization, k.in1ZP, k.in2ZP, k.outZP)
	}
	k.real = float64(in1.Scale0()) * float64(in2.Scale0()) / float64(out.Scale0())
	if fullTFLite {
		k.real = float64(in1.Scale0() * in2.Scale0() / out.Scale0())
	}
	k.q = QuantizeMultiplier(k.real, n.Rounding)
	k.actMin, k.actMax = ActivationRange(fusedActivationOf(n), out)
	return k, nil
}

// element computes one output value from the raw input values x1 and x2,
// recording every stage in c when c is non-nil.
func (k *mulKernel) element(x1, x2 int32, c *Chain) int32 {
	a, b := x1-k.in1ZP, x2-k.in2ZP
	p := a * b
	if c != nil {
		s1, s2 := float64(k.in1.Scale0()), float64(k.in2.Scale0())
		c.AddReal("in1.offset", int64(a), s1*float64(a), "input 1 minus its zero point", "%d − (%d) = %d", x1, k.in1ZP, a)
		c.AddReal("in2.offset", int64(b), s2*float64(b), "input 2 minus its zero point", "%d − (%d) = %d", x2, k.in2ZP, b)
		c.AddReal("product", int64(p), s1*s2*float64(p), "product of the offset inputs", "%d · %d = %d", a, b, p)
	}
	return Requantize(p, k.q, k.node.Rounding, k.outZP, k.actMin, k.actMax, c)
}

func (k *mulKernel) Eval() error {
	return evalBinary(k, &k.binaryOperands, (*mulKernel).element)
}

func (k *mulKernel) Explain(out, elem int, c *Chain) error {
	return explainBinary(k, &k.binaryOperands, (*mulKernel).element, out, elem, c)
}

func (k *mulKernel) Describe() Params {
	return Params{
		Multipliers: []Multiplier{{Name: "output", Channel: -1, Real: k.real, Quantized: k.q}},
		HasClamp:    true, ClampMin: k.actMin, ClampMax: k.actMax,
		Ints: []NamedInt{
			{Name: "input1_offset", Value: int64(-k.in1ZP)},
			{Name: "input2_offset", Value: int64(-k.in2ZP)},
			{Name: "output_offset", Value: int64(k.outZP)},
		},
	}
}

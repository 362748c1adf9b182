package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// unaryQuantOperands returns the input and output of a one-input quantized
// elementwise node, checking that both have the same dtype, one of types,
// the same element count and per-tensor quantization.
func unaryQuantOperands(n *Node, types ...tflite.TensorType) (in, out *Tensor, err error) {
	in = n.Input(0)
	if in == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, nil, fmt.Errorf("%w: %v needs one input and one output", ErrMissingInput, n.Op)
	}
	out = n.Outputs[0]
	ok := false
	for _, t := range types {
		ok = ok || in.Type == t
	}
	if !ok || in.Type != out.Type {
		return nil, nil, fmt.Errorf("%w: %v %v → %v", ErrUnsupportedType, n.Op, in.Type, out.Type)
	}
	if in.NumElements() != out.NumElements() {
		return nil, nil, fmt.Errorf("%w: %v input %v, output %v", ErrBadShape, n.Op, in.Shape, out.Shape)
	}
	for _, t := range []*Tensor{in, out} {
		if !t.Quantized() || t.Scale0() <= 0 {
			return nil, nil, fmt.Errorf("%w: %v tensor %d (%s) has no positive per-tensor scale", ErrBadQuantization, n.Op, t.Index, t.Name)
		}
	}
	return in, out, nil
}

// checkInt16ZeroPoints refuses an int16 unary operator whose input or
// output has a non-zero zero point (TFLite's int16 kernels are symmetric).
func checkInt16ZeroPoints(n *Node, in, out *Tensor) error {
	if in.Type == tflite.TypeInt16 && (in.ZP0() != 0 || out.ZP0() != 0) {
		return fmt.Errorf("%w: int16 %v needs zero points 0, have %d and %d", ErrBadQuantization, n.Op, in.ZP0(), out.ZP0())
	}
	return nil
}

// reluKernel is RELU or RELU6 (int8, int16; uint8 under full TFLite), after
// TFLite-Micro's activations.cc / activations_common.cc (ReluQuantized,
// Relu6Quantized) or full TFLite's activations.cc (QuantizedReluX).
//
// RELU requantizes. Prepare: M = s_in / s_out in double, QuantizeMultiplier;
// the clamp range is [max(qmin, zp_out + roundf(0/s_out)), qmax]. Per element:
//
//	y = clamp(zp_out + MultiplyByQuantizedMultiplier(x − zp_in, M), lo, qmax)
//
// TFLite-Micro's RELU6 never requantizes: Prepare derives zero = zp_in and six =
// FloatToQuantizedType(6.0f, s_in, zp_in) = clamp(round(6/s_in) + zp_in) in the
// INPUT quantization, and each element is clamped to [zero, six] and stored
// unchanged, whatever the output tensor's scale and zero point say.
// int16 RELU needs both zero points to be 0 (RELU6 does not check).
//
// Full TFLite (ImplTFLite: its reference and optimized kernels are the same
// QuantizedReluX) requantizes RELU and RELU6 alike, with M = double(float32(
// s_in / s_out)) — the division is float32 — and the clamp range [max(qmin,
// zp_out + int32(roundf(0/s_out))), min(qmax, zp_out + int32(roundf(6/s_out)))]
// (RELU: qmax), the bounds divided in float32 and rounded half away from zero.
// int16 needs both zero points 0 for RELU6 too (ReluPrepare serves both).
type reluKernel struct {
	unaryOperands
	// rawClamp is TFLite-Micro's RELU6: a clamp in the input quantization,
	// no requantization.
	rawClamp     bool
	inZP, outZP  int32
	real         float64
	q            QuantizedMultiplier
	lower, upper int32 // requantizing: output clamp; rawClamp: [zero, six] in the input quantization
}

// prepareRelu prepares a RELU node (see reluKernel for the formula).
func prepareRelu(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8, tflite.TypeInt16)
	if err != nil {
		return nil, err
	}
	k := &reluKernel{unaryOperands: unaryOperands{node: n, in: in, out: out}, inZP: in.ZP0(), outZP: out.ZP0()}
	if err := checkInt16ZeroPoints(n, in, out); err != nil {
		return nil, err
	}
	k.real = float64(in.Scale0()) / float64(out.Scale0())
	k.q = QuantizeMultiplier(k.real, n.Rounding)
	qmin, qmax := Range(out.Type)
	// zp + int32(roundf(0.0f / scale)): the rounded term is 0.
	k.lower = max(qmin, k.outZP+int32(math.Round(float64(float32(0)/out.Scale0()))))
	k.upper = qmax
	return k, nil
}

// prepareRelu6 prepares a RELU6 node (see reluKernel for the formula).
func prepareRelu6(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8, tflite.TypeInt16)
	if err != nil {
		return nil, err
	}
	k := &reluKernel{unaryOperands: unaryOperands{node: n, in: in, out: out}, rawClamp: true, inZP: in.ZP0(), outZP: out.ZP0()}
	qmin, qmax := Range(in.Type)
	k.lower = k.inZP
	// FloatToQuantizedType<T>(6.0f, scale, zp): round(6.0f / scale) + zp, clamped.
	six := int32(math.Round(float64(float32(6)/in.Scale0()))) + k.inZP
	k.upper = Clamp32(six, qmin, qmax)
	return k, nil
}

// prepareReluTFLite prepares RELU as full TFLite does (ImplTFLite; see
// reluKernel): the float32 quotient s_in/s_out as multiplier, uint8 too.
func prepareReluTFLite(n *Node) (Kernel, error) { return newReluX(n, false) }

// prepareRelu6TFLite prepares RELU6 as full TFLite does (ImplTFLite; see
// reluKernel): requantized like RELU, clamped to the output's [0, 6].
func prepareRelu6TFLite(n *Node) (Kernel, error) { return newReluX(n, true) }

// newReluX is full TFLite's ReluPrepare with QuantizedReluX's clamp range:
// act_min = 0, act_max = 6 (relu6) or +∞.
func newReluX(n *Node, relu6 bool) (*reluKernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16)
	if err != nil {
		return nil, err
	}
	k := &reluKernel{unaryOperands: unaryOperands{node: n, in: in, out: out}, inZP: in.ZP0(), outZP: out.ZP0()}
	if err := checkInt16ZeroPoints(n, in, out); err != nil {
		return nil, err
	}
	k.real = float64(in.Scale0() / out.Scale0())
	k.q = QuantizeMultiplier(k.real, n.Rounding)
	qmin, qmax := Range(out.Type)
	bound := func(v float32) int32 { return k.outZP + int32(math.Round(float64(v/out.Scale0()))) }
	k.lower, k.upper = max(qmin, bound(0)), qmax
	if relu6 {
		k.upper = min(qmax, bound(6))
	}
	return k, nil
}

// element computes one output from the raw input x, recording in c when non-nil.
func (k *reluKernel) element(x int32, c *Chain) int32 {
	if k.rawClamp {
		y := x
		if x > k.upper {
			y = k.upper
		} else if x < k.lower {
			y = k.lower
		}
		if c != nil {
			c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(x-k.inZP), "raw input", "x = %d", x)
			s := c.AddReal("clamp", int64(y), float64(k.in.Scale0())*float64(y-k.inZP),
				"clamped to [zero, six] of the INPUT quantization; stored without requantizing",
				"clamp(%d, %d, %d) = %d", x, k.lower, k.upper, y)
			s.Changed = y != x
		}
		return y
	}
	d := x - k.inZP
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point", "%d − (%d) = %d", x, k.inZP, d)
	}
	return Requantize(d, k.q, k.node.Rounding, k.outZP, k.lower, k.upper, c)
}

func (k *reluKernel) Eval() error {
	return evalUnary(k, &k.unaryOperands, (*reluKernel).element)
}

func (k *reluKernel) Explain(out, elem int, c *Chain) error {
	return explainUnary(k, &k.unaryOperands, (*reluKernel).element, out, elem, c)
}

func (k *reluKernel) Describe() Params {
	if k.rawClamp {
		return Params{HasClamp: true, ClampMin: k.lower, ClampMax: k.upper,
			Ints: []NamedInt{{Name: "zero", Value: int64(k.lower)}, {Name: "six", Value: int64(k.upper)}}}
	}
	return Params{
		Multipliers: []Multiplier{{Name: "output", Channel: -1, Real: k.real, Quantized: k.q}},
		HasClamp:    true, ClampMin: k.lower, ClampMax: k.upper,
		Ints: []NamedInt{
			{Name: "input_offset", Value: int64(k.inZP)},
			{Name: "output_offset", Value: int64(k.outZP)},
		},
	}
}

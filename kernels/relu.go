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

// reluKernel is RELU or RELU6 (int8, int16), after TFLite-Micro's
// activations.cc / activations_common.cc (ReluQuantized, Relu6Quantized).
//
// RELU requantizes. Prepare: M = s_in / s_out in double, QuantizeMultiplier;
// the clamp range is [max(qmin, zp_out + roundf(0/s_out)), qmax]. Per element:
//
//	y = clamp(zp_out + MultiplyByQuantizedMultiplier(x − zp_in, M), lo, qmax)
//
// RELU6 never requantizes: Prepare derives zero = zp_in and six =
// FloatToQuantizedType(6.0f, s_in, zp_in) = clamp(round(6/s_in) + zp_in) in the
// INPUT quantization, and each element is clamped to [zero, six] and stored
// unchanged, whatever the output tensor's scale and zero point say.
// int16 RELU needs both zero points to be 0 (RELU6 does not check).
type reluKernel struct {
	unaryOperands
	relu6        bool
	inZP, outZP  int32
	real         float64
	q            QuantizedMultiplier
	lower, upper int32 // RELU: output clamp; RELU6: [zero, six] in the input quantization
}

// prepareRelu prepares a RELU node (see reluKernel for the formula).
func prepareRelu(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8, tflite.TypeInt16)
	if err != nil {
		return nil, err
	}
	k := &reluKernel{unaryOperands: unaryOperands{n, in, out}, inZP: in.ZP0(), outZP: out.ZP0()}
	if in.Type == tflite.TypeInt16 && (k.inZP != 0 || k.outZP != 0) {
		return nil, fmt.Errorf("%w: int16 RELU needs zero points 0, have %d and %d", ErrBadQuantization, k.inZP, k.outZP)
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
	k := &reluKernel{unaryOperands: unaryOperands{n, in, out}, relu6: true, inZP: in.ZP0(), outZP: out.ZP0()}
	qmin, qmax := Range(in.Type)
	k.lower = k.inZP
	// FloatToQuantizedType<T>(6.0f, scale, zp): round(6.0f / scale) + zp, clamped.
	six := int32(math.Round(float64(float32(6)/in.Scale0()))) + k.inZP
	k.upper = Clamp32(six, qmin, qmax)
	return k, nil
}

// element computes one output from the raw input x, recording in c when non-nil.
func (k *reluKernel) element(x int32, c *Chain) int32 {
	if k.relu6 {
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
	if k.relu6 {
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

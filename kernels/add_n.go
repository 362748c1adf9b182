package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// sumRescale holds the ADD_N / CUMSUM rescaling: inputs shifted left by
// LeftShift and multiplied by In, the sum multiplied by Out.
type sumRescale struct {
	node          *Node
	leftShift     int
	inZP, outZP   int32
	twiceMaxScale float64
	realIn        float64
	realOut       float64
	qIn, qOut     QuantizedMultiplier
	qmin, qmax    int32
}

// newSumRescale derives the parameters as add_n.cc and cumsum.cc do.
func newSumRescale(n *Node, in, out *Tensor) (sumRescale, error) {
	s := sumRescale{node: n, leftShift: 20, inZP: in.ZP0(), outZP: out.ZP0()}
	s.twiceMaxScale = 2 * float64(in.Scale0())
	s.realIn = float64(in.Scale0()) / s.twiceMaxScale
	s.realOut = s.twiceMaxScale / (float64(int32(1)<<uint(s.leftShift)) * float64(out.Scale0()))
	for _, m := range []float64{s.realIn, s.realOut} {
		if !(m > 0 && m < 1) {
			return s, fmt.Errorf("%w: %v multiplier %g not in (0, 1)", ErrBadQuantization, n.Op, m)
		}
	}
	s.qIn = QuantizeMultiplier(s.realIn, n.Rounding)
	s.qOut = QuantizeMultiplier(s.realOut, n.Rounding)
	s.qmin, s.qmax = ActivationRange(tflite.ActNone, out)
	return s, nil
}

// scale is the input stage: (v + offset)·2^ls times M_in, for a raw value x
// (offset = −zp_in). With start true it is the accumulator's initial value,
// scale(−zp_in).
func (s *sumRescale) scale(x int32, start bool, label string, c *Chain) int32 {
	centred := x - s.inZP
	if start {
		centred = -s.inZP
	}
	shifted := centred * (1 << uint(s.leftShift))
	if c == nil {
		return MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted, s.qIn.Multiplier, s.qIn.Shift, s.node.Rounding)
	}
	if start {
		c.Add(label+"offset", int64(centred), "the accumulator starts at the input offset −zp (TFLite's quirk), not 0", "−(%d) = %d", s.inZP, centred)
	} else {
		c.Add(label+"x", int64(x), "raw input value", "x = %d", x)
		c.Add(label+"offset", int64(centred), "value minus the input zero point", "%d − (%d) = %d", x, s.inZP, centred)
	}
	c.Add(label+"left_shift", int64(shifted), "left shift for headroom", "%d · 2^%d = %d", centred, s.leftShift, shifted)
	v := recordMultiply(shifted, s.qIn, s.node.Rounding, label, c)
	st := &c.Steps[len(c.Steps)-1]
	st.Real, st.HasReal = float64(v)*s.twiceMaxScale/math.Ldexp(1, s.leftShift), true
	return v
}

// output requantizes an accumulator.
func (s *sumRescale) output(acc int32, c *Chain) int32 {
	if c != nil {
		c.AddReal("acc", int64(acc), float64(acc)*s.twiceMaxScale/math.Ldexp(1, s.leftShift), "accumulated scaled sum", "acc = %d", acc)
	}
	return Requantize(acc, s.qOut, s.node.Rounding, s.outZP, s.qmin, s.qmax, c)
}

func (s *sumRescale) describe() Params {
	return Params{
		Multipliers: []Multiplier{
			{Name: "input", Channel: -1, Real: s.realIn, Quantized: s.qIn},
			{Name: "output", Channel: -1, Real: s.realOut, Quantized: s.qOut},
		},
		HasClamp: true, ClampMin: s.qmin, ClampMax: s.qmax,
		Ints: []NamedInt{
			{Name: "left_shift", Value: int64(s.leftShift)},
			{Name: "input_offset", Value: int64(-s.inZP)},
			{Name: "output_offset", Value: int64(s.outZP)},
		},
	}
}

// addNKernel is ADD_N (int8), after TFLite-Micro's add_n.cc with
// reference_ops::AddN (quantized). Every input must have the first input's
// shape, scale and zero point. Prepare, in double, with s = s_in and ls = 20:
//
//	M_in = s / (2s) = 0.5,   M_out = 2s / (2^ls · s_out)   (QuantizeMultiplierSmallerThanOneExp)
//
// Per element, with scale(v) = MultiplyByQuantizedMultiplierSmallerThanOneExp(v · 2^ls, M_in):
//
//	acc = scale(−zp_in) + Σ_j scale(x_j − zp_in)
//	y   = clamp(MultiplyByQuantizedMultiplierSmallerThanOneExp(acc, M_out) + zp_out)
//
// The accumulator starts at scale(−zp_in), not 0 (TFLite's code sets
// x = input1_offset where its comment says "x = 0"), so the result is the
// float sum minus zp_in·s_in. Full TFLite has the same code.
type addNKernel struct {
	sumRescale
	ins []*Tensor
	out *Tensor
}

// prepareAddN prepares an ADD_N node (see addNKernel for the formula).
func prepareAddN(n *Node) (Kernel, error) {
	if len(n.Inputs) < 2 || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: ADD_N needs at least two inputs and one output", ErrMissingInput)
	}
	out := n.Outputs[0]
	first := n.Inputs[0]
	for j, in := range n.Inputs {
		if in == nil {
			return nil, fmt.Errorf("%w: ADD_N input %d", ErrMissingInput, j)
		}
		if in.Type != tflite.TypeInt8 || out.Type != tflite.TypeInt8 {
			return nil, fmt.Errorf("%w: ADD_N %v → %v", ErrUnsupportedType, in.Type, out.Type)
		}
		if !sameShape(in.Shape, first.Shape) || in.NumElements() != out.NumElements() {
			return nil, fmt.Errorf("%w: ADD_N input %d shape %v, first %v, output %v", ErrBadShape, j, in.Shape, first.Shape, out.Shape)
		}
		if !in.Quantized() || in.Scale0() != first.Scale0() || in.ZP0() != first.ZP0() {
			return nil, fmt.Errorf("%w: ADD_N inputs need the same scale and zero point", ErrBadQuantization)
		}
	}
	if !out.Quantized() || out.Scale0() <= 0 || first.Scale0() <= 0 {
		return nil, fmt.Errorf("%w: ADD_N needs positive scales", ErrBadQuantization)
	}
	s, err := newSumRescale(n, first, out)
	if err != nil {
		return nil, err
	}
	return &addNKernel{sumRescale: s, ins: n.Inputs, out: out}, nil
}

// element computes output element i, recording in c when non-nil.
func (k *addNKernel) element(i int, c *Chain) int32 {
	acc := k.scale(0, true, "start.", c)
	for j, in := range k.ins {
		label := ""
		if c != nil {
			label = fmt.Sprintf("in%d.", j+1)
		}
		acc += k.scale(int32(int8(in.Data[i])), false, label, c)
	}
	return k.output(acc, c)
}

func (k *addNKernel) Eval() error {
	o := k.out.Int8()
	for i := range o {
		o[i] = int8(k.element(i, nil))
	}
	return nil
}

func (k *addNKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	for j := range k.ins {
		c.addSources(Source{Input: j, Element: elem})
	}
	c.Final = int64(k.element(elem, c))
	return nil
}

func (k *addNKernel) Describe() Params { return k.describe() }

package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// preluKernel is PRELU (int8; int16 input with int8 alpha), after
// TFLite-Micro's prelu.cc / prelu_common.cc with reference_ops::Prelu /
// BroadcastPrelu4DSlow. Prepare, in double:
//
//	M1 = s_in / s_out,   M2 = s_in · s_alpha / s_out   (QuantizeMultiplier each)
//
// Per output element, reading input and alpha through broadcasting, with
// d = x − zp_in:
//
//	d ≥ 0: y = clamp(MultiplyByQuantizedMultiplier(d, M1) + zp_out)
//	d < 0: y = clamp(MultiplyByQuantizedMultiplier(d · (a − zp_alpha), M2) + zp_out)
//
// clamped to the output dtype range.
type preluKernel struct {
	node           *Node
	in, alpha, out *Tensor
	inZP, alphaZP  int32
	outZP          int32
	real1, real2   float64
	q1, q2         QuantizedMultiplier
	qmin, qmax     int32
	bc             Broadcast
}

// preparePrelu prepares a PRELU node (see preluKernel for the formula).
func preparePrelu(n *Node) (Kernel, error) {
	in, alpha := n.Input(0), n.Input(1)
	if in == nil || alpha == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: PRELU needs input, alpha and one output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if in.Type != out.Type || (in.Type != tflite.TypeInt8 && in.Type != tflite.TypeInt16) || alpha.Type != tflite.TypeInt8 {
		return nil, fmt.Errorf("%w: PRELU with input %v, alpha %v, output %v", ErrUnsupportedType, in.Type, alpha.Type, out.Type)
	}
	for _, t := range []*Tensor{in, alpha, out} {
		if !t.Quantized() || t.Scale0() <= 0 {
			return nil, fmt.Errorf("%w: PRELU tensor %d (%s) has no positive per-tensor scale", ErrBadQuantization, t.Index, t.Name)
		}
	}
	k := &preluKernel{node: n, in: in, alpha: alpha, out: out, inZP: in.ZP0(), alphaZP: alpha.ZP0(), outZP: out.ZP0()}
	var err error
	if k.bc, err = prepareElementwiseBroadcast(n, in, alpha, out); err != nil {
		return nil, err
	}
	sIn, sAlpha, sOut := float64(in.Scale0()), float64(alpha.Scale0()), float64(out.Scale0())
	k.real1 = sIn / sOut
	k.real2 = sIn * sAlpha / sOut
	k.q1 = QuantizeMultiplier(k.real1, n.Rounding)
	k.q2 = QuantizeMultiplier(k.real2, n.Rounding)
	k.qmin, k.qmax = Range(out.Type)
	return k, nil
}

// element computes one output from the raw input x and alpha a, recording
// in c when non-nil.
func (k *preluKernel) element(x, a int32, c *Chain) int32 {
	d := x - k.inZP
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point", "%d − (%d) = %d", x, k.inZP, d)
	}
	if d >= 0 {
		if c != nil {
			c.Add("branch", 1, "input ≥ 0: identity branch, multiplier M1 = s_in/s_out", "%d ≥ 0", d)
		}
		return Requantize(d, k.q1, k.node.Rounding, k.outZP, k.qmin, k.qmax, c)
	}
	ad := a - k.alphaZP
	p := d * ad
	if c != nil {
		c.Add("branch", 0, "input < 0: alpha branch, multiplier M2 = s_in·s_alpha/s_out", "%d < 0", d)
		c.AddReal("alpha", int64(ad), float64(k.alpha.Scale0())*float64(ad), "alpha minus its zero point", "%d − (%d) = %d", a, k.alphaZP, ad)
		c.AddReal("product", int64(p), float64(k.in.Scale0())*float64(k.alpha.Scale0())*float64(p), "input · alpha", "%d · %d = %d", d, ad, p)
	}
	return Requantize(p, k.q2, k.node.Rounding, k.outZP, k.qmin, k.qmax, c)
}

func (k *preluKernel) Eval() error {
	switch k.out.Type {
	case tflite.TypeInt8:
		evalPrelu[int8](k)
	case tflite.TypeInt16:
		evalPrelu[int16](k)
	default:
		return fmt.Errorf("%w: PRELU %v", ErrUnsupportedType, k.out.Type)
	}
	return nil
}

func evalPrelu[T int8 | int16](k *preluKernel) {
	in, alpha, out := view[T](k.in.Data), k.alpha.Int8(), view[T](k.out.Data)
	cur := k.bc.Cursor()
	for i := range out {
		out[i] = T(k.element(int32(in[cur.I1]), int32(alpha[cur.I2]), nil))
		cur.Next()
	}
}

func (k *preluKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	i1, i2 := k.bc.Index(elem)
	c.addSources(Source{Input: 0, Element: i1}, Source{Input: 1, Element: i2})
	c.Final = int64(k.element(int32(k.in.Int(i1)), int32(k.alpha.Int(i2)), c))
	return nil
}

func (k *preluKernel) Describe() Params {
	return Params{
		Multipliers: []Multiplier{
			{Name: "identity", Channel: -1, Real: k.real1, Quantized: k.q1},
			{Name: "alpha", Channel: -1, Real: k.real2, Quantized: k.q2},
		},
		Ints: []NamedInt{
			{Name: "input_offset", Value: int64(-k.inZP)},
			{Name: "alpha_offset", Value: int64(-k.alphaZP)},
			{Name: "output_offset", Value: int64(k.outZP)},
		},
	}
}

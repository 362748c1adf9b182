package kernels

import "github.com/tflq/tflq-trace/tflite"

// absKernel is ABS (int8, int16), after TFLite-Micro's elementwise.cc
// (PrepareAbsRsqrt, AbsEvalQuantized). Prepare: rescaling is needed when the
// float32 scales differ; then M = s_in / s_out in double, QuantizeMultiplier.
// int16 needs zero points 0. Per element:
//
//	v = |x − zp_in|
//	y = clamp(v + zp_out)                                   scales equal
//	y = clamp(MultiplyByQuantizedMultiplier(v, M) + zp_out) otherwise
//
// clamped to the dtype range. An int16 tensor without quantization takes
// |x| stored back as int16 (|−32768| wraps to −32768, as std::abs does).
type absKernel struct {
	unaryOperands
	plain       bool // int16 without quantization
	rescale     bool
	inZP, outZP int32
	real        float64
	q           QuantizedMultiplier
	qmin, qmax  int32
}

// prepareAbs prepares an ABS node (see absKernel for the formula).
func prepareAbs(n *Node) (Kernel, error) {
	in := n.Input(0)
	if in != nil && in.Type == tflite.TypeInt16 && !in.Quantized() && len(n.Outputs) > 0 && n.Outputs[0] != nil &&
		n.Outputs[0].Type == tflite.TypeInt16 && n.Outputs[0].NumElements() == in.NumElements() {
		return &absKernel{unaryOperands: unaryOperands{node: n, in: in, out: n.Outputs[0]}, plain: true}, nil
	}
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8, tflite.TypeInt16)
	if err != nil {
		return nil, err
	}
	k := &absKernel{unaryOperands: unaryOperands{node: n, in: in, out: out}, inZP: in.ZP0(), outZP: out.ZP0()}
	if err := checkInt16ZeroPoints(n, in, out); err != nil {
		return nil, err
	}
	k.qmin, k.qmax = Range(in.Type)
	k.rescale = in.Scale0() != out.Scale0()
	if k.rescale {
		k.real = float64(in.Scale0()) / float64(out.Scale0())
		k.q = QuantizeMultiplier(k.real, n.Rounding)
	}
	return k, nil
}

// element computes one output from the raw input x, recording in c when non-nil.
func (k *absKernel) element(x int32, c *Chain) int32 {
	if k.plain {
		y := int32(int16(max(x, -x)))
		if c != nil {
			c.Add("x", int64(x), "raw input (no quantization)", "x = %d", x)
			c.Add("abs", int64(y), "|x| stored as int16", "|%d| = %d", x, y)
		}
		return y
	}
	d := x - k.inZP
	v := max(d, -d)
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point", "%d − (%d) = %d", x, k.inZP, d)
		c.AddReal("abs", int64(v), float64(k.in.Scale0())*float64(v), "absolute value", "|%d| = %d", d, v)
	}
	if k.rescale {
		return Requantize(v, k.q, k.node.Rounding, k.outZP, k.qmin, k.qmax, c)
	}
	s := v + k.outZP
	y := Clamp32(s, k.qmin, k.qmax)
	if c != nil {
		c.Add("zp", int64(s), "plus the output zero point (equal scales: no rescaling)", "%d %s = %d", v, plus(int64(k.outZP)), s)
		st := c.Add("clamp", int64(y), "clamped to the dtype range", "clamp(%d, %d, %d) = %d", s, k.qmin, k.qmax, y)
		st.Changed = y != s
	}
	return y
}

func (k *absKernel) Eval() error {
	return evalUnary(k, &k.unaryOperands, (*absKernel).element)
}

func (k *absKernel) Explain(out, elem int, c *Chain) error {
	return explainUnary(k, &k.unaryOperands, (*absKernel).element, out, elem, c)
}

func (k *absKernel) Describe() Params {
	p := Params{Ints: []NamedInt{
		{Name: "input_offset", Value: int64(k.inZP)},
		{Name: "output_offset", Value: int64(k.outZP)},
	}}
	if k.rescale {
		p.Multipliers = []Multiplier{{Name: "output", Channel: -1, Real: k.real, Quantized: k.q}}
	}
	return p
}

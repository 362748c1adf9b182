package kernels

// MUL (int8, int16) — TFLite-Micro mul.cc / mul_common.cc with
// reference_integer_ops::MulElementwise / BroadcastMul6DSlow.
//
// Prepare: M = s1·s2 / sout in double, quantized by QuantizeMultiplier (M
// may exceed 1). int16 requires all three zero points to be 0. Per output
// element, reading the inputs through broadcasting:
//
//	p = (x1 − zp1) · (x2 − zp2)
//	y = clamp(MultiplyByQuantizedMultiplier(p, M) + zp_out, act)

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

func init() {
	register(tflite.OpMul, prepareMul, tflite.TypeInt8, tflite.TypeInt16)
}

type mulKernel struct {
	node           *Node
	in1, in2, out  *Tensor
	in1ZP, in2ZP   int32
	outZP          int32
	real           float64
	q              QuantizedMultiplier
	actMin, actMax int32
	bc             Broadcast
}

func prepareMul(n *Node) (Kernel, error) {
	in1, in2, out, err := elementwiseOperands(n)
	if err != nil {
		return nil, err
	}
	k := &mulKernel{node: n, in1: in1, in2: in2, out: out}
	if k.bc, err = prepareElementwiseBroadcast(n, in1, in2, out); err != nil {
		return nil, err
	}
	k.in1ZP, k.in2ZP, k.outZP = in1.ZP0(), in2.ZP0(), out.ZP0()
	if out.Type == tflite.TypeInt16 && (k.in1ZP != 0 || k.in2ZP != 0 || k.outZP != 0) {
		return nil, fmt.Errorf("%w: int16 MUL needs zero points 0, have %d, %d, %d", ErrBadQuantization, k.in1ZP, k.in2ZP, k.outZP)
	}
	k.real = float64(in1.Scale0()) * float64(in2.Scale0()) / float64(out.Scale0())
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
	switch k.out.Type {
	case tflite.TypeInt8:
		evalMul[int8](k)
	case tflite.TypeInt16:
		evalMul[int16](k)
	default:
		return fmt.Errorf("%w: MUL %v", ErrUnsupportedType, k.out.Type)
	}
	return nil
}

func evalMul[T int8 | int16](k *mulKernel) {
	a, b, o := view[T](k.in1.Data), view[T](k.in2.Data), view[T](k.out.Data)
	if k.bc.Same {
		for i := range o {
			o[i] = T(k.element(int32(a[i]), int32(b[i]), nil))
		}
		return
	}
	cur := k.bc.Cursor()
	for i := range o {
		o[i] = T(k.element(int32(a[cur.I1]), int32(b[cur.I2]), nil))
		cur.Next()
	}
}

func (k *mulKernel) Explain(out, elem int, c *Chain) error {
	if err := checkOutputElement(k.node, k.out, out, elem); err != nil {
		return err
	}
	i1, i2 := k.bc.Index(elem)
	c.Sources = append(c.Sources, Source{Input: 0, Element: i1}, Source{Input: 1, Element: i2})
	c.Final = int64(k.element(int32(k.in1.Int(i1)), int32(k.in2.Int(i2)), c))
	return nil
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

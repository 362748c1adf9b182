package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// binaryOperands are the inputs and output of an elementwise binary node and
// the broadcast that maps each output element to its two input elements.
//
// binaryOperands and unaryOperands are the plumbing shared by the elementwise
// binary kernels (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM) and
// the int8/int16 unary ones (ABS, RELU, RELU6, HARD_SWISH, LEAKY_RELU):
// operands, broadcast, the typed Eval loop (evalBinary, evalUnary) and the
// Explain bookkeeping (explainBinary, explainUnary). The arithmetic of each
// operator (and how it derives its multipliers) stays in its own file.
type binaryOperands struct {
	node          *Node
	in1, in2, out *Tensor
	bc            Broadcast
}

// newBinaryOperands derives the broadcast of operands the kernel has
// checked.
func newBinaryOperands(n *Node, in1, in2, out *Tensor) (binaryOperands, error) {
	bc, err := prepareElementwiseBroadcast(n, in1, in2, out)
	return binaryOperands{node: n, in1: in1, in2: in2, out: out, bc: bc}, err
}

// binaryElement computes one output value of kernel k from the raw input
// values x1 and x2, recording every stage in c when c is non-nil.
type binaryElement[K any] func(k K, x1, x2 int32, c *Chain) int32

// evalBinary stores element(k, x1, x2, nil) for every output element,
// reading the inputs through the broadcast. element is the kernel's method
// expression, e.g. (*mulKernel).element: one call per output element.
func evalBinary[K any](k K, b *binaryOperands, element binaryElement[K]) error {
	switch b.out.Type {
	case tflite.TypeInt8:
		evalBinaryAs[int8](k, b, element)
	case tflite.TypeInt16:
		evalBinaryAs[int16](k, b, element)
	case tflite.TypeUint8:
		evalBinaryAs[uint8](k, b, element)
	case tflite.TypeInt32:
		evalBinaryAs[int32](k, b, element)
	default:
		return fmt.Errorf("%w: %v %v", ErrUnsupportedType, b.node.Op, b.out.Type)
	}
	return nil
}

func evalBinaryAs[T int8 | int16 | uint8 | int32, K any](k K, b *binaryOperands, element binaryElement[K]) {
	x1, x2, o := view[T](b.in1.Data), view[T](b.in2.Data), view[T](b.out.Data)
	if b.bc.Same {
		for i := range o {
			o[i] = T(element(k, int32(x1[i]), int32(x2[i]), nil))
		}
		return
	}
	cur := b.bc.Cursor()
	for i := range o {
		o[i] = T(element(k, int32(x1[cur.I1]), int32(x2[cur.I2]), nil))
		cur.Next()
	}
}

// explainInputs checks an Explain request, records the two input elements
// output element elem reads and returns their raw values.
func (b *binaryOperands) explainInputs(out, elem int, c *Chain) (x1, x2 int32, err error) {
	if err := checkExplainTarget(b.node, out, elem); err != nil {
		return 0, 0, err
	}
	i1, i2 := b.bc.Index(elem)
	c.addSources(Source{Input: 0, Element: i1}, Source{Input: 1, Element: i2})
	return int32(b.in1.Int(i1)), int32(b.in2.Int(i2)), nil
}

// explainBinary records the arithmetic of output element elem.
func explainBinary[K any](k K, b *binaryOperands, element binaryElement[K], out, elem int, c *Chain) error {
	x1, x2, err := b.explainInputs(out, elem, c)
	if err != nil {
		return err
	}
	c.Final = int64(element(k, x1, x2, c))
	return nil
}

// unaryOperands are the input and output of an elementwise unary node.
type unaryOperands struct {
	node    *Node
	in, out *Tensor
	// table[uint8(x)] is the raw output of 8-bit raw input x, filled by
	// the first Eval (tableFilled): element is a pure function of x and of
	// parameters fixed at Prepare.
	table       [256]uint8
	tableFilled bool
}

// unaryElement computes one output value of kernel k from the raw input
// value x, recording every stage in c when c is non-nil.
type unaryElement[K any] func(k K, x int32, c *Chain) int32

// evalUnary stores element(k, x, nil) for every input element x (int8,
// int16, or uint8 for full TFLite's legacy kernels). element is the kernel's method expression, e.g.
// (*reluKernel).element: one call per output element.
func evalUnary[K any](k K, u *unaryOperands, element unaryElement[K]) error {
	switch u.in.Type {
	case tflite.TypeInt8:
		evalUnaryTable[int8](k, u, element)
	case tflite.TypeInt16:
		evalUnaryAs[int16](k, u, element)
	case tflite.TypeUint8:
		evalUnaryTable[uint8](k, u, element)
	default:
		return fmt.Errorf("%w: %v %v", ErrUnsupportedType, u.node.Op, u.in.Type)
	}
	return nil
}

func evalUnaryAs[T int8 | int16 | uint8, K any](k K, u *unaryOperands, element unaryElement[K]) {
	in, out := view[T](u.in.Data), view[T](u.out.Data)
	for i := range out {
		out[i] = T(element(k, int32(in[i]), nil))
	}
}

// binaryTableMinElements is the size from which an 8-bit binary Eval
// (ADD, SUB) goes through tables of its input stages (2·256 calls, then
// lookups) rather than computing them per element.
const binaryTableMinElements = 512

// evalUnaryTable is evalUnaryAs for 8-bit data through a lookup table: the
// element function is a pure function of the raw input value and of
// parameters fixed at Prepare, so table[x] = element(k, x, nil), filled by
// the first Eval for the 256 values, gives every output exactly as a call
// per element would (Explain still calls element).
func evalUnaryTable[T int8 | uint8, K any](k K, u *unaryOperands, element unaryElement[K]) {
	if !u.tableFilled {
		for v := range 256 {
			x := T(v) // int8 wraps 128..255 to −128..−1: every value once
			u.table[uint8(x)] = uint8(T(element(k, int32(x), nil)))
		}
		u.tableFilled = true
	}
	in, out := view[T](u.in.Data), view[T](u.out.Data)
	in = in[:len(out)]
	for i, x := range in {
		out[i] = T(u.table[uint8(x)])
	}
}

// explainUnary records the arithmetic of output element elem.
func explainUnary[K any](k K, u *unaryOperands, element unaryElement[K], out, elem int, c *Chain) error {
	if err := checkExplainTarget(u.node, out, elem); err != nil {
		return err
	}
	c.addSources(Source{Input: 0, Element: elem})
	c.Final = int64(element(k, int32(u.in.Int(elem)), c))
	return nil
}

// headroomParams are the parameters ADD, SUB and SQUARED_DIFFERENCE share.
// Input stage: input k minus its zero point, shifted left by leftShift for
// headroom and multiplied by M_k = s_k / (2·max(s1, s2)) with
// MultiplyByQuantizedMultiplierSmallerThanOneExp, which leaves it in units of
// 2·max(s1, s2) / 2^leftShift. Output stage: the combined value requantized
// by qOut, plus the output zero point, clamped to [lo, hi]. Each kernel
// derives the multipliers itself (ADD in double, SUB in float32).
type headroomParams struct {
	leftShift     int
	zp1, zp2      int32
	twiceMaxScale float64 // 2·max(s1, s2), as the multipliers were derived from it
	real1, real2  float64 // real multipliers, as TFLite passes them to QuantizeMultiplier
	q1, q2        QuantizedMultiplier
	// offsetAdded words the centring step as x + (−zp) (ADD, SUB, after
	// TFLite's input offsets) rather than x − (zp); the value is the same.
	offsetAdded bool

	outZP   int32
	realOut float64
	qOut    QuantizedMultiplier
	lo, hi  int32
}

// scaleInput is the input stage for input number which (1 or 2) with zero
// point zp and multiplier q.
func (h *headroomParams) scaleInput(x, zp int32, q QuantizedMultiplier, in *Tensor, which int, r Rounding, c *Chain) int32 {
	centred := x - zp
	shifted := centred * (1 << uint(h.leftShift))
	if c == nil {
		return MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted, q.Multiplier, q.Shift, r)
	}
	p := fmt.Sprintf("in%d.", which)
	c.AddReal(p+"x", int64(x), float64(in.Scale0())*float64(centred), fmt.Sprintf("raw value of input %d", which),
		"x%d = %d", which, x)
	if h.offsetAdded {
		c.Add(p+"offset", int64(centred), "value minus the input zero point", "%d + (%d) = %d", x, -zp, centred)
	} else {
		c.Add(p+"offset", int64(centred), "value minus the input zero point", "%d − (%d) = %d", x, zp, centred)
	}
	c.Add(p+"left_shift", int64(shifted), "left shift for headroom", "%d · 2^%d = %d", centred, h.leftShift, shifted)
	scaled := recordMultiply(shifted, q, r, p, c)
	s := &c.Steps[len(c.Steps)-1]
	s.Real, s.HasReal = float64(scaled)*h.twiceMaxScale/math.Ldexp(1, h.leftShift), true
	return scaled
}

// recordMultiply records MultiplyByQuantizedMultiplier(x, q) (which, for a
// multiplier below one, is also MultiplyByQuantizedMultiplierSmallerThanOneExp
// under both rounding rules) with step names prefixed by prefix, and returns
// its value.
func recordMultiply(x int32, q QuantizedMultiplier, r Rounding, prefix string, c *Chain) int32 {
	first := len(c.Steps)
	v := explainMultiply(x, q, r, c)
	for i := first; i < len(c.Steps); i++ {
		c.Steps[i].Name = prefix + c.Steps[i].Name
	}
	return v
}

func (h *headroomParams) describe() Params {
	return Params{
		Multipliers: []Multiplier{
			{Name: "input1", Channel: -1, Real: h.real1, Quantized: h.q1},
			{Name: "input2", Channel: -1, Real: h.real2, Quantized: h.q2},
			{Name: "output", Channel: -1, Real: h.realOut, Quantized: h.qOut},
		},
		HasClamp: true, ClampMin: h.lo, ClampMax: h.hi,
		Ints: []NamedInt{
			{Name: "left_shift", Value: int64(h.leftShift)},
			{Name: "input1_offset", Value: int64(-h.zp1)},
			{Name: "input2_offset", Value: int64(-h.zp2)},
			{Name: "output_offset", Value: int64(h.outZP)},
		},
	}
}

// elementwiseOperands returns the two inputs and the output of a quantized
// elementwise binary node, checking that all three share an int8 or int16
// dtype and have per-tensor quantization.
func elementwiseOperands(n *Node) (in1, in2, out *Tensor, err error) {
	return elementwiseOperandsOf(n, false)
}

// elementwiseOperandsOf is elementwiseOperands, admitting uint8 too when
// allowUint8 (full TFLite's legacy kernels).
func elementwiseOperandsOf(n *Node, allowUint8 bool) (in1, in2, out *Tensor, err error) {
	in1, in2 = n.Input(0), n.Input(1)
	if in1 == nil || in2 == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, nil, nil, fmt.Errorf("%w: %v needs two inputs and one output", ErrMissingInput, n.Op)
	}
	out = n.Outputs[0]
	typeOK := out.Type == tflite.TypeInt8 || out.Type == tflite.TypeInt16 || (allowUint8 && out.Type == tflite.TypeUint8)
	if in1.Type != out.Type || in2.Type != out.Type || !typeOK {
		return nil, nil, nil, fmt.Errorf("%w: %v with inputs %v, %v and output %v", ErrUnsupportedType, n.Op, in1.Type, in2.Type, out.Type)
	}
	for _, t := range []*Tensor{in1, in2, out} {
		if !t.Quantized() || t.Scale0() <= 0 {
			return nil, nil, nil, fmt.Errorf("%w: %v tensor %d (%s) has no positive per-tensor scale", ErrBadQuantization, n.Op, t.Index, t.Name)
		}
	}
	return in1, in2, out, nil
}

// prepareElementwiseBroadcast derives the broadcast of a binary node's inputs and checks
// that the output has the broadcast shape.
func prepareElementwiseBroadcast(n *Node, in1, in2, out *Tensor) (Broadcast, error) {
	bc, shape, err := NewBroadcast(in1.Shape, in2.Shape)
	if err != nil {
		return bc, fmt.Errorf("%v: %w", n.Op, err)
	}
	if NumElements(shape) != out.NumElements() || (len(out.Shape) == len(shape) && !sameShape(shape, out.Shape)) {
		return bc, fmt.Errorf("%w: %v output shape %v, broadcast of %v and %v is %v", ErrBadShape, n.Op, out.Shape, in1.Shape, in2.Shape, Shape(shape))
	}
	return bc, nil
}

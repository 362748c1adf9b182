package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// comparisonLeftShift is the headroom shift of the int8 rescaling (left_shift
// in comparisons.cc).
const comparisonLeftShift = 8

// comparisonKernel is a prepared EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS
// or LESS_EQUAL node. These operators compare two tensors element by element
// (numpy broadcasting) into a bool output.
//
// int32, int64, float32 (and bool for EQUAL/NOT_EQUAL) compare the raw
// values. int8 first brings both inputs to a common scale exactly as
// TFLite-Micro's comparisons.cc (ComparisonWithScaling) does, which is not
// the float comparison the graph means when the scales differ:
//
//	(m_k, shift_k) = QuantizeMultiplierSmallerThanOneExp(double(scale_k))
//	v_k = MultiplyByQuantizedMultiplierSmallerThanOneExp((x_k − zp_k) · 2^8, m_k, shift_k)
//	output = v_1 op v_2
//
// so each input is rescaled to about (x − zp) · scale · 2^8, rounded (double
// rounding: SaturatingRoundingDoublingHighMul then RoundingDivideByPOT;
// single rounding under the single rule). A scale ≥ 1 makes TFLite's
// QuantizeMultiplierSmallerThanOneExp abort; Prepare refuses it. When the
// shapes differ TFLite-Micro broadcasts with its 4-D routine, so broadcast
// ranks above 4 are refused. int16 is refused: the goldens' TFLite-Micro
// never initialises its rescaling parameters.
type comparisonKernel struct {
	n             *Node
	in1, in2, out *Tensor
	bc            Broadcast
	scaled        bool // int8: rescale both inputs first
	off1, off2    int32
	q1, q2        QuantizedMultiplier
	symbol        string
}

// comparisonSymbols gives each comparison operator's symbol, for explanations.
var comparisonSymbols = map[tflite.BuiltinOperator]string{
	tflite.OpEqual: "==", tflite.OpNotEqual: "!=", tflite.OpGreater: ">",
	tflite.OpGreaterEqual: ">=", tflite.OpLess: "<", tflite.OpLessEqual: "<=",
}

// prepareComparison prepares an EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS
// or LESS_EQUAL node (see comparisonKernel for the formula).
func prepareComparison(n *Node) (Kernel, error) {
	in1, in2, out := n.Input(0), n.Input(1), firstOutput(n)
	if in1 == nil || in2 == nil || out == nil {
		return nil, fmt.Errorf("%w: %v needs two inputs and an output", ErrMissingInput, n.Op)
	}
	if in1.Type != in2.Type {
		return nil, fmt.Errorf("%w: %v of %v and %v", ErrUnsupportedType, n.Op, in1.Type, in2.Type)
	}
	if out.Type != tflite.TypeBool {
		return nil, fmt.Errorf("%w: %v output is %v, must be bool", ErrUnsupportedType, n.Op, out.Type)
	}
	switch in1.Type {
	case tflite.TypeInt8, tflite.TypeInt32, tflite.TypeInt64, tflite.TypeFloat32:
	case tflite.TypeBool:
		if n.Op != tflite.OpEqual && n.Op != tflite.OpNotEqual {
			return nil, fmt.Errorf("%w: %v of bool", ErrUnsupportedType, n.Op)
		}
	case tflite.TypeInt16:
		return nil, fmt.Errorf("%w: %v of int16 (TFLite-Micro does not initialise its rescaling parameters)", ErrUnsupportedType, n.Op)
	default:
		return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, in1.Type)
	}
	for _, t := range []*Tensor{in1, in2} {
		if len(t.Data) != t.NumElements()*t.Type.Size() {
			return nil, fmt.Errorf("%w: %v input buffer does not match its shape %v", ErrBadShape, n.Op, t.Shape)
		}
	}
	bc, err := prepareElementwiseBroadcast(n, in1, in2, out)
	if err != nil {
		return nil, err
	}
	if !bc.Same && max(in1.Rank(), in2.Rank()) > 4 {
		return nil, fmt.Errorf("%w: %v broadcast of rank %d (TFLite-Micro broadcasts up to 4 dimensions)", ErrBadShape, n.Op, max(in1.Rank(), in2.Rank()))
	}
	k := &comparisonKernel{n: n, in1: in1, in2: in2, out: out, bc: bc, symbol: comparisonSymbols[n.Op]}
	if in1.Type == tflite.TypeInt8 {
		k.scaled = true
		for i, t := range []*Tensor{in1, in2} {
			if !t.Quantized() || t.Scale0() <= 0 {
				return nil, fmt.Errorf("%w: %v int8 input %d has no positive scale", ErrBadQuantization, n.Op, i)
			}
			q := QuantizeMultiplier(float64(t.Scale0()), n.Rounding)
			if q.Shift > 0 {
				return nil, fmt.Errorf("%w: %v input %d scale %g is not below 1 (TFLite's QuantizeMultiplierSmallerThanOneExp aborts)", ErrBadQuantization, n.Op, i, t.Scale0())
			}
			if i == 0 {
				k.q1, k.off1 = q, -t.ZP0()
			} else {
				k.q2, k.off2 = q, -t.ZP0()
			}
		}
	}
	return k, nil
}

// compareValues applies the operator's comparison.
func compareValues[T int64 | float32 | float64](op tflite.BuiltinOperator, a, b T) bool {
	switch op {
	case tflite.OpEqual:
		return a == b
	case tflite.OpNotEqual:
		return a != b
	case tflite.OpGreater:
		return a > b
	case tflite.OpGreaterEqual:
		return a >= b
	case tflite.OpLess:
		return a < b
	}
	return a <= b
}

// rescale is the int8 input stage: (x + offset)·2^8 times the input's multiplier.
func (k *comparisonKernel) rescale(x, offset int32, q QuantizedMultiplier, which int, c *Chain) int32 {
	centred := x + offset
	shifted := centred * (1 << comparisonLeftShift)
	if c == nil {
		return MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted, q.Multiplier, q.Shift, k.n.Rounding)
	}
	p := fmt.Sprintf("in%d.", which)
	c.Add(p+"x", int64(x), fmt.Sprintf("raw value of input %d", which), "x%d = %d", which, x)
	c.Add(p+"offset", int64(centred), "value minus the input zero point", "%d + (%d) = %d", x, offset, centred)
	c.Add(p+"left_shift", int64(shifted), "left shift by 8", "%d · 2^%d = %d", centred, comparisonLeftShift, shifted)
	return recordMultiply(shifted, q, k.n.Rounding, p, c)
}

// element compares input 1 element i1 with input 2 element i2.
func (k *comparisonKernel) element(i1, i2 int, c *Chain) bool {
	var r bool
	switch {
	case k.scaled:
		v1 := k.rescale(int32(int8(k.in1.Data[i1])), k.off1, k.q1, 1, c)
		v2 := k.rescale(int32(int8(k.in2.Data[i2])), k.off2, k.q2, 2, c)
		r = compareValues(k.n.Op, int64(v1), int64(v2))
		if c != nil {
			real1 := float64(int32(int8(k.in1.Data[i1]))+k.off1) * float64(k.in1.Scale0())
			real2 := float64(int32(int8(k.in2.Data[i2]))+k.off2) * float64(k.in2.Scale0())
			s := c.Add("compare", b2i(r), "comparison of the rescaled values (Changed: the real values compare the other way)",
				"%d %s %d = %v", v1, k.symbol, v2, r)
			s.Changed = r != compareValues(k.n.Op, real1, real2)
		}
	case k.in1.Type == tflite.TypeFloat32:
		a, b := k.in1.Float32()[i1], k.in2.Float32()[i2]
		r = compareValues(k.n.Op, a, b)
		if c != nil {
			c.Add("compare", b2i(r), "comparison of the raw float32 values", "%g %s %g = %v", a, k.symbol, b, r)
		}
	default:
		a, b := k.in1.Int(i1), k.in2.Int(i2)
		r = compareValues(k.n.Op, a, b)
		if c != nil {
			c.Add("compare", b2i(r), "comparison of the raw values", "%d %s %d = %v", a, k.symbol, b, r)
		}
	}
	return r
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (k *comparisonKernel) Eval() error {
	o := k.out.Data
	if k.bc.Same {
		for i := range o {
			o[i] = byte(b2i(k.element(i, i, nil)))
		}
		return nil
	}
	cur := k.bc.Cursor()
	for i := range o {
		o[i] = byte(b2i(k.element(cur.I1, cur.I2, nil)))
		cur.Next()
	}
	return nil
}

func (k *comparisonKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	i1, i2 := k.bc.Index(elem)
	r := k.element(i1, i2, c)
	if c != nil {
		c.addSources(Source{Input: 0, Element: i1}, Source{Input: 1, Element: i2})
		c.Final = b2i(r)
	}
	return nil
}

// Describe reports the int8 rescaling parameters.
func (k *comparisonKernel) Describe() Params {
	if !k.scaled {
		return Params{}
	}
	return Params{
		Multipliers: []Multiplier{
			{Name: "input1", Channel: -1, Real: float64(k.in1.Scale0()), Quantized: k.q1},
			{Name: "input2", Channel: -1, Real: float64(k.in2.Scale0()), Quantized: k.q2},
		},
		Ints: []NamedInt{
			{Name: "left_shift", Value: comparisonLeftShift},
			{Name: "input1_offset", Value: int64(k.off1)},
			{Name: "input2_offset", Value: int64(k.off2)},
		},
	}
}

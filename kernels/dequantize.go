package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// dequantizeKernel is a prepared DEQUANTIZE node. DEQUANTIZE turns int8, uint8
// or int16 values into float32 exactly as TFLite's reference Dequantize:
//
//	y = s · float32(q − zp)
//
// with s the input scale as float32 (TFLite holds it as a double and casts it
// back to float) and one float32 multiplication, so the result is the
// correctly rounded float32 product.
//
// Explanations of a float output: c.Final holds the stored float32's bits,
// int64(math.Float32bits(y)), so that it compares bit-exactly with the
// tensor; the float value itself is in the last step's Real.
type dequantizeKernel struct {
	n       *Node
	in, out *Tensor
	scale   float32
	zp      int32
}

// prepareDequantize prepares a DEQUANTIZE node (see dequantizeKernel for the
// formula).
func prepareDequantize(n *Node) (Kernel, error) {
	in := n.Input(0)
	if in == nil || len(n.Outputs) == 0 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: DEQUANTIZE needs an input and an output", ErrMissingInput)
	}
	out := n.Outputs[0]
	switch in.Type {
	case tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16:
	default:
		return nil, fmt.Errorf("%w: DEQUANTIZE of %v", ErrUnsupportedType, in.Type)
	}
	if out.Type != tflite.TypeFloat32 {
		return nil, fmt.Errorf("%w: DEQUANTIZE to %v (only float32)", ErrUnsupportedType, out.Type)
	}
	if in.NumElements() != out.NumElements() {
		return nil, fmt.Errorf("%w: DEQUANTIZE from %v to %v", ErrBadShape, in.Shape, out.Shape)
	}
	if len(in.Scale) != 1 {
		return nil, fmt.Errorf("%w: DEQUANTIZE input needs one per-tensor scale, has %d", ErrBadQuantization, len(in.Scale))
	}
	return &dequantizeKernel{n: n, in: in, out: out, scale: in.Scale0(), zp: in.ZP0()}, nil
}

// element is the per-element code shared by Eval and Explain.
func (k *dequantizeKernel) element(i int, c *Chain) float32 {
	q := int32(k.in.Int(i))
	off := q - k.zp
	y := k.scale * float32(off)
	if c != nil {
		c.Add("input", int64(q), "the raw input", "q = %d", q)
		c.Add("offset", int64(off), "input minus its zero point", "%d − %d = %d", q, k.zp, off)
		c.AddReal("scale", int64(math.Float32bits(y)), float64(y), "times the scale in float32",
			"%g · %d = %g", k.scale, off, y)
	}
	return y
}

func (k *dequantizeKernel) Eval() error {
	dst := k.out.Float32()
	for i := range dst {
		dst[i] = k.element(i, nil)
	}
	return nil
}

func (k *dequantizeKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	if c != nil {
		c.addSources(Source{Input: 0, Element: elem})
	}
	y := k.element(elem, c)
	if c != nil {
		c.Final = int64(math.Float32bits(y))
	}
	return nil
}

// Describe reports the zero point DEQUANTIZE subtracts.
func (k *dequantizeKernel) Describe() Params {
	return Params{Ints: []NamedInt{{Name: "input_zero_point", Value: int64(k.zp)}}}
}

package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// movableTypes are the dtypes the pure copy kernels accept.
var movableTypes = []tflite.TensorType{
	tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8, tflite.TypeInt16,
	tflite.TypeInt32, tflite.TypeInt64, tflite.TypeBool,
}

// chainValue returns element i of t as the int64 a Chain's Final (and a data
// step's Value) holds: the integer value for integer and bool tensors, and for
// float32 tensors the IEEE-754 bits, int64(math.Float32bits(v)), so that
// Final compares bit-exactly with what Eval stored (the float value itself is
// recorded in the step's Real).
func chainValue(t *Tensor, i int) int64 {
	if t.Type == tflite.TypeFloat32 {
		return int64(math.Float32bits(t.Float32()[i]))
	}
	return t.Int(i)
}

// recordMove records that the output element came unchanged from element
// inIdx of input inPos (tensor in), and sets c.Final to that value.
//
// recordMove and the helpers next to it (chainValue, copyElement, checkMovable,
// movableTypes, storeIntElement) are shared by the data-movement kernels of
// this package (RESHAPE, CONCATENATION, PAD, RESIZE_NEAREST_NEIGHBOR,
// moveKernel): reading an element as the int64 a Chain stores, copying one
// element, and recording where an output element came from.
func recordMove(c *Chain, inPos int, in *Tensor, inIdx int, format string, args ...any) {
	c.addSources(Source{Input: inPos, Element: inIdx})
	c.Moved, c.Move = true, Source{Input: inPos, Element: inIdx}
	v := chainValue(in, inIdx)
	s := c.Add("copy", v, fmt.Sprintf("input %d element %d, copied unchanged", inPos, inIdx), format, args...)
	if in.Type == tflite.TypeFloat32 {
		s.Real, s.HasReal = float64(in.Float32()[inIdx]), true
	}
	c.Final = v
}

// storeIntElement stores v, already in range, as element i of an int8,
// uint8, int16 or int32 tensor.
func storeIntElement(t *Tensor, i int, v int32) {
	switch t.Type {
	case tflite.TypeInt8:
		t.Data[i] = byte(int8(v))
	case tflite.TypeUint8:
		t.Data[i] = byte(v)
	case tflite.TypeInt16:
		t.Int16()[i] = int16(v)
	case tflite.TypeInt32:
		t.Int32()[i] = v
	}
}

// copyElement copies element si of src to element di of dst (same dtype,
// size bytes per element).
func copyElement(dst *Tensor, di int, src *Tensor, si int, size int) {
	copy(dst.Data[di*size:(di+1)*size], src.Data[si*size:(si+1)*size])
}

// checkMovable checks that in and out are present, share a movable dtype and
// have byte buffers of the size their shapes say.
func checkMovable(n *Node, in, out *Tensor) error {
	if in == nil || out == nil {
		return fmt.Errorf("%w: %v needs an input and an output", ErrMissingInput, n.Op)
	}
	if in.Type != out.Type {
		return fmt.Errorf("%w: %v input is %v, output %v", ErrUnsupportedType, n.Op, in.Type, out.Type)
	}
	ok := false
	for _, t := range movableTypes {
		ok = ok || t == in.Type
	}
	if !ok {
		return fmt.Errorf("%w: %v does not move %v tensors", ErrUnsupportedType, n.Op, in.Type)
	}
	size := in.Type.Size()
	if len(in.Data) != in.NumElements()*size || len(out.Data) != out.NumElements()*size {
		return fmt.Errorf("%w: %v buffers do not match their shapes", ErrBadShape, n.Op)
	}
	return nil
}

// reshapeKernel is a prepared RESHAPE, EXPAND_DIMS or SQUEEZE node: it copies
// the input buffer to the output buffer. The output holds the input's elements
// in the same row-major order under another shape, so output element i is input
// element i, byte for byte (TFLite-Micro memcpy's the buffer when input and
// output do not share it). Any fixed-size dtype is accepted.
//
// The operand that describes the new shape (RESHAPE's optional shape tensor
// or new_shape option, EXPAND_DIMS's axis, SQUEEZE's squeeze_dims) only
// decides the output shape, which the model already stores on the output
// tensor; Prepare checks that the element counts agree.
type reshapeKernel struct {
	n       *Node
	in, out *Tensor
}

// prepareReshape prepares a RESHAPE, EXPAND_DIMS or SQUEEZE node (see
// reshapeKernel).
func prepareReshape(n *Node) (Kernel, error) {
	in, out := n.Input(0), (*Tensor)(nil)
	if len(n.Outputs) > 0 {
		out = n.Outputs[0]
	}
	if err := checkMovable(n, in, out); err != nil {
		return nil, err
	}
	if in.NumElements() != out.NumElements() {
		return nil, fmt.Errorf("%w: %v of %v (%d elements) to %v (%d elements)", ErrBadShape, n.Op, in.Shape, in.NumElements(), out.Shape, out.NumElements())
	}
	return &reshapeKernel{n: n, in: in, out: out}, nil
}

// source is the per-element rule: output element i is input element i.
func (k *reshapeKernel) source(elem int) int { return elem }

func (k *reshapeKernel) Eval() error {
	// The rule source(i) = i for every element is one buffer copy.
	copy(k.out.Data, k.in.Data)
	return nil
}

func (k *reshapeKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	src := k.source(elem)
	if c != nil {
		recordMove(c, 0, k.in, src, "output[%d] (shape %v) = input[%d] (shape %v)", elem, k.out.Shape, src, k.in.Shape)
	}
	return nil
}

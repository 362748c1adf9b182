package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// packTypes are the dtypes PACK and UNPACK accept.
var packTypes = []tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64}

// optionAxis is the axis option of a PACK or UNPACK node.
func optionAxis(n *Node) int { return int(n.Options.Axis) }

// preparePack prepares a PACK node. PACK stacks its N inputs (all of one shape)
// along a new axis; UNPACK is its inverse, one output per position along an
// existing axis. With outer = the product of the dimensions before the axis and
// inner = the product of those after it (of the unstacked shape),
//
//	PACK:   output[o, i, r] = input_i[o, r]
//	UNPACK: output_i[o, r]  = input[o, i, r]
//
// Negative axes count from the end (of the output's rank for PACK, of the
// input's for UNPACK). Values are copied unchanged. Dtypes: float32, int8,
// int16, int32 (and int64).
func preparePack(n *Node) (Kernel, error) {
	out := firstOutput(n)
	if len(n.Inputs) == 0 || len(n.Inputs) > 127 {
		return nil, fmt.Errorf("%w: PACK needs 1 to 127 inputs, has %d", ErrMissingInput, len(n.Inputs))
	}
	in0 := n.Input(0)
	if err := checkDataType(n, in0, []*Tensor{out}, packTypes...); err != nil {
		return nil, err
	}
	if n.Options.ValuesCount != 0 && int(n.Options.ValuesCount) != len(n.Inputs) {
		return nil, fmt.Errorf("%w: PACK values_count %d with %d inputs", ErrBadShape, n.Options.ValuesCount, len(n.Inputs))
	}
	for i, in := range n.Inputs {
		if err := checkDataType(n, in, nil, in0.Type); err != nil {
			return nil, err
		}
		if !sameShape(in.Shape, in0.Shape) {
			return nil, fmt.Errorf("%w: PACK input %d shape %v differs from input 0 %v", ErrBadShape, i, in.Shape, in0.Shape)
		}
	}
	axis, err := normAxis(n, optionAxis(n), in0.Rank()+1)
	if err != nil {
		return nil, err
	}
	want := append(append(append([]int{}, in0.Shape[:axis]...), len(n.Inputs)), in0.Shape[axis:]...)
	if err := checkShape(n, out, want); err != nil {
		return nil, err
	}
	inner := NumElements(in0.Shape[axis:])
	count := len(n.Inputs)
	build := func(k *moveKernel) error {
		src, from := k.src[0], k.from[0]
		for e := range src {
			r := e % inner
			i := (e / inner) % count
			o := e / (inner * count)
			src[e], from[e] = int32(o*inner+r), int8(i)
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, fmt.Sprintf("pack along axis %d", axis), build)
}

// prepareUnpack prepares an UNPACK node, PACK's inverse (see preparePack).
func prepareUnpack(n *Node) (Kernel, error) {
	in := n.Input(0)
	if len(n.Outputs) == 0 {
		return nil, fmt.Errorf("%w: UNPACK has no outputs", ErrMissingInput)
	}
	if err := checkDataType(n, in, n.Outputs, packTypes...); err != nil {
		return nil, err
	}
	axis, err := normAxis(n, optionAxis(n), in.Rank())
	if err != nil {
		return nil, err
	}
	count := in.Shape[axis]
	if count != len(n.Outputs) || (n.Options.Num != 0 && int(n.Options.Num) != count) {
		return nil, fmt.Errorf("%w: UNPACK of %d slices along axis %d into %d outputs", ErrBadShape, count, axis, len(n.Outputs))
	}
	want := append(append([]int{}, in.Shape[:axis]...), in.Shape[axis+1:]...)
	for _, out := range n.Outputs {
		if err := checkShape(n, out, want); err != nil {
			return nil, err
		}
	}
	inner := NumElements(in.Shape[axis+1:])
	build := func(k *moveKernel) error {
		for i := range k.src {
			src, from := k.src[i], k.from[i]
			for e := range src {
				o, r := e/inner, e%inner
				src[e], from[e] = int32((o*count+i)*inner+r), 0
			}
		}
		return nil
	}
	return newMoveKernel(n, n.Outputs, fmt.Sprintf("unpack along axis %d", axis), build)
}

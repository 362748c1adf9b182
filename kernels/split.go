package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// splitTypes are the dtypes SPLIT and SPLIT_V accept.
var splitTypes = []tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32}

// prepareSplit prepares SPLIT and SPLIT_V nodes. SPLIT and SPLIT_V cut their
// input along one axis into consecutive pieces, one per output: with the
// outputs' extents a_0, a_1, … along the axis (SPLIT: num_splits equal pieces;
// SPLIT_V: the constant size_splits, one of them possibly −1 for "the rest"),
// outer = product of the dimensions before the axis and inner = product of
// those after it,
//
//	output_k[o, j, r] = input[o, off_k + j, r],   off_k = a_0 + … + a_{k−1}
//
// Values are copied unchanged. The axis (SPLIT: input 0, SPLIT_V: input 2) must
// be a constant int32 tensor, as TFLite-Micro requires; negative axes count
// from the end. Dtypes: float32, int8, int16, int32.
func prepareSplit(n *Node) (Kernel, error) { return newSplit(n, splitTypes...) }

// newSplit prepares a SPLIT or SPLIT_V node whose data has one of types.
func newSplit(n *Node, types ...tflite.TensorType) (Kernel, error) {
	var in, axisT, sizes *Tensor
	if n.Op == tflite.OpSplit {
		axisT, in = n.Input(0), n.Input(1)
	} else {
		in, sizes, axisT = n.Input(0), n.Input(1), n.Input(2)
	}
	if len(n.Outputs) == 0 {
		return nil, fmt.Errorf("%w: %v has no outputs", ErrMissingInput, n.Op)
	}
	if err := checkDataType(n, in, n.Outputs, types...); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, axisT, "axis", false); err != nil {
		return nil, err
	}
	if !axisT.Const || axisT.NumElements() != 1 {
		return nil, fmt.Errorf("%w: %v axis must be one constant value", ErrNotConstant, n.Op)
	}
	rank := in.Rank()
	axis, err := normAxis(n, int(axisT.Int(0)), rank)
	if err != nil {
		return nil, err
	}
	if n.Op == tflite.OpSplit && n.Options.NumSplits != 0 && int(n.Options.NumSplits) != len(n.Outputs) {
		return nil, fmt.Errorf("%w: SPLIT num_splits %d with %d outputs", ErrBadShape, n.Options.NumSplits, len(n.Outputs))
	}
	extents := make([]int, len(n.Outputs))
	total := 0
	for k, out := range n.Outputs {
		if out.Rank() != rank {
			return nil, fmt.Errorf("%w: %v output %d has rank %d, input %d", ErrBadShape, n.Op, k, out.Rank(), rank)
		}
		for d := range rank {
			if d != axis && out.Shape[d] != in.Shape[d] {
				return nil, fmt.Errorf("%w: %v output %d shape %v does not fit input %v", ErrBadShape, n.Op, k, out.Shape, in.Shape)
			}
		}
		extents[k] = out.Shape[axis]
		total += extents[k]
	}
	if total != in.Shape[axis] {
		return nil, fmt.Errorf("%w: %v outputs sum to %d along axis %d, input has %d", ErrBadShape, n.Op, total, axis, in.Shape[axis])
	}
	if n.Op == tflite.OpSplit {
		for _, ext := range extents {
			if ext*len(n.Outputs) != in.Shape[axis] {
				return nil, fmt.Errorf("%w: SPLIT of %d into %d equal pieces, output extents %v", ErrBadShape, in.Shape[axis], len(n.Outputs), extents)
			}
		}
	}
	if sizes != nil && sizes.Const && sizes.NumElements() == len(extents) {
		for k := range extents {
			if s := int(sizes.Int(k)); s != -1 && s != extents[k] {
				return nil, fmt.Errorf("%w: SPLIT_V size_splits[%d] = %d, output %d has %d", ErrBadShape, k, s, k, extents[k])
			}
		}
	}
	inner := 1
	for _, d := range in.Shape[axis+1:] {
		inner *= d
	}
	dataPos := int8(0)
	if n.Op == tflite.OpSplit {
		dataPos = 1
	}
	build := func(k *moveKernel) error {
		off := 0
		for o, ext := range extents {
			chunk := ext * inner
			whole := in.Shape[axis] * inner
			src, from := k.src[o], k.from[o]
			for e := range src {
				if chunk == 0 {
					break
				}
				outer, r := e/chunk, e%chunk
				src[e], from[e] = int32(outer*whole+off*inner+r), dataPos
			}
			off += ext
		}
		return nil
	}
	return newMoveKernel(n, n.Outputs, fmt.Sprintf("split along axis %d", axis), build)
}

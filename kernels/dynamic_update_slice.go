package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// dynamicUpdateSliceTypes are the dtypes DYNAMIC_UPDATE_SLICE accepts.
var dynamicUpdateSliceTypes = []tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32}

// dynamicUpdateSliceMaxRank is the largest rank DYNAMIC_UPDATE_SLICE accepts.
const dynamicUpdateSliceMaxRank = 6

// prepareDynamicUpdateSlice prepares a DYNAMIC_UPDATE_SLICE node.
// DYNAMIC_UPDATE_SLICE writes the update tensor (input 1) into a copy of the
// operand (input 0) at the start indices (input 2, int32 or int64, one per
// axis, read when the operator runs), each clamped so the update fits:
//
//	s_d = min(max(start_d, 0), N_d − U_d)
//	output[c] = update[c − s]  when s_d ≤ c_d < s_d + U_d on every axis,
//	            operand[c]     otherwise
//
// (when operand and update have the same number of elements the output is
// the update, as in TFLite-Micro). Ranks up to 6. Dtypes: float32, int8,
// int16, int32.
func prepareDynamicUpdateSlice(n *Node) (Kernel, error) {
	operand, update, start, out := n.Input(0), n.Input(1), n.Input(2), firstOutput(n)
	if err := checkDataType(n, operand, []*Tensor{out}, dynamicUpdateSliceTypes...); err != nil {
		return nil, err
	}
	if err := checkDataType(n, update, nil, operand.Type); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, start, "start_indices", true); err != nil {
		return nil, err
	}
	rank := operand.Rank()
	if rank > dynamicUpdateSliceMaxRank || update.Rank() != rank || start.Rank() != 1 || start.NumElements() != rank {
		return nil, fmt.Errorf("%w: DYNAMIC_UPDATE_SLICE of %v by %v at %v (ranks up to %d)", ErrBadShape, operand.Shape, update.Shape, start.Shape, dynamicUpdateSliceMaxRank)
	}
	for d := range rank {
		if update.Shape[d] > operand.Shape[d] {
			return nil, fmt.Errorf("%w: DYNAMIC_UPDATE_SLICE update %v larger than operand %v", ErrBadShape, update.Shape, operand.Shape)
		}
	}
	if err := checkShape(n, out, operand.Shape); err != nil {
		return nil, err
	}
	whole := operand.NumElements() == update.NumElements()
	upStrides := stridesOf(update.Shape)
	build := func(k *moveKernel) error {
		var s [moveMaxRank]int
		for d := range rank {
			s[d] = int(min(max(start.Int(d), 0), int64(operand.Shape[d]-update.Shape[d])))
		}
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			inside, u := true, 0
			for d := range rank {
				c := coord[d] - s[d]
				if c < 0 || c >= update.Shape[d] {
					inside = false
					break
				}
				u += c * upStrides[d]
			}
			switch {
			case whole:
				src[e], from[e] = int32(e), 1
			case inside:
				src[e], from[e] = int32(u), 1
			default:
				src[e], from[e] = int32(e), 0
			}
			nextCoord(&coord, out.Shape)
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, "dynamic update slice (input 1 = update, input 0 = operand)", build, start)
}

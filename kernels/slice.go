package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// sliceTypes are the dtypes SLICE accepts.
var sliceTypes = []tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeBool}

// sliceMaxRank is the largest rank SLICE accepts.
const sliceMaxRank = 5

// prepareSlice prepares a SLICE node. SLICE copies a box of its input: with
// begin b_d and size s_d per axis (int32 or int64 tensors; s_d = −1 means "to
// the end", N_d − b_d),
//
//	output[c_0, …, c_{n−1}] = input[b_0 + c_0, …, b_{n−1} + c_{n−1}]
//
// The box must lie inside the input and match the output shape. begin and
// size are read when the operator runs, as TFLite-Micro does, so run-time
// values are accepted (checked at every Eval). Ranks up to 5.
// Dtypes: float32, int8, int16, int32, bool.
func prepareSlice(n *Node) (Kernel, error) {
	in, begin, size, out := n.Input(0), n.Input(1), n.Input(2), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, sliceTypes...); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, begin, "begin", true); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, size, "size", true); err != nil {
		return nil, err
	}
	rank := in.Rank()
	if rank > sliceMaxRank || begin.NumElements() != rank || size.NumElements() != rank || out.Rank() != rank {
		return nil, fmt.Errorf("%w: SLICE of a rank-%d input with begin %v, size %v to rank %d (ranks up to %d)", ErrBadShape, rank, begin.Shape, size.Shape, out.Rank(), sliceMaxRank)
	}
	build := func(k *moveKernel) error {
		var b [moveMaxRank]int
		for d := range rank {
			b[d] = int(begin.Int(d))
			s := int(size.Int(d))
			if s == -1 {
				s = in.Shape[d] - b[d]
			}
			if b[d] < 0 || s < 0 || b[d]+s > in.Shape[d] || s != out.Shape[d] {
				return fmt.Errorf("%w: SLICE axis %d: begin %d size %d of an input dimension %d into an output dimension %d", ErrBadShape, d, b[d], size.Int(d), in.Shape[d], out.Shape[d])
			}
		}
		inStrides := stridesOf(in.Shape)
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			x := 0
			for d := range rank {
				x += (b[d] + coord[d]) * inStrides[d]
			}
			src[e], from[e] = int32(x), 0
			nextCoord(&coord, out.Shape)
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, "slice", build, begin, size)
}

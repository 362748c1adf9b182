package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// transposeMaxRank is the largest rank TRANSPOSE accepts.
const transposeMaxRank = 6

// prepareTranspose prepares a TRANSPOSE node. TRANSPOSE permutes the dimensions
// of its input: with perm the constant or run-time int32 permutation (input 1)
// and n the rank,
//
//	output.shape[i] = input.shape[perm[i]]
//	output[c_0, …, c_{n−1}] = input[x]  where x[perm[i]] = c_i
//
// Values are copied unchanged (input and output share quantization). Perm is
// read when the operator runs, as TFLite-Micro does, so a non-constant perm
// is accepted and checked at every Eval. Ranks up to 6 (TFLite-Micro's limit).
// Dtypes: float32, int8, int16, int32.
func prepareTranspose(n *Node) (Kernel, error) {
	return newTranspose(n, tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32)
}

// newTranspose prepares a TRANSPOSE node whose data has one of types.
func newTranspose(n *Node, types ...tflite.TensorType) (Kernel, error) {
	in, perm, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, types...); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, perm, "perm", false); err != nil {
		return nil, err
	}
	rank := in.Rank()
	if rank > transposeMaxRank || perm.NumElements() != rank || out.Rank() != rank {
		return nil, fmt.Errorf("%w: TRANSPOSE of rank %d with perm %v to rank %d (ranks up to %d)", ErrBadShape, rank, perm.Shape, out.Rank(), transposeMaxRank)
	}
	build := func(k *moveKernel) error {
		var p [moveMaxRank]int
		var seen [moveMaxRank]bool
		for i := range rank {
			p[i] = int(perm.Int(i))
			if p[i] < 0 || p[i] >= rank || seen[p[i]] {
				return fmt.Errorf("%w: TRANSPOSE perm is not a permutation of 0..%d", ErrRuntime, rank-1)
			}
			seen[p[i]] = true
			if out.Shape[i] != in.Shape[p[i]] {
				return fmt.Errorf("%w: TRANSPOSE output dimension %d is %d, input dimension perm[%d]=%d is %d", ErrBadShape, i, out.Shape[i], i, p[i], in.Shape[p[i]])
			}
		}
		inStrides := stridesOf(in.Shape)
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			x := 0
			for i := range rank {
				x += coord[i] * inStrides[p[i]]
			}
			src[e], from[e] = int32(x), 0
			nextCoord(&coord, out.Shape)
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, "transpose", build, perm)
}

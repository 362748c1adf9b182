package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// gatherNdMaxIndices is the largest index depth nd GATHER_ND accepts.
const gatherNdMaxIndices = 5

// prepareGatherNd prepares a GATHER_ND node. GATHER_ND picks slices of its
// input (params) by multi-dimensional index: with indices of shape [I…, nd]
// (int32, read when the operator runs) and stride_j the row-major stride of
// params axis j,
//
//	slice = product of params dims from nd
//	from_i = Σ_{j<nd} indices[i·nd + j] · stride_j
//	output[i·slice + r] = params[from_i + r]
//
// so the output shape is indices.shape[:-1] + params.shape[nd:]. A slice that
// would read outside params fails the Eval (TFLite-Micro's bound check is on
// from_i, not per index). nd is at most 5. Dtypes: float32, int8.
func prepareGatherNd(n *Node) (Kernel, error) {
	params, idx, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkDataType(n, params, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, idx, "indices", false); err != nil {
		return nil, err
	}
	if params.Rank() < 1 || idx.Rank() < 1 {
		return nil, fmt.Errorf("%w: GATHER_ND params and indices must be at least vectors", ErrBadShape)
	}
	nd := idx.Shape[idx.Rank()-1]
	if nd > params.Rank() || nd > gatherNdMaxIndices {
		return nil, fmt.Errorf("%w: GATHER_ND index depth %d for params of rank %d (at most %d)", ErrBadShape, nd, params.Rank(), gatherNdMaxIndices)
	}
	want := append(append([]int{}, idx.Shape[:idx.Rank()-1]...), params.Shape[nd:]...)
	if err := checkShape(n, out, want); err != nil {
		return nil, err
	}
	slice := NumElements(params.Shape[nd:])
	total := params.NumElements()
	strides := stridesOf(params.Shape)
	build := func(k *moveKernel) error {
		src, from := k.src[0], k.from[0]
		for e := range src {
			i, r := e/slice, e%slice
			pos := 0
			for j := range nd {
				pos += int(idx.Int(i*nd+j)) * strides[j]
			}
			if pos < 0 || pos+slice > total {
				return fmt.Errorf("%w: GATHER_ND index %d reads outside params %v", ErrRuntime, i, params.Shape)
			}
			src[e], from[e] = int32(pos+r), 0
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, fmt.Sprintf("gather_nd (index depth %d)", nd), build, idx)
}

package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// prepareGather prepares a GATHER node. GATHER picks slices of its input along
// one axis by index (input 1, int32, read when the operator runs): with
// batch_dims b, axis a (negatives count from the end), indices of shape
// [B_0…B_{b−1}, I…],
//
//	batch = product of input dims [0, b), outer = product of dims [b, a),
//	inner = product of dims after a, coords = product of index dims from b
//	output[((batch·outer_size + o)·coords + j)·inner + r]
//	    = input[((batch·outer_size + o)·N_a + indices[batch·coords + j])·inner + r]
//
// so the output shape is input[:a] + indices[b:] + input[a+1:]. An index
// outside [0, N_a) fails the Eval, as in TFLite-Micro. Dtypes: float32, int8
// (TFLite-Micro's list).
func prepareGather(n *Node) (Kernel, error) {
	in, idx, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, idx, "indices", false); err != nil {
		return nil, err
	}
	axis, err := normAxis(n, optionAxis(n), in.Rank())
	if err != nil {
		return nil, err
	}
	batchDims := 0
	batchDims = int(n.Options.BatchDims)
	if batchDims < 0 {
		batchDims += idx.Rank()
	}
	if batchDims < 0 || batchDims > axis || batchDims >= in.Rank() || batchDims > idx.Rank() {
		return nil, fmt.Errorf("%w: GATHER batch_dims %d with axis %d, input rank %d, indices rank %d", ErrBadShape, batchDims, axis, in.Rank(), idx.Rank())
	}
	for d := range batchDims {
		if in.Shape[d] != idx.Shape[d] {
			return nil, fmt.Errorf("%w: GATHER batch dimension %d: input %d, indices %d", ErrBadShape, d, in.Shape[d], idx.Shape[d])
		}
	}
	want := append(append(append([]int{}, in.Shape[:axis]...), idx.Shape[batchDims:]...), in.Shape[axis+1:]...)
	if err := checkShape(n, out, want); err != nil {
		return nil, err
	}
	outerSize := NumElements(in.Shape[batchDims:axis])
	inner := NumElements(in.Shape[axis+1:])
	coords := NumElements(idx.Shape[batchDims:])
	axisSize := in.Shape[axis]
	build := func(k *moveKernel) error {
		src, from := k.src[0], k.from[0]
		for e := range src {
			r, t := e%inner, e/inner
			j, t := t%coords, t/coords
			o, batch := t%outerSize, t/outerSize
			v := int(idx.Int(batch*coords + j))
			if v < 0 || v >= axisSize {
				return fmt.Errorf("%w: GATHER index %d outside [0, %d)", ErrRuntime, v, axisSize)
			}
			src[e], from[e] = int32(((batch*outerSize+o)*axisSize+v)*inner+r), 0
		}
		return nil
	}
	k, err := newMoveKernel(n, []*Tensor{out}, fmt.Sprintf("gather along axis %d (batch_dims %d)", axis, batchDims), build, idx)
	if err != nil {
		return nil, err
	}
	k.explainDecision = func(_, elem int, c *Chain) {
		t := elem / inner
		j, batch := t%coords, t/(coords*outerSize)
		at := batch*coords + j
		c.addSources(Source{Input: 1, Element: at})
		c.Add("index", idx.Int(at), "the index that picks the slice", "indices[%d] = %d", at, idx.Int(at))
	}
	return k, nil
}

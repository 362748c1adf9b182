package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// concatMaxInputs is TFLite-Micro's kMaxInputNum.
const concatMaxInputs = 10

// concatKernel is a prepared CONCATENATION node. CONCATENATION joins its inputs
// along one axis (negative axes count from the end of the output's rank):
//
//	outer  = product of the output dimensions before the axis
//	inner  = product of the dimensions after it
//	chunk_k = axis_dim_k · inner        (elements of input k per outer step)
//	output[o·Σchunk + off_k + r] = input_k[o·chunk_k + r],  0 ≤ r < chunk_k
//
// with off_k the sum of the chunks of the inputs before k. Values are copied
// unchanged: TFLite-Micro requires an int8 concatenation's inputs to share the
// output's scale and zero point (Prepare refuses others) and no fused
// activation. Dtypes: float32, int8, int16, int32, int64.
type concatKernel struct {
	n      *Node
	out    *Tensor
	ins    []*Tensor
	axis   int
	chunks []int // chunk_k
	total  int   // Σ chunk_k
	size   int   // bytes per element
}

// prepareConcatenation prepares a CONCATENATION node (see concatKernel for the
// formula).
func prepareConcatenation(n *Node) (Kernel, error) { return newConcatenation(n, false) }

// newConcatenation prepares the kernel. rawCopy is the XNNPACK delegate's
// form: uint8 data too, and no quantization check at all — its Copy
// operators move the bytes even when an input's scale or zero point differs
// from the output's (a bug of this XNNPACK build: the result of its
// quantization-equality check is ignored), where TFLite would requantize.
func newConcatenation(n *Node, rawCopy bool) (Kernel, error) {
	if len(n.Outputs) == 0 || n.Outputs[0] == nil || len(n.Inputs) == 0 {
		return nil, fmt.Errorf("%w: CONCATENATION needs inputs and an output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if len(n.Inputs) > concatMaxInputs {
		return nil, fmt.Errorf("%w: CONCATENATION of %d inputs (TFLite-Micro takes at most %d)", ErrBadShape, len(n.Inputs), concatMaxInputs)
	}
	switch out.Type {
	case tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeInt64:
	case tflite.TypeUint8:
		if !rawCopy {
			return nil, fmt.Errorf("%w: CONCATENATION of %v", ErrUnsupportedType, out.Type)
		}
	default:
		return nil, fmt.Errorf("%w: CONCATENATION of %v", ErrUnsupportedType, out.Type)
	}
	if n.Options.Activation != tflite.ActNone {
		return nil, fmt.Errorf("%w: CONCATENATION with fused activation %v (TFLite-Micro requires NONE)", ErrUnsupportedOp, n.Options.Activation)
	}
	axis := int(n.Options.Axis)
	rank := out.Rank()
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return nil, fmt.Errorf("%w: CONCATENATION axis %d of a rank-%d output", ErrBadShape, axis, rank)
	}
	k := &concatKernel{n: n, out: out, ins: n.Inputs, axis: axis, size: out.Type.Size()}
	inner := 1
	for _, d := range out.Shape[axis+1:] {
		inner *= d
	}
	axisSum := 0
	for i, in := range n.Inputs {
		if in == nil {
			return nil, fmt.Errorf("%w: CONCATENATION input %d", ErrMissingInput, i)
		}
		if err := checkMovable(n, in, out); err != nil {
			return nil, err
		}
		if in.Rank() != rank {
			return nil, fmt.Errorf("%w: CONCATENATION input %d has rank %d, output %d", ErrBadShape, i, in.Rank(), rank)
		}
		for d := range rank {
			if d != axis && in.Shape[d] != out.Shape[d] {
				return nil, fmt.Errorf("%w: CONCATENATION input %d shape %v does not fit output %v", ErrBadShape, i, in.Shape, out.Shape)
			}
		}
		if !rawCopy && out.Type == tflite.TypeInt8 && (in.Scale0() != out.Scale0() || in.ZP0() != out.ZP0()) {
			return nil, fmt.Errorf("%w: CONCATENATION int8 input %d (scale %g, zero point %d) differs from the output (%g, %d); TFLite-Micro does not rescale",
				ErrBadQuantization, i, in.Scale0(), in.ZP0(), out.Scale0(), out.ZP0())
		}
		axisSum += in.Shape[axis]
		k.chunks = append(k.chunks, in.Shape[axis]*inner)
	}
	if axisSum != out.Shape[axis] {
		return nil, fmt.Errorf("%w: CONCATENATION inputs sum to %d along axis %d, output has %d", ErrBadShape, axisSum, axis, out.Shape[axis])
	}
	k.total = out.Shape[axis] * inner
	return k, nil
}

// source is the per-element rule shared by Eval and Explain: the input
// position and flat element index output element elem is copied from.
func (k *concatKernel) source(elem int) (input, index int) {
	if k.total == 0 {
		return 0, 0
	}
	o, r := elem/k.total, elem%k.total
	for i, chunk := range k.chunks {
		if r < chunk {
			return i, o*chunk + r
		}
		r -= chunk
	}
	return len(k.chunks) - 1, 0 // unreachable: the chunks sum to total
}

func (k *concatKernel) Eval() error {
	for e := range k.out.NumElements() {
		i, idx := k.source(e)
		copyElement(k.out, e, k.ins[i], idx, k.size)
	}
	return nil
}

func (k *concatKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	i, idx := k.source(elem)
	if c != nil {
		recordMove(c, i, k.ins[i], idx, "axis %d: output[%d] = input%d[%d]", k.axis, elem, i, idx)
	}
	return nil
}

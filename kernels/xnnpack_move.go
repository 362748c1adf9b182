package kernels

import (
	"github.com/tflq/tflq-trace/tflite"
)

// The XNNPACK delegate's data-movement operators: CONCATENATION (Copy NC
// X8 per input), SPLIT (Copy), TRANSPOSE (Transpose ND), DEPTH_TO_SPACE
// (Depth To Space NHWC) and PAD (Constant Pad ND). They move bytes and never
// requantize, so each reuses the project's move kernel for its operator; what
// is XNNPACK's own is which nodes it takes, uint8 data, and how it treats
// quantization: PAD and DEPTH_TO_SPACE fail to build (ErrDelegateFallback)
// when the output's quantization differs from the input's, CONCATENATION
// and SPLIT copy the bytes whatever the quantization (this build ignores
// the result of XNNPACK's quantization check), and TRANSPOSE checks no
// types at all (a tensor XNNPACK cannot hold fails the build).

// xnnQ8Types are the dtypes of the delegate's 8-bit data-movement kernels.
var xnnQ8Types = []tflite.TensorType{tflite.TypeInt8, tflite.TypeUint8}

// prepareConcatenationXNNPACK prepares a CONCATENATION node the XNNPACK
// delegate takes: 2 to 4 per-tensor 8-bit inputs of the output's rank whose
// dimensions match the output's except along the axis, which they sum to.
// The bytes are copied even when an input's scale or zero point differs
// from the output's (uint8: TFLite's builtin would requantize; int8 with
// different quantization never gets here, TFLite's Prepare refuses it).
func prepareConcatenationXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) < 2 || len(n.Inputs) > 4 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs (wants 2 to 4 inputs, 1 output)", len(n.Inputs), len(n.Outputs))
	}
	out := n.Outputs[0]
	if !xnnQ8(out) {
		return nil, xnnNotTaken(n, "output is not a per-tensor int8/uint8 tensor")
	}
	axis := int(n.Options.Axis)
	if axis < 0 {
		axis += out.Rank()
	}
	if axis < 0 || axis >= out.Rank() {
		return nil, xnnNotTaken(n, "axis %d of a rank-%d output", n.Options.Axis, out.Rank())
	}
	sum := 0
	for i, in := range n.Inputs {
		if !xnnQ8(in) || in.Rank() != out.Rank() {
			return nil, xnnNotTaken(n, "input %d is not a per-tensor int8/uint8 tensor of the output's rank", i)
		}
		for d := range out.Rank() {
			if d != axis && in.Shape[d] != out.Shape[d] {
				return nil, xnnNotTaken(n, "input %d shape %v does not fit output %v", i, in.Shape, out.Shape)
			}
		}
		sum += in.Shape[axis]
	}
	if sum != out.Shape[axis] {
		return nil, xnnNotTaken(n, "inputs sum to %d along axis %d, output has %d", sum, axis, out.Shape[axis])
	}
	if err := xnnDefineTensors(n, append(append([]*Tensor(nil), n.Inputs...), out)...); err != nil {
		return nil, err
	}
	for i, in := range n.Inputs {
		if in.Type != out.Type {
			return nil, xnnFallback(n, "input %d is %v, output %v", i, in.Type, out.Type)
		}
	}
	return newConcatenation(n, concatRawCopy)
}

// prepareSplitXNNPACK prepares a SPLIT node the XNNPACK delegate takes: a
// constant int32 split axis, a per-tensor 8-bit input split evenly into 2
// to 4 outputs of its type (num_splits outputs). Bytes are copied, whatever
// the outputs' quantization.
func prepareSplitXNNPACK(n *Node) (Kernel, error) {
	if n.Op != tflite.OpSplit {
		return nil, xnnNotTaken(n, "not SPLIT")
	}
	if len(n.Inputs) != 2 || len(n.Outputs) < 2 || len(n.Outputs) > 4 || int(n.Options.NumSplits) != len(n.Outputs) {
		return nil, xnnNotTaken(n, "%d inputs, %d outputs, num_splits %d (wants 2 inputs, 2 to 4 outputs)", len(n.Inputs), len(n.Outputs), n.Options.NumSplits)
	}
	axisT, in := n.Inputs[0], n.Inputs[1]
	if axisT == nil || axisT.Type != tflite.TypeInt32 || !axisT.Const || axisT.NumElements() < 1 {
		return nil, xnnNotTaken(n, "split axis is not a constant int32")
	}
	if !xnnQ8(in) {
		return nil, xnnNotTaken(n, "input is not a per-tensor int8/uint8 tensor")
	}
	axis := int(axisT.Int32()[0])
	if axis < 0 {
		axis += in.Rank()
	}
	if axis < 0 || axis >= in.Rank() || in.Shape[axis]%len(n.Outputs) != 0 {
		return nil, xnnNotTaken(n, "axis %d of %v does not split evenly into %d", axisT.Int32()[0], in.Shape, len(n.Outputs))
	}
	for i, out := range n.Outputs {
		if !xnnQ8(out) || out.Rank() != in.Rank() {
			return nil, xnnNotTaken(n, "output %d is not a per-tensor int8/uint8 tensor of the input's rank", i)
		}
		for d := range in.Rank() {
			want := in.Shape[d]
			if d == axis {
				want /= len(n.Outputs)
			}
			if out.Shape[d] != want {
				return nil, xnnNotTaken(n, "output %d shape %v", i, out.Shape)
			}
		}
	}
	if err := xnnDefineTensors(n, append([]*Tensor{in}, n.Outputs...)...); err != nil {
		return nil, err
	}
	return newSplit(n, xnnQ8Types...)
}

// prepareTransposeXNNPACK prepares a TRANSPOSE node the XNNPACK delegate
// takes: any node with a constant permutation (the delegate checks no
// dtype). A tensor XNNPACK cannot hold (int16, unquantized int32, ...) or
// a rank above 6 makes the delegate fail to build (ErrDelegateFallback).
func prepareTransposeXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) != 2 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, perm, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if perm == nil || !perm.Const || perm.Type != tflite.TypeInt32 {
		return nil, xnnNotTaken(n, "permutation is not a constant int32 tensor")
	}
	if err := xnnDefineTensors(n, in, out); err != nil {
		return nil, err
	}
	if in.Rank() > xnnMaxRank {
		return nil, xnnFallback(n, "rank %d above %d", in.Rank(), xnnMaxRank)
	}
	return newTranspose(n, tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeUint8)
}

// prepareDepthToSpaceXNNPACK prepares a DEPTH_TO_SPACE node the XNNPACK
// delegate takes: per-tensor 8-bit input and output, block size above 1.
// The output must have the input's quantization and be 4-D (else the
// delegate fails to build).
func prepareDepthToSpaceXNNPACK(n *Node) (Kernel, error) {
	if n.Op != tflite.OpDepthToSpace {
		return nil, xnnNotTaken(n, "not DEPTH_TO_SPACE")
	}
	if len(n.Inputs) != 1 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if !xnnQ8(in) || !xnnQ8(out) {
		return nil, xnnNotTaken(n, "input and output are not per-tensor int8/uint8 tensors")
	}
	if n.Options.BlockSize <= 1 {
		return nil, xnnNotTaken(n, "block size %d", n.Options.BlockSize)
	}
	if err := xnnDefineTensors(n, in, out); err != nil {
		return nil, err
	}
	if in.Type != out.Type || in.Rank() != 4 {
		return nil, xnnFallback(n, "input %v %v, output %v", in.Type, in.Shape, out.Type)
	}
	if err := xnnSameQuantization(n, in, out); err != nil {
		return nil, err
	}
	return newSpaceDepth(n, xnnQ8Types...)
}

// preparePadXNNPACK prepares a PAD node the XNNPACK delegate takes: a
// per-tensor 8-bit input of rank 1 to 6, constant non-negative int32
// paddings of shape [rank, 2], an output of rank 1 to 6. The pad value is
// XNNPACK's quantization of 0.0, lrintf(0/s_out + zp_out) = zp_out. The
// output must have the input's quantization (else the delegate fails to
// build).
func preparePadXNNPACK(n *Node) (Kernel, error) {
	if n.Op != tflite.OpPad {
		return nil, xnnNotTaken(n, "not PAD")
	}
	if len(n.Inputs) != 2 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, pads, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	switch {
	case !xnnQ8(in) || !xnnShape(in, 1, xnnMaxRank):
		return nil, xnnNotTaken(n, "input is not a per-tensor int8/uint8 tensor of rank 1 to 6")
	case pads == nil || pads.Type != tflite.TypeInt32 || pads.Rank() != 2 || pads.Shape[0] != in.Rank() || pads.Shape[1] != 2 || !pads.Const:
		return nil, xnnNotTaken(n, "paddings are not a constant int32 [%d, 2] tensor", in.Rank())
	case !xnnQ8(out) || !xnnShape(out, 1, xnnMaxRank):
		return nil, xnnNotTaken(n, "output is not a per-tensor int8/uint8 tensor of rank 1 to 6")
	}
	for _, p := range pads.Int32() {
		if p < 0 {
			return nil, xnnNotTaken(n, "negative padding %d", p)
		}
	}
	if err := xnnUnrequantizedDefine(n, in, out); err != nil {
		return nil, err
	}
	k, err := newPad(n, true)
	if err != nil {
		return nil, err
	}
	k.padSource = "XNNPACK's quantization of 0.0: lrintf(0/s_out + zp_out) = zp_out"
	return k, nil
}

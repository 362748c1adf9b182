package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// mirrorIndex maps output coordinate p of an axis to its input coordinate.
func mirrorIndex(p, left, size, offset int) int {
	if p < left {
		orig := left + offset - 1
		return orig - min(p, orig-offset)
	}
	p -= left
	if p >= size {
		p -= size
		orig := size - 1 - offset
		return orig - min(p, orig)
	}
	return p
}

// prepareMirrorPad prepares a MIRROR_PAD node. MIRROR_PAD pads each axis with a
// mirror image of the input, as TFLite-Micro's GetInputDimension does. With
// offset = 1 for REFLECT (the edge is not repeated) and 0 for SYMMETRIC (it
// is), left/right the paddings of an axis of size N, an output coordinate p
// maps to the input coordinate
//
//	p < left:        (left + offset − 1) − min(p, left − 1)
//	p − left ≥ N:    q = p − left − N;  (N − 1 − offset) − min(q, N − 1 − offset)
//	otherwise:       p − left
//
// and output[p_0, …] = input[x_0, …]. The paddings (int32 or int64, shape
// [rank, 2]) are read when the operator runs; run-time values are checked
// at every Eval. Dtypes: float32, int8.
func prepareMirrorPad(n *Node) (Kernel, error) {
	in, pads, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, pads, "paddings", true); err != nil {
		return nil, err
	}
	rank := in.Rank()
	if pads.Rank() != 2 || pads.Shape[0] != rank || pads.Shape[1] != 2 || out.Rank() != rank {
		return nil, fmt.Errorf("%w: MIRROR_PAD paddings %v for a rank-%d input, output rank %d", ErrBadShape, pads.Shape, rank, out.Rank())
	}
	if err := requireOptions(n); err != nil {
		return nil, err // TFLite-Micro refuses a MIRROR_PAD without options too
	}
	offset := 1
	if n.Options.MirrorPadMode != tflite.MirrorPadReflect {
		offset = 0
	}
	inStrides := stridesOf(in.Shape)
	build := func(k *moveKernel) error {
		var left [moveMaxRank]int
		for d := range rank {
			l, r := int(pads.Int(2*d)), int(pads.Int(2*d+1))
			limit := in.Shape[d] - offset
			if l < 0 || r < 0 || l > limit || r > limit || l+in.Shape[d]+r != out.Shape[d] {
				return fmt.Errorf("%w: MIRROR_PAD pads axis %d of %v by (%d, %d) into %v", ErrBadShape, d, in.Shape, l, r, out.Shape)
			}
			left[d] = l
		}
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			x := 0
			for d := range rank {
				x += mirrorIndex(coord[d], left[d], in.Shape[d], offset) * inStrides[d]
			}
			src[e], from[e] = int32(x), 0
			nextCoord(&coord, out.Shape)
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, "mirror pad ("+n.Options.MirrorPadMode.String()+")", build, pads)
}

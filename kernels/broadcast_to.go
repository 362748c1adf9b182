package kernels

import (
	"fmt"
)

// broadcastToMaxRank is the largest output rank BROADCAST_TO accepts.
const broadcastToMaxRank = 5

// prepareBroadcastTo prepares a BROADCAST_TO node. BROADCAST_TO repeats its
// input to the constant shape of input 1 (int32 or int64) under numpy
// broadcasting: the input shape is right-aligned with the target and each input
// dimension must be 1 or equal to the target's, so
//
//	output[c_0, …, c_{n−1}] = input[x_…],  x_d = 0 where the input dimension is 1, c_d otherwise
//
// TFLite-Micro reads the shape in Prepare, so it must be constant; ranks up
// to 5. Values are copied unchanged. Dtypes: any fixed-size type.
func prepareBroadcastTo(n *Node) (Kernel, error) {
	in, shape, out := n.Input(0), n.Input(1), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, movableTypes...); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, shape, "shape", true); err != nil {
		return nil, err
	}
	if !shape.Const {
		return nil, fmt.Errorf("%w: BROADCAST_TO shape (TFLite-Micro reads it in Prepare)", ErrNotConstant)
	}
	target := constInts(shape)
	if shape.Rank() != 1 || len(target) > broadcastToMaxRank || in.Rank() > len(target) {
		return nil, fmt.Errorf("%w: BROADCAST_TO of %v to %v (ranks up to %d)", ErrBadShape, in.Shape, Shape(target), broadcastToMaxRank)
	}
	if err := checkShape(n, out, target); err != nil {
		return nil, err
	}
	ext := len(target) - in.Rank()
	var inStrides [moveMaxRank]int // per output axis, 0 where broadcast
	s := stridesOf(in.Shape)
	for d := range in.Rank() {
		if in.Shape[d] != 1 && in.Shape[d] != target[ext+d] {
			return nil, fmt.Errorf("%w: BROADCAST_TO cannot broadcast %v to %v", ErrBadShape, in.Shape, Shape(target))
		}
		if in.Shape[d] != 1 {
			inStrides[ext+d] = s[d]
		}
	}
	build := func(k *moveKernel) error {
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			x := 0
			for d := range target {
				x += coord[d] * inStrides[d]
			}
			src[e], from[e] = int32(x), 0
			nextCoord(&coord, out.Shape)
		}
		return nil
	}
	return newMoveKernel(n, []*Tensor{out}, fmt.Sprintf("broadcast %v to %v", in.Shape, Shape(target)), build)
}

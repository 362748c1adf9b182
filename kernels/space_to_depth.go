package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// prepareSpaceDepth prepares SPACE_TO_DEPTH and DEPTH_TO_SPACE nodes. The two
// operators move block_size × block_size spatial tiles into the channel
// dimension and back (NHWC, rank 4, block size bs):
//
//	SPACE_TO_DEPTH: output[b, h, w, d] = input[b, h·bs + (d / C_in) / bs,
//	                                             w·bs + (d / C_in) % bs, d % C_in]
//	DEPTH_TO_SPACE: output[b, h, w, d] = input[b, h / bs, w / bs,
//	                                             ((h % bs)·bs + w % bs)·C_out + d]
//
// (DEPTH_TO_SPACE in TensorFlow's DCR order). Values are copied unchanged.
// Dtypes: float32, int8.
func prepareSpaceDepth(n *Node) (Kernel, error) {
	return newSpaceDepth(n, tflite.TypeFloat32, tflite.TypeInt8)
}

// newSpaceDepth prepares a SPACE_TO_DEPTH or DEPTH_TO_SPACE node whose data
// has one of types.
func newSpaceDepth(n *Node, types ...tflite.TensorType) (Kernel, error) {
	in, out := n.Input(0), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, types...); err != nil {
		return nil, err
	}
	bs := 0
	bs = int(n.Options.BlockSize)
	if in.Rank() != 4 || bs < 1 {
		return nil, spaceDepthShapeError(n, in, bs)
	}
	b, h, w, c := in.Shape[0], in.Shape[1], in.Shape[2], in.Shape[3]
	toDepth := n.Op == tflite.OpSpaceToDepth
	var want []int
	if toDepth {
		if h%bs != 0 || w%bs != 0 {
			return nil, spaceDepthShapeError(n, in, bs)
		}
		want = []int{b, h / bs, w / bs, c * bs * bs}
	} else {
		if c%(bs*bs) != 0 {
			return nil, spaceDepthShapeError(n, in, bs)
		}
		want = []int{b, h * bs, w * bs, c / (bs * bs)}
	}
	if err := checkShape(n, out, want); err != nil {
		return nil, err
	}
	inStrides := stridesOf(in.Shape)
	build := func(k *moveKernel) error {
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			ob, oh, ow, od := coord[0], coord[1], coord[2], coord[3]
			var ih, iw, id int
			if toDepth {
				tile := od / c
				ih, iw, id = oh*bs+tile/bs, ow*bs+tile%bs, od%c
			} else {
				ih, iw, id = oh/bs, ow/bs, ((oh%bs)*bs+ow%bs)*out.Shape[3]+od
			}
			src[e] = int32(ob*inStrides[0] + ih*inStrides[1] + iw*inStrides[2] + id)
			from[e] = 0
			nextCoord(&coord, out.Shape)
		}
		return nil
	}
	word := "depth_to_space"
	if toDepth {
		word = "space_to_depth"
	}
	return newMoveKernel(n, []*Tensor{out}, fmt.Sprintf("%s (block %d)", word, bs), build)
}

func spaceDepthShapeError(n *Node, in *Tensor, bs int) error {
	return fmt.Errorf("%w: %v of %v with block size %d (needs rank 4, divisible dimensions)", ErrBadShape, n.Op, in.Shape, bs)
}

package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// prepareBatchSpace prepares SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND nodes. The
// two operators (rank 3 [N, H, C] or 4 [N, H, W, C]; rank 3 is treated as W = 1
// with block width 1) move spatial blocks of bh × bw (block_shape) into the
// batch and back. With crops / paddings (top, bottom, left, right) and N the
// smaller batch (SPACE_TO_BATCH input, BATCH_TO_SPACE output):
//
//	SPACE_TO_BATCH_ND: output[ob, oh, ow, c] = input[ob % N, ih, iw, c]
//	    s = ob / N, ih = oh·bh + s / bw − top, iw = ow·bw + s % bw − left,
//	    and 0 where (ih, iw) falls in the padding
//	BATCH_TO_SPACE_ND: output[b, oh, ow, c] = input[(rh·bw + rw)·N + b, ih, iw, c]
//	    ih, rh = (oh + top) / bh, (oh + top) % bh;  iw, rw = (ow + left) / bw, (ow + left) % bw
//
// The pad value is 0 whatever the zero point: TFLite-Micro never sets
// SpaceToBatchParams.output_offset (see the opzoo README). block_shape and
// crops/paddings (int32) are read when the operator runs; run-time values are
// checked at every Eval. Dtypes: float32, int8.
func prepareBatchSpace(n *Node) (Kernel, error) {
	in, block, pads, out := n.Input(0), n.Input(1), n.Input(2), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, block, "block_shape", false); err != nil {
		return nil, err
	}
	if err := checkIndexType(n, pads, "crops/paddings", false); err != nil {
		return nil, err
	}
	rank := in.Rank()
	if (rank != 3 && rank != 4) || out.Rank() != rank {
		return nil, fmt.Errorf("%w: %v of rank %d to rank %d (3 or 4)", ErrBadShape, n.Op, rank, out.Rank())
	}
	spatial := rank - 2
	if block.NumElements() != spatial || pads.NumElements() != 2*spatial {
		return nil, fmt.Errorf("%w: %v block_shape %v, crops/paddings %v for rank %d", ErrBadShape, n.Op, block.Shape, pads.Shape, rank)
	}
	toBatch := n.Op == tflite.OpSpaceToBatchNd
	// 4-D views: [N, H, W, C].
	view4 := func(s []int) [4]int {
		if len(s) == 3 {
			return [4]int{s[0], s[1], 1, s[2]}
		}
		return [4]int{s[0], s[1], s[2], s[3]}
	}
	is, os := view4(in.Shape), view4(out.Shape)
	build := func(k *moveKernel) error {
		bh, bw := int(block.Int(0)), 1
		top, left := int(pads.Int(0)), 0
		if spatial == 2 {
			bw, left = int(block.Int(1)), int(pads.Int(2))
		}
		bottom, right := int(pads.Int(1)), 0
		if spatial == 2 {
			right = int(pads.Int(3))
		}
		if bh < 1 || bw < 1 || top < 0 || left < 0 || bottom < 0 || right < 0 {
			return fmt.Errorf("%w: %v block %dx%d, crops/paddings (%d, %d, %d, %d)", ErrBadShape, n.Op, bh, bw, top, bottom, left, right)
		}
		var ok bool
		if toBatch {
			ok = os[0] == is[0]*bh*bw && os[1]*bh == is[1]+top+bottom && os[2]*bw == is[2]+left+right && os[3] == is[3]
		} else {
			ok = is[0] == os[0]*bh*bw && os[1] == is[1]*bh-top-bottom && os[2] == is[2]*bw-left-right && os[3] == is[3]
		}
		if !ok {
			return fmt.Errorf("%w: %v from %v to %v with block %dx%d, crops/paddings (%d, %d, %d, %d)", ErrBadShape, n.Op, in.Shape, out.Shape, bh, bw, top, bottom, left, right)
		}
		src, from := k.src[0], k.from[0]
		e := 0
		for ob := range os[0] {
			for oh := range os[1] {
				for ow := range os[2] {
					var ib, ih, iw int
					inside := true
					if toBatch {
						s := ob / is[0]
						ib, ih, iw = ob%is[0], oh*bh+s/bw-top, ow*bw+s%bw-left
						inside = ih >= 0 && ih < is[1] && iw >= 0 && iw < is[2]
					} else {
						h, w := oh+top, ow+left
						ih, iw = h/bh, w/bw
						ib = ((h%bh)*bw+w%bw)*os[0] + ob
					}
					base := ((ib*is[1]+ih)*is[2] + iw) * is[3]
					for c := range os[3] {
						if inside {
							src[e], from[e] = int32(base+c), 0
						} else {
							src[e], from[e] = 0, -1
						}
						e++
					}
				}
			}
		}
		return nil
	}
	word := "batch_to_space_nd"
	if toBatch {
		word = "space_to_batch_nd (pad value 0)"
	}
	return newMoveKernel(n, []*Tensor{out}, word, build, block, pads)
}

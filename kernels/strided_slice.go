package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// stridedSliceTypes are the dtypes STRIDED_SLICE accepts.
var stridedSliceTypes = []tflite.TensorType{tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16, tflite.TypeInt32, tflite.TypeBool}

// stridedSliceRank is the rank every STRIDED_SLICE input is extended to (and
// the largest it accepts).
const stridedSliceRank = 5

// stridedSliceAxis returns the start and stop of one (extended) axis.
func stridedSliceAxis(size, begin, end, stride int, beginMask, endMask, shrink, offset bool) (start, stop int) {
	clampAxis := func(v int) int {
		lo, hi := 0, size
		if stride < 0 {
			lo, hi = -1, size-1
		}
		return min(max(v, lo), hi)
	}
	start = begin
	if start < 0 {
		start += size
	}
	start = clampAxis(start)
	if beginMask {
		start = 0
		if stride < 0 {
			start = size - 1
		}
	}
	if shrink {
		if start >= size {
			return start, start
		}
		return start, start + 1
	}
	stop = end
	if offset {
		stop += start
	}
	if stop < 0 {
		stop += size
	}
	stop = clampAxis(stop)
	if endMask {
		stop = size
		if stride < 0 {
			stop = -1
		}
	}
	return start, stop
}

// prepareStridedSlice prepares a STRIDED_SLICE node. STRIDED_SLICE takes every
// stride-th element of a box of its input, per axis, as TFLite's reference
// StridedSlice (strided_slice_logic.h) does. The input is first extended to 5
// dimensions by leading axes with begin 0, end 1, stride 1 (and both mask bits
// set). Then, for each axis of size N with begin b, end e, stride s (s ≠ 0):
//
//	start = b (+N if b < 0), clamped to [0, N] (s > 0) or [−1, N−1] (s < 0);
//	        begin_mask bit set → 0 (s > 0) or N−1 (s < 0)
//	stop  = shrink_axis_mask bit set → start+1 (refused if start ≥ N:
//	        the axis is dropped, so the output cannot be empty);
//	        else e (+start if offset) (+N if < 0), clamped like start;
//	        end_mask bit set → N (s > 0) or −1 (s < 0)
//	indices: start, start+s, … while < stop (s > 0) or > stop (s < 0)
//
// and the output is the row-major product of the per-axis index lists, with
// the shrunk axes dropped from its shape. begin, end and strides must be
// constant int32 tensors (TFLite-Micro reads them in Prepare); ellipsis_mask
// and new_axis_mask must be 0 (TFLite-Micro ignores them). Ranks up to 5.
// Dtypes: float32, int8, int16, int32, bool.
func prepareStridedSlice(n *Node) (Kernel, error) {
	in, out := n.Input(0), firstOutput(n)
	if err := checkDataType(n, in, []*Tensor{out}, stridedSliceTypes...); err != nil {
		return nil, err
	}
	rank := in.Rank()
	if rank > stridedSliceRank {
		return nil, fmt.Errorf("%w: STRIDED_SLICE of rank %d (at most %d)", ErrBadShape, rank, stridedSliceRank)
	}
	var operands [3][]int
	for i, what := range []string{"begin", "end", "strides"} {
		t := n.Input(1 + i)
		if err := checkIndexType(n, t, what, false); err != nil {
			return nil, err
		}
		if !t.Const {
			return nil, fmt.Errorf("%w: STRIDED_SLICE %s must be constant (TFLite-Micro reads it in Prepare)", ErrNotConstant, what)
		}
		if t.NumElements() != rank {
			return nil, fmt.Errorf("%w: STRIDED_SLICE %s has %d values for a rank-%d input", ErrBadShape, what, t.NumElements(), rank)
		}
		operands[i] = constInts(t)
	}
	o := n.Options
	if o.EllipsisMask != 0 || o.NewAxisMask != 0 {
		return nil, fmt.Errorf("%w: STRIDED_SLICE ellipsis_mask %d / new_axis_mask %d (TFLite-Micro supports neither)", ErrUnsupportedOp, o.EllipsisMask, o.NewAxisMask)
	}
	// Extend to 5 axes.
	pad := stridedSliceRank - rank
	var shape, begin, end, stride [stridedSliceRank]int
	beginMask := int(o.BeginMask)<<pad | (1<<pad - 1)
	endMask := int(o.EndMask)<<pad | (1<<pad - 1)
	shrinkMask := int(o.ShrinkAxisMask) << pad
	for d := range stridedSliceRank {
		if d < pad {
			shape[d], begin[d], end[d], stride[d] = 1, 0, 1, 1
			continue
		}
		shape[d] = in.Shape[d-pad]
		begin[d], end[d], stride[d] = operands[0][d-pad], operands[1][d-pad], operands[2][d-pad]
		if stride[d] == 0 {
			return nil, fmt.Errorf("%w: STRIDED_SLICE stride of axis %d is 0", ErrBadShape, d-pad)
		}
	}
	var starts, counts [stridedSliceRank]int
	var wantShape []int
	for d := range stridedSliceRank {
		start, stop := stridedSliceAxis(shape[d], begin[d], end[d], stride[d],
			beginMask&(1<<d) != 0, endMask&(1<<d) != 0, shrinkMask&(1<<d) != 0, o.Offset)
		count := 0
		for i := start; (stride[d] > 0 && i < stop) || (stride[d] < 0 && i > stop); i += stride[d] {
			count++
		}
		starts[d], counts[d] = start, count
		if shrinkMask&(1<<d) != 0 && count == 0 {
			// A shrunk axis is dropped from the output's shape, which so
			// cannot say that the slice is empty: the output would name
			// elements the input does not have.
			return nil, fmt.Errorf("%w: STRIDED_SLICE shrinks axis %d of size %d at begin %d, outside the axis", ErrBadShape, d-pad, shape[d], begin[d])
		}
		if d >= pad && shrinkMask&(1<<d) == 0 {
			wantShape = append(wantShape, count)
		}
	}
	if err := checkShape(n, out, wantShape); err != nil {
		return nil, err
	}
	inStrides := stridesOf(shape[:])
	build := func(k *moveKernel) error {
		var ctr [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			x := 0
			for d := range stridedSliceRank {
				x += (starts[d] + ctr[d]*stride[d]) * inStrides[d]
			}
			src[e], from[e] = int32(x), 0
			nextCoord(&ctr, counts[:])
		}
		return nil
	}
	rule := fmt.Sprintf("strided slice begin %v end %v strides %v", Shape(operands[0]), Shape(operands[1]), Shape(operands[2]))
	return newMoveKernel(n, []*Tensor{out}, rule, build)
}

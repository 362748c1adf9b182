package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// selectMaxRank is the largest rank SELECT_V2 accepts.
const selectMaxRank = 5

// broadcastStridesTo returns, per axis of out (rank ≤ moveMaxRank), the
// stride of in's flat index, 0 where in is broadcast; in is right-aligned.
func broadcastStridesTo(in, out []int) (s [moveMaxRank]int, ok bool) {
	ext := len(out) - len(in)
	if ext < 0 {
		return s, false
	}
	st := stridesOf(in)
	for d := range in {
		switch in[d] {
		case out[ext+d]:
			if in[d] != 1 {
				s[ext+d] = st[d]
			}
		case 1:
		default:
			return s, false
		}
	}
	return s, true
}

// prepareSelect prepares a SELECT_V2 node. SELECT_V2 picks, element by element,
// from x (input 1) where the bool condition (input 0) is true and from y (input
// 2) where it is false, with numpy broadcasting of all three shapes
// (right-aligned, each dimension 1 or the common extent; up to 5 dimensions,
// TFLite-Micro's BroadcastSelect5DSlow):
//
//	output[c] = condition[c′] ? x[c″] : y[c‴]
//
// (c′, c″, c‴ = c with broadcast dimensions set to 0). Values are copied
// unchanged: x, y and the output share dtype and quantization. The condition is
// read when the operator runs (a run-time condition is accepted). Dtypes:
// float32, int8, int16.
func prepareSelect(n *Node) (Kernel, error) {
	cond, x, y, out := n.Input(0), n.Input(1), n.Input(2), firstOutput(n)
	if err := checkDataType(n, x, []*Tensor{out}, tflite.TypeFloat32, tflite.TypeInt8, tflite.TypeInt16); err != nil {
		return nil, err
	}
	if err := checkDataType(n, y, nil, x.Type); err != nil {
		return nil, err
	}
	if cond == nil || cond.Type != tflite.TypeBool {
		return nil, fmt.Errorf("%w: SELECT_V2 condition must be bool", ErrUnsupportedType)
	}
	// The broadcast shape of the three inputs.
	rank := max(cond.Rank(), x.Rank(), y.Rank())
	if rank > selectMaxRank {
		return nil, fmt.Errorf("%w: SELECT_V2 of rank %d (at most %d)", ErrBadShape, rank, selectMaxRank)
	}
	shape := make([]int, rank)
	for d := range shape {
		shape[d] = 1
	}
	for _, t := range []*Tensor{cond, x, y} {
		ext := rank - t.Rank()
		for d, v := range t.Shape {
			switch {
			case shape[ext+d] == 1:
				shape[ext+d] = v
			case v != 1 && v != shape[ext+d]:
				return nil, fmt.Errorf("%w: SELECT_V2 shapes %v, %v, %v do not broadcast", ErrBadShape, cond.Shape, x.Shape, y.Shape)
			}
		}
	}
	if cond.NumElements() == 1 && x.NumElements() == 1 && y.NumElements() == 1 && out.NumElements() == 1 {
		shape = out.Shape // TFLite-Micro keeps the model's shape for all-scalar selects
	}
	if err := checkShape(n, out, shape); err != nil {
		return nil, err
	}
	var strides [3][moveMaxRank]int
	for i, t := range []*Tensor{cond, x, y} {
		s, ok := broadcastStridesTo(t.Shape, shape)
		if !ok && t.NumElements() != 1 {
			return nil, fmt.Errorf("%w: SELECT_V2 input %d shape %v does not broadcast to %v", ErrBadShape, i, t.Shape, Shape(shape))
		}
		strides[i] = s
	}
	build := func(k *moveKernel) error {
		var coord [moveMaxRank]int
		src, from := k.src[0], k.from[0]
		for e := range src {
			var idx [3]int
			for i := range idx {
				for d := range shape {
					idx[i] += coord[d] * strides[i][d]
				}
			}
			if cond.Data[idx[0]] != 0 {
				src[e], from[e] = int32(idx[1]), 1
			} else {
				src[e], from[e] = int32(idx[2]), 2
			}
			nextCoord(&coord, shape)
		}
		return nil
	}
	k, err := newMoveKernel(n, []*Tensor{out}, "select_v2 (input 1 where the condition is true, input 2 where false)", build, cond)
	if err != nil {
		return nil, err
	}
	k.explainDecision = func(_, elem int, c *Chain) {
		ci := 0
		for d, v := range Unravel(elem, shape) {
			ci += v * strides[0][d]
		}
		c.addSources(Source{Input: 0, Element: ci})
		c.Add("condition", int64(cond.Data[ci]), "the condition element that decides", "condition[%d] = %v", ci, cond.Data[ci] != 0)
	}
	return k, nil
}

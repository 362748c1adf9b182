package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// cumsumKernel is CUMSUM (int8), after TFLite-Micro's cumsum.cc with
// reference_ops::CumSum (quantized). Input 1 is an int32 axis (one element,
// negative counts from the end); options exclusive and reverse. Prepare is
// ADD_N's (sumRescale): ls = 20, M_in = 0.5, M_out = 2s_in / (2^ls · s_out), in
// double. Along each line of the axis, in order (from the end when reverse),
// with scale(v) = MultiplyByQuantizedMultiplierSmallerThanOneExp(v · 2^ls, M_in):
//
//	acc  = scale(−zp_in)                      (TFLite's quirk: not 0)
//	each element: inclusive: acc += scale(x − zp_in); out = acc
//	              exclusive: out = acc; acc += scale(x − zp_in)
//	y    = clamp(MultiplyByQuantizedMultiplierSmallerThanOneExp(out, M_out) + zp_out)
//
// so every output is the float prefix sum minus zp_in·s_in.
type cumsumKernel struct {
	sumRescale
	in, axis, out      *Tensor
	exclusive, reverse bool
}

// prepareCumsum prepares a CUMSUM node (see cumsumKernel for the formula).
func prepareCumsum(n *Node) (Kernel, error) {
	in, axis := n.Input(0), n.Input(1)
	if axis == nil {
		return nil, fmt.Errorf("%w: CUMSUM needs an axis input", ErrMissingInput)
	}
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8)
	if err != nil {
		return nil, err
	}
	if axis.Type != tflite.TypeInt32 || axis.NumElements() != 1 {
		return nil, fmt.Errorf("%w: CUMSUM axis must be one int32, is %v%v", ErrBadShape, axis.Type, axis.Shape)
	}
	if in.Rank() < 1 || !sameShape(in.Shape, out.Shape) {
		return nil, fmt.Errorf("%w: CUMSUM input %v, output %v", ErrBadShape, in.Shape, out.Shape)
	}
	s, err := newSumRescale(n, in, out)
	if err != nil {
		return nil, err
	}
	k := &cumsumKernel{sumRescale: s, in: in, axis: axis, out: out}
	k.exclusive, k.reverse = n.Options.Exclusive, n.Options.Reverse
	if axis.Const {
		if _, _, _, err := k.geometry(); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// geometry reads the axis (as Eval does) and splits the shape into the
// extent before the axis, the axis length and the extent after it.
func (k *cumsumKernel) geometry() (before, depth, after int, err error) {
	rank := k.in.Rank()
	axis := int(k.axis.Int32()[0])
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return 0, 0, 0, fmt.Errorf("%w: CUMSUM invalid axis %d for rank %d", ErrBadShape, k.axis.Int32()[0], rank)
	}
	before, after = 1, 1
	for d, e := range k.in.Shape {
		switch {
		case d < axis:
			before *= e
		case d > axis:
			after *= e
		}
	}
	return before, k.in.Shape[axis], after, nil
}

// line runs the accumulation along one axis line starting at flat index
// base (stride after). Eval passes o and want = −1 and writes every output
// of the line. Explain passes o = nil, the position want and c: every
// element accumulated before want's output is taken is recorded, and want's
// output is returned.
func (k *cumsumKernel) line(x, o []int8, base, depth, after, want int, c *Chain) int32 {
	acc := k.scale(0, true, "start.", c)
	for step := 0; step < depth; step++ {
		p := step
		if k.reverse {
			p = depth - 1 - step
		}
		idx := base + p*after
		label := ""
		if c != nil {
			label = fmt.Sprintf("x[%d].", p)
		}
		add := func() {
			if c != nil {
				c.addSources(Source{Input: 0, Element: idx})
			}
			acc += k.scale(int32(x[idx]), false, label, c)
		}
		var outAcc int32
		if k.exclusive {
			outAcc = acc
			if p != want {
				add()
			}
		} else {
			add()
			outAcc = acc
		}
		if p == want {
			return k.output(outAcc, c)
		}
		if o != nil {
			o[idx] = int8(k.output(outAcc, nil))
		}
	}
	return 0
}

func (k *cumsumKernel) Eval() error {
	before, depth, after, err := k.geometry()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRuntime, err) // an axis computed by the graph
	}
	x, o := k.in.Int8(), k.out.Int8()
	for b := 0; b < before; b++ {
		for a := 0; a < after; a++ {
			k.line(x, o, b*depth*after+a, depth, after, -1, nil)
		}
	}
	return nil
}

func (k *cumsumKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	_, depth, after, err := k.geometry()
	if err != nil {
		return err
	}
	p := (elem / after) % depth
	base := elem - p*after
	c.Final = int64(k.line(k.in.Int8(), nil, base, depth, after, p, c))
	return nil
}

func (k *cumsumKernel) Describe() Params { return k.describe() }

package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// squaredDifferenceKernel is SQUARED_DIFFERENCE (int8, int16), after
// TFLite-Micro's squared_difference.cc (PrepareQuantized,
// SquaredDifference<T>(x, y, params)). Prepare, with s = max(s1, s2) and ls = 7
// (int8) or 0 (int16; zero points must be 0):
//
//	M1 = s1 / (2s),  M2 = s2 / (2s)       (double, QuantizeMultiplierSmallerThanOneExp)
//	Mout = (2s)² / (2^(2·ls) · s_out)      (the denominator is a float32 product)
//
// Per output element, reading the inputs through broadcasting:
//
//	b_k = MultiplyByQuantizedMultiplierSmallerThanOneExp((x_k − zp_k) · 2^ls, M_k)
//	y   = clamp(MultiplyByQuantizedMultiplier((b_1 − b_2)², Mout) + zp_out)
//
// clamped to the dtype range (no fused activation).
type squaredDifferenceKernel struct {
	binaryOperands
	headroomParams
}

// prepareSquaredDifference prepares a SQUARED_DIFFERENCE node (see
// squaredDifferenceKernel for the formula).
func prepareSquaredDifference(n *Node) (Kernel, error) {
	in1, in2, out, err := elementwiseOperands(n)
	if err != nil {
		return nil, err
	}
	k := &squaredDifferenceKernel{headroomParams: headroomParams{zp1: in1.ZP0(), zp2: in2.ZP0(), outZP: out.ZP0()}}
	if k.binaryOperands, err = newBinaryOperands(n, in1, in2, out); err != nil {
		return nil, err
	}
	k.leftShift = 7
	if out.Type == tflite.TypeInt16 {
		if k.zp1 != 0 || k.zp2 != 0 || k.outZP != 0 {
			return nil, fmt.Errorf("%w: int16 SQUARED_DIFFERENCE needs zero points 0, have %d, %d, %d", ErrBadQuantization, k.zp1, k.zp2, k.outZP)
		}
		k.leftShift = 0
	}
	k.twiceMaxScale = 2 * float64(max(in1.Scale0(), in2.Scale0()))
	k.real1 = float64(in1.Scale0()) / k.twiceMaxScale
	k.real2 = float64(in2.Scale0()) / k.twiceMaxScale
	// (1 << 2·ls) · output scale is an int times a float: a float32 product.
	denom := float32(int32(1)<<uint(2*k.leftShift)) * out.Scale0()
	k.realOut = k.twiceMaxScale * k.twiceMaxScale / float64(denom)
	k.q1 = QuantizeMultiplier(k.real1, n.Rounding)
	k.q2 = QuantizeMultiplier(k.real2, n.Rounding)
	k.qOut = QuantizeMultiplier(k.realOut, n.Rounding)
	k.lo, k.hi = Range(out.Type)
	return k, nil
}

// element computes one output from the raw inputs, recording in c when non-nil.
func (k *squaredDifferenceKernel) element(x1, x2 int32, c *Chain) int32 {
	b1 := k.scaleInput(x1, k.zp1, k.q1, k.in1, 1, k.node.Rounding, c)
	b2 := k.scaleInput(x2, k.zp2, k.q2, k.in2, 2, k.node.Rounding, c)
	diff := b1 - b2
	sq := diff * diff
	if c != nil {
		unit := k.twiceMaxScale / math.Ldexp(1, k.leftShift)
		c.AddReal("diff", int64(diff), float64(diff)*unit, "difference of the scaled inputs", "%d − %d = %d", b1, b2, diff)
		c.AddReal("square", int64(sq), float64(sq)*unit*unit, "squared difference", "%d² = %d", diff, sq)
	}
	return Requantize(sq, k.qOut, k.node.Rounding, k.outZP, k.lo, k.hi, c)
}

func (k *squaredDifferenceKernel) Eval() error {
	return evalBinary(k, &k.binaryOperands, (*squaredDifferenceKernel).element)
}

func (k *squaredDifferenceKernel) Explain(out, elem int, c *Chain) error {
	return explainBinary(k, &k.binaryOperands, (*squaredDifferenceKernel).element, out, elem, c)
}

func (k *squaredDifferenceKernel) Describe() Params { return k.describe() }

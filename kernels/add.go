package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// addSubKernel is a prepared ADD or SUB node. ADD (int8, int16) follows
// TFLite-Micro's add.cc / add_common.cc with reference_integer_ops::AddFunc
// (int8) and reference_ops::AddElementwise (int16, the general-scale path
// TFLite-Micro always takes). SUB shares this kernel (see prepareSub) with a
// minus sign and float-computed multipliers.
//
// Prepare, with s = max(s1, s2) and ls = 20 (int8) or 15 (int16):
//
//	M1 = s1 / (2s), M2 = s2 / (2s), Mout = 2s / (2^ls · sout)
//
// computed in double for ADD (2s too), each quantized by
// QuantizeMultiplierSmallerThanOneExp. Per output element, reading the
// inputs through broadcasting:
//
//	a_k    = (x_k − zp_k) · 2^ls
//	b_k    = MultiplyByQuantizedMultiplierSmallerThanOneExp(a_k, M_k)
//	y      = clamp(MultiplyByQuantizedMultiplierSmallerThanOneExp(b_1 ± b_2, Mout) + zp_out, act)
//
// The int16 power-of-two path of full TFLite (pot_scale_int16) is never used
// by TFLite-Micro's ADD, which calls the general path unconditionally.
type addSubKernel struct {
	binaryOperands
	headroomParams
	sub bool
}

// prepareAdd prepares an ADD node (see addSubKernel for the formula).
func prepareAdd(n *Node) (Kernel, error) { return prepareAddSub(n, false, false) }

// prepareAddTFLite prepares ADD as full TFLite's add.cc does (ImplTFLite:
// reference_integer_ops / reference_ops and the optimized kernels compute
// alike): TFLite-Micro's arithmetic, legacy uint8 too (clamped to [0, 255]),
// and int16 needing zero points 0. The int16 power-of-two path
// (pot_scale_int16 with power-of-two scales) is not implemented: such a node
// is refused.
func prepareAddTFLite(n *Node) (Kernel, error) { return prepareAddSub(n, false, true) }

// prepareAddSub validates an ADD or SUB node and derives its parameters;
// fullTFLite selects full TFLite's Prepare (multipliers in double for SUB
// too, uint8, int16 checks).
func prepareAddSub(n *Node, sub, fullTFLite bool) (Kernel, error) {
	in1, in2, out, err := elementwiseOperandsOf(n, fullTFLite)
	if err != nil {
		return nil, err
	}
	if fullTFLite && out.Type == tflite.TypeInt16 {
		if err := checkFullTFLiteInt16AddSub(n, in1, in2, out); err != nil {
			return nil, err
		}
	}
	k := &addSubKernel{sub: sub, headroomParams: headroomParams{offsetAdded: true}}
	if k.binaryOperands, err = newBinaryOperands(n, in1, in2, out); err != nil {
		return nil, err
	}
	k.leftShift = 20
	if out.Type == tflite.TypeInt16 {
		k.leftShift = 15
	}
	k.zp1, k.zp2, k.outZP = in1.ZP0(), in2.ZP0(), out.ZP0()
	s1, s2, so := in1.Scale0(), in2.Scale0(), out.Scale0()
	if sub && !fullTFLite {
		// sub_common.cc: twice_max_input_scale is a float and every
		// quotient is a float, widened to double only at the end.
		twice := float32(2 * max(s1, s2))
		k.twiceMaxScale = float64(twice)
		k.real1 = float64(s1 / twice)
		k.real2 = float64(s2 / twice)
		k.realOut = float64(twice / (float32(int32(1)<<uint(k.leftShift)) * so))
	} else {
		twice := 2 * float64(max(s1, s2))
		k.twiceMaxScale = twice
		k.real1 = float64(s1) / twice
		k.real2 = float64(s2) / twice
		k.realOut = twice / (float64(int32(1)<<uint(k.leftShift)) * float64(so))
	}
	for _, m := range []struct {
		name string
		real float64
		q    *QuantizedMultiplier
	}{{"input1", k.real1, &k.q1}, {"input2", k.real2, &k.q2}, {"output", k.realOut, &k.qOut}} {
		if !(m.real > 0 && m.real < 1) {
			return nil, fmt.Errorf("%w: %v %s multiplier %g not in (0, 1)", ErrBadQuantization, n.Op, m.name, m.real)
		}
		*m.q = QuantizeMultiplier(m.real, n.Rounding)
	}
	k.lo, k.hi = ActivationRange(fusedActivationOf(n), out)
	return k, nil
}

// checkFullTFLiteInt16AddSub applies full TFLite's int16 ADD/SUB Prepare
// checks: zero points 0, and the general-scale path only (pot_scale_int16
// false, or a scale that is not a power of two); the power-of-two path
// (a saturating Q0.15 add of shifted inputs) is refused as not implemented.
func checkFullTFLiteInt16AddSub(n *Node, in1, in2, out *Tensor) error {
	if in1.ZP0() != 0 || in2.ZP0() != 0 || out.ZP0() != 0 {
		return fmt.Errorf("%w: int16 %v needs zero points 0 (full TFLite), have %d, %d, %d", ErrBadQuantization, n.Op, in1.ZP0(), in2.ZP0(), out.ZP0())
	}
	if !n.Options.PotScaleInt16 {
		return nil
	}
	for _, t := range []*Tensor{in1, in2, out} {
		if _, pot := CheckedLog2(t.Scale0()); !pot {
			return nil
		}
	}
	return fmt.Errorf("%w: int16 %v with power-of-two scales and pot_scale_int16 (full TFLite's power-of-two path is not implemented)", ErrUnsupportedOp, n.Op)
}

// fusedActivationOf is the node's fused activation (NONE without options).
func fusedActivationOf(n *Node) tflite.Activation { return n.Options.Activation }

// element computes one output value from the raw input values x1 and x2,
// recording every stage in c when c is non-nil.
func (k *addSubKernel) element(x1, x2 int32, c *Chain) int32 {
	b1 := k.scaleInput(x1, k.zp1, k.q1, k.in1, 1, k.node.Rounding, c)
	b2 := k.scaleInput(x2, k.zp2, k.q2, k.in2, 2, k.node.Rounding, c)
	raw := b1 + b2
	if k.sub {
		raw = b1 - b2
	}
	if c != nil {
		real := float64(raw) * k.twiceMaxScale / math.Ldexp(1, k.leftShift)
		if k.sub {
			c.AddReal("diff", int64(raw), real, "difference of the scaled inputs", "%d − %d = %d", b1, b2, raw)
		} else {
			c.AddReal("sum", int64(raw), real, "sum of the scaled inputs", "%d %s = %d", b1, plus(int64(b2)), raw)
		}
	}
	return Requantize(raw, k.qOut, k.node.Rounding, k.outZP, k.lo, k.hi, c)
}

func (k *addSubKernel) Eval() error {
	return evalBinary(k, &k.binaryOperands, (*addSubKernel).element)
}

func (k *addSubKernel) Explain(out, elem int, c *Chain) error {
	return explainBinary(k, &k.binaryOperands, (*addSubKernel).element, out, elem, c)
}

func (k *addSubKernel) Describe() Params { return k.describe() }

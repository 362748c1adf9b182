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
	// pot is full TFLite's int16 power-of-two path (addSubPOT): input k is
	// shifted right by potShift[k] (one of them is 0), no multipliers.
	pot      bool
	potShift [2]int
}

// prepareAdd prepares an ADD node (see addSubKernel for the formula).
func prepareAdd(n *Node) (Kernel, error) { return prepareAddSub(n, false, false) }

// prepareAddTFLite prepares ADD as full TFLite's add.cc does (ImplTFLite:
// reference_integer_ops / reference_ops and the optimized kernels compute
// alike): TFLite-Micro's arithmetic, legacy uint8 too (clamped to [0, 255]),
// and int16 needing zero points 0, with the power-of-two path when
// pot_scale_int16 is set and every scale is a power of two (see
// prepareAddSubPOT).
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
		pot, err := checkFullTFLiteInt16AddSub(n, in1, in2, out)
		if err != nil {
			return nil, err
		}
		if pot {
			return prepareAddSubPOT(n, sub, in1, in2, out)
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
// checks (zero points 0) and reports whether the power-of-two path runs:
// pot_scale_int16 set (the schema default) and every scale a power of two
// (CheckedLog2).
func checkFullTFLiteInt16AddSub(n *Node, in1, in2, out *Tensor) (pot bool, err error) {
	if in1.ZP0() != 0 || in2.ZP0() != 0 || out.ZP0() != 0 {
		return false, fmt.Errorf("%w: int16 %v needs zero points 0 (full TFLite), have %d, %d, %d", ErrBadQuantization, n.Op, in1.ZP0(), in2.ZP0(), out.ZP0())
	}
	if !n.Options.PotScaleInt16 {
		return false, nil
	}
	for _, t := range []*Tensor{in1, in2, out} {
		if _, ok := CheckedLog2(t.Scale0()); !ok {
			return false, nil
		}
	}
	return true, nil
}

// prepareAddSubPOT prepares full TFLite's int16 power-of-two ADD or SUB
// (add.cc / sub.cc with reference_ops::Add int16, Sub16,
// BroadcastSub16POTSlow; the optimized kernels are the same code). Prepare:
// shift_k = round(log2 s_k) − round(log2 s_out), which must be ≤ 0 with at
// least one of them 0 (else Prepare fails). Per element:
//
//	y = clamp(RDBPOT(x1, −shift_1) ± RDBPOT(x2, −shift_2), lo, hi)
//
// (gemmlowp's SaturatingAdd/Sub in int16 before the clamp to the activation
// range, which lies inside int16, gives the same value). ADD's path does not
// broadcast (reference_ops::Add walks one flat size): inputs of different
// shapes are refused. From source; no golden uses power-of-two int16 ADD/SUB.
func prepareAddSubPOT(n *Node, sub bool, in1, in2, out *Tensor) (Kernel, error) {
	if !sub && !sameShape(in1.Shape, in2.Shape) {
		return nil, fmt.Errorf("%w: int16 power-of-two ADD of shapes %v and %v (full TFLite's path does not broadcast)", ErrBadShape, in1.Shape, in2.Shape)
	}
	k := &addSubKernel{sub: sub, pot: true}
	var err error
	if k.binaryOperands, err = newBinaryOperands(n, in1, in2, out); err != nil {
		return nil, err
	}
	l1, _ := CheckedLog2(in1.Scale0())
	l2, _ := CheckedLog2(in2.Scale0())
	lo, _ := CheckedLog2(out.Scale0())
	sh1, sh2 := l1-lo, l2-lo
	if (sh1 != 0 && sh2 != 0) || sh1 > 0 || sh2 > 0 {
		return nil, fmt.Errorf("%w: int16 power-of-two %v: input scales 2^%d, 2^%d and output 2^%d (full TFLite shifts one input right only)", ErrBadQuantization, n.Op, l1, l2, lo)
	}
	k.potShift = [2]int{-sh1, -sh2}
	k.lo, k.hi = ActivationRange(fusedActivationOf(n), out)
	return k, nil
}

// elementPOT is the power-of-two path's element.
func (k *addSubKernel) elementPOT(x1, x2 int32, c *Chain) int32 {
	a := RoundingDivideByPOT(x1, k.potShift[0])
	b := RoundingDivideByPOT(x2, k.potShift[1])
	raw := a + b
	if k.sub {
		raw = a - b
	}
	y := Clamp32(raw, k.lo, k.hi)
	if c != nil {
		so := float64(k.out.Scale0())
		for i, v := range []struct{ x, s int32 }{{x1, a}, {x2, b}} {
			st := c.AddReal(fmt.Sprintf("in%d.shifted", i+1), int64(v.s), float64(v.s)*so,
				"input in the output's power-of-two scale: RoundingDivideByPOT by the scale ratio's exponent",
				"RDBPOT(%d, %d) = %d", v.x, k.potShift[i], v.s)
			st.Changed = k.potShift[i] != 0 && v.x&(int32(1)<<uint(k.potShift[i])-1) != 0
		}
		op := "+"
		if k.sub {
			op = "−"
		}
		c.AddReal("raw", int64(raw), float64(raw)*so, "sum or difference of the shifted inputs", "%d %s %d = %d", a, op, b, raw)
		st := c.Add("clamp", int64(y), "clamped to the activation range", "clamp(%d, %d, %d) = %d", raw, k.lo, k.hi, y)
		st.Changed = y != raw
	}
	return y
}

// fusedActivationOf is the node's fused activation (NONE without options).
func fusedActivationOf(n *Node) tflite.Activation { return n.Options.Activation }

// element computes one output value from the raw input values x1 and x2,
// recording every stage in c when c is non-nil.
func (k *addSubKernel) element(x1, x2 int32, c *Chain) int32 {
	if k.pot {
		return k.elementPOT(x1, x2, c)
	}
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

// Eval stores element's value for every output element; 8-bit outputs
// from binaryTableMinElements take the input stages from two 256-entry
// tables (each a pure function of one raw input value) and requantize the
// sum per element, as element does.
func (k *addSubKernel) Eval() error {
	if !k.pot && k.out.NumElements() >= binaryTableMinElements {
		switch k.out.Type {
		case tflite.TypeInt8:
			evalAddSubTables[int8](k)
			return nil
		case tflite.TypeUint8:
			evalAddSubTables[uint8](k)
			return nil
		}
	}
	return evalBinary(k, &k.binaryOperands, (*addSubKernel).element)
}

// evalAddSubTables is addSubKernel's Eval for 8-bit data through tables of
// the input stages.
func evalAddSubTables[T int8 | uint8](k *addSubKernel) {
	var t1, t2 [256]int32
	r := k.node.Rounding
	for v := range 256 {
		x := int32(T(v)) // every raw value once (int8 wraps 128..255 to −128..−1)
		t1[uint8(T(v))] = k.scaleInput(x, k.zp1, k.q1, k.in1, 1, r, nil)
		t2[uint8(T(v))] = k.scaleInput(x, k.zp2, k.q2, k.in2, 2, r, nil)
	}
	x1, x2, o := view[T](k.in1.Data), view[T](k.in2.Data), view[T](k.out.Data)
	o = o[:k.out.NumElements()]
	value := func(a, b T) T {
		raw := t1[uint8(a)] + t2[uint8(b)]
		if k.sub {
			raw = t1[uint8(a)] - t2[uint8(b)]
		}
		return T(Requantize(raw, k.qOut, r, k.outZP, k.lo, k.hi, nil))
	}
	if k.bc.Same {
		x1, x2 = x1[:len(o)], x2[:len(o)]
		for i := range o {
			o[i] = value(x1[i], x2[i])
		}
		return
	}
	cur := k.bc.Cursor()
	for i := range o {
		o[i] = value(x1[cur.I1], x2[cur.I2])
		cur.Next()
	}
}

func (k *addSubKernel) Explain(out, elem int, c *Chain) error {
	return explainBinary(k, &k.binaryOperands, (*addSubKernel).element, out, elem, c)
}

func (k *addSubKernel) Describe() Params {
	if k.pot {
		return Params{HasClamp: true, ClampMin: k.lo, ClampMax: k.hi,
			Ints: []NamedInt{{Name: "input1_right_shift", Value: int64(k.potShift[0])}, {Name: "input2_right_shift", Value: int64(k.potShift[1])}}}
	}
	return k.describe()
}

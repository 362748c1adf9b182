package kernels

import (
	"errors"
	"math"
)

// xnnBinaryVisit is the visit stage of the delegate's quantized ADD, SUB
// and MUL: two inputs and one output, each a per-tensor int8/uint8 tensor,
// and a fusable activation.
func xnnBinaryVisit(n *Node) (in1, in2, out *Tensor, err error) {
	if len(n.Inputs) != 2 || len(n.Outputs) != 1 {
		return nil, nil, nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in1, in2, out = n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if !xnnQ8(in1) || !xnnQ8(in2) || !xnnQ8(out) {
		return nil, nil, nil, xnnNotTaken(n, "operands are not per-tensor int8/uint8 tensors")
	}
	if _, _, err := xnnpackActivationRange(n.Options.Activation, out); errors.Is(err, errNotTaken) {
		return nil, nil, nil, err
	}
	return in1, in2, out, nil
}

// xnnBinaryDefine is the define stage of ADD, SUB and MUL: the tensors, one
// dtype for all three, broadcastable shapes of rank at most 6, and a
// non-empty clamp range.
func xnnBinaryDefine(n *Node, in1, in2, out *Tensor) (binaryOperands, int32, int32, error) {
	if err := xnnDefineTensors(n, in1, in2, out); err != nil {
		return binaryOperands{}, 0, 0, err
	}
	if in1.Type != out.Type || in2.Type != out.Type {
		return binaryOperands{}, 0, 0, xnnFallback(n, "inputs %v and %v, output %v", in1.Type, in2.Type, out.Type)
	}
	if max(in1.Rank(), in2.Rank(), out.Rank()) > xnnMaxRank {
		return binaryOperands{}, 0, 0, xnnFallback(n, "rank above %d", xnnMaxRank)
	}
	lo, hi, err := xnnpackActivationRange(n.Options.Activation, out)
	if err != nil {
		return binaryOperands{}, 0, 0, err
	}
	ops, err := newBinaryOperands(n, in1, in2, out)
	return ops, lo, hi, err
}

// xnnAddSub is ADD or SUB as the XNNPACK delegate runs them (Add ND
// QS8/QU8; SUB is the same kernel with the second multiplier negated).
// From the float32 ratios r_a = s_a/s_out and r_b = ±s_b/s_out, with e the
// binary exponent of max(|r_a|, |r_b|):
//
//	shift = 20 − e                                 (12..30)
//	A     = round_half_even(r_a·2^shift)            (Q-format multipliers, the larger in [2^20, 2^21])
//	B     = round_half_even(r_b·2^shift)
//	bias  = 2^(shift−1) − A·zp_a − B·zp_b
//	acc   = bias + A·a + B·b                        (int32, cannot overflow)
//	out   = clamp((acc >> shift) + zp_out, lo, hi)  (arithmetic shift: round half up)
//
// with [lo, hi] the activation as XNNPACK quantizes it. One rounding, half
// up, of 21-bit multipliers derived in float32 — TFLite instead shifts
// each input left by 20 and rounds three times. The delegate takes the node
// only when both ratios lie in [2^−10, 2^8). Source: XNNPACK
// xnn_init_qs8_add_minmax_wasmsimd_params, qs8-vadd minmax-wasmsimd-x32
// (qu8 likewise); the delegate's VisitAddNode / VisitSubNode.
type xnnAddSub struct {
	binaryOperands
	sub              bool
	ra, rb           float32
	shift            uint
	aMul, bMul, bias int32
	zpA, zpB, outZP  int32
	lo, hi           int32
}

func prepareAddXNNPACK(n *Node) (Kernel, error) { return newXNNAddSub(n, false) }
func prepareSubXNNPACK(n *Node) (Kernel, error) { return newXNNAddSub(n, true) }

func newXNNAddSub(n *Node, sub bool) (Kernel, error) {
	in1, in2, out, err := xnnBinaryVisit(n)
	if err != nil {
		return nil, err
	}
	k := &xnnAddSub{sub: sub, zpA: in1.ZP0(), zpB: in2.ZP0(), outZP: out.ZP0()}
	so := out.Scale0()
	k.ra, k.rb = float32(in1.Scale0()/so), float32(in2.Scale0()/so)
	for _, r := range []float32{k.ra, k.rb} {
		if in1.Type == out.Type && in2.Type == out.Type && !(r >= 0x1p-10 && r < 0x1p8) {
			return nil, xnnNotTaken(n, "input-to-output scale ratio %g outside [2^-10, 2^8)", r)
		}
	}
	if k.binaryOperands, k.lo, k.hi, err = xnnBinaryDefine(n, in1, in2, out); err != nil {
		return nil, err
	}
	if sub {
		k.rb = -k.rb
	}
	maxAbs := max(float32(math.Abs(float64(k.ra))), float32(math.Abs(float64(k.rb))))
	exp := int(math.Float32bits(maxAbs)>>23&0xff) - 127
	k.shift = uint(20 - exp)
	k.aMul = xnnQMultiplier(k.ra, k.shift)
	k.bMul = xnnQMultiplier(k.rb, k.shift)
	k.bias = int32(1)<<(k.shift-1) - k.aMul*k.zpA - k.bMul*k.zpB
	return k, nil
}

// xnnQMultiplier is round_half_even(r·2^shift) (the scaling by 2^shift is
// exact).
func xnnQMultiplier(r float32, shift uint) int32 {
	return int32(math.RoundToEven(math.Ldexp(float64(r), int(shift))))
}

func (k *xnnAddSub) element(a, b int32, c *Chain) int32 {
	acc := k.bias + k.aMul*a + k.bMul*b
	v := acc>>k.shift + k.outZP
	out := Clamp32(v, k.lo, k.hi)
	if c != nil {
		c.AddReal("in1.x", int64(a), float64(a-k.zpA)*float64(k.in1.Scale0()), "raw value of input 1", "a = %d", a)
		c.AddReal("in2.x", int64(b), float64(b-k.zpB)*float64(k.in2.Scale0()), "raw value of input 2", "b = %d", b)
		sign := ""
		if k.sub {
			sign = "−"
		}
		c.AddReal("A", int64(k.aMul), float64(k.ra), "XNNPACK's Q-format multiplier of input 1: round_half_even(r_a·2^shift), r_a = float32(s_a/s_out)",
			"round_half_even(%.9g·2^%d) = %d", k.ra, k.shift, k.aMul)
		c.AddReal("B", int64(k.bMul), float64(k.rb), "multiplier of input 2: round_half_even(r_b·2^shift), r_b = "+sign+"float32(s_b/s_out)",
			"round_half_even(%.9g·2^%d) = %d", k.rb, k.shift, k.bMul)
		c.Add("bias", int64(k.bias), "2^(shift−1) − A·zp_a − B·zp_b (rounding term and zero points, folded)",
			"2^%d %s·%d %s·%d = %d", k.shift-1, plus(-int64(k.aMul)), k.zpA, plus(-int64(k.bMul)), k.zpB, k.bias)
		c.AddReal("acc", int64(acc), math.Ldexp(float64(acc)-math.Ldexp(1, int(k.shift)-1), -int(k.shift))*float64(k.out.Scale0()),
			"bias + A·a + B·b (int32)", "%d %s·%d %s·%d = %d", k.bias, plus(int64(k.aMul)), a, plus(int64(k.bMul)), b, acc)
		s := c.Add("shift", int64(acc>>k.shift), "arithmetic shift right by shift (floor; with the bias's 2^(shift−1): round half up)",
			"%d >> %d = %d", acc, k.shift, acc>>k.shift)
		s.Changed = acc&(int32(1)<<k.shift-1) != int32(1)<<(k.shift-1)
		c.Add("zp", int64(v), "plus the output zero point", "%d %s = %d", acc>>k.shift, plus(int64(k.outZP)), v)
		s = c.AddReal("clamp", int64(out), float64(out-k.outZP)*float64(k.out.Scale0()),
			"clamped to the activation range as XNNPACK quantizes it", "clamp(%d, %d, %d) = %d", v, k.lo, k.hi, out)
		s.Changed = out != v
	}
	return out
}

func (k *xnnAddSub) Eval() error {
	return evalBinary(k, &k.binaryOperands, (*xnnAddSub).element)
}

func (k *xnnAddSub) Explain(out, elem int, c *Chain) error {
	return explainBinary(k, &k.binaryOperands, (*xnnAddSub).element, out, elem, c)
}

func (k *xnnAddSub) Describe() Params {
	return Params{HasClamp: true, ClampMin: k.lo, ClampMax: k.hi,
		Requantization: "XNNPACK Q-format: (bias + A·a + B·b) >> shift, one rounding half up (no Q0.31 multipliers)",
		Ints: []NamedInt{{"shift", int64(k.shift)}, {"a_multiplier", int64(k.aMul)}, {"b_multiplier", int64(k.bMul)}, {"bias", int64(k.bias)},
			{"output_zero_point", int64(k.outZP)},
		}}
}

// xnnMul is MUL as the XNNPACK delegate runs it (Multiply ND QS8/QU8, fp32
// requantization):
//
//	scale = float32(float32(s_a·s_b) / s_out)
//	p     = (a − zp_a)·(b − zp_b)                                (int32, exact)
//	out   = clamp(round_half_even(float32(float32(p)·scale)) + zp_out, lo, hi)
//
// Ties go to even (TFLite: fixed point, half away). The delegate takes the
// node only when scale lies in [2^−16, 2^8). Source: XNNPACK
// xnn_init_qs8_mul_minmax_fp32_wasmsimd_params, qs8-vmul
// minmax-fp32-wasmsimd-mul32-ld64-x8; the delegate's VisitMulNode.
type xnnMul struct {
	binaryOperands
	scale           float32
	zpA, zpB, outZP int32
	lo, hi          int32
}

func prepareMulXNNPACK(n *Node) (Kernel, error) {
	in1, in2, out, err := xnnBinaryVisit(n)
	if err != nil {
		return nil, err
	}
	k := &xnnMul{zpA: in1.ZP0(), zpB: in2.ZP0(), outZP: out.ZP0()}
	product := float32(in1.Scale0() * in2.Scale0())
	k.scale = float32(product / out.Scale0())
	if in1.Type == out.Type && in2.Type == out.Type && !(k.scale >= 0x1p-16 && k.scale < 0x1p8) {
		return nil, xnnNotTaken(n, "input-product-to-output scale %g outside [2^-16, 2^8)", k.scale)
	}
	if k.binaryOperands, k.lo, k.hi, err = xnnBinaryDefine(n, in1, in2, out); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *xnnMul) element(a, b int32, c *Chain) int32 {
	p := (a - k.zpA) * (b - k.zpB)
	f, out := xnnRequantizeFP32(p, k.scale, k.outZP, k.lo, k.hi)
	if c != nil {
		c.AddReal("in1.x", int64(a), float64(a-k.zpA)*float64(k.in1.Scale0()), "raw value of input 1", "a = %d", a)
		c.AddReal("in2.x", int64(b), float64(b-k.zpB)*float64(k.in2.Scale0()), "raw value of input 2", "b = %d", b)
		c.AddReal("product", int64(p), float64(p)*float64(k.in1.Scale0())*float64(k.in2.Scale0()), "(a − zp_a)·(b − zp_b), exact int32",
			"(%d %s)·(%d %s) = %d", a, plus(-int64(k.zpA)), b, plus(-int64(k.zpB)), p)
		c.AddReal("M", 0, float64(k.scale), "XNNPACK's float32 scale = float32(float32(s_a·s_b)/s_out)",
			"float32(float32(%.9g·%.9g)/%.9g) = %.9g", k.in1.Scale0(), k.in2.Scale0(), k.out.Scale0(), k.scale)
		c.addRequantization(RuleFloat32, float64(k.scale), QuantizedMultiplier{})
		r := int64(roundHalfEven32(f))
		s := c.AddReal("round_float32", r, float64(f), "float32 product float32(p)·scale rounded half to even",
			"round_half_even(float32(%d) · %.9g) = round_half_even(%.7g) = %d", p, k.scale, f, r)
		s.Changed = float64(r) != float64(f)
		v := r + int64(k.outZP)
		c.Add("zp", v, "plus the output zero point", "%d %s = %d", r, plus(int64(k.outZP)), v)
		s = c.AddReal("clamp", int64(out), float64(out-k.outZP)*float64(k.out.Scale0()),
			"clamped to the activation range as XNNPACK quantizes it", "clamp(%d, %d, %d) = %d", v, k.lo, k.hi, out)
		s.Changed = int64(out) != v
	}
	return out
}

func (k *xnnMul) Eval() error { return evalBinary(k, &k.binaryOperands, (*xnnMul).element) }

func (k *xnnMul) Explain(out, elem int, c *Chain) error {
	return explainBinary(k, &k.binaryOperands, (*xnnMul).element, out, elem, c)
}

func (k *xnnMul) Describe() Params {
	return Params{
		Multipliers:    []Multiplier{{Name: "output", Channel: -1, Real: float64(k.scale)}},
		Requantization: "float32: round_half_even(float32(p)·scale) + zp, scale in float32 (no Q0.31 multiplier)",
		HasClamp:       true, ClampMin: k.lo, ClampMax: k.hi,
		Ints: []NamedInt{{"input1_zero_point", int64(k.zpA)}, {"input2_zero_point", int64(k.zpB)}, {"output_zero_point", int64(k.outZP)}},
	}
}

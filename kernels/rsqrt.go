package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// rsqrtShift is the fixed-point shift that keeps 1/√d an integer.
const rsqrtShift = 20

// rsqrtKernel is RSQRT (int8, int16), after TFLite-Micro's elementwise.cc
// (PrepareAbsRsqrt, RsqrtEvalQuantized). Prepare: M = 1 / (sqrt(s_in) · s_out)
// in double, QuantizeMultiplier; int16 needs zero points 0. Per element, with d
// = x − zp_in (Eval fails when d < 0):
//
//	d = 0 → y = qmax
//	otherwise (m, e) = GetInvSqrtQuantizedMultiplierExp(d)   1/√d = m·2^(e−31)
//	          t = MultiplyByQuantizedMultiplier(1, m, e + 20)  1/√d in Q.20
//	          y = clamp(MultiplyByQuantizedMultiplier(t, M.mult, M.shift − 20) + zp_out)
//
// LiteRT's reference kernel (ImplTFLiteRef) computes int16 RSQRT with a
// lookup table instead (elementwise.cc PrepareRsqrt, common.h LUTPopulate<
// int16_t> in float32): f(v) = 1/sqrtf(v) for v > 0, else 32767·s_out,
// tabulated as GenLUTInt16 over [s_in·(−32768 − zp_in), s_in·(32767 − zp_in)]
// → [s_out·(−32768 − zp_out), s_out·(32767 − zp_out)] (every bound a float32
// product), and y = LUTLookupInt16(x) (opzoo rsqrt_int16_4d_after_abs tflite/
// goldens). int8 is TFLite-Micro's arithmetic. The 2022 optimized build has
// no int16 RSQRT: the model fails to initialize (prepareRsqrtOptimized).
type rsqrtKernel struct {
	node        *Node
	in, out     *Tensor
	inZP, outZP int32
	real        float64
	q           QuantizedMultiplier
	qmin, qmax  int32
	lut         *[LUTSizeInt16]int16 // LiteRT's int16 table, nil otherwise
}

// prepareRsqrt prepares an RSQRT node (see rsqrtKernel for the formula).
func prepareRsqrt(n *Node) (Kernel, error) {
	in, out, err := unaryQuantOperands(n, tflite.TypeInt8, tflite.TypeInt16)
	if err != nil {
		return nil, err
	}
	k := &rsqrtKernel{node: n, in: in, out: out, inZP: in.ZP0(), outZP: out.ZP0()}
	if err := checkInt16ZeroPoints(n, in, out); err != nil {
		return nil, err
	}
	k.qmin, k.qmax = Range(in.Type)
	k.real = 1.0 / (math.Sqrt(float64(in.Scale0())) * float64(out.Scale0()))
	k.q = QuantizeMultiplier(k.real, n.Rounding)
	return k, nil
}

// prepareRsqrtRef prepares RSQRT as LiteRT's reference kernel (see
// rsqrtKernel): int16 through the float lookup table; int8 is not taken
// (TFLite-Micro's arithmetic is LiteRT's).
func prepareRsqrtRef(n *Node) (Kernel, error) {
	if in := n.Input(0); in == nil || in.Type != tflite.TypeInt16 {
		return nil, fmt.Errorf("%w: LiteRT's int8 RSQRT is TFLite-Micro's", errNotTaken)
	}
	kr, err := prepareRsqrt(n)
	if err != nil {
		return nil, err
	}
	k := kr.(*rsqrtKernel)
	si, so := k.in.Scale0(), k.out.Scale0()
	f := func(v float32) float32 {
		if v <= 0 {
			return 32767 * so
		}
		return 1 / float32(math.Sqrt(float64(v)))
	}
	k.lut = new([LUTSizeInt16]int16)
	GenLUTInt16(f, si*float32(-32768-k.inZP), si*float32(32767-k.inZP), so*float32(-32768-k.outZP), so*float32(32767-k.outZP), k.lut)
	return k, nil
}

// prepareRsqrtOptimized refuses int16 RSQRT as the 2022 TFLite build does
// (elementwise.cc supports float32 and int8 only: the opzoo
// rsqrt_int16_4d_after_abs model fails to initialize in the oracle); int8 is
// not taken (TFLite-Micro's arithmetic).
func prepareRsqrtOptimized(n *Node) (Kernel, error) {
	if in := n.Input(0); in != nil && in.Type == tflite.TypeInt16 {
		return nil, fmt.Errorf("%w: int16 RSQRT (TFLite 2.11's elementwise.cc takes float32 and int8 only)", ErrUnsupportedType)
	}
	return nil, fmt.Errorf("%w: TFLite's int8 RSQRT is TFLite-Micro's", errNotTaken)
}

// element computes one output from the raw input x (x ≥ zp_in), recording
// in c when non-nil.
func (k *rsqrtKernel) element(x int32, c *Chain) int32 {
	if k.lut != nil {
		return k.lookup(x, c)
	}
	d := x - k.inZP
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point", "%d − (%d) = %d", x, k.inZP, d)
	}
	if d == 0 {
		if c != nil {
			s := c.Add("zero", int64(k.qmax), "input at its zero point: the largest output", "d = 0 → %d", k.qmax)
			s.Changed = true
		}
		return k.qmax
	}
	inv := GetInvSqrtQuantizedMultiplierExp(d)
	t := MultiplyByQuantizedMultiplier(1, inv.Multiplier, inv.Shift+rsqrtShift, k.node.Rounding)
	if c != nil {
		c.AddReal("inv_sqrt", int64(inv.Multiplier), inv.Real(), "GetInvSqrtQuantizedMultiplierExp: 1/√d = multiplier·2^(shift−31)",
			"1/√%d → %d·2^(%d−31)", d, inv.Multiplier, inv.Shift)
		c.AddReal("inv_sqrt_q20", int64(t), math.Ldexp(float64(t), -rsqrtShift), "1/√d in Q.20: MultiplyByQuantizedMultiplier(1, multiplier, shift + 20)",
			"MBQM(1, %d, %d) = %d", inv.Multiplier, inv.Shift+rsqrtShift, t)
	}
	q := QuantizedMultiplier{Multiplier: k.q.Multiplier, Shift: k.q.Shift - rsqrtShift}
	return Requantize(t, q, k.node.Rounding, k.outZP, k.qmin, k.qmax, c)
}

// lookup is LiteRT's int16 table path.
func (k *rsqrtKernel) lookup(x int32, c *Chain) int32 {
	y := int32(LUTLookupInt16(int16(x), k.lut))
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(x-k.inZP), "raw input", "x = %d", x)
		recordLUTLookupInt16(c, int16(x), k.lut, "1/√x table (float LUTPopulate<int16_t>), interpolated")
	}
	return y
}

// recordLUTLookupInt16 records LUTLookupInt16(x, lut): the entry the high 9
// bits pick, the slope to the next one and the interpolation by the low 7
// bits.
func recordLUTLookupInt16(c *Chain, x int16, lut *[LUTSizeInt16]int16, what string) {
	index := 256 + int(x>>7)
	offset := int32(x & 0x7f)
	base, next := lut[index], lut[index+1]
	slope := next - base
	y := LUTLookupInt16(x, lut)
	c.Add("lut_entry", int64(base), "table entry 256 + (x >> 7)", "lut[%d] = %d (next %d)", index, base, next)
	st := c.Add("lut", int64(y), what+": base + (slope·(x & 127) + 64) >> 7",
		"%d + (%d·%d + 64) >> 7 = %d", base, slope, offset, y)
	st.Changed = offset != 0
}

func (k *rsqrtKernel) Eval() error {
	switch k.in.Type {
	case tflite.TypeInt8:
		return evalRsqrt[int8](k)
	case tflite.TypeInt16:
		return evalRsqrt[int16](k)
	}
	return fmt.Errorf("%w: RSQRT %v", ErrUnsupportedType, k.in.Type)
}

func evalRsqrt[T int8 | int16](k *rsqrtKernel) error {
	in, out := view[T](k.in.Data), view[T](k.out.Data)
	for i := range out {
		x := int32(in[i])
		if x < k.inZP {
			return fmt.Errorf("%w: RSQRT is only defined for positive values: element %d is %d, below the zero point %d",
				ErrRuntime, i, x, k.inZP)
		}
		out[i] = T(k.element(x, nil))
	}
	return nil
}

func (k *rsqrtKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	x := int32(k.in.Int(elem))
	if x < k.inZP {
		return fmt.Errorf("%w: RSQRT input %d below the zero point %d", ErrRuntime, x, k.inZP)
	}
	c.addSources(Source{Input: 0, Element: elem})
	c.Final = int64(k.element(x, c))
	return nil
}

func (k *rsqrtKernel) Describe() Params {
	if k.lut != nil {
		return Params{Ints: []NamedInt{{Name: "input_offset", Value: int64(k.inZP)}, {Name: "output_offset", Value: int64(k.outZP)},
			{Name: "lut_entries", Value: LUTSizeInt16}}}
	}
	return Params{
		Multipliers: []Multiplier{{Name: "output", Channel: -1, Real: k.real, Quantized: k.q}},
		Ints: []NamedInt{
			{Name: "input_offset", Value: int64(k.inZP)},
			{Name: "output_offset", Value: int64(k.outZP)},
			{Name: "shift", Value: rsqrtShift},
		},
	}
}

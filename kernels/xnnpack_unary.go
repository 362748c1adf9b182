package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// xnnUnaryVisit is the common visit stage of the delegate's one-input
// elementwise 8-bit operators: one input and one output, both per-tensor
// int8/uint8, with as many elements.
func xnnUnaryVisit(n *Node) (in, out *Tensor, err error) {
	if len(n.Inputs) != 1 || len(n.Outputs) != 1 {
		return nil, nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, out = n.Inputs[0], n.Outputs[0]
	if !xnnQ8(in) || !xnnQ8(out) {
		return nil, nil, xnnNotTaken(n, "input and output are not per-tensor int8/uint8 tensors")
	}
	if in.NumElements() != out.NumElements() {
		return nil, nil, fmt.Errorf("%w: %v input %v, output %v", ErrBadShape, n.Op, in.Shape, out.Shape)
	}
	return in, out, nil
}

// xnnUnaryDefine checks the tensors and that input and output share a dtype.
func xnnUnaryDefine(n *Node, in, out *Tensor) error {
	if err := xnnDefineTensors(n, in, out); err != nil {
		return err
	}
	if in.Type != out.Type {
		return xnnFallback(n, "input %v, output %v", in.Type, out.Type)
	}
	return nil
}

// xnnUnrequantizedDefine is the define stage of the operators that cannot
// requantize (max pooling, constant pad, bilinear resize): xnnUnaryDefine,
// then xnnSameQuantization.
func xnnUnrequantizedDefine(n *Node, in, out *Tensor) error {
	if err := xnnUnaryDefine(n, in, out); err != nil {
		return err
	}
	return xnnSameQuantization(n, in, out)
}

// xnnQ8Rescale is XNNPACK's 8-bit rescaling with a multiplier of 8
// fractional bits, shared by LEAKY_RELU (Leaky ReLU NC QS8/QU8) and the
// same-type QUANTIZE (Convert NC QS8/QU8):
//
//	M   = round_half_even(256·r)                     (r a float32 ratio)
//	out = clamp(((x − zp_in)·M + 128) >> 8 + zp_out, qmin, qmax)   (round half up)
//
// The wasm kernels compute ((zp_in − x) << 7) q15mulr_sat (−M), which is the
// same value for every 8-bit input. LEAKY_RELU takes M+ for x > zp_in and
// M− = round_half_even(256·r+·alpha) otherwise. Source: XNNPACK
// xnn_init_qs8_lrelu_wasmsimd_x86_params, qs8-vlrelu wasmsimd-x86-x16,
// xnn_init_qs8_cvt_wasmsimd_params, qs8-vcvt wasmsimd-x16.
type xnnQ8Rescale struct {
	unaryOperands
	leaky             bool
	rPos, rNeg        float32
	mPos, mNeg        int32
	inZP, outZP       int32
	lo, hi            int32
	alpha             float32
	inScale, outScale float32
}

// prepareLeakyReluXNNPACK prepares a LEAKY_RELU node the XNNPACK delegate
// takes: per-tensor 8-bit input and output with r+ = s_in/s_out in
// [2^−8, 2^7] and r− = r+·alpha in [−(2^7 − 2^−8), 2^7] with |r−| ≥ 2^−8
// (so alpha 0 stays with TFLite).
func prepareLeakyReluXNNPACK(n *Node) (Kernel, error) {
	in, out, err := xnnUnaryVisit(n)
	if err != nil {
		return nil, err
	}
	rPos := float32(in.Scale0() / out.Scale0())
	rNeg := float32(rPos * n.Options.Alpha)
	if !(rPos >= 0x1p-8 && rPos <= 0x1p7) {
		return nil, xnnNotTaken(n, "unsupported positive input-to-output scale %g", rPos)
	}
	if !(rNeg >= -127.99609375 && rNeg <= 0x1p7) || math.Abs(float64(rNeg)) < 0x1p-8 {
		return nil, xnnNotTaken(n, "unsupported negative input-to-output scale %g", rNeg)
	}
	if err := xnnUnaryDefine(n, in, out); err != nil {
		return nil, err
	}
	k := newXNNQ8Rescale(n, in, out, rPos)
	k.leaky, k.alpha, k.rNeg = true, n.Options.Alpha, rNeg
	k.mNeg = int32(roundHalfEven32(float32(256 * rNeg)))
	return k, nil
}

func newXNNQ8Rescale(n *Node, in, out *Tensor, r float32) *xnnQ8Rescale {
	k := &xnnQ8Rescale{unaryOperands: unaryOperands{node: n, in: in, out: out}, rPos: r,
		inZP: in.ZP0(), outZP: out.ZP0(), inScale: in.Scale0(), outScale: out.Scale0()}
	k.mPos = int32(roundHalfEven32(float32(256 * r)))
	k.mNeg = k.mPos
	k.lo, k.hi = Range(out.Type)
	return k
}

func (k *xnnQ8Rescale) element(x int32, c *Chain) int32 {
	d := x - k.inZP
	m := k.mPos
	if k.leaky && d <= 0 {
		m = k.mNeg
	}
	prod := d * m
	shifted := (prod + 128) >> 8
	v := shifted + k.outZP
	out := Clamp32(v, k.lo, k.hi)
	if c != nil {
		c.AddReal("x", int64(x), float64(d)*float64(k.inScale), "the raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point", "%d %s = %d", x, plus(-int64(k.inZP)), d)
		applied := float64(m) / 256
		switch {
		case !k.leaky:
			c.AddReal("M", int64(m), applied, "XNNPACK's multiplier with 8 fractional bits: round_half_even(256·float32(s_in/s_out)); real m/256",
				"round_half_even(256·%.9g) = %d", k.rPos, m)
		case d > 0:
			c.AddReal("M", int64(m), applied, "positive input: XNNPACK's multiplier r+ with 8 fractional bits, round_half_even(256·float32(s_in/s_out)); real m/256",
				"round_half_even(256·%.9g) = %d", k.rPos, m)
		default:
			c.AddReal("M", int64(m), applied, "input ≤ zero point: XNNPACK's multiplier r− = r+·alpha with 8 fractional bits, round_half_even(256·float32(r+·alpha)); real m/256",
				"round_half_even(256·float32(%.9g·%.9g)) = %d", k.rPos, k.alpha, m)
		}
		c.addRequantization(RuleFixedPointQ8, applied, QuantizedMultiplier{})
		c.Add("product", int64(prod), "offset·M", "%d·%d = %d", d, m, prod)
		s := c.Add("round_shift", int64(shifted), "(product + 128) >> 8: divide by 256, round half up",
			"(%d + 128) >> 8 = %d", prod, shifted)
		s.Changed = prod&255 != 0
		c.Add("zp", int64(v), "plus the output zero point", "%d %s = %d", shifted, plus(int64(k.outZP)), v)
		s = c.AddReal("clamp", int64(out), float64(out-k.outZP)*float64(k.outScale), "clamped to the output dtype's range",
			"clamp(%d, %d, %d) = %d", v, k.lo, k.hi, out)
		s.Changed = out != v
	}
	return out
}

func (k *xnnQ8Rescale) Eval() error { return evalUnary(k, &k.unaryOperands, (*xnnQ8Rescale).element) }

func (k *xnnQ8Rescale) Explain(out, elem int, c *Chain) error {
	return explainUnary(k, &k.unaryOperands, (*xnnQ8Rescale).element, out, elem, c)
}

func (k *xnnQ8Rescale) Describe() Params {
	p := Params{HasClamp: true, ClampMin: k.lo, ClampMax: k.hi,
		Requantization: "XNNPACK Q8: ((x − zp_in)·M + 128) >> 8 + zp_out, M with 8 fractional bits",
		Ints:           []NamedInt{{"multiplier_q8", int64(k.mPos)}, {"input_zero_point", int64(k.inZP)}, {"output_zero_point", int64(k.outZP)}}}
	if k.leaky {
		p.Ints = append(p.Ints, NamedInt{"negative_multiplier_q8", int64(k.mNeg)})
	}
	return p
}

// xnnQuantizeFloat is QUANTIZE float32 → int8/uint8 as the XNNPACK delegate
// runs it (Convert NC F32→QS8/QU8):
//
//	out = clamp(round_half_even(float32(x·float32(1/s_out))) + zp_out, qmin, qmax)
//
// a multiplication by the float32 reciprocal, rounded half to even (TFLite:
// x/s_out rounded half away). ±inf saturate; NaN is taken as the largest
// code (not verified with the oracle). Source: XNNPACK
// xnn_create_convert_nc_f32_qs8, f32-qs8-vcvt wasmsimd-magic.
type xnnQuantizeFloat struct {
	n        *Node
	in, out  *Tensor
	inv      float32
	outZP    int32
	lo, hi   int32
	outScale float32
}

// prepareQuantizeXNNPACK prepares a QUANTIZE node the XNNPACK delegate
// takes: float32 to per-tensor int8/uint8, or int8→int8 / uint8→uint8 with
// s_in/s_out in [2^−8, 2^7] (xnnQ8Rescale). Other conversions stay with
// TFLite.
func prepareQuantizeXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) != 1 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if !xnnQ8(out) {
		return nil, xnnNotTaken(n, "output is not a per-tensor int8/uint8 tensor")
	}
	if in.Type == tflite.TypeFloat32 {
		if err := xnnDefineTensors(n, in, out); err != nil {
			return nil, err
		}
		if in.NumElements() != out.NumElements() {
			return nil, xnnFallback(n, "input %v, output %v", in.Shape, out.Shape)
		}
		k := &xnnQuantizeFloat{n: n, in: in, out: out, outZP: out.ZP0(), outScale: out.Scale0()}
		k.inv = float32(1 / out.Scale0())
		k.lo, k.hi = Range(out.Type)
		return k, nil
	}
	if !xnnQ8(in) || in.Type != out.Type {
		return nil, xnnNotTaken(n, "%v to %v (only float32 to 8-bit, or 8-bit to the same type)", in.Type, out.Type)
	}
	r := float32(in.Scale0() / out.Scale0())
	if !(r >= 0x1p-8 && r <= 0x1p7) {
		return nil, xnnNotTaken(n, "unsupported input-to-output scale %g (outside [2^-8, 2^7])", r)
	}
	if in.NumElements() != out.NumElements() {
		return nil, fmt.Errorf("%w: %v input %v, output %v", ErrBadShape, n.Op, in.Shape, out.Shape)
	}
	if err := xnnUnaryDefine(n, in, out); err != nil {
		return nil, err
	}
	return newXNNQ8Rescale(n, in, out, r), nil
}

func (k *xnnQuantizeFloat) element(i int, c *Chain) int32 {
	x := k.in.Float32()[i]
	f := float32(x * k.inv)
	var out int32
	var r float64
	switch {
	case f != f:
		out = k.hi
	default:
		r = roundHalfEven32(f)
		out = int32(min(max(r+float64(k.outZP), float64(k.lo)), float64(k.hi)))
	}
	if c != nil {
		c.AddReal("input", int64(math.Float32bits(x)), float64(x), "the float input", "x = %g", x)
		c.AddReal("inv_scale", int64(math.Float32bits(k.inv)), float64(k.inv), "XNNPACK multiplies by the float32 reciprocal 1/s_out",
			"float32(1/%.9g) = %.9g", k.outScale, k.inv)
		s := c.AddReal("round_float32", saturatingInt64(r), float64(f), "float32 product x·(1/s_out) rounded half to even",
			"round_half_even(%g · %.9g) = round_half_even(%.7g) = %.0f", x, k.inv, f, r)
		s.Changed = float64(f) != r
		v := r + float64(k.outZP)
		c.Add("zp", saturatingInt64(v), "plus the output zero point", "%.0f %s = %.0f", r, plus(int64(k.outZP)), v)
		s = c.AddReal("clamp", int64(out), float64(out-k.outZP)*float64(k.outScale), "clamped to the output dtype's range",
			"clamp(%.0f, %d, %d) = %d", v, k.lo, k.hi, out)
		s.Changed = float64(out) != v
	}
	return out
}

func (k *xnnQuantizeFloat) Eval() error {
	for i := range k.out.NumElements() {
		storeIntElement(k.out, i, k.element(i, nil))
	}
	return nil
}

func (k *xnnQuantizeFloat) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	c.addSources(Source{Input: 0, Element: elem})
	c.Final = int64(k.element(elem, c))
	return nil
}

func (k *xnnQuantizeFloat) Describe() Params {
	return Params{HasClamp: true, ClampMin: k.lo, ClampMax: k.hi,
		Requantization: "float32: round_half_even(x·float32(1/s_out)) + zp",
		Ints:           []NamedInt{{"output_zero_point", int64(k.outZP)}}}
}

// prepareDequantizeXNNPACK prepares a DEQUANTIZE node the XNNPACK delegate
// takes (Convert NC QS8/QU8→F32): per-tensor int8/uint8 to float32. XNNPACK
// computes float32(x − zp)·s in one float32 multiply, the value TFLite's
// kernel stores too, so the kernel is dequantizeKernel.
func prepareDequantizeXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) != 1 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if !xnnQ8(in) || out.Type != tflite.TypeFloat32 {
		return nil, xnnNotTaken(n, "%v to %v (only per-tensor int8/uint8 to float32)", in.Type, out.Type)
	}
	if err := xnnDefineTensors(n, in, out); err != nil {
		return nil, err
	}
	return prepareDequantize(n)
}

// xnnLUT is an 8-bit operator XNNPACK runs through a 256-entry table built
// when the operator is created (LOGISTIC: Sigmoid NC QS8/QU8; ELU: ELU NC
// QS8). For every input code q:
//
//	x    = float32(q − zp_in)·s_in
//	y    = F(x)                                        (float32)
//	T[q] = clamp(round_half_even(float32(y·float32(1/s_out))) + zp_out, qmin, qmax)
//
// LOGISTIC: F(x) = x < 0 (sign bit) ? 1/(1 + expf(−x)) : 1 − 1/(1 + expf(x));
// ELU: F(x) = x < 0 (sign bit) ? expm1f(x) : x (alpha 1). expf and expm1f
// are modelled as the float64 function rounded to float32 (emscripten's
// musl; identical tables on every scale tried). Source: XNNPACK
// src/operators/lut-elementwise-nc.c.
type xnnLUT struct {
	unaryOperands
	table   [256]int32 // indexed by q − qmin
	qmin    int32
	inZP    int32
	outZP   int32
	inScale float32
	inv     float32
	name    string
	f       func(float32) float32
}

// xnnSigmoid is LOGISTIC's F in float32.
func xnnSigmoid(x float32) float32 {
	if math.Signbit(float64(x)) {
		return float32(1 / float32(1+float32(math.Exp(float64(-x)))))
	}
	return float32(1 - float32(1/float32(1+float32(math.Exp(float64(x))))))
}

// xnnELU is ELU's F (alpha 1) in float32.
func xnnELU(x float32) float32 {
	if math.Signbit(float64(x)) {
		return float32(math.Expm1(float64(x)))
	}
	return x
}

// prepareLogisticXNNPACK prepares a LOGISTIC node the XNNPACK delegate
// takes: per-tensor int8/uint8 input and output. XNNPACK's sigmoid requires
// the output scale 1/256 and zero point −128 (int8) or 0 (uint8); TFLite's
// own Prepare refuses other outputs first.
func prepareLogisticXNNPACK(n *Node) (Kernel, error) {
	in, out, err := xnnUnaryVisit(n)
	if err != nil {
		return nil, err
	}
	if err := xnnUnaryDefine(n, in, out); err != nil {
		return nil, err
	}
	lo, _ := Range(out.Type)
	if float64(out.Scale0()) != 1.0/256 || out.ZP0() != lo {
		return nil, xnnFallback(n, "sigmoid output must have scale 1/256 and zero point %d", lo)
	}
	return newXNNLUT(n, in, out, "sigmoid", xnnSigmoid), nil
}

// prepareEluXNNPACK prepares an ELU node the XNNPACK delegate takes: int8
// input and output with one scale each (uint8 ELU stays with TFLite, which
// refuses it).
func prepareEluXNNPACK(n *Node) (Kernel, error) {
	in, out, err := xnnUnaryVisit(n)
	if err != nil {
		return nil, err
	}
	if in.Type != tflite.TypeInt8 || out.Type != tflite.TypeInt8 {
		return nil, xnnNotTaken(n, "%v (ELU is delegated for int8 only)", in.Type)
	}
	if err := xnnUnaryDefine(n, in, out); err != nil {
		return nil, err
	}
	return newXNNLUT(n, in, out, "elu", xnnELU), nil
}

func newXNNLUT(n *Node, in, out *Tensor, name string, f func(float32) float32) *xnnLUT {
	k := &xnnLUT{unaryOperands: unaryOperands{node: n, in: in, out: out}, inZP: in.ZP0(), outZP: out.ZP0(),
		inScale: in.Scale0(), inv: float32(1 / out.Scale0()), name: name, f: f}
	var qmax int32
	k.qmin, qmax = Range(out.Type)
	for q := k.qmin; q <= qmax; q++ {
		k.table[q-k.qmin] = k.entry(q, nil)
	}
	return k
}

// entry computes table entry q, recording its stages when c is non-nil.
func (k *xnnLUT) entry(q int32, c *Chain) int32 {
	lo, hi := Range(k.out.Type)
	x := float32(float32(q-k.inZP) * k.inScale)
	y := k.f(x)
	scaled := float32(y * k.inv)
	r := roundHalfEven32(scaled)
	out := int32(min(max(r+float64(k.outZP), float64(lo)), float64(hi)))
	if c != nil {
		c.AddReal("x", int64(math.Float32bits(x)), float64(x), "the input's real value float32(q − zp_in)·s_in",
			"float32(%d %s)·%.9g = %.9g", q, plus(-int64(k.inZP)), k.inScale, x)
		c.AddReal(k.name, int64(math.Float32bits(y)), float64(y), "the function in float32",
			"%s(%.9g) = %.9g", k.name, x, y)
		s := c.AddReal("round_float32", int64(r), float64(scaled), "y·float32(1/s_out) rounded half to even",
			"round_half_even(%.9g · %.9g) = round_half_even(%.7g) = %.0f", y, k.inv, scaled, r)
		s.Changed = float64(scaled) != r
		v := r + float64(k.outZP)
		s = c.AddReal("lut", int64(out), float64(out-k.outZP)*float64(k.out.Scale0()),
			"XNNPACK's table entry for this input code: clamp(rounded + zp_out) to the dtype's range, built when the operator is created",
			"T[%d] = clamp(%.0f %s, %d, %d) = %d", q, r, plus(int64(k.outZP)), lo, hi, out)
		s.Changed = float64(out) != v
	}
	return out
}

func (k *xnnLUT) element(q int32, c *Chain) int32 {
	if c != nil {
		c.Add("q", int64(q), "the raw input code", "q = %d", q)
		return k.entry(q, c)
	}
	return k.table[q-k.qmin]
}

func (k *xnnLUT) Eval() error { return evalUnary(k, &k.unaryOperands, (*xnnLUT).element) }

func (k *xnnLUT) Explain(out, elem int, c *Chain) error {
	return explainUnary(k, &k.unaryOperands, (*xnnLUT).element, out, elem, c)
}

func (k *xnnLUT) Describe() Params {
	lo, hi := Range(k.out.Type)
	return Params{HasClamp: true, ClampMin: lo, ClampMax: hi,
		Requantization: "XNNPACK table: T[q] = round_half_even(" + k.name + "(float32(q − zp_in)·s_in)·float32(1/s_out)) + zp_out, built once",
		Ints:           []NamedInt{{"input_zero_point", int64(k.inZP)}, {"output_zero_point", int64(k.outZP)}}}
}

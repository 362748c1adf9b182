package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// quantizeKernel is a prepared QUANTIZE node. QUANTIZE has two forms, as in
// TFLite-Micro's quantize_common.cc.
//
// From float32 (AffineQuantize), all in float32 except the int32 steps:
//
//	q = clamp(int32(round(x / s_out)) + zp_out, qmin, qmax)
//
// where s_out is the output scale (TFLite stores it as a double and divides
// by it cast back to float, i.e. the float32 scale itself), the division is a
// float32 division and round is half away from zero. Outputs: int8, int16
// (TFLite-Micro's Eval), and uint8 (full TFLite's; TFLite-Micro refuses it).
// A quotient that does not fit int32 (or NaN) converts to INT32_MIN, as the
// x86 conversion instruction TFLite's static_cast compiles to does, and the
// zero point is then added with int32 wrap-around.
//
// Between integer types (Requantize):
//
//	M = s_in / s_out                      (double)
//	q = clamp(MultiplyByQuantizedMultiplier(x − zp_in, M) + zp_out, qmin, qmax)
//
// with the node's rounding rule. When M is exactly 1 (QuantizeMultiplier gives
// 2^30, shift 1) and the conversion is int8→uint8 with zp_out − zp_in = 128,
// or uint8→int8 with zp_in − zp_out = 128, TFLite flips the top bit instead
// (x XOR 0x80); that is the same value the formula gives, and explanations
// say which path ran. Pairs: int8→int8/uint8/int16/int32, uint8→int8,
// int16→int8/int16/int32, int32→int8/int16.
type quantizeKernel struct {
	n       *Node
	in, out *Tensor
	rule    Rounding

	outScale float32
	inZP     int32
	outZP    int32
	lo, hi   int32

	// Requantize form.
	real    float64
	q       QuantizedMultiplier
	flipTop bool // the x XOR 0x80 fast path
}

// requantizePairs lists the integer conversions TFLite-Micro implements.
var requantizePairs = map[[2]tflite.TensorType]bool{
	{tflite.TypeInt8, tflite.TypeInt8}:   true,
	{tflite.TypeInt8, tflite.TypeUint8}:  true,
	{tflite.TypeInt8, tflite.TypeInt16}:  true,
	{tflite.TypeInt8, tflite.TypeInt32}:  true,
	{tflite.TypeUint8, tflite.TypeInt8}:  true,
	{tflite.TypeInt16, tflite.TypeInt8}:  true,
	{tflite.TypeInt16, tflite.TypeInt16}: true,
	{tflite.TypeInt16, tflite.TypeInt32}: true,
	{tflite.TypeInt32, tflite.TypeInt8}:  true,
	{tflite.TypeInt32, tflite.TypeInt16}: true,
}

// prepareQuantize prepares a QUANTIZE node (see quantizeKernel for the
// formula).
func prepareQuantize(n *Node) (Kernel, error) { return newQuantize(n, false) }

// prepareQuantizeTFLite prepares QUANTIZE as full TFLite's quantize.cc does
// (ImplTFLite): TFLite-Micro's conversions plus uint8 → uint8 (the same
// Requantize, MBQM of M = s_in/s_out, clamped to [0, 255]). From source; no
// golden for full TFLite's kernels (the 2022 XNNPACK delegate takes uint8 →
// uint8 and computes it differently: ImplXNNPACK's).
func prepareQuantizeTFLite(n *Node) (Kernel, error) { return newQuantize(n, true) }

// newQuantize prepares TFLite-Micro's QUANTIZE, or with fullTFLite full
// TFLite's conversions.
func newQuantize(n *Node, fullTFLite bool) (Kernel, error) {
	in := n.Input(0)
	if in == nil || len(n.Outputs) == 0 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: QUANTIZE needs an input and an output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if in.NumElements() != out.NumElements() {
		return nil, fmt.Errorf("%w: QUANTIZE from %v to %v", ErrBadShape, in.Shape, out.Shape)
	}
	if len(out.Scale) != 1 {
		return nil, fmt.Errorf("%w: QUANTIZE output needs one per-tensor scale, has %d", ErrBadQuantization, len(out.Scale))
	}
	k := &quantizeKernel{n: n, in: in, out: out, rule: n.Rounding, outScale: out.Scale0(), outZP: out.ZP0()}
	k.lo, k.hi = Range(out.Type)
	if in.Type == tflite.TypeFloat32 {
		switch out.Type {
		case tflite.TypeInt8, tflite.TypeInt16, tflite.TypeUint8:
			return k, nil
		}
		return nil, fmt.Errorf("%w: QUANTIZE float32 to %v", ErrUnsupportedType, out.Type)
	}
	uint8Pair := fullTFLite && in.Type == tflite.TypeUint8 && out.Type == tflite.TypeUint8
	if !requantizePairs[[2]tflite.TensorType{in.Type, out.Type}] && !uint8Pair {
		return nil, fmt.Errorf("%w: QUANTIZE %v to %v", ErrUnsupportedType, in.Type, out.Type)
	}
	if !in.Quantized() {
		return nil, fmt.Errorf("%w: QUANTIZE input %v has no scale", ErrBadQuantization, in.Type)
	}
	k.inZP = in.ZP0()
	k.real = float64(in.Scale0()) / float64(out.Scale0())
	k.q = QuantizeMultiplier(k.real, n.Rounding)
	if k.q.Multiplier == 1<<30 && k.q.Shift == 1 {
		diff := k.inZP - k.outZP
		k.flipTop = (in.Type == tflite.TypeInt8 && out.Type == tflite.TypeUint8 && diff == -128) ||
			(in.Type == tflite.TypeUint8 && out.Type == tflite.TypeInt8 && diff == 128)
	}
	return k, nil
}

// quantizeFloat is AffineQuantize for one value.
func quantizeFloat(x, scale float32, zp, lo, hi int32, c *Chain) int32 {
	quot := x / scale
	r := float32(math.Round(float64(quot))) // round half away from zero; exact in float32
	var ri int32
	if r >= -(1<<31) && r < 1<<31 {
		ri = int32(r)
	} else {
		ri = math.MinInt32 // x86 cvttss2si on overflow or NaN
	}
	v := ri + zp
	out := Clamp32(v, lo, hi)
	if c != nil {
		c.AddReal("divide", int64(math.Float32bits(quot)), float64(quot), "x / scale in float32",
			"%g / %g = %g", x, scale, quot)
		s := c.Add("round", int64(ri), "rounded half away from zero to an integer", "round(%g) = %d", quot, ri)
		s.Changed = float32(ri) != quot
		c.Add("zp", int64(v), "plus the output zero point", "%d %s = %d", ri, plus(int64(zp)), v)
		s = c.Add("clamp", int64(out), "clamped to the output dtype's range", "clamp(%d, %d, %d) = %d", v, lo, hi, out)
		s.Changed = out != v
	}
	return out
}

// element is the per-element code shared by Eval and Explain.
func (k *quantizeKernel) element(i int, c *Chain) int32 {
	if k.in.Type == tflite.TypeFloat32 {
		x := k.in.Float32()[i]
		if c != nil {
			c.AddReal("input", int64(math.Float32bits(x)), float64(x), "the float input", "x = %g", x)
		}
		return quantizeFloat(x, k.outScale, k.outZP, k.lo, k.hi, c)
	}
	x := int32(k.in.Int(i))
	if k.flipTop {
		flipped := uint8(x) ^ 0x80 // the low byte, top bit flipped
		out := int32(flipped)
		if k.out.Type == tflite.TypeInt8 {
			out = int32(int8(flipped))
		}
		if c != nil {
			c.Add("input", int64(x), "the raw input", "x = %d", x)
			c.Add("flip", int64(out), "equal scales and zero points 128 apart: TFLite flips the top bit (x XOR 0x80), which equals x − zp_in + zp_out",
				"%d XOR 0x80 = %d", x, out)
		}
		return out
	}
	off := x - k.inZP
	if c != nil {
		c.Add("input", int64(x), "the raw input", "x = %d", x)
		c.Add("offset", int64(off), "input minus its zero point", "%d − %d = %d", x, k.inZP, off)
	}
	return Requantize(off, k.q, k.rule, k.outZP, k.lo, k.hi, c)
}

func (k *quantizeKernel) Eval() error {
	for i := range k.out.NumElements() {
		storeIntElement(k.out, i, k.element(i, nil))
	}
	return nil
}

func (k *quantizeKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	if c != nil {
		c.addSources(Source{Input: 0, Element: elem})
	}
	v := k.element(elem, c)
	if c != nil {
		c.Final = int64(v)
	}
	return nil
}

// Describe reports the requantization multiplier (integer inputs) and the
// output clamp range.
func (k *quantizeKernel) Describe() Params {
	p := Params{HasClamp: true, ClampMin: k.lo, ClampMax: k.hi,
		Ints: []NamedInt{{Name: "output_zero_point", Value: int64(k.outZP)}}}
	if k.in.Type != tflite.TypeFloat32 {
		p.Multipliers = []Multiplier{{Name: "output", Channel: -1, Real: k.real, Quantized: k.q}}
		p.Ints = append(p.Ints, NamedInt{Name: "input_zero_point", Value: int64(k.inZP)})
		if k.flipTop {
			p.Ints = append(p.Ints, NamedInt{Name: "xor_0x80_path", Value: 1})
		}
	}
	return p
}

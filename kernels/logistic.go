package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// sigmoidFamily holds the parameters LOGISTIC and TANH derive alike.
type sigmoidFamily struct {
	node    *Node
	in, out *Tensor
	// int8: the input rescaling to Q4.27 and the saturation radius.
	inZP   int32
	real   float64
	q      QuantizedMultiplier
	radius int32
	// int16: the input multiplier and right shift applied before the table.
	mult16  int32
	shift16 int
	pot     bool
	// potShift is the power-of-two case's left shift (0, or 1 for TANH).
	potShift int

	// Full TFLite's variants. lut8 is the 256-entry table of int8 and uint8
	// inputs (LUTPopulate, indexed by the raw byte), built by entry8 with
	// transform; gemmlowp16 is the 2022 optimized int16 power-of-two path.
	lut8       *[256]uint8
	transform  func(float32) float32
	fname      string
	gemmlowp16 bool
}

// prepareSigmoidFamily checks a LOGISTIC or TANH node and derives its
// parameters; potShifts lists the log2-derived left shifts that count as the
// power-of-two int16 case ({0} for LOGISTIC, {0, 1} for TANH).
func prepareSigmoidFamily(n *Node, potShifts ...int) (*sigmoidFamily, error) {
	in := n.Input(0)
	if in == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: %v needs one input and one output", ErrMissingInput, n.Op)
	}
	out := n.Outputs[0]
	if in.Type != out.Type || (in.Type != tflite.TypeInt8 && in.Type != tflite.TypeInt16) {
		return nil, fmt.Errorf("%w: %v %v → %v", ErrUnsupportedType, n.Op, in.Type, out.Type)
	}
	if in.NumElements() != out.NumElements() {
		return nil, fmt.Errorf("%w: %v input %v, output %v", ErrBadShape, n.Op, in.Shape, out.Shape)
	}
	if !in.Quantized() || !out.Quantized() {
		return nil, fmt.Errorf("%w: %v needs quantized input and output", ErrBadQuantization, n.Op)
	}
	k := &sigmoidFamily{node: n, in: in, out: out, inZP: in.ZP0()}
	if in.Type == tflite.TypeInt8 {
		const inputIntegerBits = 4
		k.real = float64(in.Scale0()) * float64(int32(1)<<(31-inputIntegerBits))
		frac, shift := math.Frexp(k.real)
		// static_cast<int32_t>(TfLiteRound(q·2^31)): a fraction rounding to
		// 2^31 wraps, as on the reference's x86 build.
		k.q = QuantizedMultiplier{Multiplier: int32(int64(math.Round(frac * (1 << 31)))), Shift: shift}
		k.radius = CalculateInputRadius(inputIntegerBits, shift, 31)
		return k, nil
	}
	const inputIntegerBits = 3
	if in.ZP0() != 0 || out.ZP0() != 0 {
		return nil, fmt.Errorf("%w: int16 %v needs zero points 0", ErrBadQuantization, n.Op)
	}
	log2, pot := CheckedLog2(in.Scale0())
	k.shift16 = 15 - inputIntegerBits + log2
	inList := false
	for _, s := range potShifts {
		inList = inList || k.shift16 == s
	}
	k.pot = pot && inList
	if k.pot {
		k.potShift = k.shift16
		// Eval turns multiplier 0 into 3 << shift with no shift.
		k.mult16, k.shift16 = 3<<uint(k.shift16), 0
	} else {
		m := float64(in.Scale0()) * 4096.0 * 3.0
		k.shift16 = 0
		for m <= 32767.0/2.0 && k.shift16 <= 30 {
			k.shift16++
			m *= 2
		}
		k.mult16 = int32(m)
	}
	k.real = float64(k.mult16) / math.Ldexp(1, k.shift16)
	if outLog2, ok := CheckedLog2(out.Scale0()); !ok || outLog2 != -15 {
		return nil, fmt.Errorf("%w: int16 %v output scale must be 2^−15", ErrBadQuantization, n.Op)
	}
	return k, nil
}

// newSigmoidLUT prepares LOGISTIC or TANH of an int8 or uint8 input as full
// TFLite's reference and optimized kernels do (activations.cc, common.h
// LUTPopulate<int8_t/uint8_t>): a 256-entry table of f, entry8. int16 is
// not taken.
func newSigmoidLUT(n *Node, f func(float32) float32, fname string) (*sigmoidFamily, error) {
	in := n.Input(0)
	if in == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: %v needs one input and one output", ErrMissingInput, n.Op)
	}
	if in.Type != tflite.TypeInt8 && in.Type != tflite.TypeUint8 {
		return nil, fmt.Errorf("%w: full TFLite's int16 %v is TFLite-Micro's", errNotTaken, n.Op)
	}
	_, out, err := unaryQuantOperands(n, tflite.TypeInt8, tflite.TypeUint8)
	if err != nil {
		return nil, err
	}
	k := &sigmoidFamily{node: n, in: in, out: out, inZP: in.ZP0(), transform: f, fname: fname, lut8: new([256]uint8)}
	lo, hi := Range(in.Type)
	for v := lo; v <= hi; v++ {
		k.lut8[byte(v)] = byte(k.entry8(v, nil))
	}
	return k, nil
}

// entry8 is the table entry of raw input v (LUTPopulateInt8, float32
// arithmetic): d = s_in·float(v − zp_in), t = f(d), r = roundf(t·(1/s_out)),
// q = int32(r + float(zp_out)) (truncation), clamped to the type.
func (k *sigmoidFamily) entry8(v int32, c *Chain) int32 {
	sOut := k.out.Scale0()
	inv := 1 / sOut
	d := k.in.Scale0() * float32(v-k.inZP)
	t := k.transform(d)
	r := float32(math.Round(float64(float32(t * inv))))
	sum := float32(r + float32(k.out.ZP0()))
	q := int32(sum)
	lo, hi := Range(k.out.Type)
	y := Clamp32(q, lo, hi)
	if c != nil {
		c.AddReal("x", int64(v), float64(d), "raw input; full TFLite looks the output up in a 256-entry table built in float32", "x = %d", v)
		c.AddReal("dequantized", 0, float64(d), "float32 s_in·(x − zp_in)", "%.9g·(%d − %d) = %.9g", k.in.Scale0(), v, k.inZP, d)
		c.AddReal(k.fname, 0, float64(t), k.fname+" in float32", "%s(%.9g) = %.9g", k.fname, d, t)
		c.Add("round", int64(r), "roundf(value·float32(1/s_out)) (half away from zero)", "roundf(%.9g·%.9g) = %g", t, inv, r)
		c.Add("zp", int64(q), "plus the output zero point in float32, truncated to int32", "int32(%g + %d) = %d", r, k.out.ZP0(), q)
		st := c.Add("clamp", int64(y), "clamped to the output type", "clamp(%d, %d, %d) = %d", q, lo, hi, y)
		st.Changed = y != q
	}
	return y
}

// rescaleInt16 is the int16 input stage: (x·mult + round) >> shift.
func (k *sigmoidFamily) rescaleInt16(x int16, c *Chain) int32 {
	round := int32(0)
	if k.shift16 > 0 {
		round = 1 << uint(k.shift16-1)
	}
	prod := int32(x)*k.mult16 + round
	v := prod >> uint(k.shift16)
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(x), "raw input", "x = %d", x)
		s := c.AddReal("scaled_input", int64(v), float64(v)/(3*4096), "input in units of 1/(3·4096), rescaled for the table: (x·mult + round) >> shift",
			"(%d · %d + %d) >> %d = %d", x, k.mult16, round, k.shift16, v)
		s.Changed = k.shift16 > 0 && prod&(int32(1)<<uint(k.shift16)-1) != 0
	}
	return v
}

// centredInt8 is the int8 input stage shared by LOGISTIC and TANH: it returns
// the input minus its zero point, and whether it saturates (−1 below the
// radius, +1 above, 0 inside).
func (k *sigmoidFamily) centredInt8(x int8, c *Chain) (d int32, saturate int) {
	d = int32(x) - k.inZP
	if c != nil {
		c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(d), "raw input", "x = %d", x)
		c.Add("offset", int64(d), "input minus its zero point", "%d − (%d) = %d", x, k.inZP, d)
	}
	switch {
	case d <= -k.radius:
		saturate = -1
	case d >= k.radius:
		saturate = 1
	}
	if c != nil && saturate != 0 {
		c.Add("saturate", int64(saturate), "|input| reaches the input radius: the output saturates", "|%d| ≥ %d", d, k.radius)
	}
	return d, saturate
}

// saturatedInt8 is the int8 output of an input beyond the radius.
func saturatedInt8(sat int, c *Chain) int8 {
	y := int8(math.MinInt8)
	if sat > 0 {
		y = math.MaxInt8
	}
	if c != nil {
		s := c.Add("output", int64(y), "saturated output", "%d", y)
		s.Changed = true
	}
	return y
}

// toQ4 rescales a centred int8 input to Q4.27.
func (k *sigmoidFamily) toQ4(d int32, c *Chain) int32 {
	v := MultiplyByQuantizedMultiplier(d, k.q.Multiplier, k.q.Shift, k.node.Rounding)
	if c != nil {
		c.AddReal("q4", int64(v), math.Ldexp(float64(v), -27), "input in Q4.27: MultiplyByQuantizedMultiplier(d, s·2^27)",
			"MBQM(%d, %d, %d) = %d", d, k.q.Multiplier, k.q.Shift, v)
	}
	return v
}

func (k *sigmoidFamily) describe() Params {
	lo, hi := Range(k.out.Type)
	if k.lut8 != nil {
		return Params{HasClamp: true, ClampMin: lo, ClampMax: hi, Ints: []NamedInt{{Name: "input_zero_point", Value: int64(k.inZP)},
			{Name: "output_zero_point", Value: int64(k.out.ZP0())}, {Name: "lut_entries", Value: 256}}}
	}
	if k.gemmlowp16 {
		return Params{HasClamp: true, ClampMin: lo, ClampMax: hi, Ints: []NamedInt{{Name: "input_left_shift", Value: int64(k.potShift)},
			{Name: "input_integer_bits", Value: 3}}}
	}
	p := Params{
		Multipliers: []Multiplier{{Name: "input_multiplier", Channel: -1, Real: k.real, Quantized: k.q,
			What: "s_in·2^(31−4): scales x − zp_in to Q4.27 for the fixed-point function (not an output requantization)"}},
		HasClamp: true, ClampMin: lo, ClampMax: hi,
	}
	if k.in.Type == tflite.TypeInt8 {
		p.Ints = []NamedInt{{Name: "input_left_shift", Value: int64(k.q.Shift)}, {Name: "input_range_radius", Value: int64(k.radius)},
			{Name: "input_zero_point", Value: int64(k.inZP)}}
	} else {
		pot := int64(0)
		if k.pot {
			pot = 1
		}
		p.Multipliers = nil
		p.Ints = []NamedInt{{Name: "input_multiplier", Value: int64(k.mult16)}, {Name: "input_right_shift", Value: int64(k.shift16)},
			{Name: "pot_input_scale", Value: pot}}
	}
	return p
}

// sigmoidElements is the per-element arithmetic of LOGISTIC or TANH.
type sigmoidElements interface {
	elementInt8(x int8, c *Chain) int8
	elementInt16(x int16, c *Chain) int16
}

// eval computes every output element with e.
func (k *sigmoidFamily) eval(e sigmoidElements) error {
	if k.lut8 != nil {
		out := k.out.Data
		for i, b := range k.in.Data[:len(out)] {
			out[i] = k.lut8[b]
		}
		return nil
	}
	if k.in.Type == tflite.TypeInt8 {
		in, out := k.in.Int8(), k.out.Int8()
		for i := range out {
			out[i] = e.elementInt8(in[i], nil)
		}
		return nil
	}
	in, out := k.in.Int16(), k.out.Int16()
	for i := range out {
		out[i] = e.elementInt16(in[i], nil)
	}
	return nil
}

// explain records output element elem as e computes it.
func (k *sigmoidFamily) explain(e sigmoidElements, out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	c.addSources(Source{Input: 0, Element: elem})
	if k.lut8 != nil {
		v := k.entry8(int32(k.in.Int(elem)), c)
		if stored := k.lut8[k.in.Data[elem]]; byte(v) != stored {
			return fmt.Errorf("%w: %v table entry %d recomputed as %d", ErrRuntime, k.node.Op, stored, v)
		}
		c.Final = int64(v)
		return nil
	}
	if k.in.Type == tflite.TypeInt8 {
		c.Final = int64(e.elementInt8(k.in.Int8()[elem], c))
	} else {
		c.Final = int64(e.elementInt16(k.in.Int16()[elem], c))
	}
	return nil
}

// logisticKernel is LOGISTIC (int8, int16), after TFLite-Micro's logistic.cc /
// logistic_common.cc with reference_integer_ops::Logistic. TANH (tanhKernel)
// shares the parameter derivation (sigmoidFamily) and the int16 table.
//
// int8 (gemmlowp fixed point, no lookup table). Prepare: the input is
// rescaled to Q4.27: m = s_in·2^27 in double, split by frexp into a Q0.31
// multiplier (rounded, not via QuantizeMultiplier) and a shift; radius =
// CalculateInputRadius(4, shift). Per element, with d = x − zp_in:
//
//	d ≤ −radius → −128;  d ≥ radius → 127;  otherwise
//	y = clamp(RoundingDivideByPOT(logistic(MultiplyByQuantizedMultiplier(d, m)), 23) − 128)
//
// int16 (symmetric, output scale 2^−15). Prepare: if s_in is a power of two
// with log2(s_in) = −12 the input multiplier is 3 and the shift 0; otherwise
// the multiplier is trunc(s_in·3·4096·2^k) with the smallest k that brings it
// above 32767/2 (and shift k). Per element: v = (x·mult + round) >> shift,
// the input in units of 1/(3·4096), then linear interpolation in
// sigmoid_table_uint16 (sigmoid(i/24), Q0.16) at |v|/2^9, mirrored for
// negative v, and rounded to Q0.15.
type logisticKernel struct{ sigmoidFamily }

// prepareLogistic prepares a LOGISTIC node (see logisticKernel for the
// formula).
func prepareLogistic(n *Node) (Kernel, error) {
	f, err := prepareSigmoidFamily(n, 0)
	if err != nil {
		return nil, err
	}
	if f.in.Type == tflite.TypeInt8 && f.out.ZP0() != math.MinInt8 {
		return nil, fmt.Errorf("%w: int8 LOGISTIC output zero point must be −128", ErrBadQuantization)
	}
	return &logisticKernel{*f}, nil
}

// prepareLogisticTFLite prepares LOGISTIC of an int8 or uint8 input as full
// TFLite does (ImplTFLite: kReference and kGenericOptimized alike): the
// LUTPopulate table of 1/(1+expf(−d)) (sigmoidFamily.entry8), output scale
// 1/256 required (the zero point is not checked, unlike TFLite-Micro's). It
// differs from TFLite-Micro's fixed point on rare quantizations (a sweep
// found 1 table entry in 512,000, by 1; no golden distinguishes them).
func prepareLogisticTFLite(n *Node) (Kernel, error) {
	f, err := newSigmoidLUT(n, func(d float32) float32 { return 1 / (1 + ExpFloat32(-d)) }, "logistic")
	if err != nil {
		return nil, err
	}
	if f.out.Scale0() != 1.0/256 {
		return nil, fmt.Errorf("%w: %v LOGISTIC output scale %g must be 1/256", ErrBadQuantization, f.in.Type, f.out.Scale0())
	}
	return &logisticKernel{*f}, nil
}

// prepareLogisticOptimized prepares int16 LOGISTIC as the 2022 TFLite
// optimized kernel computes it when the input scale is 2^−12 (the
// power-of-two case): gemmlowp's int16 logistic of FixedPoint<int16, 3>
// applied to the raw input, Q0.15 out (FixedPointLogistic16; opzoo
// logistic_int16_pot_input xnnpack/ goldens). Other inputs are not taken
// (the reference kernel, TFLite-Micro's).
func prepareLogisticOptimized(n *Node) (Kernel, error) {
	f, err := prepareSigmoidFamilyGemmlowp16(n, "2^−12", 0)
	if err != nil {
		return nil, err
	}
	return &logisticKernel{*f}, nil
}

// prepareSigmoidFamilyGemmlowp16 prepares the 2022 TFLite optimized int16
// LOGISTIC and TANH (sigmoidFamily.gemmlowp16): taken only for an int16
// input whose scale is a power of two potShifts admit (scales names them
// for the refusal).
func prepareSigmoidFamilyGemmlowp16(n *Node, scales string, potShifts ...int) (*sigmoidFamily, error) {
	if in := n.Input(0); in == nil || in.Type != tflite.TypeInt16 {
		return nil, fmt.Errorf("%w: not an int16 %v", errNotTaken, n.Op)
	}
	f, err := prepareSigmoidFamily(n, potShifts...)
	if err != nil {
		return nil, err
	}
	if !f.pot {
		return nil, fmt.Errorf("%w: int16 %v input scale is not %s", errNotTaken, n.Op, scales)
	}
	f.gemmlowp16 = true
	return f, nil
}

// elementInt8 computes one int8 output from the raw input x.
func (k *logisticKernel) elementInt8(x int8, c *Chain) int8 {
	d, sat := k.centredInt8(x, c)
	if sat != 0 {
		return saturatedInt8(sat, c)
	}
	q4 := k.toQ4(d, c)
	sig := FixedPointLogistic(q4, 4)
	q23 := RoundingDivideByPOT(sig, 23)
	shifted := q23 + math.MinInt8
	y := Clamp32(shifted, math.MinInt8, math.MaxInt8)
	if c != nil {
		c.AddReal("logistic", int64(sig), math.Ldexp(float64(sig), -31), "gemmlowp logistic, Q0.31", "logistic(%d) = %d", q4, sig)
		s := c.Add("rdbpot", int64(q23), "RoundingDivideByPOT by 23: Q0.31 → units of 1/256", "RDBPOT(%d, 23) = %d", sig, q23)
		s.Changed = sig&(1<<23-1) != 0
		c.Add("zp", int64(shifted), "plus the output zero point −128", "%d − 128 = %d", q23, shifted)
		s = c.Add("clamp", int64(y), "clamped to int8", "clamp(%d, −128, 127) = %d", shifted, y)
		s.Changed = y != shifted
	}
	return int8(y)
}

// elementInt16 computes one int16 output from the raw input x.
func (k *logisticKernel) elementInt16(x int16, c *Chain) int16 {
	if k.gemmlowp16 {
		y := FixedPointLogistic16(x, 3)
		if c != nil {
			c.AddReal("x", int64(x), float64(k.in.Scale0())*float64(x), "raw input, read as FixedPoint<int16, 3> (scale 2^−12)", "x = %d", x)
			c.AddReal("logistic", int64(y), float64(y)/32768, "gemmlowp logistic on int16, Q0.15", "logistic(%d) = %d", x, y)
		}
		return y
	}
	v := k.rescaleInt16(x, c)
	abs := uint32(v)
	if v < 0 {
		abs = uint32(-v)
	}
	index := abs >> 9
	var interp uint32
	if index >= 255 {
		interp = 0x7FFF << 10
	} else {
		ua, ub := uint32(sigmoidTableUint16[index]), uint32(sigmoidTableUint16[index+1])
		frac := abs & 0x1ff
		interp = ua<<9 + frac*(ub-ua)
		if c != nil {
			c.Add("table", int64(ua), "sigmoid_table_uint16[|v| >> 9] and the next entry (Q0.16)", "table[%d] = %d, table[%d] = %d", index, ua, index+1, ub)
		}
	}
	var res uint32
	if v >= 0 {
		res = interp + 1<<9
	} else {
		res = 1<<25 - interp + 1<<9 - 1
	}
	res >>= 10
	if c != nil {
		if index >= 255 {
			s := c.Add("saturate", int64(interp), "|v| beyond the table: saturated", "%d >> 9 ≥ 255", abs)
			s.Changed = true
		} else {
			c.Add("interp", int64(interp), "linear interpolation, Q0.25", "table[%d]·2^9 + %d·Δ = %d", index, abs&0x1ff, interp)
		}
		c.AddReal("result", int64(res), float64(res)/32768, "mirrored for v < 0 and rounded to Q0.15", "→ %d", res)
	}
	return int16(res)
}

func (k *logisticKernel) Eval() error { return k.eval(k) }

func (k *logisticKernel) Explain(out, elem int, c *Chain) error { return k.explain(k, out, elem, c) }

func (k *logisticKernel) Describe() Params { return k.describe() }

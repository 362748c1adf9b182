package kernels

import (
	"fmt"
	"math"
	"sync"

	"github.com/tflq/tflq-trace/tflite"
)

// softmaxScaledDiffIntegerBits is the integer bits of the rescaled input
// difference (Q5.26) and softmaxAccumulationIntegerBits those of the sum of
// exponentials (Q12.19), as TFLite fixes them.
const (
	softmaxScaledDiffIntegerBits   = 5
	softmaxAccumulationIntegerBits = 12
)

// softmaxTables are the int16 SOFTMAX lookup tables; they depend on nothing
// but constants, so they are built once.
var softmaxTables struct {
	once  sync.Once
	exp   [LUTSizeInt16]int16 // exp(x) for x in [−10, 0], output range [−1, 1]
	recip [LUTSizeInt16]int16 // 1/(1+x) for x in [0, 1], output range [−1, 1]
}

func softmaxLUTs() (exp, recip *[LUTSizeInt16]int16) {
	softmaxTables.once.Do(func() {
		GenLUTInt16(ExpFloat32, -10, 0, -1, 1, &softmaxTables.exp)
		GenLUTInt16(func(x float32) float32 { return 1 / (1 + x) }, 0, 1, -1, 1, &softmaxTables.recip)
	})
	return &softmaxTables.exp, &softmaxTables.recip
}

// softmaxKernel is SOFTMAX, after TFLite-Micro's softmax.cc / softmax_common.cc
// with reference_ops::Softmax (int8 input, int8 or int16 output) and
// reference_ops::SoftmaxInt16 (int16 → int16). Rows are the last dimension.
//
// int8 input (gemmlowp fixed point). Prepare: PreprocessSoftmaxScaling gives
// M = min(β·s_in·2^26, 2^31−1 (2^30−1 under single rounding)) as a
// QuantizeMultiplierGreaterThanOne (multiplier, left shift), and diff_min =
// −CalculateInputRadius(5, left shift). Per row:
//
//	d_j   = x_j − max(x)                                  (skipped if d_j < diff_min)
//	e_j   = exp_on_negative_values(MultiplyByQuantizedMultiplierGreaterThanOne(d_j, M))  Q5.26 → Q0.31
//	S     = Σ Rescale<12>(e_j)                            Q12.19
//	r, n  = GetReciprocal(S, 12)                          r in Q0.31, S ≈ 2^n / r
//	y_j   = clamp(RoundingDivideByPOT(SRDHM(r, e_j), n + 31 − bits(out)) + min(out))
//
// int16 input (lookup tables). Prepare: M = s_in·β / (10/65535) by
// QuantizeMultiplier; tables exp(x) on [−10, 0] and 1/(1+x) on [0, 1] (513
// entries each, gen_lut in float32). Per row:
//
//	e_j = LUT_exp(clamp16(MultiplyByQuantizedMultiplier(x_j − max(x), M) + 32767))   Q0.15
//	S   = Σ e_j; h = CountLeadingZeros(S)
//	r   = LUT_recip(clamp16(((S << (h−1)) + 2^13) >> 14 − 3·2^15))                    Q0.15
//	y_j = clamp((e_j·r + 2^(30−h)) >> (31−h), 0, 32767)
//
// Full TFLite (ImplTFLiteRef, ImplTFLiteOptimized) computes int16 → int16
// with the same algorithm but with M = QM(double(float32(s_in·β)) /
// (10/65535)) — the product is float32 — and both tables built in double:
// LiteRT 2026's reference kernel by LUTPopulate<int16_t> from (scale, zero
// point) pairs (exp: input scale 10/65535, zero point 32767; 1/(1+x): input
// scale 1/65535, zero point −32768; output scale 2/65535, zero point 0), the
// 2022 build by gen_lut<double> on the ranges themselves ([−10, 0] and [0, 1]
// → [−1, 1]); both need zero points 0. The double reciprocal table differs
// from TFLite-Micro's float one in 2 of 513 entries (a sweep of 1000 random
// models found 334 differing elements in 736,704, by 1). No shared golden
// distinguishes them.
//
// The 2022 optimized kernel (ImplTFLiteOptimized) computes an int8 or uint8
// input (int8, uint8 or int16 output) with a float32 table instead
// (optimized_ops::Softmax, PopulateSoftmaxLookupTable; the uint16 table is
// aarch64-only):
//
//	c = float32(−s_in·β);  table[255 − v] = expf(c·float32(v)), v = 0..255
//	per row: T_j = table[255 − max(x) + x_j];  sum = Σ T_j (float32, row order)
//	inv = float32(1 / float32(sum·s_out))
//	int8, int16 output: y = clamp(int32(roundf(T_j·inv)) + zp_out)
//	uint8 output:       y = clamp(int32(T_j·inv + 0.5f))        (truncation, zp_out ignored)
//
// (expf is float32(exp) of the float64 value; the research harness verified
// int8 → int16 on probes, uint8 on the mobilenet, and found int8 → int8 equal
// to the fixed point on every tested element).
type softmaxKernel struct {
	node *Node
	// floatTable selects the 2022 optimized float path (table holds it).
	floatTable bool
	table      *[256]float32
	in, out    *Tensor
	depth      int // row length (last dimension)
	rows       int
	beta       float32
	real       float64 // the real input multiplier TFLite quantizes
	q          QuantizedMultiplier
	diffMin    int32 // int8 input only
	expLUT     *[LUTSizeInt16]int16
	recipLUT   *[LUTSizeInt16]int16
	outMin     int32 // lowest output value (int8/int16 input with int8/int16 output)
	outMax     int32
	outputBits int
}

// prepareSoftmax prepares a SOFTMAX node (see softmaxKernel for the formula).
func prepareSoftmax(n *Node) (Kernel, error) { return newSoftmax(n, false) }

// prepareSoftmaxRef prepares SOFTMAX as full TFLite's reference kernel does:
// TFLite-Micro's arithmetic for int8 input, and also uint8 → uint8 (legacy
// models), the int8 template with uint8 bounds: the row maximum starts at 0,
// the output is in units of 1/256 with zero point 0 whatever the output
// tensor's quantization says (TFLite does not check it for uint8); int16
// with LiteRT's double tables (see softmaxKernel).
func prepareSoftmaxRef(n *Node) (Kernel, error) {
	k, err := newSoftmax(n, true)
	if err != nil {
		return nil, err
	}
	if k.in.Type == tflite.TypeInt16 {
		return k, k.useDoubleTables(true)
	}
	return k, nil
}

// prepareSoftmaxOptimized prepares SOFTMAX as the 2022 TFLite optimized
// kernel (see softmaxKernel): int8/uint8 input through the float table,
// int16 with gen_lut<double> tables.
func prepareSoftmaxOptimized(n *Node) (Kernel, error) {
	k, err := newSoftmax(n, true)
	if err != nil {
		return nil, err
	}
	if k.in.Type == tflite.TypeInt16 {
		return k, k.useDoubleTables(false)
	}
	k.floatTable = true
	k.table = new([256]float32)
	c := -k.in.Scale0() * k.beta
	for v := range 256 {
		k.table[255-v] = ExpFloat32(c * float32(v))
	}
	return k, nil
}

// useDoubleTables switches an int16 softmax to full TFLite's Prepare: the
// float32 product s_in·β and the double tables, built by LiteRT's
// LUTPopulate from scales and zero points (litert) or by the 2022 gen_lut
// from the ranges.
func (k *softmaxKernel) useDoubleTables(litert bool) error {
	if k.in.ZP0() != 0 {
		return fmt.Errorf("%w: int16 SOFTMAX input zero point %d (full TFLite needs 0)", ErrBadQuantization, k.in.ZP0())
	}
	k.real = float64(k.in.Scale0()*k.beta) / (10.0 / 65535.0)
	k.q = QuantizeMultiplier(k.real, k.node.Rounding)
	k.expLUT, k.recipLUT = new([LUTSizeInt16]int16), new([LUTSizeInt16]int16)
	recip := func(x float64) float64 { return 1 / (1 + x) }
	if litert {
		const rng = 65535.0
		lutPopulate := func(f func(float64) float64, sIn float64, zpIn int, lut *[LUTSizeInt16]int16) {
			sOut := 2.0 / rng
			GenLUTInt16Double(f, sIn*float64(-32768-zpIn), sIn*float64(32767-zpIn), sOut*-32768, sOut*32767, lut)
		}
		lutPopulate(math.Exp, 10.0/rng, 32767, k.expLUT)
		lutPopulate(recip, 1.0/rng, -32768, k.recipLUT)
		return nil
	}
	GenLUTInt16Double(math.Exp, -10, 0, -1, 1, k.expLUT)
	GenLUTInt16Double(recip, 0, 1, -1, 1, k.recipLUT)
	return nil
}

// newSoftmax prepares the kernel; allowUint8 admits uint8 → uint8.
func newSoftmax(n *Node, allowUint8 bool) (*softmaxKernel, error) {
	in := n.Input(0)
	if in == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: SOFTMAX needs one input and one output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if in.Rank() < 1 || in.NumElements() != out.NumElements() || in.Dim(-1) != out.Dim(-1) {
		return nil, fmt.Errorf("%w: SOFTMAX input %v, output %v", ErrBadShape, in.Shape, out.Shape)
	}
	if !in.Quantized() || !out.Quantized() {
		return nil, fmt.Errorf("%w: SOFTMAX needs quantized input and output", ErrBadQuantization)
	}
	k := &softmaxKernel{node: n, in: in, out: out, beta: 1}
	k.beta = n.Options.Beta
	k.depth = in.Dim(-1)
	if k.depth > 0 {
		k.rows = in.NumElements() / k.depth
	}
	near := func(scale, want float32) bool {
		return math.Abs(float64(scale-want)) <= float64(0.001*want)
	}
	switch {
	case in.Type == tflite.TypeInt16 && out.Type == tflite.TypeInt16:
		if out.ZP0() != 0 || !near(out.Scale0(), 1.0/32768) {
			return nil, fmt.Errorf("%w: int16 SOFTMAX output must have scale 1/32768 and zero point 0", ErrBadQuantization)
		}
		k.real = float64(in.Scale0()) * float64(k.beta) / (10.0 / 65535.0)
		k.q = QuantizeMultiplier(k.real, n.Rounding)
		k.expLUT, k.recipLUT = softmaxLUTs()
	case in.Type == tflite.TypeInt8 && (out.Type == tflite.TypeInt8 || out.Type == tflite.TypeInt16),
		allowUint8 && in.Type == tflite.TypeUint8 && out.Type == tflite.TypeUint8:
		if out.Type == tflite.TypeInt16 && (out.ZP0() != -32768 || !near(out.Scale0(), 1.0/65536)) {
			return nil, fmt.Errorf("%w: int8→int16 SOFTMAX output must have scale 1/65536 and zero point −32768", ErrBadQuantization)
		}
		if out.Type == tflite.TypeInt8 && (out.ZP0() != -128 || out.Scale0() != 1.0/256) {
			return nil, fmt.Errorf("%w: int8 SOFTMAX output must have scale 1/256 and zero point −128", ErrBadQuantization)
		}
		maxReal := float64(1<<31 - 1)
		if n.Rounding == RoundingSingle {
			maxReal = float64(1<<30 - 1)
		}
		k.real = min(float64(k.beta)*float64(in.Scale0())*float64(int32(1)<<(31-softmaxScaledDiffIntegerBits)), maxReal)
		if !(k.real > 1) {
			return nil, fmt.Errorf("%w: SOFTMAX input multiplier %g must exceed 1", ErrBadQuantization, k.real)
		}
		k.q = QuantizeMultiplier(k.real, n.Rounding)
		k.diffMin = -CalculateInputRadius(softmaxScaledDiffIntegerBits, k.q.Shift, 31)
	default:
		return nil, fmt.Errorf("%w: SOFTMAX %v → %v", ErrUnsupportedType, in.Type, out.Type)
	}
	k.outMin, k.outMax = Range(out.Type)
	k.outputBits = 8 * out.Type.Size()
	return k, nil
}

func (k *softmaxKernel) Eval() error {
	if k.floatTable {
		switch {
		case k.in.Type == tflite.TypeUint8:
			softmaxFloatRows(k, k.in.Uint8(), k.out.Uint8())
		case k.out.Type == tflite.TypeInt8:
			softmaxFloatRows(k, k.in.Int8(), k.out.Int8())
		default:
			softmaxFloatRows(k, k.in.Int8(), k.out.Int16())
		}
		return nil
	}
	ok := true
	switch {
	case k.in.Type == tflite.TypeInt16:
		in, out := k.in.Int16(), k.out.Int16()
		for r := 0; r < k.rows; r++ {
			k.rowInt16(in[r*k.depth:(r+1)*k.depth], out[r*k.depth:(r+1)*k.depth], -1, nil)
		}
	case k.in.Type == tflite.TypeUint8:
		ok = softmaxRows(k, k.in.Uint8(), k.out.Uint8())
	case k.out.Type == tflite.TypeInt8:
		ok = softmaxRows(k, k.in.Int8(), k.out.Int8())
	default:
		ok = softmaxRows(k, k.in.Int8(), k.out.Int16())
	}
	if !ok {
		return fmt.Errorf("%w: SOFTMAX reciprocal exponent outside [0, 31]", ErrRuntime)
	}
	return nil
}

// softmaxFloatRows computes every row of the 2022 optimized float-table
// softmax.
func softmaxFloatRows[In int8 | uint8, Out int8 | int16 | uint8](k *softmaxKernel, in []In, out []Out) {
	for r := 0; r < k.rows; r++ {
		softmaxRowFloat(k, in[r*k.depth:(r+1)*k.depth], out[r*k.depth:(r+1)*k.depth], -1, nil)
	}
}

// softmaxRowFloat computes one row of the float-table softmax into out,
// recording the row steps and those of element want when c is non-nil.
func softmaxRowFloat[In int8 | uint8, Out int8 | int16 | uint8](k *softmaxKernel, in []In, out []Out, want int, c *Chain) {
	maxIn, _ := Range(k.in.Type)
	for _, x := range in {
		maxIn = max(maxIn, int32(x))
	}
	var sum float32
	for j, x := range in {
		sum += k.table[255-maxIn+int32(x)]
		if c != nil {
			c.addSources(Source{Input: 0, Element: j})
		}
	}
	inv := 1 / float32(sum*k.out.Scale0())
	if c != nil {
		c.AddReal("max", int64(maxIn), float64(k.in.Scale0())*float64(maxIn-k.in.ZP0()), "largest input of the row", "max(row) = %d", maxIn)
		c.AddReal("sum_exp", 0, float64(sum), "Σ table[255 − max + x] over the row in float32 (table[255 − v] = expf(−s_in·β·v))", "Σ = %.9g", sum)
		c.AddReal("inverse", 0, float64(inv), "float32 1 / (sum·s_out)", "1 / (%.9g·%.9g) = %.9g", sum, k.out.Scale0(), inv)
	}
	uint8Out := k.out.Type == tflite.TypeUint8
	for j, x := range in {
		t := k.table[255-maxIn+int32(x)]
		p := float32(t * inv)
		var q int32
		if uint8Out {
			q = int32(float32(p + 0.5))
		} else {
			q = int32(math.Round(float64(p))) + k.out.ZP0()
		}
		y := Clamp32(q, k.outMin, k.outMax)
		out[j] = Out(y)
		if j == want && c != nil {
			c.AddReal("exp", 0, float64(t), "table lookup: expf(−s_in·β·(max − x)), float32", "table[255 − %d + %d] = %.9g", maxIn, x, t)
			c.AddReal("scaled", 0, float64(p), "exp · inverse, float32 (the output in units of s_out)", "%.9g · %.9g = %.9g", t, inv, p)
			if uint8Out {
				c.Add("round", int64(q), "uint8 output: int32(p + 0.5f), truncation; the output zero point is ignored", "int32(%.9g + 0.5) = %d", p, q)
			} else {
				c.Add("round", int64(q), "roundf (half away from zero) plus the output zero point", "roundf(%.9g) + %d = %d", p, k.out.ZP0(), q)
			}
			st := c.Add("clamp", int64(y), "clamped to the output type", "clamp(%d, %d, %d) = %d", q, k.outMin, k.outMax, y)
			st.Changed = y != q
		}
	}
}

// softmaxRows computes every row of the 8-bit-input softmax.
func softmaxRows[In int8 | uint8, Out int8 | int16 | uint8](k *softmaxKernel, in []In, out []Out) bool {
	for r := 0; r < k.rows; r++ {
		if !softmaxRowInt8(k, in[r*k.depth:(r+1)*k.depth], out[r*k.depth:(r+1)*k.depth], -1, nil) {
			return false
		}
	}
	return true
}

// softmaxRowInt8 computes one row of the int8-input softmax into out. With c
// non-nil it records the row steps and those of element want. It reports
// false when TFLite's check on the reciprocal exponent would fail.
func softmaxRowInt8[In int8 | uint8, Out int8 | int16 | uint8](k *softmaxKernel, in []In, out []Out, want int, c *Chain) bool {
	r := k.node.Rounding
	maxIn, _ := Range(k.in.Type)
	for _, x := range in {
		maxIn = max(maxIn, int32(x))
	}
	if c != nil {
		c.AddReal("max", int64(maxIn), float64(k.in.Scale0())*float64(maxIn-k.in.ZP0()), "largest input of the row", "max(row) = %d", maxIn)
	}
	var sum int32 // Q12.19
	for j, x := range in {
		if c != nil { // every element of the row (its maximum and its sum read them all)
			c.addSources(Source{Input: 0, Element: j})
		}
		diff := int32(x) - maxIn
		if diff < k.diffMin {
			continue
		}
		scaled := MultiplyByQuantizedMultiplierGreaterThanOne(diff, k.q.Multiplier, k.q.Shift, r)
		sum += RescaleFixedPoint(ExpOnNegativeValues(scaled, softmaxScaledDiffIntegerBits), 0, softmaxAccumulationIntegerBits)
	}
	recip, bitsOverUnit := GetReciprocal(sum, softmaxAccumulationIntegerBits)
	exponent := bitsOverUnit + 31 - k.outputBits
	if c != nil {
		recordSoftmaxSum(c, sum, recip, bitsOverUnit, k.outputBits)
	}
	if exponent < 0 || exponent > 31 {
		return false
	}
	for j, x := range in {
		var ce *Chain
		if j == want {
			ce = c
		}
		diff := int32(x) - maxIn
		if ce != nil {
			ce.AddReal("diff", int64(diff), float64(k.in.Scale0())*float64(diff), "input minus the row maximum", "%d − %d = %d", x, maxIn, diff)
		}
		if diff < k.diffMin {
			out[j] = Out(k.outMin)
			if ce != nil {
				s := ce.Add("below_diff_min", int64(k.outMin), "difference below diff_min: exp is negligible, output is the minimum",
					"%d < %d → %d", diff, k.diffMin, k.outMin)
				s.Changed = true
			}
			continue
		}
		scaled := MultiplyByQuantizedMultiplierGreaterThanOne(diff, k.q.Multiplier, k.q.Shift, r)
		exp := ExpOnNegativeValues(scaled, softmaxScaledDiffIntegerBits)
		prod := SaturatingRoundingDoublingHighMul(recip, exp)
		unsat := RoundingDivideByPOT(prod, exponent)
		shifted := unsat + k.outMin
		y := Clamp32(shifted, k.outMin, k.outMax)
		out[j] = Out(y)
		if ce != nil {
			recordSoftmaxExp(ce, diff, k.q, scaled, exp, recip, prod, bitsOverUnit, exponent, unsat)
			ce.Add("zp", int64(shifted), "plus the output zero point (the type minimum)", "%d + (%d) = %d", unsat, k.outMin, shifted)
			s := ce.Add("clamp", int64(y), "clamped to the output type", "clamp(%d, %d, %d) = %d", shifted, k.outMin, k.outMax, y)
			s.Changed = y != shifted
		}
	}
	return true
}

// recordSoftmaxSum records the row stages of the 8-bit-input softmax: the
// Q12.19 sum of the exponentials, its reciprocal and the final right shift.
func recordSoftmaxSum(c *Chain, sum, recip int32, bitsOverUnit, outputBits int) {
	exponent := bitsOverUnit + 31 - outputBits
	c.AddReal("sum_exp", int64(sum), math.Ldexp(float64(sum), softmaxAccumulationIntegerBits-31),
		"Σ exp(β·s·(x−max)) over the row, Q12.19 (elements below diff_min skipped)", "Σ Rescale<12>(exp) = %d", sum)
	c.AddReal("reciprocal", int64(recip), math.Ldexp(float64(recip), -31-bitsOverUnit),
		"GetReciprocal: 1/sum = reciprocal·2^−(31+bits over unit)", "1/%d → %d, bits over unit %d", sum, recip, bitsOverUnit)
	c.Add("exponent", int64(exponent), "final right shift: bits over unit + 31 − output bits", "%d + 31 − %d = %d", bitsOverUnit, outputBits, exponent)
}

// recordSoftmaxExp records the element stages of the 8-bit-input softmax
// from diff = x − max to the unsaturated output u = RDBPOT(prod, exponent).
func recordSoftmaxExp(c *Chain, diff int32, q QuantizedMultiplier, scaled, exp, recip, prod int32, bitsOverUnit, exponent int, u int32) {
	c.AddReal("scaled_diff", int64(scaled), math.Ldexp(float64(scaled), softmaxScaledDiffIntegerBits-31),
		"β·s·diff in Q5.26: MultiplyByQuantizedMultiplierGreaterThanOne", "MBQM>1(%d, %d, %d) = %d", diff, q.Multiplier, q.Shift, scaled)
	c.AddReal("exp", int64(exp), math.Ldexp(float64(exp), -31), "exp_on_negative_values, Q0.31", "exp(%d) = %d", scaled, exp)
	c.AddReal("product", int64(prod), math.Ldexp(float64(prod), -31-bitsOverUnit),
		"exp·reciprocal: SaturatingRoundingDoublingHighMul", "SRDHM(%d, %d) = %d", recip, exp, prod)
	s := c.Add("rdbpot", int64(u), "RoundingDivideByPOT by the exponent", "RDBPOT(%d, %d) = %d", prod, exponent, u)
	s.Changed = prod&int32(uint32(1)<<uint(exponent)-1) != 0
}

// softmaxExpInt16 is SoftMaxCalculateExp: the exp table looked up at the
// rescaled, recentred difference.
func (k *softmaxKernel) softmaxExpInt16(x, maxIn int16, c *Chain) int16 {
	diff := int32(x) - int32(maxIn)
	scaled := MultiplyByQuantizedMultiplier(diff, k.q.Multiplier, k.q.Shift, k.node.Rounding)
	sym := scaled + 32767
	sat := Clamp32(sym, math.MinInt16, math.MaxInt16)
	e := LUTLookupInt16(int16(sat), k.expLUT)
	if c != nil {
		c.AddReal("diff", int64(diff), float64(k.in.Scale0())*float64(diff), "input minus the row maximum", "%d − %d = %d", x, maxIn, diff)
		c.AddReal("scaled_diff", int64(scaled), float64(scaled)*10/65535, "β·s·diff rescaled so that [−65535, 0] is [−10, 0]",
			"MBQM(%d, %d, %d) = %d", diff, k.q.Multiplier, k.q.Shift, scaled)
		s := c.Add("lut_index", int64(sat), "recentred to [−32768, 32767] and saturated", "clamp(%d + 32767) = %d", scaled, sat)
		s.Changed = sat != sym
		c.AddReal("exp", int64(e), float64(e)/32768, "exp table lookup with interpolation, Q0.15", "LUT_exp(%d) = %d", sat, e)
	}
	return e
}

// rowInt16 computes one row of the int16 softmax into out (which also holds
// the exponentials in between, as TFLite does). With c non-nil it records the
// row steps and those of element want.
func (k *softmaxKernel) rowInt16(in, out []int16, want int, c *Chain) {
	maxIn := int16(math.MinInt16)
	for _, x := range in {
		maxIn = max(maxIn, x)
	}
	if c != nil {
		c.AddReal("max", int64(maxIn), float64(k.in.Scale0())*float64(maxIn), "largest input of the row", "max(row) = %d", maxIn)
	}
	var sum int32 // Q16.15
	for j, x := range in {
		var ce *Chain
		if j == want {
			ce = c
		}
		out[j] = k.softmaxExpInt16(x, maxIn, ce)
		sum += int32(out[j])
		if c != nil {
			c.addSources(Source{Input: 0, Element: j})
		}
	}
	headroomPlusOne := CountLeadingZeros32(uint32(sum))
	shiftedSum := int32((int64(sum)<<uint(headroomPlusOne-1) + 1<<13) >> 14)
	sym := shiftedSum - (1<<15 + 1<<16)
	sat := Clamp32(sym, math.MinInt16, math.MaxInt16)
	recip := LUTLookupInt16(int16(sat), k.recipLUT)
	rightShift := 31 - headroomPlusOne
	if c != nil {
		c.AddReal("sum_exp", int64(sum), float64(sum)/32768, "Σ exp over the row, Q16.15", "Σ exp = %d", sum)
		c.Add("headroom", int64(headroomPlusOne), "CountLeadingZeros(sum)", "clz(%d) = %d", sum, headroomPlusOne)
		s := c.Add("recip_index", int64(sat), "sum normalised to [1, 2), minus 1, recentred to [−32768, 32767]",
			"clamp(((%d << %d) + 2^13) >> 14 − 98304) = %d", sum, headroomPlusOne-1, sat)
		s.Changed = sat != sym
		c.AddReal("reciprocal", int64(recip), float64(recip)/32768, "1/(1+x) table lookup, Q0.15", "LUT_recip(%d) = %d", sat, recip)
	}
	round := int64(1) << uint(rightShift-1)
	for j := range in {
		e := out[j]
		prod := int64(e) * int64(recip)
		res := int32((prod + round) >> uint(rightShift))
		y := Clamp32(res, 0, math.MaxInt16)
		out[j] = int16(y)
		if j == want && c != nil {
			s := c.AddReal("scaled", int64(res), float64(res)/32768, "exp·reciprocal, rounding shift right by 31 − headroom",
				"(%d · %d + 2^%d) >> %d = %d", e, recip, rightShift-1, rightShift, res)
			s.Changed = prod&(int64(1)<<uint(rightShift)-1) != 0
			s = c.Add("clamp", int64(y), "clamped to [0, 32767]", "clamp(%d, 0, 32767) = %d", res, y)
			s.Changed = y != res
		}
	}
}

func (k *softmaxKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.node, out, elem); err != nil {
		return err
	}
	row, j := elem/k.depth, elem%k.depth
	lo, hi := row*k.depth, (row+1)*k.depth
	first := len(c.Sources)
	switch {
	case k.floatTable && k.in.Type == tflite.TypeUint8:
		scratch := make([]uint8, k.depth)
		softmaxRowFloat(k, k.in.Uint8()[lo:hi], scratch, j, c)
		c.Final = int64(scratch[j])
	case k.floatTable && k.out.Type == tflite.TypeInt8:
		scratch := make([]int8, k.depth)
		softmaxRowFloat(k, k.in.Int8()[lo:hi], scratch, j, c)
		c.Final = int64(scratch[j])
	case k.floatTable:
		scratch := make([]int16, k.depth)
		softmaxRowFloat(k, k.in.Int8()[lo:hi], scratch, j, c)
		c.Final = int64(scratch[j])
	case k.in.Type == tflite.TypeInt16:
		scratch := make([]int16, k.depth)
		k.rowInt16(k.in.Int16()[lo:hi], scratch, j, c)
		c.Final = int64(scratch[j])
	case k.in.Type == tflite.TypeUint8:
		scratch := make([]uint8, k.depth)
		if !softmaxRowInt8(k, k.in.Uint8()[lo:hi], scratch, j, c) {
			return fmt.Errorf("%w: SOFTMAX reciprocal exponent outside [0, 31]", ErrRuntime)
		}
		c.Final = int64(scratch[j])
	case k.out.Type == tflite.TypeInt8:
		scratch := make([]int8, k.depth)
		if !softmaxRowInt8(k, k.in.Int8()[lo:hi], scratch, j, c) {
			return fmt.Errorf("%w: SOFTMAX reciprocal exponent outside [0, 31]", ErrRuntime)
		}
		c.Final = int64(scratch[j])
	default:
		scratch := make([]int16, k.depth)
		if !softmaxRowInt8(k, k.in.Int8()[lo:hi], scratch, j, c) {
			return fmt.Errorf("%w: SOFTMAX reciprocal exponent outside [0, 31]", ErrRuntime)
		}
		c.Final = int64(scratch[j])
	}
	// The row functions record row-relative positions; make them flat.
	for i := first; i < len(c.Sources); i++ {
		c.Sources[i].Element += lo
	}
	return nil
}

func (k *softmaxKernel) Describe() Params {
	if k.floatTable {
		return Params{HasClamp: true, ClampMin: k.outMin, ClampMax: k.outMax,
			Multipliers: []Multiplier{{Name: "table_exponent_float32", Channel: -1, Real: float64(-k.in.Scale0() * k.beta),
				What: "−β·s_in in float32: the factor of (x − max) in the exp table"}}}
	}
	p := Params{
		Multipliers: []Multiplier{{Name: "input_multiplier", Channel: -1, Real: k.real, Quantized: k.q,
			What: "β·s_in·2^(31−5): scales x − max to Q5.26 before exp (not an output requantization)"}},
		HasClamp: true, ClampMin: k.outMin, ClampMax: k.outMax,
		Ints: []NamedInt{{Name: "input_left_shift", Value: int64(k.q.Shift)}},
	}
	if k.in.Type == tflite.TypeInt16 {
		p.ClampMin = 0
	} else {
		p.Ints = append(p.Ints, NamedInt{Name: "diff_min", Value: int64(k.diffMin)})
	}
	return p
}

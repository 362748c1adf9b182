package kernels

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/tflq/tflq-trace/tflite"
)

// reduceMaxRank bounds the rank handled with fixed-size counters.
const reduceMaxRank = 8

// reduceGeometry maps an output element to the input elements it reduces.
type reduceGeometry struct {
	inShape   []int
	inStrides []int
	kept      []int // kept input axes, ascending
	reduced   []int // reduced input axes, ascending
	count     int   // elements reduced into each output
}

func newReduceGeometry(in *Tensor, axis *Tensor) (*reduceGeometry, error) {
	rank := in.Rank()
	if rank > reduceMaxRank {
		return nil, fmt.Errorf("%w: reduction of a rank-%d tensor", ErrBadShape, rank)
	}
	g := &reduceGeometry{inShape: in.Shape, inStrides: make([]int, rank), count: 1}
	stride := 1
	for d := rank - 1; d >= 0; d-- {
		g.inStrides[d] = stride
		stride *= in.Shape[d]
	}
	isReduced := make([]bool, rank)
	if rank > 0 {
		for i := range axis.NumElements() {
			a := int(axis.Int(i))
			if a < 0 {
				a += rank
			}
			if a < 0 || a >= rank {
				return nil, fmt.Errorf("%w: axis %d of a rank-%d input", ErrBadShape, axis.Int(i), rank)
			}
			isReduced[a] = true
		}
	}
	for d := range rank {
		if isReduced[d] {
			g.reduced = append(g.reduced, d)
			g.count *= in.Shape[d]
		} else {
			g.kept = append(g.kept, d)
		}
	}
	return g, nil
}

// outputs is the number of output elements (product of the kept dimensions).
func (g *reduceGeometry) outputs() int {
	n := 1
	for _, d := range g.kept {
		n *= g.inShape[d]
	}
	return n
}

// base is the flat input index of the first element reduced into output o.
func (g *reduceGeometry) base(o int) int {
	base := 0
	for i := len(g.kept) - 1; i >= 0; i-- {
		d := g.kept[i]
		base += (o % g.inShape[d]) * g.inStrides[d]
		o /= g.inShape[d]
	}
	return base
}

// at is the flat input index at reduced-axis counters ctr from base.
func (g *reduceGeometry) at(base int, ctr *[reduceMaxRank]int) int {
	idx := base
	for i, d := range g.reduced {
		idx += ctr[i] * g.inStrides[d]
	}
	return idx
}

// advance steps the reduced-axis counters in row-major order.
func (g *reduceGeometry) advance(ctr *[reduceMaxRank]int) {
	for i := len(g.reduced) - 1; i >= 0; i-- {
		ctr[i]++
		if ctr[i] < g.inShape[g.reduced[i]] {
			return
		}
		ctr[i] = 0
	}
}

// reduceKernel is a prepared MEAN, SUM, REDUCE_MAX or REDUCE_MIN node. These
// reduce over the axes listed by a constant int32 axis tensor (negative axes
// count from the end, duplicates are ignored): MEAN and SUM (int8, int16),
// REDUCE_MAX and REDUCE_MIN (int8, int16, float32). Output element o reduces
// the input elements whose kept coordinates are o's, visited in row-major
// order; keep_dims only changes the output shape, not the order.
//
// MEAN and SUM follow TFLite-Micro's integer QuantizedMeanOrSum (every path:
// whatever the axes, keep_dims or scales):
//
//	M          = s_in / s_out (double) → QuantizeMultiplier → (mult, shift)
//	MEAN only: the 1/count factor is folded into the multiplier:
//	           k = min(⌊log2 count⌋, 32, 31 + shift)
//	           mult = (mult·2^k) / count   (64-bit, truncating), shift −= k
//	sum        = Σ raw values (int32, wrapping)
//	x          = sum − zp_in·count   (int32)
//	q          = clamp(MultiplyByQuantizedMultiplier(x, mult, shift) + zp_out, qmin, qmax)
//
// under the node's rounding rule. float32 MEAN and SUM are TFLite's float
// reference: a float32 sum in row-major order (TFLite-Micro's 4-D H,W
// keep_dims special case sums in the same order), divided by float32(count)
// for MEAN. REDUCE_MAX/MIN need equal input and output
// quantization and return the largest/smallest raw value (TFLite's
// ReduceGeneric, starting from the dtype's lowest/highest value; for float32
// a NaN input never replaces the running value, as `in > current` is false).
type reduceKernel struct {
	n       *Node
	in, out *Tensor
	g       *reduceGeometry
	rule    Rounding
	// form is how a quantized MEAN or SUM turns its sum into the output
	// (TFLite-Micro's fixed point unless a full-TFLite prepare switches it).
	form reduceForm
	// scale32, bias32 are the float32 rescaling of reduceFloat.
	scale32, bias32 float32

	// MEAN / SUM.
	real       float64             // s_in / s_out
	q          QuantizedMultiplier // QuantizeMultiplier(real)
	qOut       QuantizedMultiplier // q, with 1/count folded in for MEAN
	foldShift  int                 // k above (MEAN)
	inZP       int32
	outZP      int32
	lo, hi     int32
	isMean     bool
	isMinOrMax bool
	isMax      bool
}

// reduceForm is how a quantized MEAN or SUM requantizes its sum.
type reduceForm uint8

const (
	// reduceFixedPoint is TFLite-Micro's QuantizedMeanOrSum (and LiteRT's
	// reference MEAN): the multiplier of s_in/s_out, 1/count folded in for
	// MEAN.
	reduceFixedPoint reduceForm = iota
	// reduceBytes is LiteRT's reference SUM (reduce.cc EvalSum, kReference):
	// QuantizedMeanOrSum<uint8_t> on the raw buffers whatever the dtype.
	reduceBytes
	// reduceFloat is the 2022 optimized QuantizedMeanOrSum: the sum
	// rescaled in float32.
	reduceFloat
	// reduceTruncMean is the 2022 optimized MEAN when input and output
	// share scale and zero point: reference_ops::Mean, sum/count truncated.
	reduceTruncMean
)

// prepareSumRef prepares SUM as LiteRT's reference kernel (ImplTFLiteRef,
// LiteRT 2026-08) computes it: reduce.cc EvalSum hands int8, int16 (and
// uint8) tensors to reference_ops::QuantizedMeanOrSum<uint8_t, int32_t> with
// the multiplier of s_in/s_out, so it reads the input buffer as BYTES and
// writes bytes (a bug, reproduced byte for byte; opzoo sum_int8_* and
// sum_int16_* tflite/ goldens, 14 tensors):
//
//	sum[o]  = Σ byte[i], i over the input flat indices reduced into o (raw bytes 0..255:
//	          an int16 input contributes only the bytes of its first half)
//	byte[o] = clamp(MBQM(sum[o] − zp_in·count, M) + zp_out, 0, 255)
//
// stored as byte o of the output buffer, o < number of outputs. The rest of
// an int16 output is never written: a fresh LiteRT interpreter holds zeros
// there, and Eval writes those zeros (this interpreter gives every tensor
// its own buffer, so nothing else writes there either). For uint8 tensors
// this is the correct QuantizedMeanOrSum.
func prepareSumRef(n *Node) (Kernel, error) {
	k, err := newReduce(n, true)
	if err != nil || k.in.Type == tflite.TypeFloat32 {
		return k, err
	}
	k.form = reduceBytes
	k.lo, k.hi = 0, 255
	return k, nil
}

// prepareReduceOptimized prepares MEAN or SUM as the 2022 TFLite optimized
// builtin kernels compute them (ImplTFLiteOptimized; tfjs-tflite build,
// reduce.cc kGenericOptimized; verified on the xnnpack/ goldens of
// mean_int16_c, mean_int16_hw_samescale, mean_int8_w_neg_axis,
// mean_int8_hwc, sum_int8_{c_keepdims, hw, w_neg_axis, hwc} and
// sum_int16_hw_samescale):
//
//	MEAN, input and output with equal scale and zero point (reference_ops::Mean):
//	    y = sum / count                     (int32 C division: truncation, no zero point handling)
//	MEAN otherwise (QuantizedMeanOrSum in float32, each operation rounded to float32):
//	    scale = s_in/s_out;  bias = float(−zp_in)·scale;  m = float(sum)/float(count)
//	    y = int(clamp(roundf(m·scale + bias) + float(zp_out), qmin, qmax))
//	SUM (int16 only with s_in = s_out, which TFLite checks at Invoke):
//	    bias = float(−zp_in)·scale·float(count)
//	    y = T(int32(roundf(float(sum)·scale + bias)) + zp_out)    no clamp: the int32 wraps to T
//
// with sum the int32 sum of the raw values and roundf half away from zero.
// int8 MEAN of a 4-D input over H,W with keep_dims, when the XNNPACK
// delegate declines it, runs optimized_integer_ops::Mean in TFLite; that
// kernel is not implemented (no golden pins its 2022 form): such a node
// takes the float form above, which is NOT verified for it.
func prepareReduceOptimized(n *Node) (Kernel, error) {
	k, err := newReduce(n, false)
	if err != nil || k.in.Type == tflite.TypeFloat32 {
		return k, err
	}
	in, out := k.in, k.out
	if !k.isMean && in.Type == tflite.TypeInt16 && in.Scale0() != out.Scale0() {
		return nil, fmt.Errorf("%w: int16 SUM with input scale %g ≠ output scale %g (TFLite 2.11's optimized SUM fails at Invoke: reduce.cc \"input->params.scale != output->params.scale\")",
			ErrBadQuantization, in.Scale0(), out.Scale0())
	}
	if k.isMean && in.Scale0() == out.Scale0() && k.inZP == k.outZP {
		k.form = reduceTruncMean
		return k, nil
	}
	k.form = reduceFloat
	k.scale32 = in.Scale0() / out.Scale0()
	k.bias32 = float32(-k.inZP) * k.scale32
	if !k.isMean {
		k.bias32 = k.bias32 * float32(k.g.count)
	}
	return k, nil
}

// prepareReduce prepares a MEAN, SUM, REDUCE_MAX or REDUCE_MIN node (see
// reduceKernel for the formula).
func prepareReduce(n *Node) (Kernel, error) { return newReduce(n, false) }

// newReduce prepares TFLite-Micro's form; allowUint8 admits uint8 (full
// TFLite's legacy SUM).
func newReduce(n *Node, allowUint8 bool) (*reduceKernel, error) {
	in, axis := n.Input(0), n.Input(1)
	if in == nil || axis == nil || len(n.Outputs) == 0 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: %v needs input, axis and output", ErrMissingInput, n.Op)
	}
	out := n.Outputs[0]
	if axis.Type != tflite.TypeInt32 {
		return nil, fmt.Errorf("%w: %v axis is %v, not int32", ErrUnsupportedType, n.Op, axis.Type)
	}
	if !axis.Const {
		return nil, fmt.Errorf("%w: %v axis", ErrNotConstant, n.Op)
	}
	if out.Type != in.Type {
		return nil, fmt.Errorf("%w: %v input %v, output %v", ErrUnsupportedType, n.Op, in.Type, out.Type)
	}
	k := &reduceKernel{n: n, in: in, out: out, rule: n.Rounding,
		isMean: n.Op == tflite.OpMean, isMax: n.Op == tflite.OpReduceMax,
		isMinOrMax: n.Op == tflite.OpReduceMax || n.Op == tflite.OpReduceMin}
	switch in.Type {
	case tflite.TypeInt8, tflite.TypeInt16:
	case tflite.TypeFloat32:
	case tflite.TypeUint8:
		if !allowUint8 || k.isMinOrMax {
			return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, in.Type)
		}
	default:
		return nil, fmt.Errorf("%w: %v of %v", ErrUnsupportedType, n.Op, in.Type)
	}
	g, err := newReduceGeometry(in, axis)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", n.Op, err)
	}
	if g.outputs() != out.NumElements() {
		return nil, fmt.Errorf("%w: %v of %v over axes %v gives %d elements, output %v has %d", ErrBadShape, n.Op, in.Shape, g.reduced, g.outputs(), out.Shape, out.NumElements())
	}
	k.g = g
	k.lo, k.hi = Range(out.Type)
	if in.Type != tflite.TypeFloat32 {
		if !in.Quantized() || !out.Quantized() {
			return nil, fmt.Errorf("%w: %v needs quantized input and output", ErrBadQuantization, n.Op)
		}
		k.inZP, k.outZP = in.ZP0(), out.ZP0()
	}
	if k.isMinOrMax {
		if in.Type != tflite.TypeFloat32 && (in.Scale0() != out.Scale0() || k.inZP != k.outZP) {
			return nil, fmt.Errorf("%w: %v input (scale %g, zero point %d) and output (%g, %d) must match",
				ErrBadQuantization, n.Op, in.Scale0(), k.inZP, out.Scale0(), k.outZP)
		}
	} else if in.Type != tflite.TypeFloat32 {
		k.real = float64(in.Scale0()) / float64(out.Scale0())
		k.q = QuantizeMultiplier(k.real, n.Rounding)
		k.qOut = k.q
		if k.isMean && g.count > 0 {
			shift := 63 - bits.LeadingZeros64(uint64(g.count))
			shift = min(shift, 32, 31+k.q.Shift)
			k.foldShift = shift
			k.qOut = QuantizedMultiplier{
				Multiplier: int32((int64(k.q.Multiplier) << uint(shift)) / int64(g.count)),
				Shift:      k.q.Shift - shift,
			}
		}
	}
	return k, nil
}

// element is the per-element code shared by Eval and Explain; it returns the
// stored value (float32 bits for float32 outputs).
func (k *reduceKernel) element(o int, c *Chain) int64 {
	g := k.g
	var sum int32
	var sumF float32
	best := k.lo
	bestF := float32(-math.MaxFloat32)
	if !k.isMax {
		best, bestF = k.hi, math.MaxFloat32
	}
	base := g.base(o)
	var ctr [reduceMaxRank]int
	if c != nil {
		c.reserveSources(g.count)
	}
	for range g.count {
		idx := g.at(base, &ctr)
		g.advance(&ctr)
		if c != nil {
			c.addSources(Source{Input: 0, Element: idx})
		}
		switch {
		case k.in.Type == tflite.TypeFloat32 && !k.isMinOrMax:
			sumF += k.in.Float32()[idx]
		case k.in.Type == tflite.TypeFloat32:
			v := k.in.Float32()[idx]
			if (k.isMax && v > bestF) || (!k.isMax && v < bestF) {
				bestF = v
			}
		case k.isMinOrMax:
			v := int32(k.in.Int(idx))
			if (k.isMax && v > best) || (!k.isMax && v < best) {
				best = v
			}
		case k.form == reduceBytes:
			sum += int32(k.in.Data[idx]) // the idx-th BYTE of the buffer
		default:
			sum += int32(k.in.Int(idx)) // wraps like TFLite's int32 accumulator
		}
	}

	if k.in.Type == tflite.TypeFloat32 && !k.isMinOrMax {
		return k.finishFloatSum(sumF, c)
	}
	if k.in.Type == tflite.TypeFloat32 {
		v := int64(math.Float32bits(bestF))
		if c != nil {
			c.AddReal(k.opWord(), v, float64(bestF), "the "+k.opWord()+" of the reduced values",
				"%s of %d values = %g", k.opWord(), k.g.count, bestF)
			c.Final = v
		}
		return v
	}
	if k.isMinOrMax {
		if c != nil {
			c.Add(k.opWord(), int64(best), "the "+k.opWord()+" of the reduced raw values (scales are equal: no rescaling)",
				"%s of %d values = %d", k.opWord(), k.g.count, best)
			c.Final = int64(best)
		}
		return int64(best)
	}
	if k.g.count == 0 {
		// TFLite-Micro leaves the zeroed output when nothing is reduced.
		if c != nil {
			c.Add("empty", 0, "no element to reduce: TFLite-Micro leaves 0", "output = 0")
			c.Final = 0
		}
		return 0
	}
	switch k.form {
	case reduceFloat:
		return k.finishFloatRescale(sum, c)
	case reduceTruncMean:
		v := sum / int32(k.g.count)
		if c != nil {
			c.Add("sum", int64(sum), "sum of the reduced raw values (int32)", "Σ = %d", sum)
			c.Add("count", int64(k.g.count), "number of values reduced", "count = %d", k.g.count)
			c.AddReal("mean", int64(v), float64(k.out.Scale0())*float64(v-k.outZP),
				"input and output share scale and zero point: sum / count, C integer division (truncation toward zero), no zero-point handling",
				"%d / %d = %d", sum, k.g.count, v)
			c.Final = int64(v)
		}
		return int64(v)
	}
	x := int32(int64(sum) - int64(k.inZP)*int64(k.g.count))
	if c != nil {
		if k.form == reduceBytes {
			c.Add("byte_sum", int64(sum), "sum of the reduced elements' BYTES 0..255 (LiteRT reads every dtype as uint8 here)", "Σ = %d", sum)
		} else {
			c.Add("sum", int64(sum), "sum of the reduced raw values (int32)", "Σ = %d", sum)
		}
		c.Add("count", int64(k.g.count), "number of values reduced", "count = %d", k.g.count)
		c.Add("offset", int64(x), "sum minus input zero point × count", "%d − %d·%d = %d", sum, k.inZP, k.g.count, x)
		if k.isMean {
			c.AddReal("fold", int64(k.qOut.Multiplier), k.qOut.Real(),
				"MEAN folds 1/count into the multiplier: (Multiplier·2^k)/count, Shift − k",
				"(%d·2^%d)/%d = %d, shift %d − %d = %d (M = %.10g ≈ %.10g / %d)",
				k.q.Multiplier, k.foldShift, k.g.count, k.qOut.Multiplier, k.q.Shift, k.foldShift, k.qOut.Shift, k.qOut.Real(), k.real, k.g.count)
		}
	}
	v := Requantize(x, k.qOut, k.rule, k.outZP, k.lo, k.hi, c)
	if c != nil {
		c.Final = int64(v)
	}
	return int64(v)
}

// finishFloatRescale ends a quantized MEAN or SUM of the reduceFloat form.
func (k *reduceKernel) finishFloatRescale(sum int32, c *Chain) int64 {
	count := float32(k.g.count)
	var v int32
	if k.isMean {
		m := float32(sum) / count
		scaled := float32(m * k.scale32)
		r := float32(math.Round(float64(float32(scaled + k.bias32))))
		shifted := r + float32(k.outZP)
		clamped := max(min(shifted, float32(k.hi)), float32(k.lo))
		v = int32(clamped)
		if c != nil {
			c.Add("sum", int64(sum), "sum of the reduced raw values (int32)", "Σ = %d", sum)
			c.AddReal("mean", 0, float64(m), "float32(sum) / float32(count)", "%d / %d = %.9g", sum, k.g.count, m)
			k.recordFloatRescale(c, float64(m), scaled, r)
			st := c.Add("clamp", int64(v), "plus the output zero point (float32), clamped to the dtype's range, converted to int",
				"clamp(%.9g + %d, %d, %d) = %d", r, k.outZP, k.lo, k.hi, v)
			st.Changed = clamped != shifted
		}
	} else {
		scaled := float32(float32(sum) * k.scale32)
		r := math.Round(float64(float32(scaled + k.bias32)))
		w := doubleToInt32(r) + k.outZP
		v = wrapToType(w, k.out.Type)
		if c != nil {
			c.Add("sum", int64(sum), "sum of the reduced raw values (int32)", "Σ = %d", sum)
			k.recordFloatRescale(c, float64(sum), scaled, float32(r))
			c.Add("zp", int64(w), "rounded value plus the output zero point (int32)", "%.9g + %d = %d", r, k.outZP, w)
			st := c.Add("wrap", int64(v), "narrowed to the output dtype WITHOUT a clamp (static_cast: wraps around)",
				"%v(%d) = %d", k.out.Type, w, v)
			st.Changed = v != w
		}
	}
	if c != nil {
		c.Final = int64(v)
	}
	return int64(v)
}

// recordFloatRescale records the float32 rescaling x·scale + bias, rounded
// half away from zero, of the reduceFloat form.
func (k *reduceKernel) recordFloatRescale(c *Chain, x float64, scaled, r float32) {
	biasWhat := "float32(−zp_in)·scale"
	if !k.isMean {
		biasWhat = "float32(−zp_in)·scale·float32(count)"
	}
	c.AddReal("scale", 0, float64(k.scale32), "float32 s_in/s_out (no Q0.31 multiplier)", "%.9g / %.9g = %.9g", k.in.Scale0(), k.out.Scale0(), k.scale32)
	c.AddReal("bias", 0, float64(k.bias32), biasWhat+", in float32", "bias = %.9g", k.bias32)
	st := c.AddReal("round_float32", int64(r), float64(scaled+k.bias32), "float32(x·scale) + bias, rounded half away from zero (roundf)",
		"roundf(%.9g·%.9g + %.9g) = roundf(%.9g) = %.9g", x, k.scale32, k.bias32, scaled+k.bias32, r)
	st.Changed = r != scaled+k.bias32
}

// wrapToType narrows v to an integer dtype with wrap-around, as a C
// static_cast does.
func wrapToType(v int32, t tflite.TensorType) int32 {
	switch t {
	case tflite.TypeInt8:
		return int32(int8(v))
	case tflite.TypeUint8:
		return int32(uint8(v))
	case tflite.TypeInt16:
		return int32(int16(v))
	}
	return v
}

// finishFloatSum ends a float32 MEAN or SUM.
func (k *reduceKernel) finishFloatSum(sum float32, c *Chain) int64 {
	res := sum
	if k.isMean {
		res = 0 // TFLite leaves the zeroed output when nothing is reduced
		if k.g.count > 0 {
			res = sum / float32(k.g.count)
		}
	}
	v := int64(math.Float32bits(res))
	if c != nil {
		c.AddReal("sum", int64(math.Float32bits(sum)), float64(sum), "float32 sum in row-major order",
			"Σ of %d values = %g", k.g.count, sum)
		if k.isMean {
			c.AddReal("mean", v, float64(res), "sum / count in float32", "%g / %d = %g", sum, k.g.count, res)
		}
		c.Final = v
	}
	return v
}

func (k *reduceKernel) opWord() string {
	if k.isMax {
		return "max"
	}
	return "min"
}

func (k *reduceKernel) Eval() error {
	n := k.out.NumElements()
	if k.out.Type == tflite.TypeFloat32 {
		dst := k.out.Float32()
		for o := range n {
			dst[o] = math.Float32frombits(uint32(k.element(o, nil)))
		}
		return nil
	}
	if k.form == reduceBytes {
		for o := range n {
			k.out.Data[o] = byte(k.element(o, nil))
		}
		clear(k.out.Data[n:])
		return nil
	}
	for o := range n {
		storeIntElement(k.out, o, int32(k.element(o, nil)))
	}
	return nil
}

func (k *reduceKernel) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	if k.form == reduceBytes && k.out.Type.Size() > 1 {
		return k.explainBytes(elem, c)
	}
	v := k.element(elem, c)
	if k.form == reduceBytes && k.out.Type == tflite.TypeInt8 {
		stored := int64(int8(v))
		st := c.Add("byte", stored, "the uint8 result stored as a byte of the int8 output", "int8(byte %d) = %d", v, stored)
		st.Changed = stored != v
		c.Final = stored
	}
	return nil
}

// explainBytes explains element elem of a multi-byte output of the
// reduceBytes form: each of its bytes is the byte result of output number
// (byte position) when that is below the number of outputs, else 0.
func (k *reduceKernel) explainBytes(elem int, c *Chain) error {
	size, n := k.out.Type.Size(), k.out.NumElements()
	var v uint64
	for b := range size {
		pos := elem*size + b
		var byteVal int64
		if pos < n {
			from := len(c.Steps)
			byteVal = k.element(pos, c)
			prefixSteps(c, from, fmt.Sprintf("byte%d.", b))
		} else {
			c.Add(fmt.Sprintf("byte%d", b), 0, "byte past the number of outputs: never written by LiteRT's uint8 loop (zero in a fresh interpreter)",
				"byte %d of the buffer = 0", pos)
		}
		v |= uint64(byte(byteVal)) << (8 * b)
	}
	var val int64
	switch k.out.Type {
	case tflite.TypeInt16:
		val = int64(int16(v))
	default:
		val = int64(int32(v))
	}
	c.Add("bytes", val, "the output element assembled from its bytes (little-endian)", "%v from bytes = %d", k.out.Type, val)
	c.Final = val
	return nil
}

// Describe reports the multiplier (MEAN: before and after folding 1/count),
// the zero points and the clamp range.
func (k *reduceKernel) Describe() Params {
	if k.isMinOrMax || k.in.Type == tflite.TypeFloat32 {
		return Params{Ints: []NamedInt{{Name: "count", Value: int64(k.g.count)}}}
	}
	p := Params{HasClamp: true, ClampMin: k.lo, ClampMax: k.hi,
		Multipliers: []Multiplier{{Name: "output", Channel: -1, Real: k.real, Quantized: k.q}},
		Ints: []NamedInt{{Name: "count", Value: int64(k.g.count)},
			{Name: "input_zero_point", Value: int64(k.inZP)}, {Name: "output_zero_point", Value: int64(k.outZP)}}}
	switch k.form {
	case reduceFloat:
		// float32 factors: no Q0.31 form (multiplier and shift 0).
		p.Multipliers = []Multiplier{{Name: "scale_float32", Channel: -1, Real: float64(k.scale32)},
			{Name: "bias_float32", Channel: -1, Real: float64(k.bias32)}}
	case reduceTruncMean:
		p.Multipliers = nil
	case reduceBytes:
		p.ClampMin, p.ClampMax = 0, 255
	default:
		if k.isMean {
			p.Multipliers = append(p.Multipliers, Multiplier{Name: "mean", Channel: -1, Real: k.qOut.Real(), Quantized: k.qOut})
		}
	}
	return p
}

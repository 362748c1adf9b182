package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// convMultiplierReal is the real multiplier of output channel ch as
// TFLite's PopulateConvolutionQuantizationParams computes it (CONV_2D,
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV, per-channel FULLY_CONNECTED): every
// factor widened to double first, M = s_in·s_w[ch]/s_out in double.
func convMultiplierReal(inScale, filterScale, outScale float32) float64 {
	return float64(inScale) * float64(filterScale) / float64(outScale)
}

// fcMultiplierReal is the per-tensor FULLY_CONNECTED multiplier as TFLite's
// GetQuantizedConvolutionMultipler computes it: the product s_in·s_w is
// rounded to float32 first, then widened and divided by s_out in double.
func fcMultiplierReal(inScale, filterScale, outScale float32) float64 {
	return float64(inScale*filterScale) / float64(outScale)
}

// macOutput is the output stage of a multiply-accumulate kernel, shared by
// Eval and Explain: bias, requantization, zero point and clamp.
//
// macOutput and the functions around it are the parts the multiply-accumulate
// kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV,
// BATCH_MATMUL) share: the multiplier derivation (convMultiplierReal,
// fcMultiplierReal, newMACOutput) and the output stage that turns an
// accumulator into a stored value (finish).
//
// Accumulators. TFLite-Micro accumulates int8 kernels, and int16x8 kernels
// with an int32 bias, in a wrapping int32; int16x8 kernels with an int64 bias
// in an int64 (bias-less ones: see newMACOutput). Every kernel here sums its
// products in an int64 or in int32 partial sums, and the int32 form truncates
// it: two's-complement addition modulo 2^32 gives the same int32 whatever the
// order and width of the partial sums.
type macOutput struct {
	rule Rounding
	// requant is how acc + bias becomes the output value: fixed point
	// (TFLite-Micro, TFLite's integer kernels) unless an implementation
	// switches it (useDoubleRequant, useFloat32Requant).
	requant requantRule
	// effective[ch] is LiteRT's double multiplier (requantDouble).
	effective []float64
	// scale32[ch] is XNNPACK's float32 requantization scale (requantFloat32).
	scale32 []float32
	// q and real hold one multiplier per output channel (a per-tensor
	// multiplier is repeated).
	q    []QuantizedMultiplier
	real []float64
	// perChannel is false when every channel shares one multiplier.
	perChannel bool
	// wide is the int64 accumulator and 64-bit requantization of int16x8
	// kernels with an int64 bias.
	wide bool

	bias     *Tensor // nil when absent
	bias32   []int32
	bias64   []int64
	inputOff int32 // added to every input value (−zp_in, 0 for int16)
	weighOff int32 // added to every weight value (−zp_w, 0 when TFLite ignores it)
	outZP    int32 // added after requantization (0 for int16)
	// windowed is true for the convolutions, whose windows lose the taps
	// that fall in the padding (false for FULLY_CONNECTED, BATCH_MATMUL).
	windowed bool
	lo, hi   int32

	inScale  float32
	wScales  []float32
	outScale float32
	// float32Product says M = double(float32(s_in·s_w))/s_out (per-tensor
	// FULLY_CONNECTED, legacy uint8), else every factor is in double.
	float32Product bool

	// eval is the output stage unpacked per channel for the fast Eval
	// (mac_fast.go), refreshed at each Eval.
	eval macEvalStage
}

// newMACOutput derives the output stage of a kernel with nch output
// channels. fc selects the per-tensor FULLY_CONNECTED multiplier rounding
// (a float32 product s_in·s_w), which legacy uint8 kernels use too.
func newMACOutput(n *Node, in, filter, bias, out *Tensor, nch int, act tflite.Activation, fc bool) (*macOutput, error) {
	if !in.Quantized() || !filter.Quantized() || !out.Quantized() {
		return nil, fmt.Errorf("%w: input, filter and output must be quantized", ErrBadQuantization)
	}
	o := &macOutput{rule: n.Rounding, bias: bias, inScale: in.Scale0(), wScales: filter.Scale, outScale: out.Scale0(), windowed: !fc}
	o.perChannel = len(filter.Scale) > 1
	if o.perChannel && len(filter.Scale) != nch {
		return nil, fmt.Errorf("%w: filter has %d scales for %d output channels", ErrBadQuantization, len(filter.Scale), nch)
	}
	if in.Type == tflite.TypeUint8 {
		// Legacy uint8 (full TFLite): asymmetric per-tensor weights, and the
		// multiplier of GetQuantizedConvolutionMultipler, which also checks
		// the bias scale against s_in·s_w.
		if o.perChannel {
			return nil, fmt.Errorf("%w: uint8 %v with per-channel weights", ErrBadQuantization, n.Op)
		}
		o.weighOff = -filter.ZP0()
		fc = true
		if bias != nil {
			product := float64(in.Scale0() * filter.Scale0())
			if diff := math.Abs(product - float64(bias.Scale0())); diff/float64(out.Scale0()) > 0.02 {
				return nil, fmt.Errorf("%w: %v bias scale %g is not input scale × filter scale %g (TFLite checks |difference|/output scale ≤ 0.02)",
					ErrBadQuantization, n.Op, bias.Scale0(), product)
			}
		}
	}
	o.q = make([]QuantizedMultiplier, nch)
	o.real = make([]float64, nch)
	o.eval.ch = make([]macEvalChannel, nch)
	for ch := range nch {
		ws := filter.ScaleAt(min(ch, len(filter.Scale)-1))
		if fc && !o.perChannel {
			o.float32Product = true
			o.real[ch] = fcMultiplierReal(o.inScale, ws, o.outScale)
		} else {
			o.real[ch] = convMultiplierReal(o.inScale, ws, o.outScale)
		}
		o.q[ch] = QuantizeMultiplier(o.real[ch], o.rule)
	}
	o.lo, o.hi = ActivationRange(act, out)
	// int16x8 accumulator width: an int64 bias, or no bias when the options
	// declare quantized_bias_type INT64, select the int64 accumulator and the
	// 64-bit requantization; an int32 bias, or no bias otherwise, the int32
	// accumulator. (The opzoo goldens pin the INT64 bias-less case and the
	// int32-bias case; the rule is the one TFLite-Micro's int16
	// FULLY_CONNECTED states as requires_int32_accum.)
	if in.Type == tflite.TypeInt16 && bias == nil && n.Options.QuantizedBiasType == tflite.TypeInt64 {
		o.wide = true
	}
	if bias != nil {
		if bias.NumElements() < nch {
			return nil, fmt.Errorf("%w: bias has %d elements for %d output channels", ErrBadShape, bias.NumElements(), nch)
		}
		switch {
		case bias.Type == tflite.TypeInt32:
		case bias.Type == tflite.TypeInt64 && in.Type == tflite.TypeInt16:
			o.wide = true
		default:
			return nil, fmt.Errorf("%w: %v bias with %v input", ErrUnsupportedType, bias.Type, in.Type)
		}
	}
	if in.Type == tflite.TypeInt8 || in.Type == tflite.TypeUint8 {
		o.inputOff = -in.ZP0()
		o.outZP = out.ZP0()
	}
	o.refresh()
	return o, nil
}

// refresh re-takes the typed view of the bias data and the fast Eval's
// output stage. Prepare and Eval call it; Explain only reads, so explaining
// never writes kernel state.
func (o *macOutput) refresh() {
	if o.bias != nil {
		if o.bias.Type == tflite.TypeInt64 {
			o.bias64 = o.bias.Int64()
		} else {
			o.bias32 = o.bias.Int32()
		}
	}
	o.refreshEvalStage()
}

// accScale is the product scale of channel ch: the real value of one
// accumulator unit.
func (o *macOutput) accScale(ch int) float64 {
	return float64(o.inScale) * float64(o.wScales[min(ch, len(o.wScales)-1)])
}

// recordOffsets records the offsets and the number of terms of an element.
func (o *macOutput) recordOffsets(c *Chain, terms int) {
	c.Add("input_offset", int64(o.inputOff), "added to every input value before multiplying (−input zero point)",
		"input_offset = %d", o.inputOff)
	c.Add("filter_offset", int64(o.weighOff), "added to every weight before multiplying (−weight zero point; 0 where weights are symmetric)",
		"filter_offset = %d", o.weighOff)
	meaning := "number of products in the accumulator"
	if o.windowed {
		meaning += " (padding taps are skipped)"
	}
	c.Add("terms", int64(terms), meaning, "%d terms", terms)
}

// finish turns the accumulated products (terms of them) of output channel ch
// into the stored value: adds the bias, requantizes, adds the output zero
// point and clamps. With c non-nil it records the offsets, the number of
// terms and each stage.
func (o *macOutput) finish(acc int64, ch, terms int, c *Chain) int32 {
	if c != nil {
		o.recordOffsets(c, terms)
		if o.perChannel || o.bias != nil {
			c.setChannel(ch) // the channel selects a bias or a multiplier
		}
	}
	if o.requant != requantFixedPoint {
		return o.finishFloat(acc, ch, c)
	}
	if o.wide {
		var b int64
		if o.bias64 != nil {
			b = o.bias64[ch]
		} else if o.bias32 != nil {
			b = int64(o.bias32[ch])
		}
		sum := acc + b
		if c != nil {
			s := o.accScale(ch)
			c.AddReal("acc", acc, float64(acc)*s, "64-bit accumulator Σ(input+input_offset)·(weight+filter_offset); real value acc·s_in·s_w",
				"acc = %d (real ≈ %d·%.6g = %.6g)", acc, acc, s, float64(acc)*s)
			o.recordBias(c, b, s)
			c.AddReal("acc_bias", sum, float64(sum)*s, "accumulator plus bias", "%d %s = %d", acc, plus(int64(b)), sum)
			o.recordRealMultiplier(c, ch)
		}
		return o.realOutput(Requantize64(sum, o.q[ch], o.outZP, o.lo, o.hi, c), c)
	}
	acc32 := int32(acc)
	var b int32
	if o.bias32 != nil {
		b = o.bias32[ch]
	}
	sum := acc32 + b
	if c != nil {
		s := o.accScale(ch)
		c.AddReal("acc", int64(acc32), float64(acc32)*s, "32-bit accumulator Σ(input+input_offset)·(weight+filter_offset); real value acc·s_in·s_w",
			"acc = %d (real ≈ %d·%.6g = %.6g)", acc32, acc32, s, float64(acc32)*s)
		o.recordBias(c, int64(b), s)
		c.AddReal("acc_bias", int64(sum), float64(sum)*s, "accumulator plus bias (int32)", "%d %s = %d", acc32, plus(int64(b)), sum)
		o.recordRealMultiplier(c, ch)
	}
	return o.realOutput(Requantize(sum, o.q[ch], o.rule, o.outZP, o.lo, o.hi, c), c)
}

// realOutput gives the last (clamp) step the real value of the stored
// output, (out − zp_out)·s_out, and returns out unchanged.
func (o *macOutput) realOutput(out int32, c *Chain) int32 {
	if c != nil && len(c.Steps) > 0 {
		s := &c.Steps[len(c.Steps)-1]
		s.Real, s.HasReal = float64(out-o.outZP)*float64(o.outScale), true
	}
	return out
}

// recordBias records the bias step: bias value b, in accumulator units of real
// value s (the step says "no bias tensor" when there is none).
func (o *macOutput) recordBias(c *Chain, b int64, s float64) {
	if o.bias == nil {
		c.Add("bias", 0, "no bias tensor", "bias absent = 0")
		return
	}
	c.AddReal("bias", b, float64(b)*s, "bias of this output channel, in accumulator units (scale s_in·s_w)",
		"bias = %d (≈ %.6g)", b, float64(b)*s)
}

// describe fills the multipliers, clamp range and offsets of a MAC kernel.
func (o *macOutput) describe(extra ...NamedInt) Params {
	p := Params{HasClamp: true, ClampMin: o.lo, ClampMax: o.hi}
	multiplier := func(ch int) Multiplier {
		switch o.requant {
		case requantDouble:
			return Multiplier{Name: "output", Channel: ch, Real: o.effective[max(ch, 0)]}
		case requantFloat32:
			return Multiplier{Name: "output", Channel: ch, Real: float64(o.scale32[max(ch, 0)])}
		}
		return Multiplier{Name: "output", Channel: ch, Real: o.real[max(ch, 0)], Quantized: o.q[max(ch, 0)]}
	}
	if o.perChannel {
		for ch := range o.q {
			p.Multipliers = append(p.Multipliers, multiplier(ch))
		}
	} else if len(o.q) > 0 {
		p.Multipliers = append(p.Multipliers, multiplier(-1))
	}
	switch {
	case o.requant == requantDouble:
		p.Requantization = "double: round_half_away(double(acc)·M) + zp, M in double (no Q0.31 multiplier)"
	case o.requant == requantFloat32:
		p.Requantization = "float32: round_half_even(float32(acc)·scale) + zp, scale in float32 (no Q0.31 multiplier)"
	case o.wide:
		p.Requantization = "fixed point, 64-bit: MultiplyByQuantizedMultiplier with the Q0.15 reduced multiplier"
	default:
		p.Requantization = "fixed point: MultiplyByQuantizedMultiplier, " + o.rule.String() + " rounding"
	}
	p.Ints = append(p.Ints,
		NamedInt{"input_offset", int64(o.inputOff)},
		NamedInt{"filter_offset", int64(o.weighOff)},
		NamedInt{"output_offset", int64(o.outZP)})
	if o.wide {
		p.Ints = append(p.Ints, NamedInt{"accumulator_bits", 64})
	} else {
		p.Ints = append(p.Ints, NamedInt{"accumulator_bits", 32})
	}
	p.Ints = append(p.Ints, extra...)
	return p
}

// Requantize64 is the output stage of int16x8 kernels with a 64-bit
// accumulator: MultiplyByQuantizedMultiplier64(acc, q) (the same under both
// rounding rules), + outputZP, clamped to [lo, hi]. With c non-nil it
// records each stage.
func Requantize64(acc int64, q QuantizedMultiplier, outputZP, lo, hi int32, c *Chain) int32 {
	scaled := MultiplyByQuantizedMultiplier64(acc, q.Multiplier, q.Shift)
	if c != nil {
		c.AddReal("M", int64(q.Multiplier), q.Real(), "real multiplier M = Multiplier·2^(Shift−31)",
			"M = %d·2^(%d−31) = %.10g", q.Multiplier, q.Shift, q.Real())
		c.addRequantization(RuleFixedPoint64, q.Real(), q)
		r := ReducedMultiplier(q.Multiplier)
		c.Add("reduced", int64(r), "multiplier reduced to Q0.15 for the 64-bit product: (Multiplier + 2^15) >> 16",
			"(%d + 32768) >> 16 = %d", q.Multiplier, r)
		total := 15 - q.Shift
		prod := acc * int64(r)
		c.Add("product", prod, "64-bit product acc·reduced", "%d · %d = %d", acc, r, prod)
		s := c.Add("round_shift", int64(scaled), "add 2^(total−1), shift right by total = 15−Shift (round half up)",
			"(%d + 2^%d) >> %d = %d", prod, total-1, total, scaled)
		s.Changed = (prod>>uint(total))<<uint(total) != prod
	}
	v := scaled + outputZP
	out := Clamp32(v, lo, hi)
	if c != nil {
		c.addZPClamp(int64(scaled), int64(outputZP), int64(v), int64(lo), int64(hi), int64(out))
	}
	return out
}

// outNHWC is the output shape [batches, outH, outW, outC] a MAC kernel walks
// element by element (FULLY_CONNECTED: [batches, 1, 1, outC]).
type outNHWC struct {
	batches, outH, outW, outC int
}

// coords decodes the row-major index elem into (b, y, x, oc).
func (g outNHWC) coords(elem int) (b, y, x, oc int) {
	oc = elem % g.outC
	x = elem / g.outC % g.outW
	y = elem / (g.outC * g.outW) % g.outH
	b = elem / (g.outC * g.outW * g.outH)
	return b, y, x, oc
}

// macResult is the output of a MAC kernel: its node and tensor, its shape
// and its typed view (int8, or int16 for int16x8 kernels).
type macResult struct {
	outNHWC
	node      *Node
	out       *Tensor
	out8      []int8
	out16     []int16
	outU8     []uint8
	int16Data bool
	uint8Data bool // legacy uint8 activations and weights (full TFLite only)
}

// macTensors are the tensors of a MAC kernel with int8 weights (CONV_2D,
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED), their typed views
// and the output stage.
type macTensors struct {
	macResult
	in, filter *Tensor
	o          *macOutput
	in8, w     []int8
	in16       []int16
	inU8, wU8  []uint8
}

// newMACTensors checks that a MAC kernel has its input, filter and output,
// that they are int8×int8→int8 or int16×int8→int16 (or, when allowUint8,
// uint8×uint8→uint8, the legacy scheme only full TFLite runs) and, when
// rank > 0, that all three have that rank.
func newMACTensors(n *Node, in, filter *Tensor, rank int, allowUint8 bool) (macTensors, error) {
	if in == nil || filter == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return macTensors{}, fmt.Errorf("%w: %v needs input, filter and output", ErrMissingInput, n.Op)
	}
	out := n.Outputs[0]
	if err := checkConvTypes(in, filter, out, allowUint8); err != nil {
		return macTensors{}, err
	}
	if rank > 0 && (in.Rank() != rank || filter.Rank() != rank || out.Rank() != rank) {
		return macTensors{}, fmt.Errorf("%w: %v wants rank-%d input, filter and output, got %v %v %v",
			ErrBadShape, n.Op, rank, in.Shape, filter.Shape, out.Shape)
	}
	r := macResult{node: n, out: out, int16Data: in.Type == tflite.TypeInt16, uint8Data: in.Type == tflite.TypeUint8}
	return macTensors{macResult: r, in: in, filter: filter}, nil
}

// checkConvTypes accepts int8×int8→int8 and int16×int8→int16, and
// uint8×uint8→uint8 when allowUint8.
func checkConvTypes(in, filter, out *Tensor, allowUint8 bool) error {
	ok := filter.Type == tflite.TypeInt8 && in.Type == out.Type &&
		(in.Type == tflite.TypeInt8 || in.Type == tflite.TypeInt16)
	ok = ok || allowUint8 && in.Type == tflite.TypeUint8 && filter.Type == tflite.TypeUint8 && out.Type == tflite.TypeUint8
	switch {
	case ok:
		return nil
	case allowUint8:
		return fmt.Errorf("%w: input %v, filter %v, output %v (want int8/int8/int8, int16/int8/int16 or uint8/uint8/uint8)",
			ErrUnsupportedType, in.Type, filter.Type, out.Type)
	}
	return fmt.Errorf("%w: input %v, filter %v, output %v (want int8/int8/int8 or int16/int8/int16)",
		ErrUnsupportedType, in.Type, filter.Type, out.Type)
}

// setOutputStage installs the output stage and takes the typed views.
func (m *macTensors) setOutputStage(o *macOutput) {
	m.o = o
	m.refresh()
}

// refresh re-takes the typed views of the tensors (their data may move
// between Prepare and Eval).
func (m *macTensors) refresh() {
	switch {
	case m.uint8Data:
		m.inU8, m.wU8, m.outU8 = m.in.Uint8(), m.filter.Uint8(), m.out.Uint8()
	case m.int16Data:
		m.w, m.in16, m.out16 = m.filter.Int8(), m.in.Int16(), m.out.Int16()
	default:
		m.w, m.in8, m.out8 = m.filter.Int8(), m.in.Int8(), m.out.Int8()
	}
	m.o.refresh()
}

// input is input element i as an int32.
func (m *macTensors) input(i int) int32 {
	switch {
	case m.uint8Data:
		return int32(m.inU8[i])
	case m.int16Data:
		return int32(m.in16[i])
	}
	return int32(m.in8[i])
}

// weight is weight element i as an int32.
func (m *macTensors) weight(i int) int32 {
	if m.uint8Data {
		return int32(m.wU8[i])
	}
	return int32(m.w[i])
}

// dot is the n products Σ (w[wb+i] + filter_offset)·(in[ib+i] + input_offset)
// of one contiguous run of input and weights, in the kernel's data type (a
// wrapping int32 for 8-bit data, whose sign-extension to int64 the output
// stage truncates back).
func (m *macTensors) dot(ib, wb, n int) int64 {
	switch {
	case m.uint8Data:
		return int64(dotU8(m.inU8[ib:ib+n], m.wU8[wb:wb+n], m.o.inputOff, m.o.weighOff))
	case m.int16Data && m.o.weighOff == 0:
		return dot16x8(m.in16[ib:ib+n], m.w[wb:wb+n])
	case m.int16Data:
		return dot16x8Off(m.in16[ib:ib+n], m.w[wb:wb+n], m.o.weighOff)
	case m.o.weighOff == 0:
		return int64(dot8x8(m.in8[ib:ib+n], m.w[wb:wb+n], m.o.inputOff))
	}
	return int64(dot8x8Off(m.in8[ib:ib+n], m.w[wb:wb+n], m.o.inputOff, m.o.weighOff))
}

// recordTerms records the n products that start at input index ib and
// weight index wb (past MaxRecorded, only their count and sum).
func (m *macTensors) recordTerms(c *Chain, ib, wb, n int) {
	c.reserveTerms(n)
	for i := range n {
		v, w := m.input(ib+i), m.weight(wb+i)
		c.addTerm(Term{InputIndex: ib + i, WeightIndex: wb + i, Input: v, Weight: w,
			Product: int64(v+m.o.inputOff) * int64(w+m.o.weighOff)})
	}
}

// evalNHWC stores element(k, b, y, x, oc, nil) for every element of r in
// row-major order; the caller has refreshed the views. element is the
// kernel's method expression, e.g. (*conv2D).element: one call per output
// element.
func evalNHWC[K any](k K, r *macResult, element func(k K, b, y, x, oc int, c *Chain) int32) {
	i := 0
	for b := 0; b < r.batches; b++ {
		for y := 0; y < r.outH; y++ {
			for x := 0; x < r.outW; x++ {
				for oc := 0; oc < r.outC; oc++ {
					v := element(k, b, y, x, oc, nil)
					switch {
					case r.int16Data:
						r.out16[i] = int16(v)
					case r.uint8Data:
						r.outU8[i] = uint8(v)
					default:
						r.out8[i] = int8(v)
					}
					i++
				}
			}
		}
	}
}

// explainNHWC records the arithmetic of output element elem of r.
func explainNHWC[K any](k K, r *macResult, element func(k K, b, y, x, oc int, c *Chain) int32, out, elem int, c *Chain) error {
	if err := checkExplainTarget(r.node, out, elem); err != nil {
		return err
	}
	b, y, x, oc := r.coords(elem)
	c.Final = int64(element(k, b, y, x, oc, c))
	return nil
}

// convWindow is the sliding window of CONV_2D, DEPTHWISE_CONV_2D and
// TRANSPOSE_CONV: strides, dilations and the padding TFLite's
// ComputePaddingHeightWidth gives.
type convWindow struct {
	strideH, strideW int
	dilH, dilW       int
	padH, padW       int
}

// newConvWindow reads the strides and padding scheme of n's options for an
// image of inH×inW and a filter of fH×fW. The padding is derived from the
// output size ComputePaddingHeightWidth recomputes from the padding scheme,
// not from the output tensor.
func newConvWindow(n *Node, dilH, dilW, inH, inW, fH, fW int) (convWindow, error) {
	opt := n.Options
	w := convWindow{strideH: int(opt.StrideH), strideW: int(opt.StrideW), dilH: dilH, dilW: dilW}
	if w.strideH <= 0 || w.strideW <= 0 {
		return w, fmt.Errorf("%w: %v stride %dx%d", ErrBadShape, n.Op, w.strideH, w.strideW)
	}
	oh := ComputeOutSize(opt.Padding, inH, fH, w.strideH, dilH)
	ow := ComputeOutSize(opt.Padding, inW, fW, w.strideW, dilW)
	w.padH, w.padW = ComputePadding(opt.Padding, w.strideH, w.strideW, dilH, dilW, inH, inW, fH, fW, oh, ow)
	return w, nil
}

// padding is the pad_h and pad_w of Describe.
func (w convWindow) padding() []NamedInt {
	return []NamedInt{{"pad_h", int64(w.padH)}, {"pad_w", int64(w.padW)}}
}

// newConvTensors is newMACTensors for the rank-4 convolutions (CONV_2D,
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV): it also returns the options they
// cannot do without and sets the batch count and the output height and
// width (NHWC).
func newConvTensors(n *Node, in, filter *Tensor, allowUint8 bool) (macTensors, *tflite.Options, error) {
	m, err := newMACTensors(n, in, filter, 4, allowUint8)
	if err != nil {
		return m, nil, err
	}
	if err := requireOptions(n); err != nil {
		return m, nil, err
	}
	m.batches, m.outH, m.outW = in.Shape[0], m.out.Shape[1], m.out.Shape[2]
	return m, &n.Options, nil
}

// dot8x8 is Σ w[i]·(x[i] + off) in wrapping int32, the int8 MAC inner loop
// (four partial sums: wrapping addition is associative, so the total is the
// same int32 TFLite's sequential sum gives).
func dot8x8(x, w []int8, off int32) int32 {
	w = w[:len(x)]
	var a0, a1, a2, a3 int32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs, ws := x[i:i+4:i+4], w[i:i+4:i+4]
		a0 += int32(ws[0]) * (int32(xs[0]) + off)
		a1 += int32(ws[1]) * (int32(xs[1]) + off)
		a2 += int32(ws[2]) * (int32(xs[2]) + off)
		a3 += int32(ws[3]) * (int32(xs[3]) + off)
	}
	for ; i < len(x); i++ {
		a0 += int32(w[i]) * (int32(x[i]) + off)
	}
	return a0 + a1 + a2 + a3
}

// dot16x8 is Σ w[i]·x[i] in int64, the int16x8 MAC inner loop.
func dot16x8(x []int16, w []int8) int64 {
	w = w[:len(x)]
	var a0, a1 int64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		xs, ws := x[i:i+2:i+2], w[i:i+2:i+2]
		a0 += int64(int32(ws[0]) * int32(xs[0]))
		a1 += int64(int32(ws[1]) * int32(xs[1]))
	}
	if i < len(x) {
		a0 += int64(int32(w[i]) * int32(x[i]))
	}
	return a0 + a1
}

// dot8x8Off is Σ (w[i] + woff)·(x[i] + off) in wrapping int32.
func dot8x8Off(x, w []int8, off, woff int32) int32 {
	w = w[:len(x)]
	var acc int32
	for i, v := range x {
		acc += (int32(w[i]) + woff) * (int32(v) + off)
	}
	return acc
}

// dotU8 is Σ (w[i] + woff)·(x[i] + off) over uint8 data in wrapping int32,
// the legacy uint8 MAC inner loop.
func dotU8(x, w []uint8, off, woff int32) int32 {
	w = w[:len(x)]
	var acc int32
	for i, v := range x {
		acc += (int32(w[i]) + woff) * (int32(v) + off)
	}
	return acc
}

// dot16x8Off is Σ (w[i] + woff)·x[i] in int64.
func dot16x8Off(x []int16, w []int8, woff int32) int64 {
	w = w[:len(x)]
	var acc int64
	for i, v := range x {
		acc += int64((int32(w[i]) + woff) * int32(v))
	}
	return acc
}

// requantRule is how a MAC kernel's output stage turns acc + bias into the
// stored value.
type requantRule uint8

const (
	// requantFixedPoint is MultiplyByQuantizedMultiplier with the node's
	// rounding rule (or its 64-bit form for wide accumulators).
	requantFixedPoint requantRule = iota
	// requantDouble is LiteRT's reference FULLY_CONNECTED (since 2025-04):
	// int32(round_half_away(double(acc)·M)) with M in double.
	requantDouble
	// requantFloat32 is XNNPACK's fp32 requantization:
	// round_half_even(float32(float32(acc)·scale)) with a float32 scale.
	requantFloat32
)

// useDoubleRequant switches the output stage to LiteRT's reference
// FULLY_CONNECTED: M[ch] = double(s_in)·double(s_w[ch])/double(s_out), every
// factor widened first (per tensor too, unlike TFLite-Micro's float32
// product), and out = clamp(int32(round_half_away(double(acc + bias)·M)) +
// zp_out, lo, hi). int16 inputs accumulate in int64 unless the options say
// quantized_bias_type INT32.
func (o *macOutput) useDoubleRequant(n *Node, in *Tensor) error {
	o.requant = requantDouble
	o.effective = make([]float64, len(o.q))
	for ch := range o.effective {
		o.effective[ch] = float64(o.inScale) * float64(o.wScales[min(ch, len(o.wScales)-1)]) / float64(o.outScale)
	}
	if in.Type != tflite.TypeInt16 {
		return nil
	}
	o.wide = n.Options.QuantizedBiasType != tflite.TypeInt32
	if o.bias != nil && o.bias.Type == tflite.TypeInt32 && o.wide {
		return fmt.Errorf("%w: int16 %v with an int32 bias but quantized_bias_type %v: LiteRT's reference kernel reads that bias as int64", ErrUnsupportedType, n.Op, n.Options.QuantizedBiasType)
	}
	return nil
}

// useRuySingleRounding switches the output stage to the 2022 TFLite
// optimized int8 GEMM kernels (FULLY_CONNECTED, CONV_2D, BATCH_MATMUL through
// cpu_backend_gemm): a WASM or other non-NEON build routes int8×int8 GEMMs to
// ruy (gemmlowp cannot compile them without NEON), and ruy (since 2021-02,
// apply_multiplier.cc) applies TFLite's multiplier with one rounding,
// (acc·Multiplier + 2^(30−Shift)) >> (31−Shift) — RoundingSingle — while the
// multiplier itself is the double-rounding build's QuantizeMultiplier. The
// accumulator, bias, zero point and clamp are TFLite-Micro's. Research notes
// tflite-kernels.md part B: tie probes of FC per tensor and per channel,
// CONV_2D and BATCH_MATMUL (oracle = single rounding in 220/220 runs), and
// the xnnpack/ goldens of batch_matmul_int8_4d_adj_xy and
// conv_2d_int8_same_s1_relu_pertensor.
func (o *macOutput) useRuySingleRounding() { o.rule = RoundingSingle }

// useFloat32Requant switches the output stage to XNNPACK's: scale[ch] =
// float32(float32(s_in·s_w[ch])/s_out) in float32, out = clamp(
// round_half_even(float32(float32(acc + bias)·scale)) + zp_out, lo, hi), with
// the clamp bounds XNNPACK derives from the fused activation. A scale of
// 256 or more, or an empty clamp range, makes XNNPACK fail to build the
// node (ErrDelegateFallback).
func (o *macOutput) useFloat32Requant(n *Node, out *Tensor, act tflite.Activation) error {
	o.requant = requantFloat32
	o.scale32 = make([]float32, len(o.q))
	for ch := range o.scale32 {
		s := xnnConvScale(o.inScale, o.wScales[min(ch, len(o.wScales)-1)], o.outScale)
		if !(s < 256) {
			return fmt.Errorf("%w: %v requantization scale %g ≥ 256", ErrDelegateFallback, n.Op, s)
		}
		o.scale32[ch] = s
	}
	var err error
	o.lo, o.hi, err = xnnpackActivationRange(act, out)
	return err
}

// finishFloat is the output stage of requantDouble and requantFloat32.
func (o *macOutput) finishFloat(acc int64, ch int, c *Chain) int32 {
	var sum int64
	var b int64
	switch {
	case o.bias64 != nil:
		b = o.bias64[ch]
	case o.bias32 != nil:
		b = int64(o.bias32[ch])
	}
	if o.wide {
		sum = acc + b
	} else {
		sum = int64(int32(acc) + int32(b))
	}
	s := o.accScale(ch)
	if c != nil {
		width := "32-bit"
		if o.wide {
			width = "64-bit"
		}
		c.AddReal("acc", int64(sum-b), float64(sum-b)*s, width+" accumulator Σ(input+input_offset)·(weight+filter_offset); real value acc·s_in·s_w",
			"acc = %d (real ≈ %d·%.6g = %.6g)", sum-b, sum-b, s, float64(sum-b)*s)
		o.recordBias(c, b, s)
		c.AddReal("acc_bias", sum, float64(sum)*s, "accumulator plus bias", "%d %s = %d", sum-b, plus(int64(b)), sum)
	}
	var scaled, v int64 // the requantized value, and it plus the output zero point
	if o.requant == requantDouble {
		m := o.effective[ch]
		prod := float64(sum) * m
		scaled32 := doubleToInt32(math.Round(prod))
		scaled, v = int64(scaled32), int64(scaled32+o.outZP) // int32 arithmetic, as LiteRT's
		if c != nil {
			c.AddReal("M", 0, m, "real multiplier M = s_in·s_w/s_out, every factor in double (LiteRT's reference FULLY_CONNECTED: no Q0.31 multiplier)",
				"M = %.9g·%.9g/%.9g = %.10g", o.inScale, o.wScales[min(ch, len(o.wScales)-1)], o.outScale, m)
			c.addRequantization(RuleDoublePrecision, m, QuantizedMultiplier{})
			st := c.AddReal("round_double", int64(scaled), prod, "double product acc·M rounded half away from zero (math round)",
				"round_half_away(%d · %.10g) = round_half_away(%.6f) = %d", sum, m, prod, scaled)
			st.Changed = float64(scaled) != prod
		}
	} else {
		sc := o.scale32[ch]
		prod := float32(float32(sum) * sc)
		scaled = saturatingInt64(math.RoundToEven(float64(prod)))
		v = scaled + int64(o.outZP) // XNNPACK clamps before any overflow
		if c != nil {
			c.AddReal("M", 0, float64(sc), "XNNPACK's float32 scale = float32(float32(s_in·s_w)/s_out) (no Q0.31 multiplier)",
				"scale = float32(float32(%.9g·%.9g)/%.9g) = %.9g", o.inScale, o.wScales[min(ch, len(o.wScales)-1)], o.outScale, sc)
			c.addRequantization(RuleFloat32, float64(sc), QuantizedMultiplier{})
			st := c.AddReal("round_float32", scaled, float64(prod), "float32 product float32(acc)·scale rounded half to even (XNNPACK's fp32 requantization)",
				"round_half_even(float32(%d) · %.9g) = round_half_even(%.7g) = %d", sum, sc, prod, scaled)
			st.Changed = float64(scaled) != float64(prod)
		}
	}
	out := int32(min(max(v, int64(o.lo)), int64(o.hi)))
	if c != nil {
		c.addZPClamp(scaled, int64(o.outZP), v, int64(o.lo), int64(o.hi), int64(out))
	}
	return o.realOutput(out, c)
}

// doubleToInt32 is C++'s static_cast<int32_t>(double) as x86-64 executes it
// (cvttsd2si): truncation toward zero, and INT32_MIN for NaN or any value
// outside the int32 range.
func doubleToInt32(d float64) int32 {
	if d != d || d >= 2147483648.0 || d < -2147483648.0 {
		return math.MinInt32
	}
	return int32(d)
}

// saturatingInt64 converts an integral float64 to int64, saturating.
func saturatingInt64(r float64) int64 {
	switch {
	case r != r:
		return 0
	case r >= math.MaxInt64:
		return math.MaxInt64
	case r <= math.MinInt64:
		return math.MinInt64
	}
	return int64(r)
}

// recordRealMultiplier records how the real multiplier M of channel ch
// comes from the scales, with the numbers: TFLite computes it once, at
// prepare, and a hand computation that takes another path to it (a float64
// product instead of TFLite's float32 one, say) gets another Q0.31
// multiplier — the step says which.
func (o *macOutput) recordRealMultiplier(c *Chain, ch int) {
	ws := o.wScales[min(ch, len(o.wScales)-1)]
	channel := ""
	if o.perChannel {
		channel = fmt.Sprintf("[oc=%d]", ch)
	}
	if o.float32Product {
		all := convMultiplierReal(o.inScale, ws, o.outScale)
		other := QuantizeMultiplier(all, o.rule)
		note := "the same Q0.31 multiplier as an all-double product"
		if other != o.q[ch] {
			note = fmt.Sprintf("in double throughout it would be %.12g → multiplier %d, not %d", all, other.Multiplier, o.q[ch].Multiplier)
		}
		c.AddReal("real_multiplier", int64(o.q[ch].Multiplier), o.real[ch],
			"M from the scales: TFLite rounds the product s_in·s_w to float32 before dividing by s_out in double",
			"M%s = double(float32(s_in·s_w))/s_out = double(float32(%.9g·%.9g))/%.9g = %.12g; %s", channel, o.inScale, ws, o.outScale, o.real[ch], note)
		return
	}
	c.AddReal("real_multiplier", int64(o.q[ch].Multiplier), o.real[ch], "M from the scales, every factor in double (per channel when the weights are)",
		"M%s = s_in·s_w%s/s_out = %.9g·%.9g/%.9g = %.12g", channel, channel, o.inScale, ws, o.outScale, o.real[ch])
}

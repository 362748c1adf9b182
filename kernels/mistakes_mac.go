package kernels

import (
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// The mistake model of the multiply-accumulate kernels (FULLY_CONNECTED,
// CONV_2D, DEPTHWISE_CONV_2D). The mistakes split in two: those that change
// the accumulator (input-offset-sign, filter-offset, transposed-weights),
// each distinct accumulator computed once over the whole output and cached,
// and those of the output stage (no-bias, the multiplier, the rounding, the
// zero point, the clamp), applied per element to a cached accumulator.

// macAccumulator computes the accumulator Σ (w + wOff[oc])·(x + inOff) of
// output element elem (no bias), with the weights read as [in, out] when
// transposed, and the number of products.
type macAccumulator func(elem int, inOff int32, wOff []int32, transposed bool) (acc int64, terms int)

// macMistakes is the mistake model of a MAC kernel.
type macMistakes struct {
	k        *macTensors
	op       tflite.BuiltinOperator
	accAt    macAccumulator
	elements int
	outC     int
	// wOff and wOffAlt are the weight offsets per channel: the kernel's, and
	// filter-offset's (the weights' zero point subtracted where the kernel
	// ignores it, or left out where the kernel subtracts it).
	wOff, wOffAlt []int32
	bias          []int64 // per channel, 0 when absent
	accs          map[MistakeSet][]int64
	mults         [4]*macMultipliers
	typeLo        int32
	typeHi        int32
	fcShape       [2]int // FULLY_CONNECTED weights [out, in]
}

// macMultipliers are the per-channel multipliers of one multiplier
// hypothesis (no-output-scale, per-tensor-scale, both or neither).
type macMultipliers struct {
	real    []float64             // TFLite's real M (its own float32 or double product)
	q       []QuantizedMultiplier // quantized under the kernel's rule
	qSingle []QuantizedMultiplier // quantized for single rounding
	text    []float64             // s_in·s_w/s_out with every factor in double
	scale32 []float32             // XNNPACK's float32 scale
}

// accMistakes change the accumulator.
const accMistakes = MistakeSet(1<<MistakeInputOffsetSign | 1<<MistakeFilterOffset | 1<<MistakeTransposedWeights)

func (k *fullyConnected) mistakeModel() (*MistakeModel, error) {
	mm := newMACMistakes(&k.macTensors, k.accAt)
	mm.fcShape = [2]int{k.filter.Shape[0], k.depth}
	model := mm.model()
	if k.filter.Shape[0] == k.outC && k.depth > 1 && k.outC > 1 {
		model.applicable |= SetOf(MistakeTransposedWeights)
	}
	return model, nil
}

func (k *conv2D) mistakeModel() (*MistakeModel, error) {
	return newMACMistakes(&k.macTensors, k.accAt).model(), nil
}

func (k *depthwiseConv2D) mistakeModel() (*MistakeModel, error) {
	return newMACMistakes(&k.macTensors, k.accAt).model(), nil
}

// accAt is FULLY_CONNECTED's accumulator (see macAccumulator).
func (k *fullyConnected) accAt(elem int, inOff int32, wOff []int32, transposed bool) (int64, int) {
	b, oc := elem/k.outC, elem%k.outC
	ib := b * k.depth
	wo, io := int64(wOff[oc]), int64(inOff)
	var acc int64
	for d := 0; d < k.depth; d++ {
		wi := oc*k.depth + d
		if transposed {
			wi = d*k.outC + oc
		}
		acc += (int64(k.weight(wi)) + wo) * (int64(k.input(ib+d)) + io)
	}
	return acc, k.depth
}

// accAt is CONV_2D's accumulator (see macAccumulator).
func (k *conv2D) accAt(elem int, inOff int32, wOff []int32, _ bool) (int64, int) {
	b, y, x, oc := k.coords(elem)
	g := oc / k.filtersPerGroup
	y0, x0 := y*k.strideH-k.padH, x*k.strideW-k.padW
	wo, io := int64(wOff[oc]), int64(inOff)
	var acc int64
	terms := 0
	for fy := 0; fy < k.fH; fy++ {
		iy := y0 + k.dilH*fy
		if iy < 0 || iy >= k.inH {
			continue
		}
		for fx := 0; fx < k.fW; fx++ {
			ix := x0 + k.dilW*fx
			if ix < 0 || ix >= k.inW {
				continue
			}
			ib := ((b*k.inH+iy)*k.inW+ix)*k.inC + g*k.fC
			wb := ((oc*k.fH+fy)*k.fW + fx) * k.fC
			for ic := 0; ic < k.fC; ic++ {
				acc += (int64(k.weight(wb+ic)) + wo) * (int64(k.input(ib+ic)) + io)
			}
			terms += k.fC
		}
	}
	return acc, terms
}

// accAt is DEPTHWISE_CONV_2D's accumulator (see macAccumulator).
func (k *depthwiseConv2D) accAt(elem int, inOff int32, wOff []int32, _ bool) (int64, int) {
	b, y, x, oc := k.coords(elem)
	ic := oc / k.depthMultiplier
	y0, x0 := y*k.strideH-k.padH, x*k.strideW-k.padW
	wo, io := int64(wOff[oc]), int64(inOff)
	var acc int64
	terms := 0
	for fy := 0; fy < k.fH; fy++ {
		iy := y0 + k.dilH*fy
		if iy < 0 || iy >= k.inH {
			continue
		}
		for fx := 0; fx < k.fW; fx++ {
			ix := x0 + k.dilW*fx
			if ix < 0 || ix >= k.inW {
				continue
			}
			ii := ((b*k.inH+iy)*k.inW+ix)*k.inC + ic
			wi := (fy*k.fW+fx)*k.outC + oc
			acc += (int64(k.weight(wi)) + wo) * (int64(k.input(ii)) + io)
			terms++
		}
	}
	return acc, terms
}

// newMACMistakes derives what the model needs from the kernel's output stage.
func newMACMistakes(k *macTensors, accAt macAccumulator) *macMistakes {
	k.refresh()
	o := k.o
	mm := &macMistakes{k: k, op: k.node.Op, accAt: accAt, elements: k.out.NumElements(), outC: k.outC,
		accs: map[MistakeSet][]int64{}}
	mm.typeLo, mm.typeHi = Range(k.out.Type)
	mm.wOff = make([]int32, k.outC)
	mm.wOffAlt = make([]int32, k.outC)
	mm.bias = make([]int64, k.outC)
	for ch := range k.outC {
		mm.wOff[ch] = o.weighOff
		if o.weighOff == 0 {
			mm.wOffAlt[ch] = -k.filter.ZeroPointAt(min(ch, max(len(k.filter.ZeroPoint), 1)-1))
		}
		switch {
		case o.bias64 != nil:
			mm.bias[ch] = o.bias64[ch]
		case o.bias32 != nil:
			mm.bias[ch] = int64(o.bias32[ch])
		}
	}
	return mm
}

// model wraps the MAC model as a MistakeModel with its applicable mistakes.
func (mm *macMistakes) model() *MistakeModel {
	o := mm.k.o
	var set MistakeSet
	if o.inputOff != 0 {
		set |= SetOf(MistakeInputOffsetSign)
	}
	for ch := range mm.wOff {
		if mm.wOff[ch] != mm.wOffAlt[ch] {
			set |= SetOf(MistakeFilterOffset)
		}
		if mm.bias[ch] != 0 {
			set |= SetOf(MistakeNoBias)
		}
	}
	if o.outScale != 1 {
		set |= SetOf(MistakeNoOutputScale)
	}
	if o.requant != requantDouble {
		set |= SetOf(MistakeFloatRequant)
	}
	set |= SetOf(MistakeHalfEven, MistakeTruncate, MistakeNoClamp)
	if o.requant == requantFixedPoint && o.rule == RoundingDouble && !o.wide {
		set |= SetOf(MistakeSingleRounding)
	}
	if o.outZP != 0 {
		set |= SetOf(MistakeNoOutputZP)
	}
	for _, s := range o.wScales {
		if o.perChannel && s != o.wScales[0] {
			set |= SetOf(MistakePerTensorScale)
		}
	}
	return &MistakeModel{node: mm.k.node, elements: mm.elements, applicable: set,
		activationClamp: o.lo != mm.typeLo || o.hi != mm.typeHi,
		values:          mm.values, explain: mm.explain, sentence: mm.sentence}
}

// multipliers returns the multipliers of h's multiplier mistakes.
func (mm *macMistakes) multipliers(h Hypothesis) *macMultipliers {
	noScale, perTensor := h.Set.Has(MistakeNoOutputScale), h.Set.Has(MistakePerTensorScale)
	idx := 0
	if noScale {
		idx |= 1
	}
	if perTensor {
		idx |= 2
	}
	if m := mm.mults[idx]; m != nil {
		return m
	}
	o := mm.k.o
	n := len(o.q)
	m := &macMultipliers{real: make([]float64, n), q: make([]QuantizedMultiplier, n), qSingle: make([]QuantizedMultiplier, n),
		text: make([]float64, n), scale32: make([]float32, n)}
	outScale := o.outScale
	if noScale {
		outScale = 1
	}
	for ch := range n {
		ws := o.wScales[min(ch, len(o.wScales)-1)]
		if perTensor {
			ws = o.wScales[0]
		}
		if o.float32Product {
			m.real[ch] = fcMultiplierReal(o.inScale, ws, outScale)
		} else {
			m.real[ch] = convMultiplierReal(o.inScale, ws, outScale)
		}
		m.q[ch] = QuantizeMultiplier(m.real[ch], o.rule)
		m.qSingle[ch] = QuantizeMultiplier(m.real[ch], RoundingSingle)
		m.text[ch] = float64(o.inScale) * float64(ws) / float64(outScale)
		m.scale32[ch] = o.inScale * ws / outScale
	}
	if idx == 0 {
		copy(m.q, o.q) // the kernel's own, by construction the same
	}
	mm.mults[idx] = m
	return m
}

// accParams are the accumulator parameters of h.
func (mm *macMistakes) accParams(h Hypothesis) (inOff int32, wOff []int32, transposed bool) {
	inOff, wOff = mm.k.o.inputOff, mm.wOff
	if h.Set.Has(MistakeInputOffsetSign) {
		inOff = -inOff
	}
	if h.Set.Has(MistakeFilterOffset) {
		wOff = mm.wOffAlt
	}
	return inOff, wOff, h.Set.Has(MistakeTransposedWeights)
}

// accumulators returns (computing once) every element's accumulator under
// h's accumulator mistakes.
func (mm *macMistakes) accumulators(h Hypothesis) []int64 {
	key := h.Set & accMistakes
	if a, ok := mm.accs[key]; ok {
		return a
	}
	inOff, wOff, transposed := mm.accParams(h)
	a := make([]int64, mm.elements)
	for i := range a {
		a[i], _ = mm.accAt(i, inOff, wOff, transposed)
	}
	mm.accs[key] = a
	return a
}

// sum is acc + bias as the kernel holds it (int32, wrapping, unless the
// accumulator is 64-bit).
func (mm *macMistakes) sum(h Hypothesis, acc int64, ch int) (b, sum int64) {
	if !h.Set.Has(MistakeNoBias) {
		b = mm.bias[ch]
	}
	if mm.k.o.wide {
		return b, acc + b
	}
	return b, int64(int32(acc) + int32(b))
}

// scaled requantizes acc + bias of channel ch under h, without the zero
// point.
func (mm *macMistakes) scaled(h Hypothesis, m *macMultipliers, sum int64, ch int) float64 {
	o := mm.k.o
	if kind, ok := h.floatRounding(); ok {
		return kind.round(float64(sum) * m.text[ch])
	}
	if h.Set.Has(MistakeSingleRounding) {
		return float64(MultiplyByQuantizedMultiplier(int32(sum), m.qSingle[ch].Multiplier, m.qSingle[ch].Shift, RoundingSingle))
	}
	switch {
	case o.requant == requantDouble:
		return float64(doubleToInt32(math.Round(float64(sum) * m.text[ch])))
	case o.requant == requantFloat32:
		return float64(saturatingInt64(math.RoundToEven(float64(float32(sum) * m.scale32[ch]))))
	case o.wide:
		return float64(MultiplyByQuantizedMultiplier64(sum, m.q[ch].Multiplier, m.q[ch].Shift))
	}
	return float64(MultiplyByQuantizedMultiplier(int32(sum), m.q[ch].Multiplier, m.q[ch].Shift, o.rule))
}

// withZP adds the zero point as the kernel does (int32 arithmetic under
// LiteRT's double requantization).
func (mm *macMistakes) withZP(h Hypothesis, scaled float64) float64 {
	zp := hypothesisZP(h, mm.k.o.outZP)
	if _, float := h.floatRounding(); !float && !h.Set.Has(MistakeSingleRounding) && mm.k.o.requant == requantDouble {
		return float64(int32(scaled) + int32(zp))
	}
	return scaled + zp
}

func (mm *macMistakes) values(h Hypothesis, dst []float64) {
	accs := mm.accumulators(h)
	m := mm.multipliers(h)
	o := mm.k.o
	lo, hi := clampBounds(h, o.lo, o.hi, mm.typeLo, mm.typeHi)
	if _, float := h.floatRounding(); float || h.Set.Has(MistakeSingleRounding) || o.requant != requantFixedPoint || o.wide {
		for i := range dst {
			ch := i % mm.outC
			_, sum := mm.sum(h, accs[i], ch)
			dst[i] = min(max(mm.withZP(h, mm.scaled(h, m, sum, ch)), lo), hi)
		}
		return
	}
	// The fixed-point path of the kernel's own rule, with the hypothesis's
	// bias, multipliers and zero point: the common case, kept tight.
	bias := mm.bias
	if h.Set.Has(MistakeNoBias) {
		bias = make([]int64, len(mm.bias))
	}
	zp := hypothesisZP(h, mm.k.o.outZP)
	ch := 0
	for i, acc := range accs[:len(dst)] {
		q := m.q[ch]
		v := float64(MultiplyByQuantizedMultiplier(int32(acc)+int32(bias[ch]), q.Multiplier, q.Shift, o.rule)) + zp
		dst[i] = min(max(v, lo), hi)
		if ch++; ch == mm.outC {
			ch = 0
		}
	}
}

func (mm *macMistakes) explain(h Hypothesis, elem int, c *Chain) {
	o := mm.k.o
	inOff, wOff, transposed := mm.accParams(h)
	acc, terms := mm.accAt(elem, inOff, wOff, transposed)
	ch := elem % mm.outC
	m := mm.multipliers(h)
	if h.Set.Has(MistakeInputOffsetSign) {
		c.Add("input_offset", int64(inOff), "added to every input value: +zp_in (input-offset-sign; TFLite adds −zp_in)", "input_offset = %d", inOff)
	} else {
		c.Add("input_offset", int64(inOff), "added to every input value before multiplying (−input zero point)", "input_offset = %d", inOff)
	}
	if h.Set.Has(MistakeFilterOffset) {
		c.Add("filter_offset", int64(wOff[ch]), "added to every weight (filter-offset: TFLite adds "+fmt.Sprint(mm.wOff[ch])+")", "filter_offset = %d", wOff[ch])
	} else {
		c.Add("filter_offset", int64(wOff[ch]), "added to every weight before multiplying (−weight zero point; 0 where weights are symmetric)", "filter_offset = %d", wOff[ch])
	}
	termsMeaning := "number of products in the accumulator"
	if o.windowed {
		termsMeaning += " (padding taps are skipped)"
	}
	c.Add("terms", int64(terms), termsMeaning, "%d terms", terms)
	s := o.accScale(ch)
	what := "accumulator Σ(input+input_offset)·(weight+filter_offset)"
	if transposed {
		what += ", weights read as [in, out] (transposed-weights)"
	}
	accShown := acc
	if !o.wide {
		accShown = int64(int32(acc))
	}
	c.AddReal("acc", accShown, float64(accShown)*s, what, "acc = %d (real ≈ %d·%.6g = %.6g)", accShown, accShown, s, float64(accShown)*s)
	b, sum := mm.sum(h, acc, ch)
	switch {
	case h.Set.Has(MistakeNoBias):
		c.Add("bias", 0, "bias left out (no-bias)", "bias left out = 0")
	case o.bias == nil:
		c.Add("bias", 0, "no bias tensor", "bias absent = 0")
	default:
		c.AddReal("bias", b, float64(b)*s, "bias of this output channel, in accumulator units (scale s_in·s_w)", "bias = %d (≈ %.6g)", b, float64(b)*s)
	}
	c.AddReal("acc_bias", sum, float64(sum)*s, "accumulator plus bias", "%d %s = %d", accShown, plus(b), sum)
	outScale := "s_out"
	if h.Set.Has(MistakeNoOutputScale) {
		outScale = "1 (no-output-scale)"
	}
	ws := "s_w"
	if h.Set.Has(MistakePerTensorScale) {
		ws = "s_w[0] (per-tensor-scale)"
	} else if o.perChannel {
		ws = fmt.Sprintf("s_w[oc=%d]", ch)
	}
	scaled := mm.scaled(h, m, sum, ch)
	kind, float := h.floatRounding()
	switch {
	case float:
		c.AddReal("real_multiplier", 0, m.text[ch], "M from the scales in double", "M = s_in·%s/%s = %.12g", ws, outScale, m.text[ch])
		prod := float64(sum) * m.text[ch]
		st := c.AddReal(kind.step(), int64(scaled), prod, "acc_bias·M "+kind.meaning(), "%s = %s = %s",
			kind.formula(fmt.Sprintf("%d · %.10g", sum, m.text[ch])), kind.formula(fmt.Sprintf("%.6f", prod)), fmtNum(scaled))
		st.Changed = scaled != prod
	case h.Set.Has(MistakeSingleRounding):
		mm.recordMultiplier(c, h, m, ch, ws, outScale)
		explainMultiply(int32(sum), m.qSingle[ch], RoundingSingle, c)
	case o.requant == requantDouble:
		c.AddReal("M", 0, m.text[ch], "real multiplier M = s_in·s_w/s_out, every factor in double", "M = s_in·%s/%s = %.10g", ws, outScale, m.text[ch])
		prod := float64(sum) * m.text[ch]
		st := c.AddReal("round_double", int64(scaled), prod, "double product acc·M rounded half away from zero",
			"round_half_away(%d · %.10g) = %d", sum, m.text[ch], int64(scaled))
		st.Changed = scaled != prod
	case o.requant == requantFloat32:
		c.AddReal("M", 0, float64(m.scale32[ch]), "float32 scale", "scale = float32(s_in·%s/%s) = %.9g", ws, outScale, m.scale32[ch])
		prod := float32(sum) * m.scale32[ch]
		st := c.AddReal("round_float32", int64(scaled), float64(prod), "float32 product rounded half to even",
			"round_half_even(float32(%d) · %.9g) = %d", sum, m.scale32[ch], int64(scaled))
		st.Changed = scaled != float64(prod)
	case o.wide:
		c.AddReal("real_multiplier", int64(m.q[ch].Multiplier), m.real[ch], "M from the scales", "M = s_in·%s/%s = %.12g", ws, outScale, m.real[ch])
		q := m.q[ch]
		c.AddReal("M", int64(q.Multiplier), q.Real(), "real multiplier M = Multiplier·2^(Shift−31)", "M = %d·2^(%d−31) = %.10g", q.Multiplier, q.Shift, q.Real())
		c.Add("round_shift", int64(scaled), "64-bit requantization with the Q0.15 reduced multiplier", "MultiplyByQuantizedMultiplier64(%d) = %d", sum, int64(scaled))
	default:
		mm.recordMultiplier(c, h, m, ch, ws, outScale)
		explainMultiply(int32(sum), m.q[ch], o.rule, c)
	}
	v := mm.withZP(h, scaled)
	recordZP(c, h, scaled, v, o.outZP, "scaled value plus the output zero point")
	c.Final = int64(recordClamp(c, v, h, o.lo, o.hi, mm.typeLo, mm.typeHi, "the activation range"))
}

func (mm *macMistakes) sentence(mk Mistake, h Hypothesis) string {
	o := mm.k.o
	op := mm.op.String()
	switch mk {
	case MistakeInputOffsetSign:
		return fmt.Sprintf("TFLite adds input_offset = −zp_in = %d to every input value before multiplying; your numbers add %d (x + zp_in instead of x − zp_in).",
			o.inputOff, -o.inputOff)
	case MistakeFilterOffset:
		if mm.wOff[0] != 0 || o.weighOff != 0 {
			return fmt.Sprintf("TFLite adds filter_offset = −zp_w = %d to every weight (the weights' zero point is %d); your numbers leave the weights' zero point out.",
				o.weighOff, -o.weighOff)
		}
		return fmt.Sprintf("TFLite's %s ignores the weights' zero point (int8 weights are taken as symmetric: filter_offset = 0); your numbers subtract it (zp_w = %d for channel 0).",
			op, -mm.wOffAlt[0])
	case MistakeNoOutputScale:
		m := mm.multipliers(Hypothesis{})
		return fmt.Sprintf("TFLite multiplies acc + bias by M = s_in·s_w/s_out = %.6g·%.6g/%.6g = %.6g (the division by s_out puts the result in output units); your numbers use s_in·s_w = %.6g, not divided by s_out.",
			o.inScale, o.wScales[0], o.outScale, m.text[0], float64(o.inScale)*float64(o.wScales[0]))
	case MistakeFloatRequant:
		return "TFLite requantizes " + mm.ruleWords() + "; your numbers compute round(acc·M) in double, ties away from zero, which parts from it where acc·M is near a half."
	case MistakeHalfEven:
		if o.requant == requantFloat32 {
			return "XNNPACK rounds the float32 product float32(acc)·scale half to even; your numbers round the double product acc·M half to even, as np.round and rint do — the products differ in their last bits."
		}
		return "TFLite rounds to nearest with ties away from zero (" + mm.ruleWords() + "); your numbers round ties to even (2.5 → 2), as np.round and rint do."
	case MistakeTruncate:
		if h.Floor {
			return "TFLite rounds acc·M to the nearest integer (" + mm.ruleWords() + "); your numbers round it down (floor, Python's //, a right shift without the rounding term)."
		}
		return "TFLite rounds acc·M to the nearest integer (" + mm.ruleWords() + "); your numbers truncate it toward zero (int(), astype(int))."
	case MistakeSingleRounding:
		q := o.q[0]
		return fmt.Sprintf("TFLite-Micro's default build rounds twice: SaturatingRoundingDoublingHighMul(acc, %d) rounds x·Multiplier/2^31, then RoundingDivideByPOT by 2^%d rounds again; your numbers round once, as a TFLITE_SINGLE_ROUNDING=1 build does: (acc·%d + 2^%d) >> %d.",
			q.Multiplier, max(-q.Shift, 0), q.Multiplier, 30-q.Shift, 31-q.Shift)
	case MistakeNoBias:
		return fmt.Sprintf("TFLite adds the bias to the accumulator before requantizing (bias[0] = %d, in units of s_in·s_w); your numbers leave it out.", mm.bias[0])
	case MistakeNoOutputZP:
		return fmt.Sprintf("TFLite adds the output zero point zp_out = %d after scaling; your numbers don't.", o.outZP)
	case MistakeNoClamp:
		return clampSentence(h, o.lo, o.hi, mm.typeLo, mm.typeHi, mm.k.node.Options.Activation.String())
	case MistakeTransposedWeights:
		out, in := mm.fcShape[0], mm.fcShape[1]
		return fmt.Sprintf("TFLite stores FULLY_CONNECTED weights as [out=%d, in=%d] and multiplies input[k] by weights[o, k]; your numbers read the same buffer as [in, out] (weights.reshape(%d, %d)[k, o]): use W[o, k], or W.T in a matrix product x @ W.T.",
			out, in, in, out)
	case MistakePerTensorScale:
		lo, hi := o.wScales[0], o.wScales[0]
		for _, s := range o.wScales {
			lo, hi = min(lo, s), max(hi, s)
		}
		return fmt.Sprintf("TFLite uses each output channel's own weight scale (per-channel weights: %d scales from %.6g to %.6g, M[oc] = s_in·s_w[oc]/s_out); your numbers use s_w[0] = %.6g for every channel.",
			len(o.wScales), lo, hi, o.wScales[0])
	}
	return ""
}

// recordMultiplier records the real_multiplier step: the kernel's own when
// h changes no scale, else M from the scales h uses.
func (mm *macMistakes) recordMultiplier(c *Chain, h Hypothesis, m *macMultipliers, ch int, ws, outScale string) {
	if !h.Set.Has(MistakeNoOutputScale) && !h.Set.Has(MistakePerTensorScale) {
		mm.k.o.recordRealMultiplier(c, ch)
		return
	}
	c.AddReal("real_multiplier", int64(m.q[ch].Multiplier), m.real[ch], "M from the scales your numbers use", "M = s_in·%s/%s = %.12g", ws, outScale, m.real[ch])
}

// ruleWords describes the kernel's requantization.
func (mm *macMistakes) ruleWords() string {
	o := mm.k.o
	switch {
	case o.requant == requantDouble:
		return "in double, round_half_away(acc·M) (LiteRT's reference kernel)"
	case o.requant == requantFloat32:
		return "in float32 and rounds half to even (the XNNPACK delegate)"
	case o.wide:
		return "in fixed point with a 64-bit accumulator (MultiplyByQuantizedMultiplier64)"
	}
	q := o.q[0]
	return fmt.Sprintf("in fixed point: MultiplyByQuantizedMultiplier(acc, %d, %d) with %s rounding", q.Multiplier, q.Shift, o.rule)
}

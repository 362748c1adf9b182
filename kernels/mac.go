package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// Shared parts of the multiply-accumulate kernels (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV, BATCH_MATMUL): the
// multiplier derivation and the output stage that turns an accumulator into
// a stored value.
//
// Accumulators. TFLite-Micro accumulates int8 kernels, and int16x8 kernels
// with an int32 bias, in a wrapping int32; int16x8 kernels with an int64 bias
// in an int64 (bias-less ones: see newMACOutput). Every kernel here sums its
// products in an int64 or in int32 partial sums, and the int32 form truncates
// it: two's-complement addition modulo 2^32 gives the same int32 whatever the
// order and width of the partial sums.

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
type macOutput struct {
	rule Rounding
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
	lo, hi   int32

	inScale  float32
	wScales  []float32
	outScale float32
}

// newMACOutput derives the output stage of a kernel with nch output
// channels. fc selects the per-tensor FULLY_CONNECTED multiplier rounding.
func newMACOutput(n *Node, in, filter, bias, out *Tensor, nch int, act tflite.Activation, fc bool) (*macOutput, error) {
	if !in.Quantized() || !filter.Quantized() || !out.Quantized() {
		return nil, fmt.Errorf("%w: input, filter and output must be quantized", ErrBadQuantization)
	}
	o := &macOutput{rule: n.Rounding, bias: bias, inScale: in.Scale0(), wScales: filter.Scale, outScale: out.Scale0()}
	o.perChannel = len(filter.Scale) > 1
	if o.perChannel && len(filter.Scale) != nch {
		return nil, fmt.Errorf("%w: filter has %d scales for %d output channels", ErrBadQuantization, len(filter.Scale), nch)
	}
	o.q = make([]QuantizedMultiplier, nch)
	o.real = make([]float64, nch)
	for ch := range nch {
		ws := filter.ScaleAt(min(ch, len(filter.Scale)-1))
		if fc && !o.perChannel {
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
	if in.Type == tflite.TypeInt16 && bias == nil && n.Options != nil && n.Options.QuantizedBiasType == tflite.TypeInt64 {
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
	if in.Type == tflite.TypeInt8 {
		o.inputOff = -in.ZP0()
		o.outZP = out.ZP0()
	}
	o.refresh()
	return o, nil
}

// refresh re-takes the typed view of the bias data. Prepare and Eval call
// it; Explain only reads, so explaining never writes kernel state.
func (o *macOutput) refresh() {
	if o.bias == nil {
		return
	}
	if o.bias.Type == tflite.TypeInt64 {
		o.bias64 = o.bias.Int64()
	} else {
		o.bias32 = o.bias.Int32()
	}
}

// product scale of channel ch: the real value of one accumulator unit.
func (o *macOutput) accScale(ch int) float64 {
	return float64(o.inScale) * float64(o.wScales[min(ch, len(o.wScales)-1)])
}

// recordOffsets records the offsets and the number of terms of an element.
func (o *macOutput) recordOffsets(c *Chain, terms int) {
	c.Add("input_offset", int64(o.inputOff), "added to every input value before multiplying (−input zero point)",
		"input_offset = %d", o.inputOff)
	c.Add("filter_offset", int64(o.weighOff), "added to every weight before multiplying (−weight zero point; 0 where weights are symmetric)",
		"filter_offset = %d", o.weighOff)
	c.Add("terms", int64(terms), "number of products in the accumulator (padding taps are skipped)",
		"%d terms", terms)
}

// finish turns the accumulated products of output channel ch into the stored
// value: adds the bias, requantizes, adds the output zero point and clamps.
// With c non-nil it records each stage.
func (o *macOutput) finish(acc int64, ch int, c *Chain) int32 {
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
			c.AddReal("acc_bias", sum, float64(sum)*s, "accumulator plus bias", "%d + %d = %d", acc, b, sum)
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
		c.AddReal("acc_bias", int64(sum), float64(sum)*s, "accumulator plus bias (int32)", "%d + %d = %d", acc32, b, sum)
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
	if o.perChannel {
		for ch := range o.q {
			p.Multipliers = append(p.Multipliers, Multiplier{Name: "output", Channel: ch, Real: o.real[ch], Quantized: o.q[ch]})
		}
	} else if len(o.q) > 0 {
		p.Multipliers = append(p.Multipliers, Multiplier{Name: "output", Channel: -1, Real: o.real[0], Quantized: o.q[0]})
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
		c.Add("zp", int64(v), "scaled value plus the output zero point", "%d + %d = %d", scaled, outputZP, v)
		s := c.Add("clamp", int64(out), "clamped to the activation range", "clamp(%d, %d, %d) = %d", v, lo, hi, out)
		s.Changed = out != v
	}
	return out
}

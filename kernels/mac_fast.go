package kernels

import "math"

// The fast Eval of the multiply-accumulate kernels (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED) with 8-bit data. Explain keeps
// recomputing one element at a time (each kernel's element method, the
// single source of truth for chains); Eval computes the same stored values
// a row of output channels at a time:
//
//   - Offsets hoisted out of the inner loop. With p the raw input values a
//     window reads (padding taps read the input zero point, −input_offset,
//     so that their factor p + input_offset is 0 as TFLite's skipped taps
//     are), w the raw weights and xo, wo the input and filter offsets,
//
//     Σ (w + wo)·(p + xo) = Σ w·p + xo·Σ w + wo·Σ p + n·wo·xo
//
//     in wrapping int32 arithmetic, which is a ring: the identity holds
//     modulo 2^32 whatever overflows, and the int32 accumulator TFLite
//     keeps is the sum modulo 2^32 too. Σ w per channel is taken once.
//   - Two output channels per 64-bit multiply: a pair of channels' weights
//     packed as w₀ + w₁·2^32, times a raw input value, accumulates
//     Σ w₀·p + 2^32·Σ w₁·p exactly when both sums stay within the int32
//     range (checked at Prepare from the depth: n·|w|max·|p|max < 2^31),
//     and the lanes split exactly (unpackPair).
//   - A per-channel output stage taken once per Eval (macEvalChannel):
//     bias, requantization, zero point and clamp, the same arithmetic as
//     macOutput.finish without the recording (TestMACRowMatchesFinish).
//
// Kernels fall back to their per-element Eval when the fast path does not
// apply: int16 data, XNNPACK's depthwise pair wrap-around, grouped
// convolutions, zero points outside the data type, depths too large for the
// two-lane products.

// macData is the activations' data type of the fast Eval: int8, uint8
// (legacy full TFLite) or int16 (int16x8, int8 weights).
type macData interface{ int8 | uint8 | int16 }

// macWeight is the weights' data type: int8, or uint8 with uint8 data.
type macWeight interface{ int8 | uint8 }

// macEvalChannel is the output stage of one channel, as macOutput.finish
// computes it for a 32-bit accumulator, with its parameters unpacked.
type macEvalChannel struct {
	bias int32
	// Fixed point: the Q0.31 multiplier. Double rounding shifts left by
	// left before SaturatingRoundingDoublingHighMul, then
	// RoundingDivideByPOT by right: adds round, and negTie (−1 when right >
	// 0, else 0) for a negative value, and shifts (see storeMACRow). Single
	// rounding adds round = 2^(right−1) and shifts right by right =
	// 31 − Shift.
	mult        int32
	left, right uint32
	round       int64
	negTie      int64
	// scale32 (requantFloat32) and effective (requantDouble).
	scale32   float32
	effective float64
}

// macEvalStage is the output stage of a MAC kernel unpacked per channel for
// Eval's rows (refreshEvalStage fills it from the macOutput at each Eval).
type macEvalStage struct {
	ch []macEvalChannel
	// ok is false when the stage has no row form (a 64-bit accumulator).
	ok bool
}

// refreshEvalStage unpacks o's output stage per channel into o.eval. Eval
// calls it (through refresh), so it follows whatever rule the
// implementation switched the stage to after newMACOutput.
func (o *macOutput) refreshEvalStage() {
	e := &o.eval
	e.ok = !o.wide && len(e.ch) == len(o.q)
	if !e.ok {
		return
	}
	// The row stage masks its shift counts (left & 31, right & 63) so that
	// they compile to plain shifts; a multiplier outside those counts (M ≥
	// 2^31, which no sane model has) keeps the per-element Eval.
	// So does a multiplier of −2^31 (a negative weight scale can round to
	// it): SaturatingRoundingDoublingHighMul saturates there, the row form
	// would wrap.
	for _, q := range o.q {
		if q.Shift > 31 || q.Shift < -32 || q.Multiplier == math.MinInt32 {
			e.ok = false
			return
		}
	}
	for ch := range e.ch {
		c := macEvalChannel{}
		switch {
		case o.bias64 != nil:
			c.bias = int32(o.bias64[ch])
		case o.bias32 != nil:
			c.bias = o.bias32[ch]
		}
		q := o.q[ch]
		c.mult = q.Multiplier
		if o.rule == RoundingSingle {
			c.right = uint32(31 - q.Shift)
			c.round = int64(1) << (c.right - 1)
		} else {
			c.left, c.right = uint32(max(q.Shift, 0)), uint32(max(-q.Shift, 0))
			if c.right > 0 {
				c.round, c.negTie = int64(1)<<(c.right-1), -1
			}
		}
		switch o.requant {
		case requantFloat32:
			c.scale32 = o.scale32[ch]
		case requantDouble:
			c.effective = o.effective[ch]
		}
		e.ch[ch] = c
	}
}

// storeMACRow stores the outputs of channels ch0, ch0+1, ... from their
// accumulators acc (without bias): macOutput.finish(acc[i], ch0+i, _, nil)
// for each, into dst. acc is the accumulator modulo 2^32 (a 32-bit
// accumulator wraps the same way) or, for a 64-bit one, its exact value
// (the fast Eval checks at Prepare that its sums stay inside int32); the
// stage unpacked per channel when it has one, finish itself otherwise.
func storeMACRow[T macData](o *macOutput, acc []int32, ch0 int, dst []T) {
	dst = dst[:len(acc)]
	if !o.eval.ok {
		for i, a := range acc {
			dst[i] = T(o.finish(int64(a), ch0+i, 0, nil))
		}
		return
	}
	chs := o.eval.ch[ch0 : ch0+len(acc)]
	zp, lo, hi := o.outZP, o.lo, o.hi
	switch {
	case o.requant == requantFixedPoint && o.rule == RoundingSingle:
		for i, a := range acc {
			c := &chs[i]
			scaled := int32((int64(a+c.bias)*int64(c.mult) + c.round) >> (c.right & 63))
			dst[i] = T(min(max(scaled+zp, lo), hi))
		}
	case o.requant == requantFixedPoint:
		for i, a := range acc {
			c := &chs[i]
			// SaturatingRoundingDoublingHighMul((acc + bias)·2^left, M) =
			// trunc((ab + nudge)/2^31), nudge 2^30 or 1 − 2^30 by the sign of
			// ab, is floor((ab + 2^30)/2^31) for either sign: for ab < 0,
			// trunc = ceil and ceil((ab + 1 − 2^30)/2^31) = floor((ab +
			// 2^30)/2^31). (Its saturating case needs M = INT32_MIN, which
			// refreshEvalStage leaves to the per-element path.)
			ab := int64((a+c.bias)<<(c.left&31)) * int64(c.mult)
			h := (ab + 1<<30) >> 31
			// RoundingDivideByPOT(h, right), half away from zero: h plus
			// 2^(right−1), minus 1 when h < 0, floored by the shift (right
			// = 0: h itself); in 64 bits, where h + 2^(right−1) cannot
			// overflow.
			scaled := int32((h + c.round + (h>>63)&c.negTie) >> (c.right & 63))
			dst[i] = T(min(max(scaled+zp, lo), hi))
		}
	case o.requant == requantFloat32:
		for i, a := range acc {
			c := &chs[i]
			prod := float32(float32(a+c.bias) * c.scale32)
			v := saturatingInt64(math.RoundToEven(float64(prod))) + int64(zp)
			dst[i] = T(min(max(v, int64(lo)), int64(hi)))
		}
	default: // requantDouble
		for i, a := range acc {
			c := &chs[i]
			scaled := doubleToInt32(math.Round(float64(a+c.bias) * c.effective))
			dst[i] = T(min(max(scaled+zp, lo), hi))
		}
	}
}

// macPacked is a filter of 8-bit weights packed for the two-lane
// accumulation, with its per-channel sums, and the scratch of the fast
// Eval.
type macPacked struct {
	depth, nch int
	// blocks holds channels 8j..8j+7 (four pairs) of block j interleaved:
	// the pairs of product i at blocks[(j·depth+i)·4 : +4]; tail holds the
	// remaining r = (pairs mod 4) pairs interleaved the same way, product i
	// at tail[i·r : +r]. A pair is uint64(w₀ + w₁·2^32) (w₁ = 0 past the
	// last channel).
	blocks, tail []uint64
	nBlocks      int
	tailPairs    int
	// wsum[ch] is Σ of channel ch's raw weights.
	wsum []int32
	// acc is the accumulator row (one per channel, rounded up to a pair).
	acc []int32
}

// macPackedFits says whether depth products of raw values up to wMax and
// pMax in magnitude stay inside the int32 range in each lane.
func macPackedFits(depth int, wMax, pMax int64) bool {
	return int64(depth)*wMax*pMax < 1<<31
}

// newMACPacked allocates the packing of nch channels of depth weights.
func newMACPacked(depth, nch int) *macPacked {
	pairs := (nch + 1) / 2
	p := &macPacked{depth: depth, nch: nch, nBlocks: pairs / 4, tailPairs: pairs % 4}
	p.blocks = make([]uint64, p.nBlocks*4*depth)
	p.tail = make([]uint64, p.tailPairs*depth)
	p.wsum = make([]int32, nch)
	p.acc = make([]int32, 2*pairs)
	return p
}

// pack packs w (channel ch's weights at w[ch·depth : (ch+1)·depth]).
func packMAC[W macWeight](p *macPacked, w []W) {
	d := p.depth
	weight := func(ch, i int) int64 {
		if ch >= p.nch {
			return 0
		}
		return int64(w[ch*d+i])
	}
	pairs := (p.nch + 1) / 2
	for pr := range pairs {
		for i := range d {
			v := uint64(weight(2*pr, i)) + uint64(weight(2*pr+1, i))<<32
			if j := pr / 4; j < p.nBlocks {
				p.blocks[(j*d+i)*4+pr%4] = v
			} else {
				p.tail[i*p.tailPairs+pr-4*p.nBlocks] = v
			}
		}
	}
	for ch := range p.nch {
		var s int32
		for _, v := range w[ch*d : (ch+1)*d] {
			s += int32(v)
		}
		p.wsum[ch] = s
	}
}

// unpackPair splits a two-lane accumulator Σ (w₀ + w₁·2^32)·p into its two
// sums (each inside the int32 range: see macPackedFits).
func unpackPair(a uint64) (lo, hi int32) {
	lo = int32(a)
	hi = int32((int64(a) - int64(lo)) >> 32)
	return lo, hi
}

// accumulate sets p.acc[ch] = Σ_i w[ch, i]·x[i] (raw values) for every
// channel; len(x) is the depth.
func accumulateMAC[T macData](p *macPacked, x []T) {
	d := p.depth
	x = x[:d]
	acc := p.acc
	for j := range p.nBlocks {
		ws := p.blocks[j*d*4 : (j+1)*d*4]
		var a0, a1, a2, a3 uint64
		for i, xv := range x {
			v := uint64(int64(xv))
			w := ws[i*4 : i*4+4 : i*4+4]
			a0 += w[0] * v
			a1 += w[1] * v
			a2 += w[2] * v
			a3 += w[3] * v
		}
		r := acc[j*8 : j*8+8 : j*8+8]
		r[0], r[1] = unpackPair(a0)
		r[2], r[3] = unpackPair(a1)
		r[4], r[5] = unpackPair(a2)
		r[6], r[7] = unpackPair(a3)
	}
	ch := 8 * p.nBlocks
	switch ws := p.tail; p.tailPairs {
	case 1:
		ws = ws[:len(x)]
		var a uint64
		for i, xv := range x {
			a += ws[i] * uint64(int64(xv))
		}
		acc[ch], acc[ch+1] = unpackPair(a)
	case 2:
		ws = ws[:2*len(x)]
		var a0, a1 uint64
		for i, xv := range x {
			v := uint64(int64(xv))
			w := ws[i*2 : i*2+2 : i*2+2]
			a0 += w[0] * v
			a1 += w[1] * v
		}
		r := acc[ch : ch+4 : ch+4]
		r[0], r[1] = unpackPair(a0)
		r[2], r[3] = unpackPair(a1)
	case 3:
		ws = ws[:3*len(x)]
		var a0, a1, a2 uint64
		for i, xv := range x {
			v := uint64(int64(xv))
			w := ws[i*3 : i*3+3 : i*3+3]
			a0 += w[0] * v
			a1 += w[1] * v
			a2 += w[2] * v
		}
		r := acc[ch : ch+6 : ch+6]
		r[0], r[1] = unpackPair(a0)
		r[2], r[3] = unpackPair(a1)
		r[4], r[5] = unpackPair(a2)
	}
}

// macFastOK says whether the fast Eval can run a kernel: data whose input
// zero point (the value padding taps read) fits the data type; for int16
// data (no input offset) no filter offset either.
func (m *macTensors) macFastOK() bool {
	pad := -int64(m.o.inputOff)
	switch {
	case m.int16Data:
		return pad == 0 && m.o.weighOff == 0
	case m.uint8Data:
		return pad >= 0 && pad <= math.MaxUint8
	}
	return pad >= math.MinInt8 && pad <= math.MaxInt8
}

// rawMax is the largest magnitude of a raw input value of the kernel's
// data type.
func (m *macTensors) rawMax() int64 {
	switch {
	case m.int16Data:
		return -math.MinInt16
	case m.uint8Data:
		return math.MaxUint8
	}
	return -math.MinInt8
}

// weightMax is the largest magnitude of a raw weight.
func (m *macTensors) weightMax() int64 {
	if m.uint8Data {
		return math.MaxUint8
	}
	return -math.MinInt8
}

// sumsFit says whether every sum of depth raw products stays inside the
// int32 range, so that a 32-bit sum is exact: required for the two-lane
// products, and for int16 data, whose accumulator TFLite may keep in 64
// bits (the fast Eval's 32-bit sums are then its exact value).
func (m *macTensors) sumsFit(depth int) bool {
	return macPackedFits(depth, m.weightMax(), m.rawMax())
}

// newMACPackedFor packs the filter of a kernel whose channel ch has its
// depth weights at filter[ch·depth:], when the fast Eval applies; nil
// otherwise. A constant filter is packed now, another at each Eval.
func (m *macTensors) newMACPackedFor(depth, nch int) *macPacked {
	if !m.macFastOK() || !m.sumsFit(depth) {
		return nil
	}
	p := newMACPacked(depth, nch)
	if m.filter.Const {
		m.packFilter(p)
	}
	return p
}

// newMACRowsFor prepares the unpacked fast Eval of a constant filter whose
// channel ch has its depth weights at filter[ch·depth:] (each weight used
// once per Eval, as FULLY_CONNECTED on one row: packing would only move
// four times the bytes): the per-channel sums and the accumulator row; nil
// when the fast Eval does not apply.
func (m *macTensors) newMACRowsFor(depth, nch int) *macPacked {
	if !m.macFastOK() || !m.filter.Const || (m.int16Data && !m.sumsFit(depth)) {
		return nil
	}
	p := &macPacked{depth: depth, nch: nch, wsum: make([]int32, nch), acc: make([]int32, nch)}
	if m.uint8Data {
		sumMACRows(p, m.wU8)
	} else {
		sumMACRows(p, m.w)
	}
	return p
}

// sumMACRows sets p.wsum from the unpacked weights w.
func sumMACRows[W macWeight](p *macPacked, w []W) {
	d := p.depth
	for ch := range p.nch {
		p.wsum[ch] = sumRaw(w[ch*d : (ch+1)*d])
	}
}

// accumulateMACRows sets p.acc[ch] = Σ_i w[ch·depth + i]·x[i] (raw values,
// wrapping int32) for every channel, two channels per pass over x.
func accumulateMACRows[T macData, W macWeight](p *macPacked, w []W, x []T) {
	d := p.depth
	x = x[:d]
	acc := p.acc[:p.nch]
	ch := 0
	for ; ch+2 <= len(acc); ch += 2 {
		acc[ch], acc[ch+1] = dotRows2(x, w[ch*d:(ch+1)*d], w[(ch+1)*d:(ch+2)*d])
	}
	if ch < len(acc) {
		w0 := w[ch*d : (ch+1)*d]
		w0 = w0[:len(x)]
		var a0, a1 int32
		i := 0
		for ; i+2 <= len(x); i += 2 {
			a0 += int32(w0[i]) * int32(x[i])
			a1 += int32(w0[i+1]) * int32(x[i+1])
		}
		if i < len(x) {
			a0 += int32(w0[i]) * int32(x[i])
		}
		acc[ch] = a0 + a1
	}
}

// dotRows2 is (Σ w0[i]·x[i], Σ w1[i]·x[i]) in wrapping int32, four partial
// sums each.
func dotRows2[T macData, W macWeight](x []T, w0, w1 []W) (int32, int32) {
	w0, w1 = w0[:len(x)], w1[:len(x)]
	var a0, a1, a2, a3, b0, b1, b2, b3 int32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs, v, u := x[i:i+4:i+4], w0[i:i+4:i+4], w1[i:i+4:i+4]
		x0, x1, x2, x3 := int32(xs[0]), int32(xs[1]), int32(xs[2]), int32(xs[3])
		a0 += int32(v[0]) * x0
		a1 += int32(v[1]) * x1
		a2 += int32(v[2]) * x2
		a3 += int32(v[3]) * x3
		b0 += int32(u[0]) * x0
		b1 += int32(u[1]) * x1
		b2 += int32(u[2]) * x2
		b3 += int32(u[3]) * x3
	}
	for ; i < len(x); i++ {
		a0 += int32(w0[i]) * int32(x[i])
		b0 += int32(w1[i]) * int32(x[i])
	}
	return a0 + a1 + a2 + a3, b0 + b1 + b2 + b3
}

// packFilter packs the kernel's filter into p.
func (m *macTensors) packFilter(p *macPacked) {
	if m.uint8Data {
		packMAC(p, m.wU8)
	} else {
		packMAC(p, m.w)
	}
}

// finishAccumulators adds the offset terms to the raw sums in p.acc: with
// n products per channel and psum = Σ p of the inputs they read,
// acc += xo·Σw + wo·psum + n·wo·xo.
func (m *macTensors) finishAccumulators(p *macPacked, n int, psum int32) {
	xo, wo := m.o.inputOff, m.o.weighOff
	common := wo*psum + int32(n)*wo*xo
	acc := p.acc[:p.nch]
	for ch, s := range p.wsum[:len(acc)] {
		acc[ch] += xo*s + common
	}
}

// sumRaw is Σ x.
func sumRaw[T macData](x []T) int32 {
	var s int32
	for _, v := range x {
		s += int32(v)
	}
	return s
}

// ---------------------------------------------------------------------------
// FULLY_CONNECTED

// fcPackedMinBatches is the number of rows from which FULLY_CONNECTED packs
// its filter (each weight then serves several rows); below it the rows
// read the int8 weights as they are.
const fcPackedMinBatches = 4

// evalFCFast is FULLY_CONNECTED's fast Eval: per row, the accumulators
// (through the packed filter, or over the unpacked rows of w), the offsets,
// the row store.
func evalFCFast[T macData, W macWeight](k *fullyConnected, w []W, in, out []T) {
	p := k.packed
	d := k.depth
	for b := range k.batches {
		x := in[b*d : (b+1)*d]
		if k.rows {
			accumulateMACRows(p, w, x)
		} else {
			accumulateMAC(p, x)
		}
		var psum int32
		if k.o.weighOff != 0 {
			psum = sumRaw(x)
		}
		k.finishAccumulators(p, d, psum)
		storeMACRow(k.o, p.acc[:p.nch], 0, out[b*k.outC:(b+1)*k.outC])
	}
}

// ---------------------------------------------------------------------------
// CONV_2D

// convFast is the fast Eval state of CONV_2D: the packed filter and the
// window of one output pixel (im2col), depth fH·fW·fC.
type convFast struct {
	*macPacked
	patch []byte
}

// newConvFast prepares the fast Eval of an ungrouped convolution, or
// returns nil.
func newConvFast(k *conv2D) *convFast {
	if k.filtersPerGroup != k.outC {
		return nil
	}
	p := k.newMACPackedFor(k.fH*k.fW*k.fC, k.outC)
	if p == nil {
		return nil
	}
	return &convFast{macPacked: p, patch: make([]byte, p.depth*k.in.Type.Size())}
}

// evalConvFast is CONV_2D's Eval for an ungrouped convolution: for each
// output pixel, the window's inputs (a slice of the input when the filter
// is one contiguous run of it, else gathered, padding taps reading the
// input zero point), the packed accumulation, the offsets, the row store.
func evalConvFast[T macData](k *conv2D, in, out []T) {
	f := k.fast
	patch := view[T](f.patch)
	padValue := T(-k.o.inputOff)
	rowRun := k.dilW == 1 // the fW·inC values of a filter row are one run
	single := k.fH == 1 && rowRun
	runLen := k.fW * k.inC
	spanH, spanW := (k.fH-1)*k.dilH, (k.fW-1)*k.dilW
	pix := 0
	for b := range k.batches {
		for y := range k.outH {
			y0 := y*k.strideH - k.padH
			insideH := y0 >= 0 && y0+spanH < k.inH
			for x := range k.outW {
				x0 := x*k.strideW - k.padW
				inside := insideH && x0 >= 0 && x0+spanW < k.inW
				var win []T
				switch {
				case inside && single:
					ib := ((b*k.inH+y0)*k.inW + x0) * k.inC
					win = in[ib : ib+runLen]
				case inside && rowRun:
					for fy := range k.fH {
						ib := ((b*k.inH+y0+fy*k.dilH)*k.inW + x0) * k.inC
						copy(patch[fy*runLen:(fy+1)*runLen], in[ib:ib+runLen])
					}
					win = patch
				default:
					gatherWindow(k, in, patch, padValue, b, y0, x0)
					win = patch
				}
				accumulateMAC(f.macPacked, win)
				var psum int32
				if k.o.weighOff != 0 {
					psum = sumRaw(win)
				}
				k.finishAccumulators(f.macPacked, f.depth, psum)
				storeMACRow(k.o, f.acc[:k.outC], 0, out[pix*k.outC:(pix+1)*k.outC])
				pix++
			}
		}
	}
}

// gatherWindow copies the inputs of the window at (y0, x0) of batch b into
// patch in filter order, padValue for the taps outside the image.
func gatherWindow[T macData](k *conv2D, in, patch []T, padValue T, b, y0, x0 int) {
	n := k.inC
	i := 0
	for fy := range k.fH {
		iy := y0 + fy*k.dilH
		for fx := range k.fW {
			ix := x0 + fx*k.dilW
			dst := patch[i : i+n]
			if iy < 0 || iy >= k.inH || ix < 0 || ix >= k.inW {
				for j := range dst {
					dst[j] = padValue
				}
			} else {
				ib := ((b*k.inH+iy)*k.inW + ix) * n
				copy(dst, in[ib:ib+n])
			}
			i += n
		}
	}
}

// ---------------------------------------------------------------------------
// DEPTHWISE_CONV_2D

// depthwiseFast is the fast Eval state of DEPTHWISE_CONV_2D: per output
// channel its taps' weights with the filter offset added, (w + wo), and
// their sum; the input offsets of the taps of an interior window.
type depthwiseFast struct {
	taps int
	// w[oc·taps + t] is the weight (+ filter offset) of tap t = fy·fW + fx.
	w    []int32
	wsum []int32
	// tapOff[t] is tap t's input index relative to the window's first
	// tap, channel 0; valid lists the taps inside the image of a border
	// window (scratch).
	tapOff []int
	valid  []int
	acc    []int32
	// xs is the inputs of one channel of an interior window (scratch).
	xs     []int32
	filled bool
}

// newDepthwiseFast prepares the fast Eval of a depthwise convolution, or
// returns nil.
func newDepthwiseFast(k *depthwiseConv2D) *depthwiseFast {
	taps := k.fH * k.fW
	if !k.macFastOK() || (k.int16Data && !k.sumsFit(taps)) {
		return nil
	}
	f := &depthwiseFast{taps: taps, w: make([]int32, k.outC*taps), wsum: make([]int32, k.outC),
		tapOff: make([]int, taps), valid: make([]int, 0, taps), acc: make([]int32, k.outC), xs: make([]int32, taps)}
	for fy := range k.fH {
		for fx := range k.fW {
			f.tapOff[fy*k.fW+fx] = (fy*k.dilH*k.inW + fx*k.dilW) * k.inC
		}
	}
	if k.filter.Const {
		f.fill(k)
	}
	return f
}

// fill takes the filter's weights (channel-major) and their sums.
func (f *depthwiseFast) fill(k *depthwiseConv2D) {
	wo := k.o.weighOff
	for oc := range k.outC {
		var s int32
		for t := range f.taps {
			w := k.weight(t*k.outC+oc) + wo
			f.w[oc*f.taps+t] = w
			s += w
		}
		f.wsum[oc] = s
	}
	f.filled = true
}

// evalDepthwiseFast is DEPTHWISE_CONV_2D's Eval: per output pixel and
// channel, Σ_t (w+wo)·p + xo·Σ(w+wo) over the taps of an interior window,
// Σ (w+wo)·(p+xo) over the valid taps of a border window, then the row
// store.
func evalDepthwiseFast[T macData](k *depthwiseConv2D, in, out []T) {
	f := k.fast
	xo := k.o.inputOff
	dm := k.depthMultiplier
	spanH, spanW := (k.fH-1)*k.dilH, (k.fW-1)*k.dilW
	acc := f.acc
	pix := 0
	for b := range k.batches {
		for y := range k.outH {
			y0 := y*k.strideH - k.padH
			insideH := y0 >= 0 && y0+spanH < k.inH
			for x := range k.outW {
				x0 := x*k.strideW - k.padW
				base := ((b*k.inH+y0)*k.inW + x0) * k.inC
				switch {
				case insideH && x0 >= 0 && x0+spanW < k.inW && f.taps == 9 && dm == 1:
					depthwise3x3(f, in[base:], k.inC, xo)
				case insideH && x0 >= 0 && x0+spanW < k.inW:
					// The window's inputs of channel ic once, then each of
					// its dm output channels.
					xs := f.xs[:len(f.tapOff)]
					for ic := range k.inC {
						for t, off := range f.tapOff {
							xs[t] = int32(in[base+off+ic])
						}
						for m := range dm {
							oc := ic*dm + m
							w := f.w[oc*f.taps : (oc+1)*f.taps]
							w = w[:len(xs)]
							var a int32
							for t, x := range xs {
								a += w[t] * x
							}
							acc[oc] = a + xo*f.wsum[oc]
						}
					}
				default:
					valid := f.valid[:0]
					for fy := range k.fH {
						iy := y0 + fy*k.dilH
						if iy < 0 || iy >= k.inH {
							continue
						}
						for fx := range k.fW {
							if ix := x0 + fx*k.dilW; ix >= 0 && ix < k.inW {
								valid = append(valid, fy*k.fW+fx)
							}
						}
					}
					for ic := range k.inC {
						for m := range dm {
							oc := ic*dm + m
							w := f.w[oc*f.taps : (oc+1)*f.taps]
							var a int32
							for _, t := range valid {
								a += w[t] * (int32(in[base+f.tapOff[t]+ic]) + xo)
							}
							acc[oc] = a
						}
					}
				}
				storeMACRow(k.o, acc, 0, out[pix*k.outC:(pix+1)*k.outC])
				pix++
			}
		}
	}
}

// depthwise3x3 is the interior window of a 3×3 depthwise convolution with
// depth multiplier 1: acc[c] = Σ_t w[c, t]·x_t[c] + xo·Σ_t w[c, t], x_t
// the n channels tap t reads (in starts at the window's first tap).
func depthwise3x3[T macData](f *depthwiseFast, in []T, n int, xo int32) {
	o := (*[9]int)(f.tapOff)
	x0, x1, x2 := in[o[0]:][:n], in[o[1]:][:n], in[o[2]:][:n]
	x3, x4, x5 := in[o[3]:][:n], in[o[4]:][:n], in[o[5]:][:n]
	x6, x7, x8 := in[o[6]:][:n], in[o[7]:][:n], in[o[8]:][:n]
	acc, wsum := f.acc[:n], f.wsum[:n]
	w := f.w[:9*n]
	for c := 0; c < n; c++ {
		wc := (*[9]int32)(w[9*c : 9*c+9])
		a := wc[0]*int32(x0[c]) + wc[1]*int32(x1[c]) + wc[2]*int32(x2[c]) +
			wc[3]*int32(x3[c]) + wc[4]*int32(x4[c]) + wc[5]*int32(x5[c]) +
			wc[6]*int32(x6[c]) + wc[7]*int32(x7[c]) + wc[8]*int32(x8[c])
		acc[c] = a + xo*wsum[c]
	}
}

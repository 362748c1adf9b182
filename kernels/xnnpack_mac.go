package kernels

import (
	"errors"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// The XNNPACK delegate's multiply-accumulate operators (ImplXNNPACK):
// CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV (XNNPACK's Convolution and
// Deconvolution NHWC QS8/QC8/QU8) and FULLY_CONNECTED (Fully Connected NC
// QS8/QU8). They accumulate exactly as TFLite does — acc = bias + Σ (x −
// zp_in)·(w − zp_w) in wrapping int32, padded taps adding nothing — and
// requantize in float32 (macOutput.useFloat32Requant):
//
//	scale[oc] = float32(float32(s_in·s_w[oc]) / s_out)
//	out       = clamp(round_half_even(float32(float32(acc)·scale[oc])) + zp_out, lo, hi)
//
// with [lo, hi] from the fused activation as XNNPACK quantizes it
// (xnnpackActivationRange; TRANSPOSE_CONV ignores its fused activation).
// Source: XNNPACK src/operators/convolution-nhwc.c, fully-connected-nc.c,
// deconvolution-nhwc.c, the fp32 wasmsimd requantization of the qs8/qc8/qu8
// GEMM and DWConv microkernels; the TFLite delegate's VisitConv2DNode,
// VisitDepthwiseConv2DNode, VisitFullyConnectedNode, VisitTransposeConvNode.

// xnnConvScale is the requantization scale XNNPACK's convolution and
// fully-connected operators derive: float32(float32(s_in·s_w)/s_out), each
// operation rounded to float32 (XNNPACK ignores the bias scale).
func xnnConvScale(inScale, filterScale, outScale float32) float32 {
	product := float32(inScale * filterScale)
	return float32(product / outScale)
}

// xnnFilterQC8 is the delegate's CheckTensorFloat32OrQCInt8Type for a
// quantized filter: int8 with a scale (several only along dimension qdim),
// or uint8 with one scale and one zero point.
func xnnFilterQC8(t *Tensor, qdim int) bool {
	switch {
	case t == nil || !t.Quantized():
		return false
	case t.Type == tflite.TypeInt8:
		return len(t.Scale) == 1 || t.QuantizedDimension == qdim
	}
	return xnnQ8(t)
}

// xnnBias is the delegate's check of a quantized bias: int32, quantized on
// dimension 0, rank 1, constant; with perChannelOK false exactly one scale
// (CheckTensorFloat32OrQInt32Type), otherwise any number
// (CheckTensorFloat32OrQCInt32Type).
func xnnBias(t *Tensor, perChannelOK bool) bool {
	return t.Type == tflite.TypeInt32 && t.Quantized() && t.QuantizedDimension == 0 &&
		(perChannelOK || len(t.Scale) == 1) && xnnShape(t, 1, 1) && t.Const
}

// xnnConvDefine is the define stage common to XNNPACK's convolution,
// deconvolution and fully-connected operators: the tensors' definitions,
// the datatype combination (a per-tensor filter takes a one-scale bias, a
// per-channel filter a per-channel bias), a zero filter zero point for int8,
// and normal positive scales. The requantization scale and the clamp range
// are checked when the output stage is built (useFloat32Requant).
func xnnConvDefine(n *Node, in, filter, bias, out *Tensor) error {
	if err := xnnDefineTensors(n, in, filter, bias, out); err != nil {
		return err
	}
	if in.Type != filter.Type || in.Type != out.Type {
		return xnnFallback(n, "mixed datatypes: input %v, filter %v, output %v", in.Type, filter.Type, out.Type)
	}
	perChannel := len(filter.Scale) > 1
	if bias != nil && (len(bias.Scale) > 1) != perChannel {
		fw, bw := "per-tensor (qint8)", "per-tensor (qint32)"
		if perChannel {
			fw = "per-channel (qcint8)"
		}
		if len(bias.Scale) > 1 {
			bw = "per-channel (qcint32)"
		}
		return xnnFallback(n, "mismatching datatypes: %s filter with a %s bias of %d scales", fw, bw, len(bias.Scale))
	}
	if filter.Type == tflite.TypeInt8 && !perChannel && filter.ZP0() != 0 {
		return xnnFallback(n, "int8 filter zero point %d (XNNPACK requires 0)", filter.ZP0())
	}
	normal := func(s float32) bool { return s >= 0x1p-126 && !math.IsInf(float64(s), 0) }
	if !normal(in.Scale0()) || !normal(out.Scale0()) {
		return xnnFallback(n, "input or output scale is not a normal positive number")
	}
	for _, s := range filter.Scale {
		if !normal(s) {
			return xnnFallback(n, "filter scale %g is not a normal positive number", s)
		}
	}
	return nil
}

// xnnConvVisit is the visit stage shared by CONV_2D and DEPTHWISE_CONV_2D:
// three inputs (a bias is required) and one output; 4-D per-tensor 8-bit
// input and output; a constant 4-D filter (per-channel only along qdim);
// a constant quantized int32 bias; one dtype throughout; a fusable
// activation; positive strides and dilations.
func xnnConvVisit(n *Node, qdim int) error {
	o := n.Options
	if o.StrideH <= 0 || o.StrideW <= 0 || o.DilationH <= 0 || o.DilationW <= 0 {
		return xnnNotTaken(n, "stride %dx%d, dilation %dx%d", o.StrideH, o.StrideW, o.DilationH, o.DilationW)
	}
	if len(n.Inputs) != 3 || len(n.Outputs) != 1 {
		return xnnNotTaken(n, "%d inputs and %d outputs (wants 3 and 1)", len(n.Inputs), len(n.Outputs))
	}
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Inputs[2], n.Outputs[0]
	switch {
	case !xnnQ8(in) || !xnnShape(in, 4, 4):
		return xnnNotTaken(n, "input is not a 4-D per-tensor int8/uint8 tensor")
	case !xnnFilterQC8(filter, qdim) || !xnnShape(filter, 4, 4) || !filter.Const:
		return xnnNotTaken(n, "filter is not a constant 4-D 8-bit tensor quantized along dimension %d", qdim)
	case bias == nil:
		return xnnNotTaken(n, "no bias (the delegate requires one)")
	case !xnnBias(bias, true):
		return xnnNotTaken(n, "bias is not a constant 1-D quantized int32 tensor")
	case !xnnQ8(out) || !xnnShape(out, 4, 4):
		return xnnNotTaken(n, "output is not a 4-D per-tensor int8/uint8 tensor")
	case in.Type != out.Type || in.Type != filter.Type:
		return xnnNotTaken(n, "mixed types %v, %v, %v", in.Type, filter.Type, out.Type)
	}
	if _, _, err := xnnpackActivationRange(o.Activation, out); errors.Is(err, errNotTaken) {
		return err
	}
	return nil
}

// prepareConv2DXNNPACK prepares a CONV_2D node the XNNPACK delegate takes
// (see the file comment for the arithmetic). A grouped convolution with one
// input and one output channel per group runs XNNPACK's depthwise
// microkernel, with its int16 pair wrap-around (xnnDWPairs).
func prepareConv2DXNNPACK(n *Node) (Kernel, error) {
	if err := xnnConvVisit(n, 0); err != nil {
		return nil, err
	}
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Inputs[2], n.Outputs[0]
	if err := xnnConvDefine(n, in, filter, bias, out); err != nil {
		return nil, err
	}
	k, err := newConv2D(n, true)
	if err != nil {
		return nil, err
	}
	if err := k.o.useFloat32Requant(n, out, n.Options.Activation); err != nil {
		return nil, err
	}
	if k.fC == 1 && k.filtersPerGroup == 1 {
		k.pairs = newXNNDWPairs(in, filter, k.fH, k.fW, k.convWindow, -k.o.inputOff, func(oc, fy, fx int) int { return (oc*k.fH+fy)*k.fW + fx })
	}
	return k, nil
}

// prepareDepthwiseConv2DXNNPACK prepares a DEPTHWISE_CONV_2D node the
// XNNPACK delegate takes (see the file comment for the arithmetic; filters
// per channel along dimension 3). With depth multiplier 1 it runs
// XNNPACK's depthwise microkernel, with its int16 pair wrap-around
// (xnnDWPairs); other multipliers run its IGEMM, which is exact.
func prepareDepthwiseConv2DXNNPACK(n *Node) (Kernel, error) {
	if err := xnnConvVisit(n, 3); err != nil {
		return nil, err
	}
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Inputs[2], n.Outputs[0]
	if dm := n.Options.DepthMultiplier; dm <= 0 || filter.Shape[3]%int(dm) != 0 {
		return nil, xnnNotTaken(n, "depth multiplier %d with %d output channels", dm, filter.Shape[3])
	}
	if err := xnnConvDefine(n, in, filter, bias, out); err != nil {
		return nil, err
	}
	k, err := newDepthwiseConv2D(n, true)
	if err != nil {
		return nil, err
	}
	if err := k.o.useFloat32Requant(n, out, n.Options.Activation); err != nil {
		return nil, err
	}
	if k.depthMultiplier == 1 {
		outC := k.outC
		k.pairs = newXNNDWPairs(in, filter, k.fH, k.fW, k.convWindow, -k.o.inputOff, func(oc, fy, fx int) int { return (fy*k.fW+fx)*outC + oc })
	}
	return k, nil
}

// prepareFullyConnectedXNNPACK prepares a FULLY_CONNECTED node the XNNPACK
// delegate takes: per-tensor 8-bit input, weights (constant, 2-D) and
// output of one dtype, an optional constant int32 bias with exactly one
// scale (a bias written with one scale per output channel, as the converter
// writes them, stays with TFLite), the default weights format and the
// shapes XNNPACK's TensorFlow-style reshape accepts. Per-channel weights
// are not delegated (this XNNPACK has no QC8 fully-connected operator).
func prepareFullyConnectedXNNPACK(n *Node) (Kernel, error) {
	o := n.Options
	if o.WeightsFormat != 0 {
		return nil, xnnNotTaken(n, "non-default weights format")
	}
	if len(n.Inputs) < 2 || len(n.Inputs) > 3 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Input(2), n.Outputs[0]
	switch {
	case !xnnQ8(in):
		return nil, xnnNotTaken(n, "input is not a per-tensor int8/uint8 tensor")
	case !xnnQ8(filter) || !xnnShape(filter, 2, 2) || !filter.Const:
		return nil, xnnNotTaken(n, "weights are not a constant 2-D per-tensor 8-bit tensor (per-channel weights are not delegated)")
	case bias != nil && !xnnBias(bias, false):
		return nil, xnnNotTaken(n, "bias is not a constant 1-D int32 tensor with one scale (it has %d)", len(bias.Scale))
	case !xnnQ8(out):
		return nil, xnnNotTaken(n, "output is not a per-tensor int8/uint8 tensor")
	case in.Type != out.Type || in.Type != filter.Type:
		return nil, xnnNotTaken(n, "mixed types %v, %v, %v", in.Type, filter.Type, out.Type)
	case !xnnShape(in, 1, math.MaxInt):
		return nil, xnnNotTaken(n, "input shape %v", in.Shape)
	}
	outC, inC := filter.Shape[0], filter.Shape[1]
	if o.KeepNumDims {
		if !xnnShape(out, in.Rank(), in.Rank()) {
			return nil, xnnNotTaken(n, "keep_num_dims: output %v, input %v", out.Shape, in.Shape)
		}
		for d := range in.Rank() - 1 {
			if in.Shape[d] != out.Shape[d] {
				return nil, xnnNotTaken(n, "keep_num_dims: output %v, input %v", out.Shape, in.Shape)
			}
		}
	} else {
		elems := in.NumElements()
		if elems%inC != 0 || !xnnShape(out, 2, 2) || out.Shape[0] != elems/inC {
			return nil, xnnNotTaken(n, "input %v does not reshape to [%d, %d] for output %v", in.Shape, elems/max(inC, 1), inC, out.Shape)
		}
	}
	if out.Dim(-1) != outC {
		return nil, xnnNotTaken(n, "output %v for %d weight rows", out.Shape, outC)
	}
	if _, _, err := xnnpackActivationRange(o.Activation, out); errors.Is(err, errNotTaken) {
		return nil, err
	}
	if err := xnnConvDefine(n, in, filter, bias, out); err != nil {
		return nil, err
	}
	k, err := newFullyConnected(n, true)
	if err != nil {
		return nil, err
	}
	if err := k.o.useFloat32Requant(n, out, o.Activation); err != nil {
		return nil, err
	}
	return k, nil
}

// prepareTransposeConvXNNPACK prepares a TRANSPOSE_CONV node the XNNPACK
// delegate takes: a constant int32 output shape of 4 entries, per-tensor
// 8-bit constant filter, input and output (per-channel filters are not
// delegated), an optional constant int32 bias with one scale, and the
// geometry XNNPACK's deconvolution supports (VALID: the kernel fits the
// output; SAME: the input is ceil(output/stride) and the kernel is at least
// the stride). The fused activation is ignored: XNNPACK is given an
// unbounded output range, so the output clamps to the dtype's range only.
func prepareTransposeConvXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) < 3 || len(n.Inputs) > 4 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	shape, filter, in, bias, out := n.Inputs[0], n.Inputs[1], n.Inputs[2], n.Input(3), n.Outputs[0]
	switch {
	case shape == nil || shape.Type != tflite.TypeInt32 || shape.Rank() != 1 || !shape.Const || shape.NumElements() != 4:
		return nil, xnnNotTaken(n, "output shape is not a constant int32 vector of 4")
	case !xnnQ8(filter) || !xnnShape(filter, 4, 4) || !filter.Const:
		return nil, xnnNotTaken(n, "filter is not a constant 4-D per-tensor 8-bit tensor (per-channel filters are not delegated)")
	case !xnnQ8(in) || !xnnShape(in, 4, 4):
		return nil, xnnNotTaken(n, "input is not a 4-D per-tensor 8-bit tensor")
	case bias != nil && !xnnBias(bias, false):
		return nil, xnnNotTaken(n, "bias is not a constant 1-D int32 tensor with one scale")
	case !xnnQ8(out) || !xnnShape(out, 4, 4):
		return nil, xnnNotTaken(n, "output is not a 4-D per-tensor 8-bit tensor")
	}
	dims := shape.Int32()
	oh, ow := int(dims[1]), int(dims[2])
	kh, kw := filter.Shape[1], filter.Shape[2]
	if filter.Shape[0] != int(dims[3]) || filter.Shape[3] != in.Shape[3] {
		return nil, xnnNotTaken(n, "filter %v does not match output shape %v and input %v", filter.Shape, dims, in.Shape)
	}
	sh, sw := int(n.Options.StrideH), int(n.Options.StrideW)
	if sh <= 0 || sw <= 0 {
		return nil, xnnNotTaken(n, "stride %dx%d", sh, sw)
	}
	switch n.Options.Padding {
	case tflite.PaddingValid:
		if kh > oh || kw > ow {
			return nil, xnnNotTaken(n, "VALID padding with a %dx%d kernel larger than the %dx%d output", kh, kw, oh, ow)
		}
	case tflite.PaddingSame:
		if ComputeOutSize(tflite.PaddingSame, oh, kh, sh, 1) != in.Shape[1] || ComputeOutSize(tflite.PaddingSame, ow, kw, sw, 1) != in.Shape[2] {
			return nil, xnnNotTaken(n, "SAME padding: input %v is not ceil(output/stride)", in.Shape)
		}
		if kh < sh || kw < sw {
			return nil, xnnNotTaken(n, "SAME padding with strides %dx%d larger than the %dx%d kernel", sh, sw, kh, kw)
		}
	default:
		return nil, xnnNotTaken(n, "padding %v", n.Options.Padding)
	}
	if err := xnnConvDefine(n, in, filter, bias, out); err != nil {
		return nil, err
	}
	k, err := newTransposeConv(n, true)
	if err != nil {
		return nil, err
	}
	if err := k.o.useFloat32Requant(n, out, tflite.ActNone); err != nil {
		return nil, err
	}
	return k, nil
}

// xnnDWPairs is a quirk of XNNPACK's int8 depthwise microkernels in this
// build (qs8/qc8 dwconv *_mul16_add16, chosen when each group has one input
// and one output channel and the kernel has a tile of that many taps:
// 3, 9 or 25 taps with per-channel weights, 9 or 25 per tensor). They
// multiply the raw input by the weight in int16 — padded taps read the input
// zero point, and the bias was pre-adjusted by −zp_in·Σw — taking the taps
// in packed order t = fx·Fh + fy, and add the products of taps (0, 1),
// (2, 3), ... in int16 before widening. Products are in [−16256, 16384], so
// a pair wraps only when both are (−128)·(−128) = 16384: the sum 32768
// becomes −32768, and the accumulator ends 65536 lower than the exact sum.
// Converter weights lie in [−127, 127], so only a weight of −128 exposes it.
type xnnDWPairs struct {
	fH, fW int
	// weightAt is the flat filter index of (output channel, fy, fx).
	weightAt func(oc, fy, fx int) int
	// The NHWC input the taps read: its height, width and depth, the
	// window, and the raw value a padded tap reads (the zero point).
	inH, inW, inC int
	win           convWindow
	padValue      int32
	// exposed[oc] is set when channel oc has a weight of −128.
	exposed []bool
}

// newXNNDWPairs returns the quirk for an int8 filter whose tap count has a
// depthwise tile, or nil (uint8 products widen unsigned and are exact). in
// is the NHWC input the window win slides over, padValue what a padded tap
// reads.
func newXNNDWPairs(in, filter *Tensor, fH, fW int, win convWindow, padValue int32, weightAt func(oc, fy, fx int) int) *xnnDWPairs {
	if in.Type != tflite.TypeInt8 {
		return nil
	}
	taps := fH * fW
	tile := taps == 9 || taps == 25 || (taps == 3 && len(filter.Scale) > 1)
	if !tile {
		return nil
	}
	p := &xnnDWPairs{fH: fH, fW: fW, weightAt: weightAt,
		inH: in.Shape[1], inW: in.Shape[2], inC: in.Shape[3], win: win, padValue: padValue}
	w := filter.Int8()
	nch := len(w) / taps
	p.exposed = make([]bool, nch)
	exposedAny := false
	for oc := range nch {
		for fy := range fH {
			for fx := range fW {
				if w[weightAt(oc, fy, fx)] == -128 {
					p.exposed[oc] = true
					exposedAny = true
				}
			}
		}
	}
	if !exposedAny {
		return nil
	}
	return p
}

// wraps counts the pairs of output channel oc that wrap; inputAt gives the
// raw input value the tap (fy, fx) reads (the zero point when padded).
func (p *xnnDWPairs) wraps(w []int8, oc int, inputAt func(fy, fx int) int32) int {
	if !p.exposed[oc] {
		return 0
	}
	count, t := 0, 0
	prev := false
	for fx := range p.fW {
		for fy := range p.fH {
			hit := w[p.weightAt(oc, fy, fx)] == -128 && inputAt(fy, fx) == -128
			if t%2 == 1 && hit && prev {
				count++
			}
			prev = hit
			t++
		}
	}
	return count
}

// correctAt applies the wrap-around to the exact accumulator acc of output
// channel oc at batch b whose window starts at input row y0 and column x0;
// the taps read input channel ch of in.
func (p *xnnDWPairs) correctAt(acc int64, w, in []int8, b, y0, x0, oc, ch int, c *Chain) int64 {
	return p.correct(acc, p.wraps(w, oc, func(fy, fx int) int32 {
		iy, ix := y0+p.win.dilH*fy, x0+p.win.dilW*fx
		if iy < 0 || iy >= p.inH || ix < 0 || ix >= p.inW {
			return p.padValue
		}
		return int32(in[((b*p.inH+iy)*p.inW+ix)*p.inC+ch])
	}), c)
}

// correct applies the wrap-around to the exact accumulator and records it.
func (p *xnnDWPairs) correct(acc int64, wraps int, c *Chain) int64 {
	if wraps == 0 {
		return acc
	}
	got := int64(int32(acc) - int32(65536*wraps))
	if c != nil {
		s := c.Add("int16_pair_wrap", got, "XNNPACK's depthwise microkernel adds the products of taps (0,1), (2,3), ... in int16: (−128)·(−128) + (−128)·(−128) = 32768 wraps to −32768",
			"%d − %d·65536 = %d", int32(acc), wraps, got)
		s.Changed = true
	}
	return got
}

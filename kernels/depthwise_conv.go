package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// depthwiseConv2D is DEPTHWISE_CONV_2D (TFLite-Micro depthwise_conv.cc,
// reference_integer_ops::DepthwiseConvPerChannel).
//
// Input [N, H, W, Cin], filter [1, Fh, Fw, Cout] with Cout = Cin·dm (dm =
// depth multiplier), bias [Cout], output [N, Oh, Ow, Cout]. Output channel oc
// reads input channel ic = oc / dm:
//
//	acc = Σ_{fy,fx} w[0,fy,fx,oc] · (in[b, y·sh−ph+fy·dh, x·sw−pw+fx·dw, ic] + input_offset)
//
// over the taps inside the image, then the per-channel output stage of CONV_2D
// (see conv2D): M[oc] = s_in·s_w[oc]/s_out in double (filters are quantized
// along axis 3), bias, zero point, clamp. int8 accumulates in int32; int16x8 in
// int64 with the 64-bit requantization (TFLite-Micro's int16 depthwise kernel
// always takes an int64 bias).
type depthwiseConv2D struct {
	macTensors
	convWindow

	inH, inW, inC   int
	fH, fW          int
	depthMultiplier int
	// pairs is XNNPACK's depthwise int16 pair wrap-around (ImplXNNPACK
	// only; nil otherwise).
	pairs *xnnDWPairs
	// fast is the fast Eval's state (mac_fast.go), nil when it does not
	// apply.
	fast *depthwiseFast
}

// prepareDepthwiseConv2D prepares a DEPTHWISE_CONV_2D node (see depthwiseConv2D
// for the formula).
func prepareDepthwiseConv2D(n *Node) (Kernel, error) { return newDepthwiseConv2D(n, false) }

// prepareDepthwiseConv2DTFLite prepares DEPTHWISE_CONV_2D as full TFLite's
// kernels do (ImplTFLite): TFLite-Micro's arithmetic, and also legacy uint8
// models (acc = Σ (w − zp_w)·(x − zp_in), M = double(float32(s_in·s_w))/
// s_out, double rounding), which TFLite-Micro refuses. The optimized kernels
// (uint8 DepthwiseConv and int8 DepthwiseConvPerChannel, own loops with
// MBQM) are believed to compute the same; no golden runs a non-delegated
// one (research notes: medium confidence).
func prepareDepthwiseConv2DTFLite(n *Node) (Kernel, error) { return newDepthwiseConv2D(n, true) }

// newDepthwiseConv2D prepares the kernel; allowUint8 admits the legacy
// uint8 scheme.
func newDepthwiseConv2D(n *Node, allowUint8 bool) (*depthwiseConv2D, error) {
	in, filter, bias := n.Input(0), n.Input(1), n.Input(2)
	m, opt, err := newConvTensors(n, in, filter, allowUint8)
	if err != nil {
		return nil, err
	}
	if in.Type == tflite.TypeInt16 && (bias == nil || bias.Type != tflite.TypeInt64) {
		return nil, fmt.Errorf("%w: int16 DEPTHWISE_CONV_2D needs an int64 bias", ErrUnsupportedType)
	}
	k := &depthwiseConv2D{macTensors: m}
	out := m.out
	k.inH, k.inW, k.inC = in.Shape[1], in.Shape[2], in.Shape[3]
	k.fH, k.fW, k.outC = filter.Shape[1], filter.Shape[2], filter.Shape[3]
	if out.Shape[0] != k.batches || out.Shape[3] != k.outC || filter.Shape[0] != 1 {
		return nil, fmt.Errorf("%w: DEPTHWISE_CONV_2D output %v does not match input %v and filter %v", ErrBadShape, out.Shape, in.Shape, filter.Shape)
	}
	if k.inC <= 0 || k.outC%k.inC != 0 {
		return nil, fmt.Errorf("%w: DEPTHWISE_CONV_2D output depth %d is not a multiple of input depth %d", ErrBadShape, k.outC, k.inC)
	}
	k.depthMultiplier = k.outC / k.inC
	if opt.DepthMultiplier > 0 && int(opt.DepthMultiplier) != k.depthMultiplier {
		return nil, fmt.Errorf("%w: DEPTHWISE_CONV_2D depth_multiplier %d but output depth %d / input depth %d",
			ErrBadShape, opt.DepthMultiplier, k.outC, k.inC)
	}
	k.convWindow, err = newConvWindow(n, int(max(opt.DilationH, 1)), int(max(opt.DilationW, 1)), k.inH, k.inW, k.fH, k.fW)
	if err != nil {
		return nil, err
	}
	o, err := newMACOutput(n, in, filter, bias, out, k.outC, opt.Activation, false)
	if err != nil {
		return nil, err
	}
	k.setOutputStage(o)
	k.fast = newDepthwiseFast(k)
	return k, nil
}

// element computes output element (b, y, x, oc); Eval and Explain share it.
func (k *depthwiseConv2D) element(b, y, x, oc int, c *Chain) int32 {
	ic := oc
	if k.depthMultiplier != 1 {
		ic = oc / k.depthMultiplier
	}
	y0 := y*k.strideH - k.padH
	x0 := x*k.strideW - k.padW
	off := k.o.inputOff
	var acc int64
	terms := 0
	for fy := 0; fy < k.fH; fy++ {
		iy := y0 + k.dilH*fy
		if iy < 0 || iy >= k.inH {
			continue
		}
		row := (b*k.inH + iy) * k.inW
		for fx := 0; fx < k.fW; fx++ {
			ix := x0 + k.dilW*fx
			if ix < 0 || ix >= k.inW {
				continue
			}
			ii := (row+ix)*k.inC + ic
			wi := (fy*k.fW+fx)*k.outC + oc
			switch {
			case k.int16Data:
				acc += int64(int32(k.w[wi]) * int32(k.in16[ii]))
			case k.uint8Data:
				acc += int64((int32(k.wU8[wi]) + k.o.weighOff) * (int32(k.inU8[ii]) + off))
			default:
				acc += int64(int32(k.w[wi]) * (int32(k.in8[ii]) + off))
			}
			if c != nil {
				k.recordTerms(c, ii, wi, 1)
			}
			terms++
		}
	}
	if k.pairs != nil {
		acc = k.pairs.correctAt(acc, k.w, k.in8, b, y0, x0, oc, ic, c)
	}
	return k.o.finish(acc, oc, terms, c)
}

// Eval stores every element: through the fast path when it applies (8-bit
// data, no XNNPACK pair wrap-around), else one element at a time.
func (k *depthwiseConv2D) Eval() error {
	k.refresh()
	if k.fast != nil && k.pairs == nil {
		if !k.filter.Const || !k.fast.filled {
			k.fast.fill(k)
		}
		switch {
		case k.uint8Data:
			evalDepthwiseFast(k, k.inU8, k.outU8)
		case k.int16Data:
			evalDepthwiseFast(k, k.in16, k.out16)
		default:
			evalDepthwiseFast(k, k.in8, k.out8)
		}
		return nil
	}
	evalNHWC(k, &k.macResult, (*depthwiseConv2D).element)
	return nil
}

func (k *depthwiseConv2D) Explain(out, elem int, c *Chain) error {
	return explainNHWC(k, &k.macResult, (*depthwiseConv2D).element, out, elem, c)
}

func (k *depthwiseConv2D) Describe() Params {
	return k.o.describe(append(k.padding(), NamedInt{"depth_multiplier", int64(k.depthMultiplier)})...)
}

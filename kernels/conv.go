package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// conv2D is CONV_2D (TFLite-Micro conv.cc,
// reference_integer_ops::ConvPerChannel).
//
// Input [N, H, W, Cin] NHWC, filter [Cout, Fh, Fw, Cf] with Cin = groups·Cf,
// bias [Cout], output [N, Oh, Ow, Cout]. For output element (b, y, x, oc)
// in group g = oc / (Cout/groups):
//
//	acc = Σ_{fy,fx,ic} w[oc,fy,fx,ic] · (in[b, y·sh−ph+fy·dh, x·sw−pw+fx·dw, g·Cf+ic] + input_offset)
//
// over the taps inside the image (padding taps are skipped, which is the
// same as padding with the input zero point), then
//
//	out = clamp(MultiplyByQuantizedMultiplier(acc + bias[oc], M[oc]) + zp_out, lo, hi)
//
// with M[oc] = s_in·s_w[oc]/s_out computed in double (per-tensor filters
// repeat one scale), input_offset = −zp_in, and the filter zero point
// ignored (weights are symmetric). int8 accumulates in int32.
//
// int16x8 (int16 activations, int8 weights): no input or output offset (int16
// is symmetric); with an int64 bias the accumulator is int64 and the output
// stage is the 64-bit MultiplyByQuantizedMultiplier (Q0.15 reduced multiplier,
// one rounding, the same under both rules), and so is it without a bias when
// the options say quantized_bias_type = INT64. With an int32 bias (or none and
// no INT64 bias type) the accumulator is int32 and the output stage the 32-bit
// requantization of the selected rounding rule.
type conv2D struct {
	macTensors
	convWindow

	inH, inW, inC   int
	fH, fW, fC      int
	filtersPerGroup int
	rowContiguous   bool // groups == 1 and dilation_w == 1
	// pairs is XNNPACK's depthwise int16 pair wrap-around (ImplXNNPACK
	// only; nil otherwise).
	pairs *xnnDWPairs
	// fast is the fast Eval's state (mac_fast.go), nil when it does not
	// apply.
	fast *convFast
}

// prepareConv2D prepares a CONV_2D node (see conv2D for the formula).
func prepareConv2D(n *Node) (Kernel, error) { return newConv2D(n, false) }

// prepareConv2DTFLite prepares CONV_2D as full TFLite's kernels do
// (ImplTFLite): TFLite-Micro's arithmetic, and also legacy uint8 models
// (uint8 input, weights and output, acc = Σ (w − zp_w)·(x − zp_in),
// M = double(float32(s_in·s_w))/s_out, double rounding), which TFLite-Micro
// refuses. The optimized uint8 kernel (im2col + gemmlowp, whose output
// pipeline is MBQM with double rounding) computes the same.
func prepareConv2DTFLite(n *Node) (Kernel, error) { return newConv2D(n, true) }

// prepareConv2DOptimized prepares int8 CONV_2D as the 2022 TFLite optimized
// kernel computes it when the XNNPACK delegate leaves it to TFLite
// (ImplTFLiteOptimized): optimized_integer_ops::ConvPerChannel's GEMM runs on
// ruy, single rounding (macOutput.useRuySingleRounding). Other dtypes are not
// taken (ImplTFLite, TFLite-Micro).
func prepareConv2DOptimized(n *Node) (Kernel, error) {
	if in := n.Input(0); in == nil || in.Type != tflite.TypeInt8 {
		return nil, fmt.Errorf("%w: only int8 CONV_2D runs through ruy", errNotTaken)
	}
	k, err := newConv2D(n, false)
	if err != nil {
		return nil, err
	}
	k.o.useRuySingleRounding()
	return k, nil
}

// newConv2D prepares the kernel; allowUint8 admits the legacy uint8 scheme.
func newConv2D(n *Node, allowUint8 bool) (*conv2D, error) {
	in, filter, bias := n.Input(0), n.Input(1), n.Input(2)
	m, opt, err := newConvTensors(n, in, filter, allowUint8)
	if err != nil {
		return nil, err
	}
	k := &conv2D{macTensors: m}
	out := m.out
	k.inH, k.inW, k.inC = in.Shape[1], in.Shape[2], in.Shape[3]
	k.outC, k.fH, k.fW, k.fC = filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]
	if out.Shape[0] != k.batches || out.Shape[3] != k.outC {
		return nil, fmt.Errorf("%w: CONV_2D output %v does not match input %v and filter %v", ErrBadShape, out.Shape, in.Shape, filter.Shape)
	}
	if k.fC <= 0 || k.inC <= 0 || k.inC%k.fC != 0 { // inC 0 would make 0 groups
		return nil, fmt.Errorf("%w: CONV_2D input depth %d is not a multiple of filter depth %d", ErrBadShape, k.inC, k.fC)
	}
	groups := k.inC / k.fC
	if k.outC%groups != 0 {
		return nil, fmt.Errorf("%w: CONV_2D output depth %d is not a multiple of %d groups", ErrBadShape, k.outC, groups)
	}
	k.filtersPerGroup = k.outC / groups
	k.rowContiguous = groups == 1 && opt.DilationW <= 1
	k.convWindow, err = newConvWindow(n, int(max(opt.DilationH, 1)), int(max(opt.DilationW, 1)), k.inH, k.inW, k.fH, k.fW)
	if err != nil {
		return nil, err
	}
	o, err := newMACOutput(n, in, filter, bias, out, k.outC, opt.Activation, false)
	if err != nil {
		return nil, err
	}
	k.setOutputStage(o)
	k.fast = newConvFast(k)
	return k, nil
}

// element computes output element (b, y, x, oc); Eval and Explain share it.
func (k *conv2D) element(b, y, x, oc int, c *Chain) int32 {
	g := 0
	if k.filtersPerGroup != k.outC { // grouped: avoid the division otherwise
		g = oc / k.filtersPerGroup
	}
	y0 := y*k.strideH - k.padH
	x0 := x*k.strideW - k.padW
	n := k.fC
	var acc int64
	terms := 0
	for fy := 0; fy < k.fH; fy++ {
		iy := y0 + k.dilH*fy
		if iy < 0 || iy >= k.inH {
			continue
		}
		if k.rowContiguous {
			// Ungrouped, undilated: the taps of filter row fy that fall
			// inside the image read one contiguous run of the input row and
			// of the filter row, so they form a single dot product.
			fx0, fx1 := max(0, -x0), min(k.fW, k.inW-x0)
			if fx0 >= fx1 {
				continue
			}
			ib := ((b*k.inH+iy)*k.inW + x0 + fx0) * n
			wb := ((oc*k.fH+fy)*k.fW + fx0) * n
			l := (fx1 - fx0) * n
			acc += k.dot(ib, wb, l)
			if c != nil {
				k.recordTerms(c, ib, wb, l)
			}
			terms += l
			continue
		}
		for fx := 0; fx < k.fW; fx++ {
			ix := x0 + k.dilW*fx
			if ix < 0 || ix >= k.inW {
				continue
			}
			ib := ((b*k.inH+iy)*k.inW+ix)*k.inC + g*n
			wb := ((oc*k.fH+fy)*k.fW + fx) * n
			acc += k.dot(ib, wb, n)
			if c != nil {
				k.recordTerms(c, ib, wb, n)
			}
			terms += n
		}
	}
	if k.pairs != nil {
		acc = k.pairs.correctAt(acc, k.w, k.in8, b, y0, x0, oc, oc, c)
	}
	return k.o.finish(acc, oc, terms, c)
}

// Eval stores every element: through the fast path when it applies (8-bit
// data, no XNNPACK pair wrap-around), else one element at a time.
func (k *conv2D) Eval() error {
	k.refresh()
	if k.fast != nil && k.pairs == nil {
		if !k.filter.Const {
			k.packFilter(k.fast.macPacked)
		}
		switch {
		case k.uint8Data:
			evalConvFast(k, k.inU8, k.outU8)
		case k.int16Data:
			evalConvFast(k, k.in16, k.out16)
		default:
			evalConvFast(k, k.in8, k.out8)
		}
		return nil
	}
	evalNHWC(k, &k.macResult, (*conv2D).element)
	return nil
}

func (k *conv2D) Explain(out, elem int, c *Chain) error {
	return explainNHWC(k, &k.macResult, (*conv2D).element, out, elem, c)
}

func (k *conv2D) Describe() Params {
	return k.o.describe(append(k.padding(), NamedInt{"groups", int64(k.inC / k.fC)})...)
}

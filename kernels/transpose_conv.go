package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// transposeConv is TRANSPOSE_CONV (TFLite-Micro transpose_conv.cc,
// reference_integer_ops::TransposeConv).
//
// Inputs: 0 = output shape (int32, ignored: the output tensor's shape is
// used), 1 = filter [Cout, Fh, Fw, Cin], 2 = input [N, H, W, Cin], 3 = bias
// [Cout] (optional). Output [N, Oh, Ow, Cout]. TFLite scatters every input
// element into the outputs it touches, out(y, x) += in(iy, ix)·w(fy, fx)
// with y = iy·sh − ph + fy, x = ix·sw − pw + fx; gathered per output element
// that is
//
//	acc = Σ_{fy,fx,ic : (y+ph−fy) = iy·sh, (x+pw−fx) = ix·sw, iy, ix inside}
//	      w[oc,fy,fx,ic] · (in[b,iy,ix,ic] + input_offset)
//
// (no dilation; integer sums do not depend on the order). The padding is
// ComputePaddingHeightWidth applied to the *output* size (TFLite passes the
// output height and width as the "input" size). Output stage as CONV_2D:
// per-channel M[oc] = s_in·s_w[oc]/s_out in double, bias, zero point, clamp
// to the fused activation range. int8 accumulates in int32; int16x8 in int64
// with the 64-bit requantization (TFLite-Micro's int16 scratch buffer is
// int64 whether the bias is int64 or absent), or in int32 with an int32 bias.
type transposeConv struct {
	macTensors
	convWindow

	inH, inW, inC int
	fH, fW        int
}

// prepareTransposeConv prepares a TRANSPOSE_CONV node (see transposeConv for
// the formula).
func prepareTransposeConv(n *Node) (Kernel, error) { return newTransposeConv(n, false) }

// newTransposeConv prepares the kernel; allowUint8 admits uint8 input,
// filter and output (with the filter offset −zp_w), for the XNNPACK
// delegate's QU8 deconvolution.
func newTransposeConv(n *Node, allowUint8 bool) (*transposeConv, error) {
	filter, in, bias := n.Input(1), n.Input(2), n.Input(3)
	m, opt, err := newConvTensors(n, in, filter, allowUint8)
	if err != nil {
		return nil, err
	}
	k := &transposeConv{macTensors: m}
	out := m.out
	k.inH, k.inW, k.inC = in.Shape[1], in.Shape[2], in.Shape[3]
	k.outC, k.fH, k.fW = filter.Shape[0], filter.Shape[1], filter.Shape[2]
	if out.Shape[0] != k.batches || out.Shape[3] != k.outC || filter.Shape[3] != k.inC {
		return nil, fmt.Errorf("%w: TRANSPOSE_CONV output %v does not match input %v and filter %v", ErrBadShape, out.Shape, in.Shape, filter.Shape)
	}
	// No dilation; the padding is computed on the output size.
	k.convWindow, err = newConvWindow(n, 1, 1, k.outH, k.outW, k.fH, k.fW)
	if err != nil {
		return nil, err
	}
	o, err := newMACOutput(n, in, filter, bias, out, k.outC, opt.Activation, false)
	if err != nil {
		return nil, err
	}
	if k.int16Data && (bias == nil || bias.Type == tflite.TypeInt64) {
		o.wide = true
	}
	k.setOutputStage(o)
	return k, nil
}

// prepareTransposeConvOptimized prepares int16 TRANSPOSE_CONV as the 2022
// TFLite optimized kernel computes it (ImplTFLiteOptimized) when every zero
// point is 0 and the bias is int32 or absent: optimized_integer_ops::
// TransposeConvV2 accumulates in int32 (wrapping) and requantizes with the
// 32-bit MultiplyByQuantizedMultiplier, where TFLite-Micro accumulates a
// bias-less int16 kernel in int64 (opzoo
// transpose_conv_int16_same_s2_nobias_perchannel xnnpack/ goldens). An int64
// bias takes the reference kernel (TFLite-Micro's arithmetic; not taken), and
// so does int8 (TransposeConvV2 with MBQM per channel, equal to TFLite-Micro
// on its 10 golden cases).
func prepareTransposeConvOptimized(n *Node) (Kernel, error) {
	filter, in, bias := n.Input(1), n.Input(2), n.Input(3)
	if in == nil || filter == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil || in.Type != tflite.TypeInt16 {
		return nil, fmt.Errorf("%w: not an int16 TRANSPOSE_CONV", errNotTaken)
	}
	if bias != nil && bias.Type == tflite.TypeInt64 {
		return nil, fmt.Errorf("%w: an int64 bias takes TFLite's reference kernel", errNotTaken)
	}
	if in.ZP0() != 0 || filter.ZP0() != 0 || n.Outputs[0].ZP0() != 0 {
		return nil, fmt.Errorf("%w: a non-zero zero point takes TFLite's reference kernel", errNotTaken)
	}
	kr, err := prepareTransposeConv(n)
	if err != nil {
		return nil, err
	}
	k := kr.(*transposeConv)
	k.o.wide = false
	return k, nil
}

// element computes output element (b, y, x, oc); Eval and Explain share it.
func (k *transposeConv) element(b, y, x, oc int, c *Chain) int32 {
	n := k.inC
	var acc int64
	terms := 0
	for fy := 0; fy < k.fH; fy++ {
		ty := y + k.padH - fy
		if ty < 0 || ty%k.strideH != 0 || ty/k.strideH >= k.inH {
			continue
		}
		iy := ty / k.strideH
		for fx := 0; fx < k.fW; fx++ {
			tx := x + k.padW - fx
			if tx < 0 || tx%k.strideW != 0 || tx/k.strideW >= k.inW {
				continue
			}
			ix := tx / k.strideW
			ib := ((b*k.inH+iy)*k.inW + ix) * n
			wb := ((oc*k.fH+fy)*k.fW + fx) * n
			acc += k.dot(ib, wb, n)
			if c != nil {
				k.recordTerms(c, ib, wb, n)
			}
			terms += n
		}
	}
	return k.o.finish(acc, oc, terms, c)
}

func (k *transposeConv) Eval() error {
	k.refresh()
	evalNHWC(k, &k.macResult, (*transposeConv).element)
	return nil
}

func (k *transposeConv) Explain(out, elem int, c *Chain) error {
	return explainNHWC(k, &k.macResult, (*transposeConv).element, out, elem, c)
}

func (k *transposeConv) Describe() Params {
	return k.o.describe(k.padding()...)
}

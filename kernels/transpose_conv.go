package kernels

// TRANSPOSE_CONV (TFLite-Micro transpose_conv.cc,
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

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

func init() {
	register(tflite.OpTransposeConv, prepareTransposeConv, tflite.TypeInt8, tflite.TypeInt16)
}

type transposeConv struct {
	in, filter, out *Tensor
	o               *macOutput

	batches, inH, inW, inC int
	outH, outW, outC       int
	fH, fW                 int
	strideH, strideW       int
	padH, padW             int
	in8, w, out8           []int8
	in16, out16            []int16
	int16Data              bool
}

func prepareTransposeConv(n *Node) (Kernel, error) {
	filter, in, bias := n.Input(1), n.Input(2), n.Input(3)
	if in == nil || filter == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: TRANSPOSE_CONV needs filter, input and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if err := checkConvTypes(in, filter, out); err != nil {
		return nil, err
	}
	if in.Rank() != 4 || filter.Rank() != 4 || out.Rank() != 4 {
		return nil, fmt.Errorf("%w: TRANSPOSE_CONV wants rank-4 input, filter and output, got %v %v %v", ErrBadShape, in.Shape, filter.Shape, out.Shape)
	}
	opt := n.Options
	if opt == nil {
		return nil, fmt.Errorf("%w: TRANSPOSE_CONV without options", ErrMissingInput)
	}
	k := &transposeConv{in: in, filter: filter, out: out, int16Data: in.Type == tflite.TypeInt16}
	k.batches, k.inH, k.inW, k.inC = in.Shape[0], in.Shape[1], in.Shape[2], in.Shape[3]
	k.outC, k.fH, k.fW = filter.Shape[0], filter.Shape[1], filter.Shape[2]
	k.outH, k.outW = out.Shape[1], out.Shape[2]
	if out.Shape[0] != k.batches || out.Shape[3] != k.outC || filter.Shape[3] != k.inC {
		return nil, fmt.Errorf("%w: TRANSPOSE_CONV output %v does not match input %v and filter %v", ErrBadShape, out.Shape, in.Shape, filter.Shape)
	}
	k.strideH, k.strideW = int(opt.StrideH), int(opt.StrideW)
	if k.strideH <= 0 || k.strideW <= 0 {
		return nil, fmt.Errorf("%w: TRANSPOSE_CONV stride %dx%d", ErrBadShape, k.strideH, k.strideW)
	}
	oh := ComputeOutSize(opt.Padding, k.outH, k.fH, k.strideH, 1)
	ow := ComputeOutSize(opt.Padding, k.outW, k.fW, k.strideW, 1)
	k.padH, k.padW = ComputePadding(opt.Padding, k.strideH, k.strideW, 1, 1, k.outH, k.outW, k.fH, k.fW, oh, ow)
	o, err := newMACOutput(n, in, filter, bias, out, k.outC, opt.Activation, false)
	if err != nil {
		return nil, err
	}
	if k.int16Data && (bias == nil || bias.Type == tflite.TypeInt64) {
		o.wide = true
	}
	k.o = o
	k.refresh()
	return k, nil
}

func (k *transposeConv) refresh() {
	k.w = k.filter.Int8()
	if k.int16Data {
		k.in16, k.out16 = k.in.Int16(), k.out.Int16()
	} else {
		k.in8, k.out8 = k.in.Int8(), k.out.Int8()
	}
	k.o.refresh()
}

// element computes output element (b, y, x, oc); Eval and Explain share it.
func (k *transposeConv) element(b, y, x, oc int, c *Chain) int32 {
	off := k.o.inputOff
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
			if k.int16Data {
				acc += dot16x8(k.in16[ib:ib+n], k.w[wb:wb+n])
			} else {
				acc += int64(dot8x8(k.in8[ib:ib+n], k.w[wb:wb+n], off))
			}
			if c != nil {
				for i := range n {
					var v int32
					if k.int16Data {
						v = int32(k.in16[ib+i])
					} else {
						v = int32(k.in8[ib+i])
					}
					w := int32(k.w[wb+i])
					c.Terms = append(c.Terms, Term{InputIndex: ib + i, WeightIndex: wb + i, Input: v, Weight: w,
						Product: int64(v+off) * int64(w)})
				}
			}
			terms += n
		}
	}
	if c != nil {
		k.o.recordOffsets(c, terms)
	}
	return k.o.finish(acc, oc, c)
}

func (k *transposeConv) Eval() error {
	k.refresh()
	i := 0
	for b := 0; b < k.batches; b++ {
		for y := 0; y < k.outH; y++ {
			for x := 0; x < k.outW; x++ {
				for oc := 0; oc < k.outC; oc++ {
					v := k.element(b, y, x, oc, nil)
					if k.int16Data {
						k.out16[i] = int16(v)
					} else {
						k.out8[i] = int8(v)
					}
					i++
				}
			}
		}
	}
	return nil
}

func (k *transposeConv) Explain(out, elem int, c *Chain) error {
	if out != 0 || elem < 0 || elem >= k.out.NumElements() {
		return fmt.Errorf("%w: TRANSPOSE_CONV output %d element %d", ErrBadElement, out, elem)
	}
	oc := elem % k.outC
	x := elem / k.outC % k.outW
	y := elem / (k.outC * k.outW) % k.outH
	b := elem / (k.outC * k.outW * k.outH)
	c.Final = int64(k.element(b, y, x, oc, c))
	return nil
}

func (k *transposeConv) Describe() Params {
	return k.o.describe(NamedInt{"pad_h", int64(k.padH)}, NamedInt{"pad_w", int64(k.padW)})
}

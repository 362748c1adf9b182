package kernels

// DEPTHWISE_CONV_2D (TFLite-Micro depthwise_conv.cc,
// reference_integer_ops::DepthwiseConvPerChannel).
//
// Input [N, H, W, Cin], filter [1, Fh, Fw, Cout] with Cout = Cin·dm (dm =
// depth multiplier), bias [Cout], output [N, Oh, Ow, Cout]. Output channel oc
// reads input channel ic = oc / dm:
//
//	acc = Σ_{fy,fx} w[0,fy,fx,oc] · (in[b, y·sh−ph+fy·dh, x·sw−pw+fx·dw, ic] + input_offset)
//
// over the taps inside the image, then the per-channel output stage of
// CONV_2D (see conv.go): M[oc] = s_in·s_w[oc]/s_out in double (filters are
// quantized along axis 3), bias, zero point, clamp. int8 accumulates in
// int32; int16x8 in int64 with the 64-bit requantization (TFLite-Micro's
// int16 depthwise kernel always takes an int64 bias).

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

func init() {
	register(tflite.OpDepthwiseConv2D, prepareDepthwiseConv2D, tflite.TypeInt8, tflite.TypeInt16)
}

type depthwiseConv2D struct {
	in, filter, out *Tensor
	o               *macOutput

	batches, inH, inW, inC int
	outH, outW, outC       int
	fH, fW                 int
	depthMultiplier        int
	strideH, strideW       int
	dilH, dilW             int
	padH, padW             int
	in8, w, out8           []int8
	in16, out16            []int16
	int16Data              bool
}

func prepareDepthwiseConv2D(n *Node) (Kernel, error) {
	in, filter, bias := n.Input(0), n.Input(1), n.Input(2)
	if in == nil || filter == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: DEPTHWISE_CONV_2D needs input, filter and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if err := checkConvTypes(in, filter, out); err != nil {
		return nil, err
	}
	if in.Rank() != 4 || filter.Rank() != 4 || out.Rank() != 4 {
		return nil, fmt.Errorf("%w: DEPTHWISE_CONV_2D wants rank-4 input, filter and output, got %v %v %v", ErrBadShape, in.Shape, filter.Shape, out.Shape)
	}
	opt := n.Options
	if opt == nil {
		return nil, fmt.Errorf("%w: DEPTHWISE_CONV_2D without options", ErrMissingInput)
	}
	if in.Type == tflite.TypeInt16 && (bias == nil || bias.Type != tflite.TypeInt64) {
		return nil, fmt.Errorf("%w: int16 DEPTHWISE_CONV_2D needs an int64 bias", ErrUnsupportedType)
	}
	k := &depthwiseConv2D{in: in, filter: filter, out: out, int16Data: in.Type == tflite.TypeInt16}
	k.batches, k.inH, k.inW, k.inC = in.Shape[0], in.Shape[1], in.Shape[2], in.Shape[3]
	k.fH, k.fW, k.outC = filter.Shape[1], filter.Shape[2], filter.Shape[3]
	k.outH, k.outW = out.Shape[1], out.Shape[2]
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
	k.strideH, k.strideW = int(opt.StrideH), int(opt.StrideW)
	k.dilH, k.dilW = int(max(opt.DilationH, 1)), int(max(opt.DilationW, 1))
	if k.strideH <= 0 || k.strideW <= 0 {
		return nil, fmt.Errorf("%w: DEPTHWISE_CONV_2D stride %dx%d", ErrBadShape, k.strideH, k.strideW)
	}
	oh := ComputeOutSize(opt.Padding, k.inH, k.fH, k.strideH, k.dilH)
	ow := ComputeOutSize(opt.Padding, k.inW, k.fW, k.strideW, k.dilW)
	k.padH, k.padW = ComputePadding(opt.Padding, k.strideH, k.strideW, k.dilH, k.dilW, k.inH, k.inW, k.fH, k.fW, oh, ow)
	o, err := newMACOutput(n, in, filter, bias, out, k.outC, opt.Activation, false)
	if err != nil {
		return nil, err
	}
	k.o = o
	k.refresh()
	return k, nil
}

func (k *depthwiseConv2D) refresh() {
	k.w = k.filter.Int8()
	if k.int16Data {
		k.in16, k.out16 = k.in.Int16(), k.out.Int16()
	} else {
		k.in8, k.out8 = k.in.Int8(), k.out.Int8()
	}
	k.o.refresh()
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
			w := int32(k.w[wi])
			var v int32
			if k.int16Data {
				v = int32(k.in16[ii])
				acc += int64(w * v)
			} else {
				v = int32(k.in8[ii])
				acc += int64(w * (v + off))
			}
			if c != nil {
				c.Terms = append(c.Terms, Term{InputIndex: ii, WeightIndex: wi, Input: v, Weight: w,
					Product: int64(v+off) * int64(w)})
			}
			terms++
		}
	}
	if c != nil {
		k.o.recordOffsets(c, terms)
	}
	return k.o.finish(acc, oc, c)
}

func (k *depthwiseConv2D) Eval() error {
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

func (k *depthwiseConv2D) Explain(out, elem int, c *Chain) error {
	if out != 0 || elem < 0 || elem >= k.out.NumElements() {
		return fmt.Errorf("%w: DEPTHWISE_CONV_2D output %d element %d", ErrBadElement, out, elem)
	}
	oc := elem % k.outC
	x := elem / k.outC % k.outW
	y := elem / (k.outC * k.outW) % k.outH
	b := elem / (k.outC * k.outW * k.outH)
	c.Final = int64(k.element(b, y, x, oc, c))
	return nil
}

func (k *depthwiseConv2D) Describe() Params {
	return k.o.describe(
		NamedInt{"pad_h", int64(k.padH)}, NamedInt{"pad_w", int64(k.padW)},
		NamedInt{"depth_multiplier", int64(k.depthMultiplier)})
}

package kernels

// CONV_2D (TFLite-Micro conv.cc, reference_integer_ops::ConvPerChannel).
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
// int16x8 (int16 activations, int8 weights): no input or output offset
// (int16 is symmetric); with an int64 bias the accumulator is int64 and the
// output stage is the 64-bit MultiplyByQuantizedMultiplier (Q0.15 reduced
// multiplier, one rounding, the same under both rules); so it is without a
// bias when the options say quantized_bias_type = INT64. With an int32 bias
// (or none and no INT64 bias type) the accumulator is int32 and the output
// stage the 32-bit requantization of the selected rounding rule.

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

func init() {
	register(tflite.OpConv2D, prepareConv2D, tflite.TypeInt8, tflite.TypeInt16)
}

type conv2D struct {
	in, filter, out *Tensor
	o               *macOutput

	batches, inH, inW, inC int
	outH, outW, outC       int
	fH, fW, fC             int
	filtersPerGroup        int
	strideH, strideW       int
	dilH, dilW             int
	padH, padW             int
	in8, w, out8           []int8
	in16, out16            []int16
	int16Data              bool
	rowContiguous          bool // groups == 1 and dilation_w == 1
}

func prepareConv2D(n *Node) (Kernel, error) {
	in, filter, bias := n.Input(0), n.Input(1), n.Input(2)
	if in == nil || filter == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: CONV_2D needs input, filter and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if err := checkConvTypes(in, filter, out); err != nil {
		return nil, err
	}
	if in.Rank() != 4 || filter.Rank() != 4 || out.Rank() != 4 {
		return nil, fmt.Errorf("%w: CONV_2D wants rank-4 input, filter and output, got %v %v %v", ErrBadShape, in.Shape, filter.Shape, out.Shape)
	}
	opt := n.Options
	if opt == nil {
		return nil, fmt.Errorf("%w: CONV_2D without options", ErrMissingInput)
	}
	k := &conv2D{in: in, filter: filter, out: out, int16Data: in.Type == tflite.TypeInt16}
	k.batches, k.inH, k.inW, k.inC = in.Shape[0], in.Shape[1], in.Shape[2], in.Shape[3]
	k.outC, k.fH, k.fW, k.fC = filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]
	k.outH, k.outW = out.Shape[1], out.Shape[2]
	if out.Shape[0] != k.batches || out.Shape[3] != k.outC {
		return nil, fmt.Errorf("%w: CONV_2D output %v does not match input %v and filter %v", ErrBadShape, out.Shape, in.Shape, filter.Shape)
	}
	if k.fC <= 0 || k.inC%k.fC != 0 {
		return nil, fmt.Errorf("%w: CONV_2D input depth %d is not a multiple of filter depth %d", ErrBadShape, k.inC, k.fC)
	}
	groups := k.inC / k.fC
	if k.outC%groups != 0 {
		return nil, fmt.Errorf("%w: CONV_2D output depth %d is not a multiple of %d groups", ErrBadShape, k.outC, groups)
	}
	k.filtersPerGroup = k.outC / groups
	k.rowContiguous = groups == 1 && opt.DilationW <= 1
	k.strideH, k.strideW = int(opt.StrideH), int(opt.StrideW)
	k.dilH, k.dilW = int(max(opt.DilationH, 1)), int(max(opt.DilationW, 1))
	if k.strideH <= 0 || k.strideW <= 0 {
		return nil, fmt.Errorf("%w: CONV_2D stride %dx%d", ErrBadShape, k.strideH, k.strideW)
	}
	// ComputePaddingHeightWidth derives the padding from the output size it
	// recomputes from the padding scheme, not from the output tensor.
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

// checkConvTypes accepts int8×int8→int8 and int16×int8→int16.
func checkConvTypes(in, filter, out *Tensor) error {
	ok := filter.Type == tflite.TypeInt8 && in.Type == out.Type &&
		(in.Type == tflite.TypeInt8 || in.Type == tflite.TypeInt16)
	if !ok {
		return fmt.Errorf("%w: input %v, filter %v, output %v (want int8/int8/int8 or int16/int8/int16)",
			ErrUnsupportedType, in.Type, filter.Type, out.Type)
	}
	return nil
}

func (k *conv2D) refresh() {
	k.w = k.filter.Int8()
	if k.int16Data {
		k.in16, k.out16 = k.in.Int16(), k.out.Int16()
	} else {
		k.in8, k.out8 = k.in.Int8(), k.out.Int8()
	}
	k.o.refresh()
}

// element computes output element (b, y, x, oc); Eval and Explain share it.
func (k *conv2D) element(b, y, x, oc int, c *Chain) int32 {
	g := 0
	if k.filtersPerGroup != k.outC { // grouped: avoid the division otherwise
		g = oc / k.filtersPerGroup
	}
	y0 := y*k.strideH - k.padH
	x0 := x*k.strideW - k.padW
	off := k.o.inputOff
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
			if k.int16Data {
				acc += dot16x8(k.in16[ib:ib+l], k.w[wb:wb+l])
			} else {
				acc += int64(dot8x8(k.in8[ib:ib+l], k.w[wb:wb+l], off))
			}
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
			if k.int16Data {
				acc += dot16x8(k.in16[ib:ib+n], k.w[wb:wb+n])
			} else {
				acc += int64(dot8x8(k.in8[ib:ib+n], k.w[wb:wb+n], off))
			}
			if c != nil {
				k.recordTerms(c, ib, wb, n)
			}
			terms += n
		}
	}
	if c != nil {
		k.o.recordOffsets(c, terms)
	}
	return k.o.finish(acc, oc, c)
}

// recordTerms appends the n products that start at input index ib and
// weight index wb.
func (k *conv2D) recordTerms(c *Chain, ib, wb, n int) {
	for i := range n {
		var v int32
		if k.int16Data {
			v = int32(k.in16[ib+i])
		} else {
			v = int32(k.in8[ib+i])
		}
		w := int32(k.w[wb+i])
		c.Terms = append(c.Terms, Term{InputIndex: ib + i, WeightIndex: wb + i, Input: v, Weight: w,
			Product: int64(v+k.o.inputOff) * int64(w+k.o.weighOff)})
	}
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

func (k *conv2D) Eval() error {
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

func (k *conv2D) Explain(out, elem int, c *Chain) error {
	if out != 0 || elem < 0 || elem >= k.out.NumElements() {
		return fmt.Errorf("%w: CONV_2D output %d element %d", ErrBadElement, out, elem)
	}
	oc := elem % k.outC
	x := elem / k.outC % k.outW
	y := elem / (k.outC * k.outW) % k.outH
	b := elem / (k.outC * k.outW * k.outH)
	c.Final = int64(k.element(b, y, x, oc, c))
	return nil
}

func (k *conv2D) Describe() Params {
	return k.o.describe(
		NamedInt{"pad_h", int64(k.padH)}, NamedInt{"pad_w", int64(k.padW)},
		NamedInt{"groups", int64(k.inC / k.fC)})
}

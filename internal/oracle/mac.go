package oracle

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// References for the multiply-accumulate ops, written plainly from TFLite's
// reference kernels (tensorflow/lite/kernels/internal/reference/integer_ops/
// conv.h, depthwise_conv.h, transpose_conv.h, fully_connected.h and
// reference/batch_matmul.h): every output element is a sum of products of
// offset inputs and weights, plus the bias, requantized by an OutputStage.
// Tensors are flat row-major slices of int64 values (NHWC activations).
// The accumulator is summed exactly in int64; OutputStage models TFLite's
// accumulator width.

// OutputStage is the end of every multiply-accumulate op: the accumulator
// (bias included) is scaled by the channel's real multiplier, offset by the
// output zero point and clamped.
type OutputStage struct {
	// Reals holds the real multiplier of each output channel (ConvMultiplier,
	// ProductMultiplier, ...); a single entry applies to every channel.
	Reals []float64
	// ZeroPoint is added after the scaling (TFLite's output_offset; the
	// int16 kernels have none: pass 0).
	ZeroPoint int64
	// Min and Max are the clamp range (ActivationRange, or TypeRange).
	Min, Max int64
	// Wide selects the int16×8 kernels' 64-bit accumulator, requantized by
	// MultiplyByQuantizedMultiplier64. Otherwise the accumulator is TFLite's
	// int32 one: the exact sum is wrapped modulo 2^32 (two's-complement
	// int32 addition gives that whatever the order of the terms) and
	// requantized by MultiplyByQuantizedMultiplier under Rounding.
	Wide     bool
	Rounding Rounding
}

func (o OutputStage) real(ch int) float64 {
	if len(o.Reals) == 1 {
		return o.Reals[0]
	}
	return o.Reals[ch]
}

// multipliers quantizes every channel's multiplier once.
func (o OutputStage) multipliers(channels int) []Multiplier {
	if len(o.Reals) != 1 && len(o.Reals) != channels {
		panic(fmt.Sprintf("oracle: %d real multipliers for %d output channels", len(o.Reals), channels))
	}
	ms := make([]Multiplier, channels)
	for ch := range ms {
		ms[ch] = QuantizeMultiplier(o.real(ch), o.Rounding)
	}
	return ms
}

func (o OutputStage) apply(acc int64, m Multiplier) int64 {
	var v int64
	if o.Wide {
		v = MultiplyByQuantizedMultiplier64(acc, m)
	} else {
		v = MultiplyByQuantizedMultiplier(int64(int32(acc)), m, o.Rounding)
	}
	return Clamp(v+o.ZeroPoint, o.Min, o.Max)
}

// Apply turns the accumulator acc (bias included) of output channel ch into
// the stored value: clamp(M·acc + zp).
func (o OutputStage) Apply(acc int64, ch int) int64 {
	return o.apply(acc, QuantizeMultiplier(o.real(ch), o.Rounding))
}

// Dot is Σ (x[i] + xOff)·(w[i] + wOff), exact.
func Dot(x, w []int64, xOff, wOff int64) int64 {
	if len(x) != len(w) {
		panic(fmt.Sprintf("oracle.Dot: %d inputs, %d weights", len(x), len(w)))
	}
	var acc int64
	for i := range x {
		acc += (x[i] + xOff) * (w[i] + wOff)
	}
	return acc
}

// ConvOutSize is TFLite's ComputeOutSize (tensorflow/lite/kernels/padding.h):
// SAME ⌈in/stride⌉, VALID (in − eff + stride)/stride, for the dilated filter
// extent eff = (f − 1)·dilation + 1.
func ConvOutSize(p tflite.Padding, in, f, stride, dilation int) int {
	eff := (f-1)*dilation + 1
	if p == tflite.PaddingSame {
		return (in + stride - 1) / stride
	}
	return (in - eff + stride) / stride
}

// ConvPadding is the padding before the first element along one axis, as
// TFLite's ComputePaddingWithOffset (tensorflow/lite/kernels/padding.h)
// returns it: total = max(0, (out − 1)·stride + eff − in), padding =
// ⌊total/2⌋ (the odd unit goes after).
func ConvPadding(in, f, stride, dilation, out int) int {
	eff := (f-1)*dilation + 1
	return max(0, (out-1)*stride+eff-in) / 2
}

// Window is the geometry shared by the convolution references: NHWC input
// [Batches, InH, InW, InC], kernel KH×KW, strides, dilations, padding.
type Window struct {
	Batches, InH, InW, InC int
	KH, KW                 int
	StrideH, StrideW       int
	DilationH, DilationW   int
	Padding                tflite.Padding
}

// out returns the output extents and the padding before them.
func (g Window) out() (oh, ow, padH, padW int) {
	oh = ConvOutSize(g.Padding, g.InH, g.KH, g.StrideH, g.DilationH)
	ow = ConvOutSize(g.Padding, g.InW, g.KW, g.StrideW, g.DilationW)
	return oh, ow, ConvPadding(g.InH, g.KH, g.StrideH, g.DilationH, oh), ConvPadding(g.InW, g.KW, g.StrideW, g.DilationW, ow)
}

// OutShape is the NHWC output shape of a convolution over the window with
// outC output channels.
func (g Window) OutShape(outC int) []int {
	oh, ow, _, _ := g.out()
	return []int{g.Batches, oh, ow, outC}
}

// tap is one filter position (fy, fx) of an output element and the input
// position (iy, ix) it reads.
type tap struct{ fy, fx, iy, ix int }

// convolve walks the output elements (b, y, x, oc) of a convolution over the
// window with outC channels in NHWC order: the accumulator is the sum of
// term(b, oc, t) over the taps t inside the input (iy = y·StrideH − padH +
// fy·DilationH, likewise ix), plus bias[oc], and the output is stage applied
// to it. It returns the output shape and values.
func (g Window) convolve(outC int, stage OutputStage, bias []int64, term func(b, oc int, t tap) int64) (shape []int, out []int64) {
	oh, ow, padH, padW := g.out()
	ms := stage.multipliers(outC)
	for b := range g.Batches {
		for y := range oh {
			for x := range ow {
				for oc := range outC {
					var acc int64
					for fy := range g.KH {
						for fx := range g.KW {
							iy, ix := y*g.StrideH-padH+fy*g.DilationH, x*g.StrideW-padW+fx*g.DilationW
							if iy >= 0 && ix >= 0 && iy < g.InH && ix < g.InW {
								acc += term(b, oc, tap{fy, fx, iy, ix})
							}
						}
					}
					if bias != nil {
						acc += bias[oc]
					}
					out = append(out, stage.apply(acc, ms[oc]))
				}
			}
		}
	}
	return []int{g.Batches, oh, ow, outC}, out
}

// Conv is a CONV_2D: filter [OutC, KH, KW, InC/groups] (a filter depth
// below InC makes a grouped convolution, TFLite's filters_per_group =
// OutC/groups), bias [OutC] or nil.
type Conv struct {
	Window
	OutC int
	// InputOffset is added to every input value: −zp_in for int8, 0 for
	// the int16×8 kernels.
	InputOffset int64
	Out         OutputStage
}

// Conv2D is reference_integer_ops::ConvPerChannel
// (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h): for
// output (b, y, x, oc) in group g = oc / (OutC/groups), the accumulator is
// Σ_{taps} Σ_ic filter[oc, fy, fx, ic]·(input[b, iy, ix, g·depth + ic] +
// InputOffset), + bias[oc], then c.Out (see Window.convolve for the taps).
// It returns the output shape and values.
func Conv2D(c Conv, in, filter, bias []int64) (shape []int, out []int64) {
	depth := len(filter) / (c.OutC * c.KH * c.KW)
	perGroup := c.OutC / (c.InC / depth)
	return c.convolve(c.OutC, c.Out, bias, func(b, oc int, t tap) int64 {
		i0 := ((b*c.InH+t.iy)*c.InW+t.ix)*c.InC + oc/perGroup*depth
		w0 := ((oc*c.KH+t.fy)*c.KW + t.fx) * depth
		return Dot(in[i0:i0+depth], filter[w0:w0+depth], c.InputOffset, 0)
	})
}

// DepthwiseConv is a DEPTHWISE_CONV_2D: filter [1, KH, KW, InC·DepthMultiplier],
// bias [InC·DepthMultiplier] or nil.
type DepthwiseConv struct {
	Window
	DepthMultiplier int
	InputOffset     int64 // −zp_in for int8, 0 for int16
	Out             OutputStage
}

// DepthwiseConv2D is reference_integer_ops::DepthwiseConvPerChannel
// (tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h):
// output channel oc reads input channel oc / DepthMultiplier only: the
// accumulator is Σ_{taps} filter[0, fy, fx, oc]·(input[b, iy, ix,
// oc/DepthMultiplier] + InputOffset), + bias[oc], then d.Out.
func DepthwiseConv2D(d DepthwiseConv, in, filter, bias []int64) (shape []int, out []int64) {
	outC := d.InC * d.DepthMultiplier
	return d.convolve(outC, d.Out, bias, func(b, oc int, t tap) int64 {
		return filter[(t.fy*d.KW+t.fx)*outC+oc] * (in[((b*d.InH+t.iy)*d.InW+t.ix)*d.InC+oc/d.DepthMultiplier] + d.InputOffset)
	})
}

// TransposeConvolution is a TRANSPOSE_CONV: input [Batches, InH, InW, InC],
// filter [OutC, KH, KW, InC], output [Batches, OutH, OutW, OutC] (the
// output_shape input), bias [OutC] or nil.
type TransposeConvolution struct {
	Batches, InH, InW, InC int
	OutH, OutW, OutC       int
	KH, KW                 int
	StrideH, StrideW       int
	Padding                tflite.Padding
	InputOffset            int64 // −zp_in for int8, 0 for int16
	Out                    OutputStage
}

// TransposeConv is reference_integer_ops::TransposeConv
// (tensorflow/lite/kernels/internal/reference/integer_ops/transpose_conv.h)
// in its scatter form: every input element (b, iy, ix, ic), offset by
// InputOffset, adds its product with filter[oc, fy, fx, ic] to output
// (b, iy·StrideH − padH + fy, ix·StrideW − padW + fx, oc) when that is inside
// the output; then each output gets bias[oc] and t.Out. The padding is
// TFLite's ComputePaddingHeightWidth on the output extents (dilation 1):
// ConvPadding(OutH, KH, StrideH, 1, ConvOutSize(Padding, OutH, KH, StrideH, 1)).
func TransposeConv(t TransposeConvolution, in, filter, bias []int64) []int64 {
	padH := ConvPadding(t.OutH, t.KH, t.StrideH, 1, ConvOutSize(t.Padding, t.OutH, t.KH, t.StrideH, 1))
	padW := ConvPadding(t.OutW, t.KW, t.StrideW, 1, ConvOutSize(t.Padding, t.OutW, t.KW, t.StrideW, 1))
	acc := make([]int64, t.Batches*t.OutH*t.OutW*t.OutC)
	for b := range t.Batches {
		for iy := range t.InH {
			for ix := range t.InW {
				for ic := range t.InC {
					v := in[((b*t.InH+iy)*t.InW+ix)*t.InC+ic] + t.InputOffset
					for fy := range t.KH {
						for fx := range t.KW {
							y, x := iy*t.StrideH-padH+fy, ix*t.StrideW-padW+fx
							if y < 0 || x < 0 || y >= t.OutH || x >= t.OutW {
								continue
							}
							for oc := range t.OutC {
								acc[((b*t.OutH+y)*t.OutW+x)*t.OutC+oc] += v * filter[((oc*t.KH+fy)*t.KW+fx)*t.InC+ic]
							}
						}
					}
				}
			}
		}
	}
	ms := t.Out.multipliers(t.OutC)
	out := make([]int64, len(acc))
	for i, a := range acc {
		oc := i % t.OutC
		if bias != nil {
			a += bias[oc]
		}
		out[i] = t.Out.apply(a, ms[oc])
	}
	return out
}

// FC is a FULLY_CONNECTED: input [Batches, Depth] (any shape flattened so),
// filter [Units, Depth], bias [Units] or nil.
type FC struct {
	Batches, Depth, Units int
	InputOffset           int64 // −zp_in for int8, 0 for int16
	WeightOffset          int64 // −zp_w (TFLite's filter_offset; 0 for per-channel weights)
	Out                   OutputStage
}

// FullyConnected is reference_integer_ops::FullyConnected
// (tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h):
// acc = Σ_d (filter[u, d] + WeightOffset)·(input[b, d] + InputOffset) +
// bias[u], then f.Out; the output is [Batches, Units].
func FullyConnected(f FC, in, filter, bias []int64) []int64 {
	ms := f.Out.multipliers(f.Units)
	out := make([]int64, 0, f.Batches*f.Units)
	for b := range f.Batches {
		for u := range f.Units {
			acc := Dot(in[b*f.Depth:(b+1)*f.Depth], filter[u*f.Depth:(u+1)*f.Depth], f.InputOffset, f.WeightOffset)
			if bias != nil {
				acc += bias[u]
			}
			out = append(out, f.Out.apply(acc, ms[u]))
		}
	}
	return out
}

// BatchMatmulOp is a BATCH_MATMUL: LHS and RHS of rank ≥ 2 whose leading
// (batch) dimensions broadcast numpy-style; AdjX/AdjY transpose the last two
// dimensions of LHS/RHS.
type BatchMatmulOp struct {
	LHSShape, RHSShape []int
	AdjX, AdjY         bool
	LHSOffset          int64 // −zp_lhs (int8), 0 (int16)
	RHSOffset          int64 // −zp_rhs (int8), 0 (int16)
	Out                OutputStage
}

// BatchMatmul is reference_ops::BatchMatMul
// (tensorflow/lite/kernels/internal/reference/batch_matmul.h) written as
// plain matrix products: for each broadcast batch, out[i, j] =
// Σ_k (A[i, k] + LHSOffset)·(B[k, j] + RHSOffset) with A, B the (transposed if
// Adj) matrices, then p.Out (one multiplier). It returns the output shape
// (broadcast batch dimensions, rows of A, columns of B) and values.
func BatchMatmul(p BatchMatmulOp, lhs, rhs []int64) (shape []int, out []int64) {
	rank := max(len(p.LHSShape), len(p.RHSShape))
	ls, rs := extend(p.LHSShape, rank), extend(p.RHSShape, rank)
	batchShape := make([]int, rank-2)
	for i := range batchShape {
		batchShape[i] = max(ls[i], rs[i])
	}
	a0 := matrix(lhs, ls, make([]int, rank-2), p.AdjX)
	b0 := matrix(rhs, rs, make([]int, rank-2), p.AdjY)
	shape = append(append([]int(nil), batchShape...), len(a0), len(b0[0]))
	ms := p.Out.multipliers(1)
	_, batches := strides(batchShape)
	for n := range batches {
		batch := Unravel(n, batchShape)
		a, b := matrix(lhs, ls, batch, p.AdjX), matrix(rhs, rs, batch, p.AdjY)
		for i := range a {
			for j := range b[0] {
				var acc int64
				for k := range b {
					acc += (a[i][k] + p.LHSOffset) * (b[k][j] + p.RHSOffset)
				}
				out = append(out, p.Out.apply(acc, ms[0]))
			}
		}
	}
	return shape, out
}

// extend prefixes shape with 1s up to rank.
func extend(shape []int, rank int) []int {
	e := make([]int, rank)
	for i := range e {
		e[i] = 1
	}
	copy(e[rank-len(shape):], shape)
	return e
}

// matrix is the (transposed if transpose) matrix of batch index batch of
// data with extended shape shape, a size-1 batch dimension broadcast.
func matrix(data []int64, shape, batch []int, transpose bool) [][]int64 {
	rank := len(shape)
	off := 0
	for i := 0; i < rank-2; i++ {
		c := batch[i]
		if shape[i] == 1 {
			c = 0
		}
		off = off*shape[i] + c
	}
	rows, cols := shape[rank-2], shape[rank-1]
	off *= rows * cols
	m := make([][]int64, rows)
	for r := range m {
		m[r] = data[off+r*cols : off+(r+1)*cols]
	}
	if !transpose {
		return m
	}
	t := make([][]int64, cols)
	for c := range t {
		t[c] = make([]int64, rows)
		for r := range rows {
			t[c][r] = m[r][c]
		}
	}
	return t
}

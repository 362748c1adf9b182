package kernels

import (
	"errors"
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// prepareMaxPool2DXNNPACK prepares a MAX_POOL_2D node the XNNPACK delegate
// takes (Max Pooling NHWC S8/U8, or Clamp NC for a 1×1 filter): per-tensor
// 8-bit input and output, positive filter and strides with each stride at
// most the filter (a 1×1 filter only with stride 1), a fusable activation.
// XNNPACK cannot requantize a pooled value, so input and output must have
// the same scale and zero point, and the clamp range must not be empty
// (else the delegate fails to build: ErrDelegateFallback).
//
//	out = clamp(max(window ∩ input), lo, hi)
//
// with [lo, hi] the activation as XNNPACK quantizes it (padding cells never
// win: XNNPACK's indirection clamps to the border). This is poolKernel's
// arithmetic with XNNPACK's clamp range.
func prepareMaxPool2DXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) != 1 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if !xnnQ8(in) || !xnnQ8(out) {
		return nil, xnnNotTaken(n, "input and output are not per-tensor int8/uint8 tensors")
	}
	o := n.Options
	switch {
	case o.StrideH <= 0 || o.StrideW <= 0 || o.FilterH <= 0 || o.FilterW <= 0:
		return nil, xnnNotTaken(n, "filter %dx%d, stride %dx%d", o.FilterH, o.FilterW, o.StrideH, o.StrideW)
	case o.StrideH > o.FilterH || o.StrideW > o.FilterW:
		return nil, xnnNotTaken(n, "stride %dx%d exceeds the %dx%d filter", o.StrideH, o.StrideW, o.FilterH, o.FilterW)
	case o.FilterH == 1 && o.FilterW == 1 && max(o.StrideH, o.StrideW) > 1:
		return nil, xnnNotTaken(n, "1x1 filter with stride %dx%d", o.StrideH, o.StrideW)
	case o.Padding != tflite.PaddingSame && o.Padding != tflite.PaddingValid:
		return nil, xnnNotTaken(n, "padding %v", o.Padding)
	}
	lo, hi, rangeErr := xnnpackActivationRange(o.Activation, out)
	if errors.Is(rangeErr, errNotTaken) {
		return nil, rangeErr
	}
	if err := xnnUnrequantizedDefine(n, in, out); err != nil {
		return nil, err
	}
	if rangeErr != nil {
		return nil, rangeErr
	}
	k, err := preparePool(n)
	if err != nil {
		return nil, err
	}
	pk := k.(*poolKernel)
	pk.lo, pk.hi, pk.xnnClamp = lo, hi, true
	return pk, nil
}

// xnnMean is MEAN as the XNNPACK delegate runs it (Global Average Pooling
// NWC QS8/QU8) over a 4-D NHWC input: axes {1, 2} average over H·W pixels
// (batch N), axis {2} over W (batch N·H). For batch b and channel c, with
// width pixels:
//
//	acc   = Σ x − width·zp_in                      (int32, exact)
//	scale = float32(s_in / float32(s_out·width))    (two float32 roundings)
//	out   = clamp(round_half_even(float32(float32(acc)·scale)) + zp_out, qmin, qmax)
//
// clamped to the dtype's range only (the delegate passes an unbounded
// output range). Source: XNNPACK src/operators/global-average-pooling-nwc.c,
// xnn_init_qs8_avgpool_minmax_fp32_wasmsimd_params; the delegate's
// VisitMeanNode.
type xnnMean struct {
	n                      *Node
	in, out                *Tensor
	batch, width, channels int
	inZP, outZP            int32
	scale                  float32
	lo, hi                 int32
}

// prepareMeanXNNPACK prepares a MEAN node the XNNPACK delegate takes: a 4-D
// per-tensor 8-bit input, a constant int32 axes tensor holding literally 2,
// or 1 and 2 in either order (negative axes are not normalized: −2 stays
// with TFLite), and an output of rank 4 (keep_dims) or 4 − #axes. The
// input-to-output scale ratio must lie in [2^−8, 2^8), else XNNPACK fails
// to build the node (ErrDelegateFallback).
func prepareMeanXNNPACK(n *Node) (Kernel, error) {
	if len(n.Inputs) != 2 || len(n.Outputs) != 1 {
		return nil, xnnNotTaken(n, "%d inputs and %d outputs", len(n.Inputs), len(n.Outputs))
	}
	in, axes, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	switch {
	case !xnnQ8(in) || !xnnShape(in, 4, 4):
		return nil, xnnNotTaken(n, "input is not a 4-D per-tensor int8/uint8 tensor")
	case axes == nil || axes.Type != tflite.TypeInt32 || axes.Rank() > 1 || !axes.Const:
		return nil, xnnNotTaken(n, "axes are not a constant int32 vector")
	}
	a := axes.Int32()
	switch {
	case len(a) == 1 && a[0] == 2:
	case len(a) == 2 && min(a[0], a[1]) == 1 && max(a[0], a[1]) == 2:
	default:
		return nil, xnnNotTaken(n, "reduction along axes %v (only 2, or 1 and 2, literally)", a)
	}
	rank := 4
	if !n.Options.KeepDims {
		rank -= len(a)
	}
	if !xnnQ8(out) || !xnnShape(out, rank, rank) {
		return nil, xnnNotTaken(n, "output is not a rank-%d per-tensor int8/uint8 tensor", rank)
	}
	if err := xnnDefineTensors(n, in, out); err != nil {
		return nil, err
	}
	if in.Type != out.Type {
		return nil, xnnFallback(n, "input %v, output %v", in.Type, out.Type)
	}
	if ratio := float32(in.Scale0() / out.Scale0()); !(ratio >= 0x1p-8 && ratio < 0x1p8) {
		return nil, xnnFallback(n, "input-to-output scale ratio %g outside [2^-8, 2^8)", ratio)
	}
	k := &xnnMean{n: n, in: in, out: out, inZP: in.ZP0(), outZP: out.ZP0(), channels: in.Shape[3]}
	if len(a) == 2 {
		k.batch, k.width = in.Shape[0], in.Shape[1]*in.Shape[2]
	} else {
		k.batch, k.width = in.Shape[0]*in.Shape[1], in.Shape[2]
	}
	if out.NumElements() != k.batch*k.channels {
		return nil, fmt.Errorf("%w: MEAN output %v for input %v", ErrBadShape, out.Shape, in.Shape)
	}
	k.scale = float32(in.Scale0() / float32(out.Scale0()*float32(k.width)))
	k.lo, k.hi = Range(out.Type)
	return k, nil
}

// element computes output (b, c); Eval and Explain share it.
func (k *xnnMean) element(b, ch int, c *Chain) int32 {
	var sum int32
	base := b*k.width*k.channels + ch
	for i := range k.width {
		idx := base + i*k.channels
		sum += int32(k.in.Int(idx))
		if c != nil {
			c.addSources(Source{Input: 0, Element: idx})
		}
	}
	acc := sum - int32(k.width)*k.inZP
	f, out := xnnRequantizeFP32(acc, k.scale, k.outZP, k.lo, k.hi)
	if c != nil {
		c.Add("sum", int64(sum), "sum of the raw values", "Σ %d values = %d", k.width, sum)
		c.AddReal("acc", int64(acc), float64(acc)*float64(k.in.Scale0()), "sum minus width·zp_in (XNNPACK folds it into its bias)",
			"%d %s·%d = %d", sum, plus(-int64(k.width)), k.inZP, acc)
		c.AddReal("M", 0, float64(k.scale), "XNNPACK's float32 scale = float32(s_in / float32(s_out·width))",
			"float32(%.9g / float32(%.9g·%d)) = %.9g", k.in.Scale0(), k.out.Scale0(), k.width, k.scale)
		c.addRequantization(RuleFloat32, float64(k.scale), QuantizedMultiplier{})
		r := int64(roundHalfEven32(f))
		s := c.AddReal("round_float32", r, float64(f), "float32 product float32(acc)·scale rounded half to even (XNNPACK's fp32 requantization)",
			"round_half_even(float32(%d) · %.9g) = round_half_even(%.7g) = %d", acc, k.scale, f, r)
		s.Changed = float64(r) != float64(f)
		v := r + int64(k.outZP)
		c.Add("zp", v, "scaled value plus the output zero point", "%d %s = %d", r, plus(int64(k.outZP)), v)
		s = c.AddReal("clamp", int64(out), float64(out-k.outZP)*float64(k.out.Scale0()), "clamped to the output dtype's range",
			"clamp(%d, %d, %d) = %d", v, k.lo, k.hi, out)
		s.Changed = int64(out) != v
	}
	return out
}

func (k *xnnMean) Eval() error {
	i := 0
	for b := range k.batch {
		for ch := range k.channels {
			storeIntElement(k.out, i, k.element(b, ch, nil))
			i++
		}
	}
	return nil
}

func (k *xnnMean) Explain(out, elem int, c *Chain) error {
	if err := checkExplainTarget(k.n, out, elem); err != nil {
		return err
	}
	c.Final = int64(k.element(elem/k.channels, elem%k.channels, c))
	return nil
}

func (k *xnnMean) Describe() Params {
	return Params{
		Multipliers:    []Multiplier{{Name: "output", Channel: -1, Real: float64(k.scale)}},
		Requantization: "float32: round_half_even(float32(acc)·scale) + zp, scale = float32(s_in/float32(s_out·width))",
		HasClamp:       true, ClampMin: k.lo, ClampMax: k.hi,
		Ints: []NamedInt{{"width", int64(k.width)}, {"input_zero_point", int64(k.inZP)}, {"output_zero_point", int64(k.outZP)}},
	}
}

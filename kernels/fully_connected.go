package kernels

// FULLY_CONNECTED (TFLite-Micro fully_connected.cc,
// reference_integer_ops::FullyConnected / FullyConnectedPerChannel).
//
// Filter [Cout, D] (D = accumulation depth), bias [Cout], input of any shape
// read as [B, D], output [..., Cout] with B = output elements / Cout
// (keep_num_dims only changes the output shape the model declares):
//
//	acc = Σ_d (w[oc, d] + filter_offset) · (in[b, d] + input_offset)
//	out = clamp(MultiplyByQuantizedMultiplier(acc + bias[oc], M) + zp_out, lo, hi)
//
// Per-tensor weights: M = double(float32(s_in·s_w)) / double(s_out) — the
// product is rounded to float32 before widening (GetQuantizedConvolution
// Multipler) — and filter_offset = −zp_w. Per-channel weights: M[oc] =
// s_in·s_w[oc]/s_out with every factor in double (as CONV_2D), and the filter
// zero point is ignored. int8 accumulates in int32.
//
// int16x8: no input or output offset; an int64 bias (or none with
// quantized_bias_type = INT64) selects the int64 accumulator and the 64-bit
// requantization, an int32 bias (or none otherwise) the int32 accumulator and
// the 32-bit requantization of the rounding rule.

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

func init() {
	register(tflite.OpFullyConnected, prepareFullyConnected, tflite.TypeInt8, tflite.TypeInt16)
}

type fullyConnected struct {
	in, filter, out *Tensor
	o               *macOutput

	batches, depth, outC int
	in8, w, out8         []int8
	in16, out16          []int16
	int16Data            bool
}

func prepareFullyConnected(n *Node) (Kernel, error) {
	in, filter, bias := n.Input(0), n.Input(1), n.Input(2)
	if in == nil || filter == nil || len(n.Outputs) < 1 || n.Outputs[0] == nil {
		return nil, fmt.Errorf("%w: FULLY_CONNECTED needs input, filter and output", ErrMissingInput)
	}
	out := n.Outputs[0]
	if err := checkConvTypes(in, filter, out); err != nil {
		return nil, err
	}
	if filter.Rank() != 2 || out.Rank() < 1 {
		return nil, fmt.Errorf("%w: FULLY_CONNECTED wants a rank-2 filter, got %v (output %v)", ErrBadShape, filter.Shape, out.Shape)
	}
	k := &fullyConnected{in: in, filter: filter, out: out, int16Data: in.Type == tflite.TypeInt16}
	k.depth = filter.Shape[1]
	k.outC = out.Dim(-1)
	if k.outC > filter.Shape[0] || k.outC <= 0 || k.depth <= 0 {
		return nil, fmt.Errorf("%w: FULLY_CONNECTED output %v does not match filter %v", ErrBadShape, out.Shape, filter.Shape)
	}
	k.batches = out.NumElements() / k.outC
	if k.batches*k.depth > in.NumElements() {
		return nil, fmt.Errorf("%w: FULLY_CONNECTED input %v too small for %d batches of depth %d", ErrBadShape, in.Shape, k.batches, k.depth)
	}
	var act tflite.Activation
	if n.Options != nil {
		act = n.Options.Activation
	}
	o, err := newMACOutput(n, in, filter, bias, out, k.outC, act, true)
	if err != nil {
		return nil, err
	}
	if !o.perChannel {
		o.weighOff = -filter.ZP0()
	}
	k.o = o
	k.refresh()
	return k, nil
}

func (k *fullyConnected) refresh() {
	k.w = k.filter.Int8()
	if k.int16Data {
		k.in16, k.out16 = k.in.Int16(), k.out.Int16()
	} else {
		k.in8, k.out8 = k.in.Int8(), k.out.Int8()
	}
	k.o.refresh()
}

// element computes output element (b, oc); Eval and Explain share it.
func (k *fullyConnected) element(b, oc int, c *Chain) int32 {
	ib := b * k.depth
	wb := oc * k.depth
	var acc int64
	switch {
	case k.int16Data && k.o.weighOff == 0:
		acc = dot16x8(k.in16[ib:ib+k.depth], k.w[wb:wb+k.depth])
	case k.int16Data:
		acc = dot16x8Off(k.in16[ib:ib+k.depth], k.w[wb:wb+k.depth], k.o.weighOff)
	case k.o.weighOff == 0:
		acc = int64(dot8x8(k.in8[ib:ib+k.depth], k.w[wb:wb+k.depth], k.o.inputOff))
	default:
		acc = int64(dot8x8Off(k.in8[ib:ib+k.depth], k.w[wb:wb+k.depth], k.o.inputOff, k.o.weighOff))
	}
	if c != nil {
		for d := range k.depth {
			var v int32
			if k.int16Data {
				v = int32(k.in16[ib+d])
			} else {
				v = int32(k.in8[ib+d])
			}
			w := int32(k.w[wb+d])
			c.Terms = append(c.Terms, Term{InputIndex: ib + d, WeightIndex: wb + d, Input: v, Weight: w,
				Product: int64(v+k.o.inputOff) * int64(w+k.o.weighOff)})
		}
		k.o.recordOffsets(c, k.depth)
	}
	return k.o.finish(acc, oc, c)
}

// dot8x8Off is Σ (w[i] + woff)·(x[i] + off) in wrapping int32.
func dot8x8Off(x, w []int8, off, woff int32) int32 {
	w = w[:len(x)]
	var acc int32
	for i, v := range x {
		acc += (int32(w[i]) + woff) * (int32(v) + off)
	}
	return acc
}

// dot16x8Off is Σ (w[i] + woff)·x[i] in int64.
func dot16x8Off(x []int16, w []int8, woff int32) int64 {
	w = w[:len(x)]
	var acc int64
	for i, v := range x {
		acc += int64((int32(w[i]) + woff) * int32(v))
	}
	return acc
}

func (k *fullyConnected) Eval() error {
	k.refresh()
	i := 0
	for b := 0; b < k.batches; b++ {
		for oc := 0; oc < k.outC; oc++ {
			v := k.element(b, oc, nil)
			if k.int16Data {
				k.out16[i] = int16(v)
			} else {
				k.out8[i] = int8(v)
			}
			i++
		}
	}
	return nil
}

func (k *fullyConnected) Explain(out, elem int, c *Chain) error {
	if out != 0 || elem < 0 || elem >= k.batches*k.outC {
		return fmt.Errorf("%w: FULLY_CONNECTED output %d element %d", ErrBadElement, out, elem)
	}
	c.Final = int64(k.element(elem/k.outC, elem%k.outC, c))
	return nil
}

func (k *fullyConnected) Describe() Params {
	return k.o.describe(NamedInt{"batches", int64(k.batches)}, NamedInt{"accum_depth", int64(k.depth)})
}

package kernels

import (
	"fmt"

	"github.com/tflq/tflq-trace/tflite"
)

// fullyConnected is FULLY_CONNECTED (TFLite-Micro fully_connected.cc,
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
type fullyConnected struct {
	macTensors
	depth int
	// packed is the fast Eval's state (mac_fast.go), nil when it does not
	// apply: the packed filter, or with rows (fewer rows than
	// fcPackedMinBatches, a constant filter) only the channel sums.
	packed *macPacked
	rows   bool
}

// prepareFullyConnected prepares a FULLY_CONNECTED node (see fullyConnected for
// the formula).
func prepareFullyConnected(n *Node) (Kernel, error) { return newFullyConnected(n, false) }

// prepareFullyConnectedRef prepares FULLY_CONNECTED as LiteRT's reference
// kernel computes it (ImplTFLiteRef, since LiteRT 2025-04): the same
// accumulator (uint8 models too, with the filter offset −zp_w), requantized
// in double — out = clamp(int32(round_half_away(double(acc + bias)·M)) +
// zp_out, lo, hi) with M = double(s_in)·double(s_w[oc])/double(s_out) — and
// int16 inputs accumulating in int64 unless quantized_bias_type is INT32.
func prepareFullyConnectedRef(n *Node) (Kernel, error) {
	k, err := newFullyConnected(n, true)
	if err != nil {
		return nil, err
	}
	if err := k.o.useDoubleRequant(n, k.in); err != nil {
		return nil, err
	}
	return k, nil
}

// prepareFullyConnectedOptimized prepares FULLY_CONNECTED as the 2022
// TFLite optimized kernel computes it when the XNNPACK delegate leaves it
// to TFLite (ImplTFLiteOptimized): int8 through ruy, single rounding
// (macOutput.useRuySingleRounding); legacy uint8 through gemmlowp, whose
// output pipeline is TFLite-Micro's double-rounding MBQM with the uint8
// multiplier (a float32 product s_in·s_w) and the filter offset. int16 is
// TFLite's reference integer kernel, TFLite-Micro's arithmetic (not taken).
func prepareFullyConnectedOptimized(n *Node) (Kernel, error) {
	in := n.Input(0)
	if in == nil || (in.Type != tflite.TypeInt8 && in.Type != tflite.TypeUint8) {
		return nil, fmt.Errorf("%w: TFLite's int16 FULLY_CONNECTED is TFLite-Micro's", errNotTaken)
	}
	k, err := newFullyConnected(n, true)
	if err != nil {
		return nil, err
	}
	if in.Type == tflite.TypeInt8 {
		k.o.useRuySingleRounding()
	}
	return k, nil
}

// newFullyConnected prepares the TFLite-Micro form; allowUint8 admits the
// legacy uint8 scheme.
func newFullyConnected(n *Node, allowUint8 bool) (*fullyConnected, error) {
	in, filter, bias := n.Input(0), n.Input(1), n.Input(2)
	m, err := newMACTensors(n, in, filter, 0, allowUint8)
	if err != nil {
		return nil, err
	}
	out := m.out
	if filter.Rank() != 2 || out.Rank() < 1 {
		return nil, fmt.Errorf("%w: FULLY_CONNECTED wants a rank-2 filter, got %v (output %v)", ErrBadShape, filter.Shape, out.Shape)
	}
	k := &fullyConnected{macTensors: m}
	k.depth = filter.Shape[1]
	k.outC = out.Dim(-1)
	if k.outC > filter.Shape[0] || k.outC <= 0 || k.depth <= 0 {
		return nil, fmt.Errorf("%w: FULLY_CONNECTED output %v does not match filter %v", ErrBadShape, out.Shape, filter.Shape)
	}
	k.batches, k.outH, k.outW = out.NumElements()/k.outC, 1, 1
	if k.batches*k.depth > in.NumElements() {
		return nil, fmt.Errorf("%w: FULLY_CONNECTED input %v too small for %d batches of depth %d", ErrBadShape, in.Shape, k.batches, k.depth)
	}
	o, err := newMACOutput(n, in, filter, bias, out, k.outC, n.Options.Activation, true)
	if err != nil {
		return nil, err
	}
	if !o.perChannel {
		o.weighOff = -filter.ZP0()
	}
	k.setOutputStage(o)
	if k.batches < fcPackedMinBatches {
		k.packed, k.rows = k.newMACRowsFor(k.depth, k.outC), true
	} else {
		k.packed = k.newMACPackedFor(k.depth, k.outC)
	}
	return k, nil
}

// element computes output element (b, oc) (y and x are always 0); Eval and
// Explain share it.
func (k *fullyConnected) element(b, _, _, oc int, c *Chain) int32 {
	ib := b * k.depth
	wb := oc * k.depth
	acc := k.dot(ib, wb, k.depth)
	if c != nil {
		k.recordTerms(c, ib, wb, k.depth)
	}
	return k.o.finish(acc, oc, k.depth, c)
}

// Eval stores every element: through the packed filter when the fast path
// applies (8-bit data), else one element at a time.
func (k *fullyConnected) Eval() error {
	k.refresh()
	if k.packed != nil {
		if !k.filter.Const && !k.rows {
			k.packFilter(k.packed)
		}
		switch {
		case k.uint8Data:
			evalFCFast(k, k.wU8, k.inU8, k.outU8)
		case k.int16Data:
			evalFCFast(k, k.w, k.in16, k.out16)
		default:
			evalFCFast(k, k.w, k.in8, k.out8)
		}
		return nil
	}
	evalNHWC(k, &k.macResult, (*fullyConnected).element)
	return nil
}

func (k *fullyConnected) Explain(out, elem int, c *Chain) error {
	return explainNHWC(k, &k.macResult, (*fullyConnected).element, out, elem, c)
}

func (k *fullyConnected) Describe() Params {
	return k.o.describe(NamedInt{"batches", int64(k.batches)}, NamedInt{"accum_depth", int64(k.depth)})
}

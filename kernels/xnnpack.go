package kernels

import (
	"errors"
	"fmt"
	"math"

	"github.com/tflq/tflq-trace/tflite"
)

// What the XNNPACK implementation (ImplXNNPACK) shares: how TFLite's
// XNNPACK delegate decides, and the clamp bounds it derives. The delegate
// checks each node twice. When it partitions the graph it visits the node
// and either takes it or leaves it to TFLite's builtin kernels (a kernel
// here returns errNotTaken); when it builds its own operators it may still
// fail (a requantization scale ≥ 256, an empty clamp range, mismatched
// quantization), and then TFLite runs every node of the graph on its
// builtin kernels (ErrDelegateFallback). The reference build is the
// tfjs-tflite 0.0.1-alpha.10 WebAssembly module (TFLite ≈2.11, XNNPACK of
// 2022-09).

// ErrDelegateFallback is returned by an XNNPACK kernel for a node the
// delegate takes when it partitions the graph but then fails to build:
// TFLite restores the original execution plan, so the interpreter prepares
// every node again without the delegate.
var ErrDelegateFallback = errors.New("the XNNPACK delegate fails to build this node, so TFLite runs the whole graph on its builtin kernels")

// xnnpackActivationRange is the output clamp XNNPACK derives from a fused
// activation: the real bounds (NONE ±∞, RELU [0, ∞), RELU_N1_TO_1 [−1, 1],
// RELU6 [0, 6]) quantized in float32 and rounded half to even,
// lrintf(clamp(bound/s_out + zp, qmin, qmax)) — TFLite rounds them half away
// from zero instead, so the two differ when bound/s_out + zp ends in .5.
// Other activations are not delegated (errNotTaken); an empty range is a
// build failure (ErrDelegateFallback).
func xnnpackActivationRange(act tflite.Activation, out *Tensor) (lo, hi int32, err error) {
	lowReal, highReal := float32(math.Inf(-1)), float32(math.Inf(1))
	switch act {
	case tflite.ActNone:
	case tflite.ActRelu:
		lowReal = 0
	case tflite.ActReluN1To1:
		lowReal, highReal = -1, 1
	case tflite.ActRelu6:
		lowReal, highReal = 0, 6
	default:
		return 0, 0, fmt.Errorf("%w: XNNPACK does not fuse activation %v", errNotTaken, act)
	}
	qmin, qmax := Range(out.Type)
	s, zp := out.Scale0(), float32(out.ZP0())
	quantize := func(bound float32) int32 {
		v := min(max(bound/s+zp, float32(qmin)), float32(qmax))
		return int32(math.RoundToEven(float64(v)))
	}
	lo, hi = quantize(lowReal), quantize(highReal)
	if lo >= hi {
		return 0, 0, fmt.Errorf("%w: empty output range [%d, %d]", ErrDelegateFallback, lo, hi)
	}
	return lo, hi, nil
}

// xnnNotTaken is the visit-stage answer for a node the delegate leaves to
// TFLite's builtin kernels: PrepareImpl then tries the runtime's next
// implementation.
func xnnNotTaken(n *Node, format string, args ...any) error {
	return fmt.Errorf("%w: the XNNPACK delegate leaves %v to TFLite: %s", errNotTaken, n.Op, fmt.Sprintf(format, args...))
}

// xnnFallback is the define-stage failure of a node the delegate took: the
// interpreter then prepares the whole graph again without the delegate.
func xnnFallback(n *Node, format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDelegateFallback, fmt.Sprintf(format, args...))
}

// xnnQ8 is the delegate's check of an 8-bit activation tensor
// (CheckTensorQInt8OrQUInt8Type and the 8-bit part of
// CheckTensorFloat32OrQUInt8Type): int8 with one scale on quantized
// dimension 0, or uint8 with one scale and one zero point.
func xnnQ8(t *Tensor) bool {
	if t == nil || !t.Quantized() || len(t.Scale) != 1 || t.QuantizedDimension != 0 {
		return false
	}
	switch t.Type {
	case tflite.TypeInt8:
		return true
	case tflite.TypeUint8:
		return len(t.ZeroPoint) == 1
	}
	return false
}

// xnnShape is the delegate's CheckTensorShape: rank in [lo, hi] and every
// dimension positive.
func xnnShape(t *Tensor, lo, hi int) bool {
	if t.Rank() < lo || t.Rank() > hi {
		return false
	}
	for _, d := range t.Shape {
		if d <= 0 {
			return false
		}
	}
	return true
}

// xnnMaxRank is XNN_MAX_TENSOR_DIMS.
const xnnMaxRank = 6

// xnnDefineTensor is the check Subgraph::Create makes of every tensor of a
// delegated node when it defines the XNNPACK values: float32; int8 with as
// many zero points as scales, per-channel only along a dimension of that
// many channels with every zero point 0; uint8 with one scale and one zero
// point; int32 (biases) with zero points 0 on quantized dimension 0. Any
// other tensor fails the build (ErrDelegateFallback).
func xnnDefineTensor(n *Node, t *Tensor) error {
	if t == nil {
		return nil
	}
	bad := func(why string) error { return xnnFallback(n, "tensor %d (%s) %v: %s", t.Index, t.Name, t.Type, why) }
	switch t.Type {
	case tflite.TypeFloat32:
		return nil
	case tflite.TypeInt8:
		if !t.Quantized() || len(t.ZeroPoint) != len(t.Scale) {
			return bad("needs as many zero points as scales")
		}
		if len(t.Scale) > 1 {
			qd := t.QuantizedDimension
			if t.Rank() < 1 || qd < 0 || qd >= t.Rank() || t.Shape[qd] != len(t.Scale) {
				return bad("per-channel scales do not match its quantized dimension")
			}
			for _, z := range t.ZeroPoint {
				if z != 0 {
					return bad("per-channel zero points must be 0")
				}
			}
		}
	case tflite.TypeUint8:
		if len(t.Scale) != 1 || len(t.ZeroPoint) != 1 {
			return bad("needs one scale and one zero point")
		}
	case tflite.TypeInt32:
		if !t.Quantized() || len(t.ZeroPoint) != len(t.Scale) || t.QuantizedDimension != 0 {
			return bad("XNNPACK holds only quantized int32 tensors (biases) on dimension 0")
		}
		if len(t.Scale) > 1 && (t.Rank() < 1 || t.Shape[0] != len(t.Scale)) {
			return bad("per-channel scales do not match dimension 0")
		}
		for _, z := range t.ZeroPoint {
			if z != 0 {
				return bad("zero points must be 0")
			}
		}
	default:
		return bad("XNNPACK has no such datatype")
	}
	return nil
}

// xnnDefineTensors runs xnnDefineTensor on the given tensors.
func xnnDefineTensors(n *Node, ts ...*Tensor) error {
	for _, t := range ts {
		if err := xnnDefineTensor(n, t); err != nil {
			return err
		}
	}
	return nil
}

// xnnSameQuantization is the define-stage check of XNNPACK's data-movement
// and pooling operators that cannot requantize (max pooling, constant pad,
// depth-to-space, bilinear resize): input and output must have the same
// scale and zero point, exactly.
func xnnSameQuantization(n *Node, in, out *Tensor) error {
	if in.Scale0() != out.Scale0() || in.ZP0() != out.ZP0() {
		return xnnFallback(n, "XNNPACK does not requantize: input (scale %g, zero point %d) and output (%g, %d) differ",
			in.Scale0(), in.ZP0(), out.Scale0(), out.ZP0())
	}
	return nil
}

// roundHalfEven32 is lrintf: x rounded to the nearest integer, ties to even.
func roundHalfEven32(x float32) float64 { return math.RoundToEven(float64(x)) }

// xnnRequantizeFP32 is XNNPACK's fp32 requantization of an int32 value
// (the "magic bias" kernels' closed form): clamp(round_half_even(
// float32(float32(acc)·scale)) + zp, lo, hi). The float32 product is
// explicitly rounded (no fused multiply-add). lo and hi are within the
// 8-bit range, so the huge values a saturating float gives clamp as the
// kernels' integer clamps do.
func xnnRequantizeFP32(acc int32, scale float32, zp, lo, hi int32) (f float32, out int32) {
	f = float32(float32(acc) * scale)
	r := roundHalfEven32(f) + float64(zp)
	return f, int32(min(max(r, float64(lo)), float64(hi)))
}

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
